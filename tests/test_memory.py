"""What a build keeps in memory, as counts and sizes (never timings): a build from the command
line keeps nothing for a next build, hands the render workers no parsed sources, and does not
hold the search files' bytes."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path
from typing import Any

import pytest

from site_builder import pipeline
from site_builder.incremental import StagedFile
from site_builder.parse import ParsedDoc
from site_builder.pipeline import BuildOptions, run
from site_builder.render import OutputFile
from site_builder.state import BuildState, Session
from tests.conftest import MakeSite


def test_a_one_build_session_remembers_only_what_the_build_asks_again() -> None:
    calls: list[int] = []

    def square(n: int) -> int:
        calls.append(n)
        return n * n

    session = Session(one_build=True)
    assert session.memo("once", square) is square  # nothing to keep for a next build
    twice = session.memo("twice", square, repeats=True)
    assert (twice(3), twice(3)) == (9, 9)
    assert calls == [3]
    session.end_build()
    # the table lived with the function the caller held, not in the session
    assert session.memo("twice", square, repeats=True)(3) == 9
    assert calls == [3, 3]


def test_a_session_that_outlives_the_build_keeps_its_memos() -> None:
    calls: list[int] = []

    def square(n: int) -> int:
        calls.append(n)
        return n * n

    session = Session()
    session.memo("once", square)(2)
    session.end_build()
    assert session.memo("once", square)(2) == 4
    assert calls == [2]


def test_no_parsed_source_is_alive_while_pages_render(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render workers fork from the build process: what it holds then, each holds. (Not
    counted: the parsed sources that earlier tests in this process still hold, in a session a
    fixture keeps.)"""
    seen: list[int] = []
    render_stage = pipeline.render_stage
    gc.collect()
    earlier = [o for o in gc.get_objects() if isinstance(o, ParsedDoc)]  # held: ids stay theirs
    known = {id(o) for o in earlier}

    def counting(*args: Any, **kwargs: Any) -> list[OutputFile]:
        gc.collect()
        seen.append(
            sum(1 for o in gc.get_objects() if isinstance(o, ParsedDoc) and id(o) not in known)
        )
        return render_stage(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render_stage", counting)
    root = make_site()
    assert run(BuildOptions(root, tmp_path / "out")).ok
    assert seen == [0]


def test_the_search_files_go_to_the_new_tree_as_they_are_made(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found: list[OutputFile] = []
    search_stage = pipeline.search_stage

    def keeping(*args: Any, **kwargs: Any) -> list[OutputFile]:
        files = search_stage(*args, **kwargs)
        found.extend(files)
        return files

    monkeypatch.setattr(pipeline, "search_stage", keeping)
    root, out = make_site(), tmp_path / "out"
    assert run(BuildOptions(root, out)).ok
    assert found and all(isinstance(f, StagedFile) for f in found)
    assert sum(len(f.data) for f in found) == 0  # the build holds their digests, not their bytes
    assert all((out / f.path).stat().st_size > 0 for f in found)


def test_parsing_yaml_leaves_no_node_behind() -> None:
    from site_builder import yamlpos

    located, errors = yamlpos.parse_yaml(
        "title: {zh: 标题, en: Title}\ndate: 2024-05-01\nn: [1, 2]\n"
    )
    assert errors == [] and located is not None
    assert located.value["n"] == [1, 2]
    assert len(yamlpos._constructor.constructed_objects) == 0


def test_a_build_into_a_removed_output_folder_reads_no_state(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state beside the output describes files that are gone: it is not read at all."""
    root, out = make_site(), tmp_path / "out"
    assert run(BuildOptions(root, out)).ok
    loads: list[Path] = []
    load = BuildState.load

    def counting(cls: type[BuildState], path: Path) -> BuildState | None:
        loads.append(path)
        return load(path)

    monkeypatch.setattr(BuildState, "load", classmethod(counting))
    shutil.rmtree(out)
    assert run(BuildOptions(root, out)).ok
    assert loads == []
    assert Session().state(out) is not None  # with the output there, its state is read
    assert len(loads) == 1
