"""The link check in one process (``serve``) resolves again only the pages that changed or lead
to a file that changed, and finds exactly what a check from nothing finds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from site_builder.gates import LinkMemo, check_output
from site_builder.pipeline import BuildOptions, run
from site_builder.state import Session
from tests.conftest import MakeSite


def _page(body: str, ids: str = "") -> bytes:
    anchors = "".join(f'<h2 id="{i}">{i}</h2>' for i in ids.split() if i)
    return f"<!DOCTYPE html><html><body>{anchors}{body}</body></html>".encode()


def _site() -> dict[str, bytes]:
    return {
        "index.html": _page('<a href="a/index.html">a</a><a href="b/">b</a>'),
        "a/index.html": _page('<a href="../b/index.html#x">x</a><a href="../index.html">home</a>'),
        "b/index.html": _page('<a href="../index.html">home</a>', ids="x y"),
        "c/index.html": _page('<a href="../index.html">home</a><a href="../a/">a</a>'),
        "style.css": b"body{color:red}",
    }


def _check(files: dict[str, bytes], memo: LinkMemo | None = None) -> list[str]:
    return [d.format() for d in check_output(sorted(files.items()), label="out", links=memo)]


def test_an_unchanged_output_resolves_no_link_again() -> None:
    memo, files = LinkMemo(), _site()
    assert _check(files, memo) == [] and memo.checked == 5  # the stylesheet too
    assert _check(files, memo) == [] and memo.checked == 0


def test_a_page_whose_target_loses_its_anchor_is_checked_again() -> None:
    memo, files = LinkMemo(), _site()
    _check(files, memo)
    files["b/index.html"] = _page('<a href="../index.html">home</a>', ids="y")
    found = _check(files, memo)
    assert memo.checked == 2  # b itself, and a, which needs b#x; not index.html (b/), nor c
    assert found == _check(files) and len(found) == 1 and "#x" in found[0]
    assert _check(files, memo) == found and memo.checked == 1  # a page with findings: always


def test_a_removed_or_added_file_checks_the_pages_that_lead_to_it() -> None:
    memo, files = LinkMemo(), _site()
    _check(files, memo)
    del files["a/index.html"]
    found = _check(files, memo)
    assert found == _check(files) and len(found) == 2  # index.html and c lead to a
    assert memo.checked == 2
    files["a/index.html"] = _site()["a/index.html"]
    assert _check(files, memo) == [] and memo.checked == 3  # the two, and a itself


def test_a_new_base_url_checks_everything_again() -> None:
    memo, files = LinkMemo(), _site()
    _check(files, memo)
    check_output(sorted(files.items()), label="out", base_url="http://intra/", links=memo)
    assert memo.checked == 5


def test_a_serve_edit_resolves_only_the_links_of_the_pages_it_changed(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root, out, session = make_site(), tmp_path / "out", Session()
    options = BuildOptions(source=root, out=out, in_place=True)
    assert run(options, session=session).ok
    memo = next(iter(session.links.values()))
    total = memo.checked
    report = next(
        p for p in sorted((root / "content/reports").rglob("*.md")) if ".en." not in p.name
    )
    report.write_text(report.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    edited = run(options, session=session)
    assert edited.ok and edited.written is not None
    assert 0 < memo.checked <= len(edited.written.changed) < total
    os.utime(report)
    assert run(options, session=session).ok and memo.checked == 0


def test_the_first_edit_of_a_session_parses_only_the_edited_report(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsed sources memoized by a session's first build survive it: making the session's
    first converter must not forget what was parsed before it (only a converter for another
    configuration makes converter-bound memos stale)."""
    from site_builder import pipeline

    root, out, session = make_site(), tmp_path / "out", Session()
    options = BuildOptions(source=root, out=out, in_place=True)
    parsed: list[str] = []
    real = pipeline.parse_document

    def counting(src: Any) -> Any:
        parsed.append(src.rel)
        return real(src)

    monkeypatch.setattr(pipeline, "parse_document", counting)
    assert run(options, session=session).ok
    assert len(parsed) >= 2
    parsed.clear()
    report = next(
        p for p in sorted((root / "content/reports").rglob("*.md")) if ".en." not in p.name
    )
    report.write_text(report.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    assert run(options, session=session).ok
    assert parsed == [report.relative_to(root).as_posix()]
