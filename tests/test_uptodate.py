"""A build with nothing to do: answered from the quick file beside the output, in a fresh
process, without importing the pipeline; and never "up to date" when the quick file no longer
belongs to the state, the output or the sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import state as state_mod
from site_builder import uptodate
from site_builder.state import BuildState, mark_writing, state_path
from site_builder.uptodate import load_quick, output_as_written, quick_path, unchanged
from tests.conftest import REPO, MakeSite
from tests.util import cli


@pytest.fixture
def built(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path]:
    root = make_site()
    out = tmp_path / "out"
    first = cli("build", "--source", root, "--out", out)
    assert first.code == 0, first.err
    return root, out


def _fresh_build(root: Path, out: Path) -> tuple[str, list[str]]:
    """`build` in a new Python process: its messages, and which heavy modules it imported."""
    heavy = ["site_builder.pipeline", "site_builder.stages", "jinja2", "markdown_it", "yaml"]
    code = (
        "import sys\n"
        "from site_builder.cli import main\n"
        "try:\n"
        f"    main(['build', '--source', {str(root)!r}, '--out', {str(out)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
    )
    env = {**os.environ, "SITE_BUILDER_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return done.stderr, json.loads(done.stdout.strip().replace("'", '"'))


def test_a_no_change_build_in_a_new_process_imports_no_pipeline(built: tuple[Path, Path]) -> None:
    root, out = built
    said, imported = _fresh_build(root, out)
    assert "is up to date" in said, said
    assert imported == []
    (root / "content/tags.yaml").write_text(
        (root / "content/tags.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    said, imported = _fresh_build(root, out)  # a source changed: the pipeline runs
    assert "is up to date" not in said and "built" in said, said
    assert "site_builder.pipeline" in imported


def test_the_quick_file_lists_what_the_state_records(built: tuple[Path, Path]) -> None:
    root, out = built
    state = BuildState.load(state_path(out))
    found = load_quick(state_path(out))
    assert state is not None and state.snapshot is not None and found is not None
    snapshot, files = found
    assert files == state.listing() and len(files) > 10
    assert snapshot.to_json() == state.snapshot.to_json()
    assert unchanged(root, out, drafts=False, pdf=False) is not None


def test_a_quick_file_not_of_this_state_is_void(built: tuple[Path, Path]) -> None:
    root, out = built
    path = state_path(out)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # another state file, same bytes
    assert load_quick(path) is None
    assert unchanged(root, out, drafts=False, pdf=False) is None
    # the pipeline reads the state instead, finds it up to date, and writes the quick file again
    again = cli("build", "--source", root, "--out", out)
    assert "is up to date" in again.err, again.err
    assert load_quick(path) is not None


def test_a_missing_state_voids_the_quick_file(built: tuple[Path, Path]) -> None:
    root, out = built
    state_path(out).unlink()
    assert quick_path(state_path(out)).is_file()
    assert unchanged(root, out, drafts=False, pdf=False) is None


def test_a_build_that_starts_changing_the_output_removes_the_quick_file(
    built: tuple[Path, Path],
) -> None:
    _root, out = built
    saved = quick_path(state_path(out)).read_bytes()
    mark_writing(out, ["index.html"])
    assert not quick_path(state_path(out)).exists()
    quick_path(state_path(out)).write_bytes(saved)  # even if it came back, the mark voids it
    assert load_quick(state_path(out)) is None


def test_saving_a_state_forgets_the_old_quick_file_first(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _root, out = built
    state = BuildState.load(state_path(out))
    assert state is not None

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state_mod, "write_atomic", failing)
    with pytest.raises(OSError):
        state.save(state_path(out))
    assert not quick_path(state_path(out)).exists()  # the old state may be half replaced


@pytest.mark.parametrize("change", ["edited", "added", "removed", "marker", "linked"])
def test_the_quick_check_sees_any_change_to_the_output(
    built: tuple[Path, Path], change: str
) -> None:
    root, out = built
    page = out / "index.html"
    if change == "edited":
        page.write_bytes(page.read_bytes() + b"\n")
    elif change == "added":
        (out / "stray.txt").write_text("x")
    elif change == "removed":
        page.unlink()
    elif change == "marker":
        next(p for p in out.iterdir() if p.name == uptodate.MARKER).unlink()
    else:
        (out / "elsewhere").symlink_to(root, target_is_directory=True)
    found = load_quick(state_path(out))
    assert found is not None
    assert not output_as_written(out, found[1])
    assert unchanged(root, out, drafts=False, pdf=False) is None


def test_the_quick_check_sees_a_changed_option_or_source(built: tuple[Path, Path]) -> None:
    root, out = built
    assert unchanged(root, out, drafts=True, pdf=False) is None
    assert unchanged(root, out, drafts=False, pdf=True) is None
    os.utime(root / "content/tags.yaml")  # touched: its stamp changed
    assert unchanged(root, out, drafts=False, pdf=False) is None
