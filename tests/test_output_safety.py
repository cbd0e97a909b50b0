"""Nothing lost (issue 16): the tool never deletes a file it did not write. A non-empty output
folder without the tool's marker is refused (``--overwrite`` says yes), temporary siblings are
recognised by their exact names, a failure reported as "unchanged" is unchanged, sibling builds
run at the same time, and a mount point is refused up front with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.state import state_path
from site_builder.write import MARKER, MARKER_TEXT, OLD_PREFIX, TMP_PREFIX
from tests.conftest import MINIMAL_SITE, REPO, write_site
from tests.test_faults import tmpfs
from tests.util import cli, tree_digest

REPORT = "content/reports/city/2024-summary.md"


def user_folder(root: Path) -> Path:
    """A folder of someone's own files: notes, a photo, a nested folder, a hidden file, an
    empty folder and a symbolic link."""
    root.mkdir(parents=True)
    (root / "notes.txt").write_text("买菜\n", encoding="utf-8")
    (root / "photo.jpg").write_bytes(bytes(range(256)) * 40)
    (root / "2023" / "taxes").mkdir(parents=True)
    (root / "2023" / "taxes" / "receipt.pdf").write_bytes(b"%PDF-1.4\n" + b"\0" * 300)
    (root / ".bashrc").write_text("export A=1\n", encoding="utf-8")
    (root / "empty").mkdir()
    os.symlink("notes.txt", root / "link-to-notes")
    return root


def listing(root: Path) -> list[str]:
    """Every entry (folders and links too), so an empty folder that goes missing shows."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def refusal(out: Path, count: int, first: str) -> str:
    return (
        f"error: --out {out} is not empty and was not made by site-builder (it holds {count}"
        f" item(s), e.g. '{first}'): a build replaces everything in it, so it is left alone"
        " (choose an empty or new folder, or pass --overwrite to delete its contents and build"
        " there)"
    )


def test_a_folder_of_user_files_survives_byte_for_byte(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    home = user_folder(tmp_path / "home")
    before, entries = tree_digest(home), listing(home)
    for command in (["build"], ["build", "--strict"], ["build", "--jobs", "2"]):
        run = cli(*command, "--source", site, "--out", home)
        assert (run.code, run.err.splitlines()) == (2, [refusal(home, 6, ".bashrc")])
        assert tree_digest(home) == before and listing(home) == entries
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((TMP_PREFIX, OLD_PREFIX))]
    assert not state_path(home).exists()


def test_a_link_to_a_folder_of_user_files_is_refused_as_that_folder(tmp_path: Path) -> None:
    """Round two: --out a symbolic link to someone's folder is refused like the folder itself
    (the link and what it points to survive)."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    home = user_folder(tmp_path / "home")
    os.symlink(home, tmp_path / "link")
    before, entries = tree_digest(home), listing(home)
    run = cli("build", "--source", site, "--out", tmp_path / "link")
    assert (run.code, run.err.splitlines()) == (2, [refusal(tmp_path / "link", 6, ".bashrc")])
    assert tree_digest(home) == before and listing(home) == entries
    assert (tmp_path / "link").is_symlink()


def test_one_stray_file_is_enough_to_refuse(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>", encoding="utf-8")
    run = cli("build", "--source", site, "--out", out)
    assert (run.code, run.err.splitlines()) == (2, [refusal(out, 1, "index.html")])
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>my own page</p>"


def test_overwrite_says_yes_and_the_folder_is_the_tools_from_then_on(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = user_folder(tmp_path / "old-site")
    run = cli("build", "--source", site, "--out", out, "--overwrite")
    assert run.code == 0, run.err
    assert not (out / "notes.txt").exists() and (out / "index.html").is_file()
    assert (out / MARKER).read_bytes() == MARKER_TEXT
    again = cli("build", "--source", site, "--out", out)  # marked: no flag needed
    assert again.code == 0, again.err


def test_an_empty_or_missing_folder_needs_no_flag(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        run = cli("build", "--source", site, "--out", out)
        assert run.code == 0, run.err
        assert (out / MARKER).read_bytes() == MARKER_TEXT


def test_an_output_of_an_older_version_is_recognised_by_its_state(tmp_path: Path) -> None:
    """Built before the marker existed: the build state beside it says it is the tool's."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    (out / MARKER).unlink()
    (site / REPORT).write_text(
        (site / REPORT).read_text(encoding="utf-8") + "\n新增。\n", encoding="utf-8"
    )
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    assert (out / MARKER).is_file()
    assert "新增。" in (out / "reports/city/2024-summary/index.html").read_text(encoding="utf-8")


