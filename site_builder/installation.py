"""Whether this installation of site_builder has the files every site needs.

A wheel carries the theme (``site_builder/theme/``) and the vendored scripts
(``site_builder/vendor/``, listed in its ``MANIFEST.json``); a source checkout has the theme at
its top level and gets the vendored scripts from npm (``scripts/setup.sh``). When one is missing
the build says so once, before reading the site, instead of reporting a broken link on every
page that would have used it.
"""

from __future__ import annotations

import json
from pathlib import Path

from site_builder.errors import Diagnostic
from site_builder.load import PACKAGE_DEFAULTS
from site_builder.messages import N_, _

PACKAGE = Path(__file__).parent
VENDOR = PACKAGE / "vendor"
REINSTALL = N_(
    "reinstall site_builder: pip install --force-reinstall site_builder; "
    "in a source checkout run bash scripts/setup.sh"
)
THEME_FILES = ("templates/base.html", "assets/site.css")


def vendored() -> dict[str, dict[str, str]]:
    """The manifest of vendored files: name under ``site_builder/vendor/`` -> its record
    (``name``, ``npm``, ``version``, ``sha256``, …)."""
    try:
        data = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files: dict[str, dict[str, str]] = data.get("files", {})
    return files


def _manifest_problem() -> Diagnostic | None:
    if vendored():
        return None
    return Diagnostic(
        str(VENDOR / "MANIFEST.json"),
        1,
        1,
        _("this installation of site_builder lacks the manifest of its vendored files"),
        _(REINSTALL),
        code="installation",
    )


def installation_problems() -> list[Diagnostic]:
    """One error per missing packaged file (a few ``stat`` calls: run before every build)."""
    problems: list[Diagnostic] = []
    for rel in THEME_FILES:
        if not (PACKAGE_DEFAULTS / rel).is_file():
            problems.append(
                Diagnostic(
                    str(PACKAGE_DEFAULTS / rel),
                    1,
                    1,
                    _(
                        "this installation of site_builder lacks its theme ({rel} is missing)"
                    ).format(rel=rel),
                    _(REINSTALL),
                    code="installation",
                )
            )
    missing_manifest = _manifest_problem()
    if missing_manifest is not None:
        return [*problems, missing_manifest]
    for name, entry in sorted(vendored().items()):
        if not (VENDOR / name).is_file():
            problems.append(
                Diagnostic(
                    str(VENDOR / name),
                    1,
                    1,
                    _(
                        "this installation of site_builder lacks {package} {version} (assets/{name}, used by every page with a chart)"
                    ).format(
                        package=entry.get("name", name), version=entry.get("version", ""), name=name
                    ),
                    _(REINSTALL),
                    code="installation",
                )
            )
    return problems
