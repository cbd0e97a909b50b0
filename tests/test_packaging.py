"""The package as a user installs it: what its wheel and sdist hold, and what a broken
installation says."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from site_builder import installation
from tests.util import cli, error_lines, tree_digest

REPO = Path(__file__).resolve().parents[1]
PIP = (sys.executable, "-m", "pip")
MANIFEST = json.loads((REPO / "site_builder/vendor/MANIFEST.json").read_text(encoding="utf-8"))


def test_every_vendored_file_is_the_npm_pinned_one() -> None:
    """The manifest's versions are package-lock.json's, and the vendored bytes its digests."""
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert MANIFEST["files"], "nothing recorded"
    for name, entry in MANIFEST["files"].items():
        assert lock[f"node_modules/{entry['npm']}"]["version"] == entry["version"], name
        data = (REPO / "site_builder/vendor" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["bytes"], name


def test_a_missing_vendored_file_is_one_error_not_a_link_error_per_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    shutil.copy(REPO / "site_builder/vendor/MANIFEST.json", vendor / "MANIFEST.json")
    monkeypatch.setattr(installation, "VENDOR", vendor)
    assert cli("init", tmp_path / "site").code == 0
    out = tmp_path / "site" / "output"
    run = cli("build", "--source", tmp_path / "site", "--out", out)
    assert run.code == 1
    assert error_lines(run) == [
        f"{vendor / 'echarts.min.js'}:1:1: error: this installation of site_builder lacks "
        f"ECharts {MANIFEST['files']['echarts.min.js']['version']} (assets/echarts.min.js, used "
        "by every page with a chart) (reinstall site_builder: pip install --force-reinstall "
        "site_builder; in a source checkout run bash scripts/setup.sh)"
    ]
    assert not out.exists()


def test_a_missing_theme_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(installation, "PACKAGE_DEFAULTS", tmp_path / "nowhere")
    assert cli("init", tmp_path / "site").code == 0
    run = cli("check", "--source", tmp_path / "site")
    assert run.code == 1
    assert [line.split(": error: ")[1] for line in error_lines(run)] == [
        f"this installation of site_builder lacks its theme ({rel} is missing) (reinstall "
        "site_builder: pip install --force-reinstall site_builder; in a source checkout run "
        "bash scripts/setup.sh)"
        for rel in installation.THEME_FILES
    ]


# --- the wheel and sdist of a clean copy ---------------------------------------------------------


def clean_copy(dest: Path) -> Path:
    """The files git tracks (as a fresh clone has them), with node_modules/ as `npm ci` leaves
    it (linked from this checkout, so the test needs no network)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    assert not (dest / "site_builder/vendor/echarts.min.js").exists()
    (dest / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return dest


def expected_wheel_files() -> set[str]:
    """What a site needs from the package: its code, catalogs and data, the theme, the
    vendored files and their manifest, py.typed."""
    tracked = subprocess.run(
        ["git", "ls-files", "site_builder", "templates", "assets"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    files = set()
    for rel in tracked:
        if rel.startswith(("templates/", "assets/")):
            files.add(f"site_builder/theme/{rel}")
        else:
            files.add(rel)
    files |= {f"site_builder/vendor/{name}" for name in MANIFEST["files"]}
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``python -m build`` of a clean copy: the sdist, then the wheel built from that sdist."""
    src = clean_copy(tmp_path_factory.mktemp("clean"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return wheel, sdist


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return {n for n in z.namelist() if ".dist-info/" not in n}


@pytest.mark.packaging
def test_the_wheel_holds_everything_a_site_needs(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    files = wheel_files(wheel)
    assert files == expected_wheel_files()
    assert {"site_builder/py.typed", "site_builder/catalogs/en.yaml"} <= files
    assert "site_builder/theme/templates/base.html" in files
    with zipfile.ZipFile(wheel) as z:
        js = z.read("site_builder/vendor/echarts.min.js")
    assert hashlib.sha256(js).hexdigest() == MANIFEST["files"]["echarts.min.js"]["sha256"]


@pytest.mark.packaging
def test_the_sdist_builds_a_wheel_without_npm(built: tuple[Path, Path]) -> None:
    """The sdist carries the vendored files (the wheel above was built from it, with no
    node_modules), the theme and the hook, and nothing of the example site or the tests."""
    _, sdist = built
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert "site_builder/vendor/echarts.min.js" in names
    assert {
        "hatch_build.py",
        "package-lock.json",
        "templates/base.html",
        "assets/site.css",
    } <= names
    assert not {n for n in names if n.startswith(("tests/", "content/", "node_modules/"))}


@pytest.mark.packaging
def test_pip_wheel_gives_the_same_files(tmp_path: Path, built: tuple[Path, Path]) -> None:
    src = clean_copy(tmp_path / "clean")
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "w"), src],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (wheel,) = (tmp_path / "w").glob("*.whl")
    assert wheel_files(wheel) == wheel_files(built[0])


# --- the console script starts fast -------------------------------------------------------------

HEAVY = ("jinja2", "opencc", "pyecharts", "markdown_it", "yaml", "pypinyin", "rich", "livereload")


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["serve"], ["init"], ["new"]])
def test_help_imports_nothing_heavy(command: list[str]) -> None:
    """``site-builder … --help`` loads click and the CLI module, not the build's libraries."""
    probe = (
        "import sys\n"
        "from site_builder.cli import main\n"
        f"try:\n    main([*{command!r}, '--help'])\nexcept SystemExit as e:\n    code = e.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *HEAVY], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 []"


def test_state_files_go_to_a_cache_folder_git_ignores(tmp_path: Path) -> None:
    """Nothing but the output folder appears beside the output: the incremental state is in
    ``.site_builder/``, which ignores itself."""
    assert cli("init", tmp_path / "site").code == 0
    before = {p.name for p in (tmp_path / "site").iterdir()}
    assert cli("build", "--source", tmp_path / "site").code == 0
    after = {p.name for p in (tmp_path / "site").iterdir()}
    assert after - before == {"output", ".site_builder"}
    cache = tmp_path / "site" / ".site_builder"
    assert sorted(p.name for p in cache.iterdir()) == [
        ".gitignore",
        "state-output.json",
        "state-output.quick.json",
        "state-output.scans.json",
    ]
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


# --- the wheel installed into a new virtual environment, as a content repository's CI does ----


def wheelhouse() -> Path:
    """Wheels of every package in requirements.lock (hashes checked), kept in the user cache
    by the lock's digest: the first run downloads them (pip's own cache usually has them from
    setup.sh), later runs need no network."""
    lock = REPO / "requirements.lock"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    house = cache / "site-builder" / f"wheelhouse-{digest}"
    if not (house / ".complete").is_file():
        options = ["-q", "--only-binary=:all:", "--no-deps", "--require-hashes"]
        subprocess.run(
            [*PIP, "download", *options, "-r", str(lock), "-d", str(house)],
            check=True,
            capture_output=True,
        )
        (house / ".complete").touch()
    return house


@pytest.mark.packaging
def test_the_wheel_in_a_new_venv_builds_an_init_site_and_the_example_site(
    tmp_path: Path, built: tuple[Path, Path], example_out: Path
) -> None:
    """No setup script, no checkout on the path: pip installs the wheel and its locked
    dependencies from wheels alone (--no-index), and the tool builds a new site and this
    repository's example site, the latter byte for byte as the checkout does."""
    house = wheelhouse()
    started = time.perf_counter()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    run = functools.partial(subprocess.run, cwd=tmp_path, env=env, capture_output=True, text=True)
    # the wheelhouse holds the locked versions only, so those are what pip resolves to
    offline = ["-q", "--no-index", "--find-links", house, "--no-cache-dir", "--no-compile"]
    install = run([venv / "bin/python", "-m", "pip", "install", *offline, built[0]])
    assert install.returncode == 0, install.stderr
    installed = time.perf_counter() - started
    where = run([venv / "bin/python", "-c", "import site_builder; print(site_builder.__file__)"])
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    tool = venv / "bin/site-builder"
    assert run([tool, "init", "new-site"]).returncode == 0
    new = run([tool, "build", "--source", "new-site"])
    assert new.returncode == 0, new.stderr
    assert (tmp_path / "new-site/output/assets/echarts.min.js").is_file()
    assert (tmp_path / "new-site/output/assets/site.css").is_file()
    # the message catalogs are in the wheel: the installed tool speaks zh-Hant
    checked = run([tool, "check", "--source", "new-site", "--lang", "zh-Hant"])
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines()[-1].startswith("已檢查 "), checked.stderr

    example = clean_copy(tmp_path / "example")
    (example / "node_modules").unlink()
    built_example = run([tool, "build", "--source", example, "--out", tmp_path / "example-out"])
    assert built_example.returncode == 0, built_example.stderr
    assert tree_digest(tmp_path / "example-out") == tree_digest(example_out)
    print(
        f"\nnew venv + pip install of the wheel: {installed:.1f}s; "
        f"with both builds: {time.perf_counter() - started:.1f}s"
    )


def test_the_build_hook_refuses_bytes_other_than_the_recorded_ones(tmp_path: Path) -> None:
    """hatch_build.vendor copies a file from node_modules only with the manifest's sha256,
    and otherwise stops the wheel or sdist build, naming the package and digest."""
    import hatch_build

    (tmp_path / "site_builder/vendor").mkdir(parents=True)
    shutil.copy(REPO / hatch_build.MANIFEST, tmp_path / hatch_build.MANIFEST)
    entry = MANIFEST["files"]["echarts.min.js"]
    source = tmp_path / "node_modules" / entry["npm"] / entry["from"]
    source.parent.mkdir(parents=True)
    source.write_bytes(b"/* not the pinned build */")
    with pytest.raises(hatch_build.VendorError, match=entry["sha256"]):
        hatch_build.vendor(tmp_path, allow_npm=False)
    assert not (tmp_path / "site_builder/vendor/echarts.min.js").exists()
    shutil.copy(REPO / "site_builder/vendor/echarts.min.js", source)
    assert hatch_build.vendor(tmp_path, allow_npm=False) == ["echarts.min.js"]
    assert hatch_build.vendor(tmp_path, allow_npm=False) == []  # already there: nothing to do