def test_an_output_with_a_state_where_older_versions_kept_it_is_recognised(
    tmp_path: Path,
) -> None:
    """Before the marker, and before the cache folder: .site_builder_state-<name>.json."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    (out / MARKER).unlink()
    state_path(out).rename(tmp_path / ".site_builder_state-out.json")
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    assert (out / MARKER).is_file()


def test_the_marker_is_not_counted_nor_removed(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    first = cli("build", "--source", site, "--out", out)
    (site / REPORT).write_text(
        (site / REPORT).read_text(encoding="utf-8") + "\n新增。\n", encoding="utf-8"
    )
    second = cli("build", "--source", site, "--out", out)
    assert first.code == second.code == 0
    assert " 0 removed" in second.err, second.err
    files = [p for p in out.rglob("*") if p.is_file()]
    assert f"({len(files) - 1} files)" in second.err, second.err


# --- temporary siblings ------------------------------------------------------------------------


def test_temporary_siblings_of_other_outputs_are_left_alone(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    others = [
        TMP_PREFIX + "out2-abcd1234",  # a build of out2 in progress
        TMP_PREFIX + "out-2-abcd1234",  # ... of out-2
        OLD_PREFIX + "out-b-x1y2z3w4",  # ... of out-b, between its renames
        TMP_PREFIX + "out-notes",  # someone's folder with a look-alike name
        TMP_PREFIX + "out-abcd12345",  # nine characters: not mkdtemp's
        OLD_PREFIX + "output-abcd1234",
    ]
    for name in others:
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text(name, encoding="utf-8")
    mine = [TMP_PREFIX + "out-k1ll3d_1", OLD_PREFIX + "out-k1ll3d_2"]
    for name in mine:
        (tmp_path / name).mkdir()
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((TMP_PREFIX, OLD_PREFIX)))
    assert left == sorted(others)
    for name in others:
        assert (tmp_path / name / "page.html").read_text(encoding="utf-8") == name


def test_recovery_takes_only_the_outputs_own_old_tree(tmp_path: Path) -> None:
    """``out`` is missing; the set-aside tree of ``out2`` must not become ``out``."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    other = tmp_path / (OLD_PREFIX + "out2-abcd1234")
    other.mkdir()
    (other / "index.html").write_text("out2's", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    assert (other / "index.html").read_text(encoding="utf-8") == "out2's"
    assert "out2's" not in (out / "index.html").read_text(encoding="utf-8")


BUILD = "from site_builder.cli import main; main()"


def test_sibling_builds_run_at_the_same_time(tmp_path: Path) -> None:
    """Outputs whose names share a prefix, built at once by separate processes, three rounds
    (before, one build removed the other's new tree: 'No such file or directory')."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    outs = [tmp_path / "out", tmp_path / "out2", tmp_path / "out-2"]
    for round_ in range(3):
        if round_:  # an edit: every build writes a new tree
            (site / REPORT).write_text(
                (site / REPORT).read_text(encoding="utf-8") + f"\n第{round_}轮。\n",
                encoding="utf-8",
            )
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", BUILD, "build", "--source", site, "--out", out, "-j", "1"],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for out in outs
        ]
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
        for proc in procs:
            if proc.stderr:
                proc.stderr.close()
        assert [code for code, _ in results] == [0, 0, 0], results
    digests = [tree_digest(out) for out in outs]
    assert digests[0] == digests[1] == digests[2]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((TMP_PREFIX, OLD_PREFIX))]


# --- "unchanged" means unchanged ---------------------------------------------------------------


def test_a_state_that_cannot_be_saved_is_not_told_as_unchanged(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    state = state_path(out)
    state.unlink()
    state.mkdir()  # the new state cannot replace a folder
    (site / REPORT).write_text(
        (site / REPORT).read_text(encoding="utf-8") + "\n新增。\n", encoding="utf-8"
    )
    run = cli("build", "--source", site, "--out", out)
    assert (run.code, run.err.splitlines()) == (
        1,
        [
            f"{out}: error: the site was written, but its build state was not saved: Is a"
            " directory (check the folder's permissions and free space); the next build renders"
            " every page again"
        ],
    )
    assert "新增。" in (out / "reports/city/2024-summary/index.html").read_text(encoding="utf-8")
    state.rmdir()
    again = cli("build", "--source", site, "--out", out)
    assert again.code == 0 and state.is_file(), again.err


# --- mount points ------------------------------------------------------------------------------


def test_a_mount_point_is_refused_up_front(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    with tmpfs(tmp_path / "volume", "4m") as volume:
        (volume / "notes.txt").write_text("keep", encoding="utf-8")
        before = tree_digest(volume)
        for flags in ([], ["--overwrite"]):
            run = cli("build", "--source", site, "--out", volume, *flags)
            assert (run.code, run.err.splitlines()) == (
                2,
                [
                    f"error: --out {volume} is a mount point: a build swaps in a new output"
                    " folder by renaming it, which a mount point does not allow (build into a"
                    f" folder inside it, e.g. --out {volume / 'site'})"
                ],
            )
            assert tree_digest(volume) == before
        inside = cli("build", "--source", site, "--out", volume / "site")
        assert inside.code == 0, inside.err


@pytest.mark.parametrize("name", ["site.yaml", "content", ".git"])
def test_overwrite_never_replaces_a_source_folder(tmp_path: Path, name: str) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    other = tmp_path / "project"
    other.mkdir()
    (other / name).mkdir() if name != "site.yaml" else (other / name).write_text("title: x\n")
    before = listing(other)
    run = cli("build", "--source", site, "--out", other, "--overwrite")
    assert run.code == 2 and f"holds '{name}'" in run.err, run.err
    assert listing(other) == before
