"""Build hook: puts the theme and the vendored front-end files into site_builder's wheel and sdist.

Every site's pages load ``assets/echarts.min.js``, which site_builder copies from its own
``site_builder/vendor/``. That file is not in git: it comes from the npm package that
``package-lock.json`` pins, and ``site_builder/vendor/MANIFEST.json`` records its version and
sha256. Before a wheel or an sdist is built, this hook makes sure each recorded file is in
``site_builder/vendor/`` with that digest, taking it, in this order, from

1. ``site_builder/vendor/`` itself (an sdist carries the files, so a wheel built from it needs
   no npm),
2. ``node_modules/`` (``npm ci`` already ran, as ``scripts/setup.sh`` does),
3. ``npm ci --ignore-scripts`` run now, when npm and ``package-lock.json`` are there,

and refuses to build when none gives the recorded bytes. The wheel also gets the top-level
``templates/`` and ``assets/`` (the theme) as ``site_builder/theme/``; an editable install finds
them in the checkout instead (``site_builder/load.py``), and a missing vendored file is only a
warning there (``site-builder build`` then names it).

Run as a script, it does the vendoring step alone (``scripts/setup.sh`` uses it), or, with
``--record``, writes the digests of the files now in ``node_modules/`` into the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENDOR = Path("site_builder") / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"
THEME = {"templates": "site_builder/theme/templates", "assets": "site_builder/theme/assets"}


class VendorError(Exception):
    """A recorded file could not be had with its recorded digest."""


def manifest(root: Path) -> dict[str, dict[str, Any]]:
    """The recorded files, by name under ``site_builder/vendor/``."""
    data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    files: dict[str, dict[str, Any]] = data["files"]
    return files


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _from_node_modules(root: Path, name: str, entry: dict[str, Any]) -> bool:
    source = root / "node_modules" / entry["npm"] / entry["from"]
    if _sha256(source) != entry["sha256"]:
        return False
    target = root / VENDOR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return True


def _npm_ci(root: Path) -> str:
    """Runs ``npm ci`` (no install scripts); returns why it could not, or ""."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed"
    if not (root / "package-lock.json").is_file():
        return "there is no package-lock.json here"
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if done.returncode == 0 else f"npm ci failed: {done.stderr.strip()[-500:]}"


def vendor(root: Path, *, allow_npm: bool = True) -> list[str]:
    """Makes every file of the manifest present in ``site_builder/vendor/`` with its recorded
    sha256; returns the names it had to copy. Raises VendorError naming what is missing."""
    files = manifest(root)
    copied: list[str] = []
    missing: list[str] = []
    for name, entry in sorted(files.items()):
        if _sha256(root / VENDOR / name) == entry["sha256"]:
            continue
        if _from_node_modules(root, name, entry):
            copied.append(name)
        else:
            missing.append(name)
    if missing and allow_npm:
        why = _npm_ci(root)
        for name in list(missing):
            if not why and _from_node_modules(root, name, files[name]):
                copied.append(name)
                missing.remove(name)
        if missing and why:
            raise VendorError(f"{', '.join(missing)}: {why}")
    if missing:
        described = ", ".join(
            f"{files[n]['npm']} {files[n]['version']} {files[n]['from']} (sha256 {files[n]['sha256']})"
            for n in missing
        )
        raise VendorError(
            f"no file with the recorded bytes for {described}; "
            "run `npm ci --ignore-scripts`, or update site_builder/vendor/MANIFEST.json "
            "with `python hatch_build.py --record` after changing package.json"
        )
    return copied


def record(root: Path) -> None:
    """Writes the version, size and sha256 of each manifest file now in node_modules/."""
    path = root / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["files"].values():
        package = root / "node_modules" / entry["npm"]
        source = package / entry["from"]
        entry["version"] = json.loads((package / "package.json").read_text("utf-8"))["version"]
        entry["bytes"] = source.stat().st_size
        entry["sha256"] = _sha256(source)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run as a script, without hatchling
    pass
else:

    class VendorHook(BuildHookInterface):  # type: ignore[type-arg]
        """Vendors the manifest's files and adds them, and the theme, to the artifact."""

        PLUGIN_NAME = "custom"

        def initialize(self, version: str, build_data: dict[str, Any]) -> None:
            root = Path(self.root)
            editable = version == "editable"
            try:
                copied = vendor(root)
            except VendorError as exc:
                if not editable:
                    raise
                self.app.display_warning(f"site_builder: {exc}")
                return
            for name in copied:
                self.app.display_info(f"site_builder: vendored {VENDOR / name}")
            if editable:  # the checkout's own files are used in place
                return
            build_data["artifacts"].extend(f"/{VENDOR.as_posix()}/{n}" for n in manifest(root))
            if self.target_name == "wheel":
                for source, target in THEME.items():
                    build_data["force_include"][str(root / source)] = target


def main(argv: list[str]) -> int:
    if argv == ["--record"]:
        record(ROOT)
        print(f"recorded {MANIFEST}")
        return 0
    if argv:
        print("usage: python hatch_build.py [--record]", file=sys.stderr)
        return 2
    try:
        copied = vendor(ROOT)
    except VendorError as exc:
        print(f"hatch_build: error: {exc}", file=sys.stderr)
        return 1
    for name, entry in sorted(manifest(ROOT).items()):
        state = "copied" if name in copied else "up to date"
        print(f"{VENDOR / name}: {entry['name']} {entry['version']}, {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
