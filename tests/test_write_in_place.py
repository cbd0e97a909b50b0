"""The write stage's in-place commit: an edit that changes a few files renames them into the
output one by one (no new tree, no removal of the old one), only after every check has passed;
a failure in the middle puts everything back; a build killed in the middle leaves a mark that
makes the next build repair the output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from site_builder import write
from site_builder.pipeline import BuildOptions, run
from site_builder.state import BuildState, Session, mark_writing, state_path, writing_path
from site_builder.write import MARKER, write_output
from tests.conftest import MakeSite
from tests.test_incremental import REPORT, clean_build, edit, tree

FILES = [(f"d{i % 3}/p{i}.html", f"page {i}".encode()) for i in range(10)]


def _files(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(out).items() if k != MARKER}


def test_a_few_changes_are_renamed_in_place_and_the_rest_is_not_touched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, FILES)
    inodes = {p: os.stat(out / p).st_ino for p, _ in FILES}
    folder = out.stat().st_ino
    told: list[tuple[str, ...]] = []
    new = [*FILES[1:9], ("d0/p0.html", b"new"), ("e/new.html", b"N")]  # p9 removed
    result = write_output(out, new, before=lambda paths: told.append(tuple(paths)))
    assert (result.written, result.unchanged, result.removed) == (2, 8, 1)
    assert told == [("d0/p0.html", "e/new.html", "d0/p9.html")]
    assert _files(out) == dict(new)
    assert out.stat().st_ino == folder  # not a new tree
    assert all(os.stat(out / p).st_ino == inodes[p] for p, _ in FILES[1:9])
    assert os.stat(out / "d0/p0.html").st_ino != inodes["d0/p0.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_most_files_changing_swap_in_a_new_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, FILES)
    folder = out.stat().st_ino
    told: list[object] = []
    changed = [(p, d + b"!") for p, d in FILES]
    write_output(out, changed, before=told.append)
    assert _files(out) == dict(changed)
    assert out.stat().st_ino != folder and told == []  # all or nothing: no mark needed


def test_a_failure_in_the_middle_of_the_commit_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_output(out, FILES)
    before = tree(out)
    real, calls = os.replace, []

    def failing(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(write.os, "replace", failing)
    new = [*FILES[2:], ("d0/p0.html", b"new"), ("d1/p1.html", b"new"), ("e/x.html", b"X")]
    with pytest.raises(OSError, match="No space"):
        write_output(out, new)
    monkeypatch.undo()
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_build_killed_while_committing_is_repaired_by_the_next(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site()
    out = tmp_path / "out"
    assert run(BuildOptions(root, out), session=Session()).ok
    edit(root / REPORT, "开展学习12次。", "开展学习13次。")
    real = write._commit_in_place

    def killed(out_: Path, tmp: Path, paths: object, gone: object) -> None:
        # the first file renamed in, then the process dies: no undo, no state saved
        assert writing_path(state_path(out_)).is_file()  # marked before the first change
        first = next(iter(paths))  # type: ignore[call-overload]
        os.replace(tmp / first, out_ / first)
        raise SystemExit(9)

    monkeypatch.setattr(write, "_commit_in_place", killed)
    with pytest.raises(SystemExit):
        run(BuildOptions(root, out), session=Session())
    monkeypatch.setattr(write, "_commit_in_place", real)
    state = BuildState.load(state_path(out))
    assert state is not None and state.snapshot is None  # never "up to date"
    again = run(BuildOptions(root, out), session=Session())
    assert again.ok and not again.up_to_date
    assert not writing_path(state_path(out)).exists()
    assert tree(out) == clean_build(root, tmp_path / "fresh")
    assert run(BuildOptions(root, out), session=Session()).up_to_date


def test_an_edit_from_a_new_process_writes_only_its_files_in_place(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    out = tmp_path / "out"
    assert run(BuildOptions(root, out), session=Session()).ok
    folder = out.stat().st_ino
    inodes = {p: os.stat(out / p).st_ino for p in tree(out)}
    edit(root / REPORT, "开展学习12次。", "开展学习13次。")
    result = run(BuildOptions(root, out), session=Session())
    assert result.ok and result.written is not None
    changed = set(result.written.changed)
    assert changed and 2 * len(changed) <= result.written.written + result.written.unchanged
    assert out.stat().st_ino == folder  # committed in place
    assert "reports/city/2024-summary/index.html" in changed
    assert {p for p in inodes if os.stat(out / p).st_ino != inodes[p]} == changed
    assert tree(out) == clean_build(root, tmp_path / "fresh")


def test_a_failed_build_writes_nothing_and_leaves_no_mark(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    out = tmp_path / "out"
    assert run(BuildOptions(root, out), session=Session()).ok
    before = tree(out)
    text = (root / REPORT).read_text(encoding="utf-8")
    (root / REPORT).write_text(text + "\n[x](nowhere.html)\n", encoding="utf-8")
    failed = run(BuildOptions(root, out), session=Session())
    assert not failed.ok
    assert tree(out) == before
    assert not writing_path(state_path(out)).exists()


def test_a_second_mark_adds_to_the_first(tmp_path: Path) -> None:
    """`serve` marks the pages it writes early, then the rest: a build killed after the second
    mark must still not keep the pages of the first."""
    out = tmp_path / "out"
    mark_writing(out, ["zh-hans/a.html", "zh-hant/a.html"])
    mark_writing(out, ["zh-hant/a.html", "search/docs.js"])
    marked = json.loads(writing_path(state_path(out)).read_bytes())
    assert marked == ["zh-hans/a.html", "zh-hant/a.html", "search/docs.js"]


def test_saving_the_state_again_encodes_only_the_records_that_changed(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` saves the state after every edit: the records of the files the edit did not
    touch are the same objects, and their JSON is not made again. The file is the JSON of the
    whole state all the same."""
    from site_builder.state import OutputRecord

    root, out, session = make_site(), tmp_path / "out", Session()
    options = BuildOptions(source=root, out=out, in_place=True)
    assert run(options, session=session).ok
    encoded: list[OutputRecord] = []
    real = OutputRecord.to_json

    def counting(self: OutputRecord, index: dict[str, int]) -> dict[str, object]:
        encoded.append(self)
        return real(self, index)

    monkeypatch.setattr(OutputRecord, "to_json", counting)
    edit(root / REPORT, "开展学习12次。", "开展学习12次，覆盖全市。")
    edited = run(options, session=session)
    assert edited.ok and edited.written is not None
    state = session.states[out.absolute()]
    assert 0 < len(encoded) < len(state.outputs) // 2
    names = sorted(state.facts)
    index = {name: i for i, name in enumerate(names)}
    whole = {
        "version": json.loads(state_path(out).read_text(encoding="utf-8"))["version"],
        "meta": state.meta,
        "facts": [[name, state.facts[name]] for name in names],
        "outputs": {k: real(state.outputs[k], index) for k in sorted(state.outputs)},
        "snapshot": state.snapshot.to_json() if state.snapshot else None,
    }
    saved = state_path(out).read_text(encoding="utf-8")
    assert saved == json.dumps(whole, ensure_ascii=False, separators=(",", ":"))
    assert BuildState.load(state_path(out)) is not None
