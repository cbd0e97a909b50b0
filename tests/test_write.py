"""The write stage: all or nothing, no rewrite of unchanged files, stale files removed, leftovers
of a killed build recovered, and nothing outside the output folder touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.errors import UsageError
from site_builder.write import MARKER, OLD_PREFIX, TMP_PREFIX, check_output_dir, write_output


def files(out: Path) -> dict[str, bytes]:
    """The site's files in ``out`` (the tool's marker is checked on its own)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.relative_to(out).as_posix() != MARKER
    }


def test_writes_exactly_the_given_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = write_output(out, [("a.html", b"A"), ("d/b.html", b"B")])
    assert (result.written, result.unchanged, result.removed) == (2, 0, 0)
    assert files(out) == {"a.html": b"A", "d/b.html": b"B"}


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [("a.html", b"A"), ("b.html", b"B")])
    inode_a = (out / "a.html").stat().st_ino
    mtime_a = (out / "a.html").stat().st_mtime_ns
    result = write_output(out, [("a.html", b"A"), ("b.html", b"B2"), ("c.html", b"C")])
    assert (result.written, result.unchanged, result.removed) == (2, 1, 0)
    assert (out / "a.html").stat().st_ino == inode_a
    assert (out / "a.html").stat().st_mtime_ns == mtime_a
    assert files(out) == {"a.html": b"A", "b.html": b"B2", "c.html": b"C"}


def test_no_change_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [("a.html", b"A")])
    before = (out.stat().st_ino, (out / "a.html").stat().st_mtime_ns)
    result = write_output(out, [("a.html", b"A")])
    assert (result.written, result.removed) == (0, 0)
    assert (out.stat().st_ino, (out / "a.html").stat().st_mtime_ns) == before


def test_stale_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [("old/index.html", b"x"), ("a.html", b"A")])
    result = write_output(out, [("a.html", b"A")])
    assert result.removed == 1
    assert files(out) == {"a.html": b"A"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary leftovers


def test_recovers_from_a_build_killed_between_renames(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [("a.html", b"A")])
    # simulate a kill after `out -> old` and before `tmp -> out`
    old = tmp_path / (OLD_PREFIX + "out-12345678")
    out.rename(old)
    (tmp_path / (TMP_PREFIX + "out-x_1y2z3w")).mkdir()
    result = write_output(out, [("a.html", b"A")])
    assert result.written == 0  # the old tree was restored and already matched
    assert files(out) == {"a.html": b"A"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_siblings_of_the_output_are_never_touched(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("keep")
    (tmp_path / "output-notes").mkdir()
    out = tmp_path / "output"
    write_output(out, [("a.html", b"A")])
    write_output(out, [("b.html", b"B")])
    assert (tmp_path / "keep.txt").read_text() == "keep"
    assert (tmp_path / "output-notes").is_dir()


@pytest.mark.parametrize("bad", [".", "content", "content/x", "templates"])
def test_output_inside_or_equal_to_sources_is_refused(tmp_path: Path, bad: str) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.yaml").write_text("title: x\n")
    with pytest.raises(UsageError):
        check_output_dir(tmp_path, tmp_path / bad)


def test_output_that_holds_sources_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    with pytest.raises(UsageError, match=r"holds '\.git'"):
        check_output_dir(src, other)
    with pytest.raises(UsageError, match="contains the source folder"):
        check_output_dir(src, tmp_path)


# --- a new tree written while the build runs ---------------------------------------------------


def test_staged_files_join_the_tree_and_identical_ones_keep_the_current_file(
    tmp_path: Path,
) -> None:
    from site_builder.write import Staging

    out = tmp_path / "out"
    write_output(out, [("a.html", b"A"), ("d/b.html", b"B"), ("gone.html", b"G")])
    inode_a = (out / "a.html").stat().st_ino
    staging = Staging(out)
    staging.put("a.html", b"A")  # same bytes: the current file stays
    staging.put("d/b.html", b"B2")
    staging.put("d/e/c.html", b"C")
    assert staging.read("d/e/c.html") == b"C"
    result = write_output(out, [("x.css", b"X")], staging=staging)
    assert (result.written, result.unchanged, result.removed) == (3, 1, 1)
    assert result.changed == ("d/b.html", "d/e/c.html", "x.css")
    assert files(out) == {"a.html": b"A", "d/b.html": b"B2", "d/e/c.html": b"C", "x.css": b"X"}
    assert (out / "a.html").stat().st_ino == inode_a
    assert not staging.root.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_staging_with_nothing_new_writes_nothing(tmp_path: Path) -> None:
    from site_builder.write import Staging

    out = tmp_path / "out"
    write_output(out, [("a.html", b"A")])
    before = (out.stat().st_ino, (out / "a.html").stat().st_ino)
    staging = Staging(out)
    staging.put("a.html", b"A")
    result = write_output(out, [], staging=staging)
    assert (result.written, result.unchanged, result.removed) == (0, 1, 0)
    assert (out.stat().st_ino, (out / "a.html").stat().st_ino) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_build_keeps_no_page_in_memory_and_a_failed_one_leaves_no_new_tree(
    tmp_path: Path,
) -> None:
    """Pages go to the new tree as they render (the build keeps their digests); a build that
    fails afterwards (here: at the gates) removes that tree and leaves the output as it was."""
    from site_builder.incremental import StagedFile
    from site_builder.pipeline import BuildOptions, run
    from tests.conftest import MINIMAL_SITE, write_site
    from tests.util import tree_digest

    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    result = run(BuildOptions(site, out))
    assert result.ok
    pages = [f for f in result.files if f.path.endswith(".html")]
    assert pages and all(isinstance(f, StagedFile) and f.data == b"" for f in pages)
    clean = run(BuildOptions(site, tmp_path / "unstaged", write=False))  # `check`: in memory
    assert {f.path: f.data for f in clean.files if f.path.endswith(".html")} == {
        f.path: (out / f.path).read_bytes() for f in pages
    }
    before = tree_digest(out)
    report = next((site / "content" / "reports").rglob("*.md"))
    report.write_text(report.read_text(encoding="utf-8") + "\n[x](nowhere.html)\n", "utf-8")
    failed = run(BuildOptions(site, out))
    assert not failed.ok
    assert tree_digest(out) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]
