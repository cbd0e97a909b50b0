"""Incremental builds: an edit re-renders exactly the pages that show what changed, nothing is
rewritten that did not change, and the result is always the clean build's, byte for byte."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.deps import stable_orgs
from site_builder.pipeline import BuildOptions, BuildResult, run
from site_builder.state import BuildState, Session, state_path
from tests.conftest import REPO, MakeSite
from tests.util import cli

LANG_PREFIXES = ("", "zh-hant/", "en/")


def pages(*paths: str) -> set[str]:
    """The given tree-relative page paths in all three language trees."""
    return {prefix + p for p in paths for prefix in LANG_PREFIXES}


def build(source: Path, out: Path, session: Session | None = None) -> BuildResult:
    result = run(BuildOptions(source=source, out=out), session=session)
    assert not result.errors, [d.format() for d in result.errors]
    return result


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def clean_build(source: Path, out: Path) -> dict[str, bytes]:
    """A full build in an empty folder, with no state and no cache."""
    shutil.rmtree(out, ignore_errors=True)
    result = run(BuildOptions(source=source, out=out, incremental=False), session=Session())
    assert not result.errors, [d.format() for d in result.errors]
    return tree(out)


# source-tree digest -> its clean build's tree digest, for sources that recur across tests
_CLEAN_BUILDS: dict[str, dict[str, str]] = {}


def clean_digest(source: Path, out: Path) -> dict[str, str]:
    """``clean_build`` of ``source`` as file digests, made once per distinct source tree (its
    paths and bytes): the two modes of the every-edit test reach the same sources, and a clean
    build of the same bytes is the same output wherever it is made."""
    key = hashlib.sha256(repr(sorted(tree(source).items())).encode()).hexdigest()
    if key not in _CLEAN_BUILDS:
        _CLEAN_BUILDS[key] = digests(clean_build(source, out))
    return _CLEAN_BUILDS[key]


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- counts of pages re-rendered per kind of edit --------------------------------------------


@pytest.fixture
def site(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path, Session]:
    """The minimal site, built once; the session carries over as in ``serve``."""
    root = make_site()
    out = tmp_path / "out"
    session = Session()
    first = build(root, out, session)
    assert first.kept == []
    return root, out, session


REPORT = "content/reports/city/2024-summary.md"


def test_no_change_renders_and_writes_nothing(site: tuple[Path, Path, Session]) -> None:
    root, out, session = site
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    out_inode = out.stat().st_ino
    result = build(root, out, session)
    assert result.rendered == []
    assert result.written is not None and result.written.written == 0
    assert result.written.removed == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert out.stat().st_ino == out_inode  # not even swapped for an identical tree


def test_a_serve_rebuild_with_nothing_changed_runs_no_stage(
    site: tuple[Path, Path, Session],
) -> None:
    """`serve` after a save that changed nothing: no page rendered, no search index or check
    run, nothing written; the result still carries the site (serve reads its base URL)."""
    root, out, session = site
    options = BuildOptions(source=root, out=out, in_place=True)
    assert not run(options, session=session).errors
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    previews: list[object] = []
    again = run(options, session=session, preview=previews.append)
    assert again.up_to_date and again.rendered == [] and previews == []
    assert again.written is not None and again.written.written == 0
    assert not {"render", "search", "gates", "write"} & again.timings.keys()
    assert again.site is not None
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_a_serve_edit_re_indexes_only_the_edited_reports_entries(
    site: tuple[Path, Path, Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search in one session: only the text of the edited report's body and of its pages is
    read again, only its document is folded again, and only its block of documents is indexed
    again (``search.BLOCK_DOCS``; the index is joined from the blocks). The files equal a clean
    build's (test_incremental_builds_equal_clean_builds_after_every_edit)."""
    from site_builder import search

    root, out, session = site
    options = BuildOptions(source=root, out=out, in_place=True)
    first = run(options, session=session)
    assert first.site is not None and len(first.site.reports) > 1
    trees = len(first.site.config.languages)
    assert first.up_to_date  # and, as it used no memo, the memos keep the last build's values
    calls: dict[str, list[str]] = {"text": [], "fold": [], "index": [], "page": []}

    def counted(name: str, fn: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            calls[name].append(str(args[0]))
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(search, "html_text", counted("text", search.html_text))
    monkeypatch.setattr(search, "fold", counted("fold", search.fold))
    monkeypatch.setattr(search, "index_block", counted("index", search.index_block))
    monkeypatch.setattr(search, "page_body_text", counted("page", search.page_body_text))
    monkeypatch.setattr(search, "BLOCK_DOCS", 1)  # a block per report: the others are kept
    edit(root / REPORT, "开展学习12次。", "开展学习12次，共计。")
    assert run(options, session=session).ok  # indexes every block of one report anew
    calls = {"text": [], "fold": [], "index": [], "page": []}
    edit(root / REPORT, "开展学习12次，共计。", "开展学习12次，覆盖全市。")
    result = run(options, session=session)
    assert not result.errors and result.rendered
    # the edited body, as rendered and as each Chinese tree's page shows it: nothing else
    assert 1 <= len(calls["text"]) <= trees and all("12次，覆" in t for t in calls["text"])
    # each index whose documents changed folds that one document again (the English index
    # holds the Chinese body of a report without a translation)
    assert calls["fold"] and all("12次，覆" in t for t in calls["fold"])
    assert len(calls["fold"]) == len(calls["index"])  # one document in one block per index
    assert all("12次，覆" in t for t in calls["index"])
    # the snippet texts: only the edited report's pages are read, one per tree (the others
    # were kept, and their texts are remembered by the kept page's digest)
    assert len(calls["page"]) == trees
    calls = {"text": [], "fold": [], "index": [], "page": []}
    os.utime(root / REPORT)  # touched: read again, nothing to index again
    again = run(options, session=session)
    assert not again.up_to_date and again.rendered == []
    # the pages the edit rendered are kept now: read once, to remember their texts by digest
    assert len(calls.pop("page")) <= trees
    assert calls == {"text": [], "fold": [], "index": []}
    calls = {"page": []}
    os.utime(root / REPORT)
    assert run(options, session=session).rendered == [] and calls == {"page": []}


def test_no_change_build_from_the_command_line_writes_nothing(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    out = tmp_path / "out"
    first = cli("build", "--source", root, "--out", out)
    assert first.code == 0, first.err
    assert state_path(out).is_file() and not (out / state_path(out).name).exists()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    second = cli("build", "--source", root, "--out", out)
    assert second.code == 0, second.err
    assert "is up to date" in second.err, second.err  # no source changed: none is read
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    os.utime(root / "content/tags.yaml")  # touched, not changed: every source is read
    third = cli("build", "--source", root, "--out", out)
    assert third.code == 0, third.err
    assert ": 0 rendered, 0 written," in third.err, third.err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_report_body_edit_renders_only_that_reports_pages(
    site: tuple[Path, Path, Session],
) -> None:
    root, out, session = site
    edit(root / REPORT, "开展学习12次。", "开展学习12次，覆盖全市。")
    result = build(root, out, session)
    assert set(result.rendered) == pages("reports/city/2024-summary/index.html")
    assert result.written is not None
    report_pages = {p for p in result.written.changed if p.endswith(".html")}
    assert report_pages == pages("reports/city/2024-summary/index.html")


def test_a_rebuild_in_a_new_process_scans_only_the_files_it_wrote(
    site: tuple[Path, Path, Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gates' scans are saved beside the state: a `build` in a fresh process reads the
    files it kept for links only when those scans are missing or unusable."""
    from site_builder import gates
    from site_builder.state import scans_path

    root, out, _ = site
    assert scans_path(out).is_file()
    scanned: list[str] = []
    real = gates._scan_file

    def counting(path: str, data: bytes) -> gates.Scan:
        scanned.append(path)
        return real(path, data)

    monkeypatch.setattr(gates, "_scan_file", counting)
    from site_builder import incremental

    read_back: list[Path] = []  # kept files read for the gates
    real_read = incremental._read_kept

    def reading(path: Path) -> bytes:
        read_back.append(path)
        return real_read(path)

    monkeypatch.setattr(incremental, "_read_kept", reading)
    report_pages = pages("reports/city/2024-summary/index.html")
    for n, damage in enumerate([None, "{not json", '{"version": 2, "strings": 7}']):
        if damage is not None:
            scans_path(out).write_text(damage, encoding="utf-8")
        edit(root / REPORT, "次。", f"次。第{n}版。")
        gates._SCANS.clear()  # as in a new process
        scanned.clear()
        read_back.clear()
        result = run(BuildOptions(source=root, out=out), session=Session())
        assert not result.errors and result.kept
        scanned_pages = {p for p in scanned if p.endswith(".html")}
        if damage is None:
            assert scanned_pages == report_pages  # the kept pages' scans were saved
            assert read_back == []  # and the kept files are known by their recorded digest
        else:
            assert set(scanned) >= set(result.kept) | report_pages  # all read again
        assert tree(out) == clean_build(root, out.parent / "clean")


def test_report_title_edit_renders_the_pages_that_list_it(
    site: tuple[Path, Path, Session],
) -> None:
    root, out, session = site
    edit(root / REPORT, "测试市妇联2024年工作总结", "测试市妇联2024年度工作总结")
    result = build(root, out, session)
    # its own pages, its organization (which lists it), its year and tag, home (latest
    # reports) and the feeds; not its parent organization, which does not list it, nor the
    # sitemaps, which hold no titles
    expected = pages(
        "reports/city/2024-summary/index.html",
        "orgs/city/index.html",
        "years/2024/index.html",
        "tags/dang-de-jian-she/index.html",
        "index.html",
        "feed.xml",
    )
    assert set(result.rendered) == expected


def test_report_metric_edit_renders_its_org_and_ancestors(
    site: tuple[Path, Path, Session],
) -> None:
    root, out, session = site
    edit(root / REPORT, "value: 12", "value: 13")
    result = build(root, out, session)
    # the report's metric cards, its organization's table and charts, and the national
    # federation's roll-up of its children; not home, whose charts show only metrics reported
    # at least twice (none in this site)
    expected = pages(
        "reports/city/2024-summary/index.html",
        "orgs/city/index.html",
        "orgs/nat/index.html",
    )
    assert set(result.rendered) == expected


def test_new_report_and_deleted_report(site: tuple[Path, Path, Session]) -> None:
    root, out, session = site
    text = (root / REPORT).read_text(encoding="utf-8")
    new = root / "content/reports/city/2023-summary.md"
    new.write_text(text.replace("2024", "2023"), encoding="utf-8")
    result = build(root, out, session)
    assert pages("reports/city/2023-summary/index.html") <= set(result.rendered)
    assert (out / "years/2023/index.html").is_file()
    new.unlink()
    result = build(root, out, session)
    assert result.written is not None
    gone = pages("reports/city/2023-summary/index.html")
    assert gone <= set(result.written.deleted)
    assert not (out / "reports/city/2023-summary").exists()
    assert not (out / "en/reports/city/2023-summary").exists()


def test_template_edit_renders_the_pages_that_use_it(
    site: tuple[Path, Path, Session],
) -> None:
    root, out, session = site
    default = (REPO / "templates/report.html").read_text(encoding="utf-8")
    override = root / "templates/report.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(default.replace("{% block main %}", "{% block main %}<!-- ours -->", 1))
    result = build(root, out, session)
    report_pages = pages(
        "reports/city/2024-summary/index.html", "reports/nat/2023-review/index.html"
    )
    assert set(result.rendered) == report_pages
    assert b"<!-- ours -->" in (out / "en/reports/nat/2023-review/index.html").read_bytes()
    override.unlink()  # back to the packaged template
    result = build(root, out, session)
    assert set(result.rendered) == report_pages
    assert b"<!-- ours -->" not in (out / "en/reports/nat/2023-review/index.html").read_bytes()


def test_css_edit_copies_the_file_only(site: tuple[Path, Path, Session]) -> None:
    root, out, session = site
    css = root / "assets/site.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(
        (REPO / "assets/site.css").read_text(encoding="utf-8") + "\n.x { color: red; }\n"
    )
    result = build(root, out, session)
    assert result.rendered == []
    assert result.written is not None and result.written.changed == ("assets/site.css",)


def test_site_yaml_edit_renders_everything(site: tuple[Path, Path, Session]) -> None:
    root, out, session = site
    edit(root / "site.yaml", "Test site", "Test site 2")
    result = build(root, out, session)
    every = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    every |= {p.relative_to(out).as_posix() for p in out.rglob("*.xml")}
    assert set(result.rendered) == every


def test_a_new_process_uses_the_state_on_disk(site: tuple[Path, Path, Session]) -> None:
    root, out, _ = site
    edit(root / REPORT, "开展学习12次。", "开展学习12次，覆盖全市。")
    result = build(root, out, Session())
    assert set(result.rendered) == pages("reports/city/2024-summary/index.html")


def test_a_file_changed_in_the_output_is_rendered_again(
    site: tuple[Path, Path, Session],
) -> None:
    root, out, session = site
    page = out / "en/years/2024/index.html"
    good = page.read_bytes()
    page.write_bytes(b"tampered")
    (out / "en/index.html").unlink()
    result = build(root, out, session)
    assert set(result.rendered) == {"en/years/2024/index.html", "en/index.html"}
    assert page.read_bytes() == good
    assert (out / "en/index.html").is_file()


def test_a_failed_build_keeps_output_and_state(site: tuple[Path, Path, Session]) -> None:
    root, out, session = site
    before = tree(out)
    state_before = state_path(out).read_bytes()
    (root / "content/orgs/broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    result = run(BuildOptions(source=root, out=out), session=session)
    assert result.errors and result.written is None
    assert tree(out) == before
    assert state_path(out).read_bytes() == state_before
    (root / "content/orgs/broken.yaml").unlink()
    result = build(root, out, session)
    assert result.rendered == []


def test_a_corrupt_state_is_ignored(site: tuple[Path, Path, Session]) -> None:
    root, out, _ = site
    state_path(out).write_text("{not json", encoding="utf-8")
    result = build(root, out, Session())
    assert result.kept == []
    assert result.written is not None and result.written.written == 0  # same bytes: kept
    assert BuildState.load(state_path(out)) is not None


def test_drafts_option_change_renders_everything(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    session = Session()
    build(root, out, session)
    result = run(BuildOptions(source=root, out=out, drafts=True), session=session)
    assert result.kept == []


def test_stable_orgs_are_those_no_edit_can_have_changed(tmp_path: Path) -> None:
    """serve takes over an organization's charts when its figures cannot have
    changed: not after a report's figures changed (that org and its ancestors are not stable),
    and never after a registry changed."""
    import dataclasses

    site = run(BuildOptions(source=REPO, out=tmp_path / "o", write=False)).site
    assert site is not None
    assert stable_orgs(None, site) == frozenset()
    assert stable_orgs(site, site) == frozenset(site.orgs)
    rep = next(r for r in site.reports if r.org == "sample-city-a" and r.metrics)

    def with_report(new: object) -> object:
        reports = tuple(new if r is rep else r for r in site.reports)
        return dataclasses.replace(site, reports=reports)

    body_only = with_report(dataclasses.replace(rep, body=rep.body + "\n修订。\n"))
    assert stable_orgs(site, body_only) == frozenset(site.orgs)  # type: ignore[arg-type]
    figure = dataclasses.replace(rep.metrics[0], value=rep.metrics[0].value + 1)
    changed = with_report(dataclasses.replace(rep, metrics=(figure, *rep.metrics[1:])))
    expected_dirty = {"sample-city-a", "sample-province", "acwf"}  # and its ancestors
    assert stable_orgs(site, changed) == frozenset(site.orgs.keys() - expected_dirty)  # type: ignore[arg-type]
    gone = dataclasses.replace(site, reports=tuple(r for r in site.reports if r is not rep))
    assert stable_orgs(site, gone) == frozenset(site.orgs.keys() - expected_dirty)
    org = site.orgs["sample-city-b"]
    renamed = dict(site.orgs, **{"sample-city-b": dataclasses.replace(org, short_name=None)})
    assert stable_orgs(site, dataclasses.replace(site, orgs=renamed)) == frozenset()


def test_a_session_reports_an_unchanged_reports_problems_on_every_build(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """validate.build_site's memo replays a report's messages; a registry edit revalidates it."""
    rel = "content/reports/city/2024-summary.md"
    root = make_site()
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace("[党的建设]", "[妇女议事]"), "utf-8")
    session, out = Session(), tmp_path / "out"
    options = BuildOptions(source=root, out=out, in_place=True)
    for _ in range(2):
        result = run(options, session=session)
        assert [(d.path, "unknown tag" in d.message) for d in result.errors] == [(rel, True)]
    tags = root / "content/tags.yaml"
    tags.write_text(
        tags.read_text(encoding="utf-8") + "妇女议事: {en: Women's councils}\n", "utf-8"
    )
    assert run(options, session=session).errors == []


def test_an_edit_re_renders_exactly_the_pages_whose_views_read_the_field(
    site: tuple[Path, Path, Session],
) -> None:
    """What a page depends on is recorded while its view reads the model (record.py): the
    pages that read an organization's description are the ones an edit of it re-renders."""
    from site_builder.record import encode

    root, out, session = site
    state = BuildState.load(state_path(out))
    assert state is not None
    fact = encode(("org", "city", "description"))
    readers = {p for p, rec in state.outputs.items() if rec.facts and fact in rec.facts}
    assert readers == pages("orgs/city/index.html")  # shown on its own page only
    edit(root / "content/orgs/city.yaml", "市级组织。", "市级妇女组织。")
    result = build(root, out, session)
    assert set(result.rendered) == readers
    assert tree(out) == clean_build(root, out.parent / "clean")


# --- the incremental output is the clean build's output ---------------------------------------

Step = tuple[str, Callable[[Path], None]]


def _copy_example(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    for name in ("templates", "assets"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    return root


R = "content/reports/sample-city-a/2024-annual-summary.md"
B = "content/reports/sample-city-b"
DEFAULT_TEMPLATES = REPO / "templates"


def _write(rel: str, text: str) -> Callable[[Path], None]:
    def do(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")

    return do


def _edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / rel, old, new)


def _move(src: str, dst: str) -> Callable[[Path], None]:
    return lambda root: (root / src).rename(root / dst)


def _delete(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


def _new_year(root: Path) -> None:
    text = (root / B / "2024-annual-summary.md").read_text(encoding="utf-8")
    text = re.sub(r"date: 2024-", "date: 2025-", text).replace("2024", "2025")
    (root / B / "2025-annual-summary.md").write_text(text, encoding="utf-8")


def _rename_org(root: Path) -> None:
    (root / "content/orgs/sample-city-b.yaml").rename(root / "content/orgs/sample-city-c.yaml")
    (root / B).rename(root / "content/reports/sample-city-c")


def _template_override(name: str, old: str, new: str) -> Callable[[Path], None]:
    def do(root: Path) -> None:
        text = (DEFAULT_TEMPLATES / name).read_text(encoding="utf-8")
        assert old in text
        _write(f"templates/{name}", text.replace(old, new, 1))(root)

    return do


def _broken_yaml(root: Path) -> None:
    _write("content/orgs/broken.yaml", "name: {zh: [unclosed\n")(root)


EDITS: list[Step] = [
    ("report body", _edit(R, "加强思想政治引领", "加强思想政治引领（修订）")),
    (
        "report title",
        _edit(R, "示例甲市妇联2024年度工作总结", "示例甲市妇联2024年度工作总结（修订）"),
    ),
    ("report metric", _edit(R, "value: 21", "value: 25")),
    (
        "report tags",
        _edit(R, "tags: [示例数据, 年度总结, 宣讲, 志愿服务]", "tags: [示例数据, 年度总结]"),
    ),
    ("report in a new year", _new_year),
    ("report renamed", _move(f"{B}/2023-annual-summary.md", f"{B}/2023-work-summary.md")),
    ("report deleted", _delete(f"{B}/2022-annual-summary.md")),
    (
        "translation added",
        _write(R.replace(".md", ".en.md"), "---\ntitle: City A 2024\n---\n\nBody.\n"),
    ),
    ("translation edited", _edit(R.replace(".md", ".en.md"), "Body.", "Body, revised.")),
    ("translation deleted", _delete(R.replace(".md", ".en.md"))),
    (
        "org edited",
        _edit("content/orgs/sample-city-a.yaml", "示例甲市妇女联合会", "示例甲市妇联（改）"),
    ),
    ("org renamed", _rename_org),
    ("metric label", _edit("content/metrics.yaml", "集体学习会", "集体学习")),
    (
        "metric not additive",
        _edit(
            "content/metrics.yaml",
            "  unit: {zh: 次, en: sessions}\n",
            "  unit: {zh: 次, en: sessions}\n  additive: false\n",
        ),
    ),
    (
        "report template override",
        _template_override("report.html", "{% block main %}", "{% block main %}<p>ours</p>"),
    ),
    (
        "base template override",
        _template_override("base.html", '<main id="main"', '<main data-ours id="main"'),
    ),
    ("overrides removed", lambda root: shutil.rmtree(root / "templates")),
    ("stylesheet", _write("assets/site.css", "body { color: #222; }\n")),
    ("page edited", _edit("content/pages/about.md", "\n\n", "\n\n修订。\n\n")),
    ("broken org file", _broken_yaml),
    ("broken file removed", _delete("content/orgs/broken.yaml")),
    ("site title", _edit("site.yaml", "妇联年度工作报告", "妇联年度工作报告汇编")),
]


@pytest.mark.parametrize("mode", ["alternate", "serve"])
def test_incremental_builds_equal_clean_builds_after_every_edit(tmp_path: Path, mode: str) -> None:
    root = _copy_example(tmp_path / "site")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    serve_session = Session()
    build(root, out, serve_session)
    for i, (label, step) in enumerate(EDITS):
        step(root)
        # "alternate": as `serve` does (one session throughout, files replaced in place, pages
        # written before the search files) and as `build` does (a new process, a new tree);
        # "serve": every edit in the one session, so that each build takes over what the one
        # before it computed (deps.stable_orgs)
        if i % 2 == 0 or mode == "serve":
            previews: list[object] = []
            options = BuildOptions(source=root, out=out, in_place=True)
            result = run(options, session=serve_session, preview=previews.append)
            assert len(previews) == (0 if result.errors else 1)
        else:
            result = run(BuildOptions(source=root, out=out), session=Session())
        if result.errors:
            assert label.startswith("broken"), [d.format() for d in result.errors]
            continue
        expected = clean_digest(root, fresh)
        got = digests(tree(out))
        missing = sorted(expected.keys() - got.keys())
        extra = sorted(got.keys() - expected.keys())
        stale = sorted(p for p in expected.keys() & got.keys() if expected[p] != got[p])
        assert not (missing or extra or stale), (
            f"after '{label}': missing {missing[:5]}, extra {extra[:5]}, stale {stale[:5]}"
        )
        assert len(result.rendered) < len(result.kept) + len(result.rendered) or label in (
            "site title",
            "base template override",
            "overrides removed",
            "metric label",
        ), f"'{label}' rendered every page"


def test_paginated_parallel_incremental_builds_equal_clean_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a generated site with small pages (so that listings have later pages) and builds
    spread over two processes, as `build --jobs 2` does."""
    import sys

    from site_builder import paginate, parallel

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # type: ignore[import-not-found]

    monkeypatch.setattr(paginate, "PAGE_SIZE", 3)
    monkeypatch.setattr(paginate, "ORG_PAGE_SIZE", 4)
    monkeypatch.setattr(parallel, "MIN_TASKS", 2)
    root = tmp_path / "site"
    generate(root, 40, seed=7)
    out, fresh = tmp_path / "out", tmp_path / "fresh"

    def incremental() -> BuildResult:
        result = run(BuildOptions(source=root, out=out, jobs=2), session=Session())
        assert not result.errors, [d.format() for d in result.errors]
        return result

    incremental()
    assert list(out.glob("years/*/page/*")) or list(out.glob("**/page/*")), "no later pages"
    reports = sorted((root / "content/reports").rglob("*.md"))
    originals = [p for p in reports if not p.name.endswith(".en.md")]
    first, second = originals[0], originals[1]

    def retitle(root: Path) -> None:
        edit(first, "title: {zh: ", "title: {zh: 修订：")
        edit(first, "value: ", "value: 1")

    def delete(root: Path) -> None:
        second.unlink()
        second.with_name(second.name.replace(".md", ".en.md")).unlink(missing_ok=True)

    def restore(root: Path) -> None:
        generate(root, 40, seed=7)

    for label, step in (("title", retitle), ("delete", delete), ("regenerate", restore)):
        step(root)
        result = incremental()
        expected = clean_build(root, fresh)
        got = tree(out)
        stale = sorted(p for p in expected.keys() | got.keys() if expected.get(p) != got.get(p))
        assert not stale, f"after '{label}': {stale[:8]}"
        if label == "title":
            assert result.kept, "everything rendered"


def test_file_cache_rereads_a_file_written_in_the_same_clock_tick(tmp_path: Path) -> None:
    """serve reads unchanged sources from memory; a rewrite with the same size and the same
    mtime (two saves in one tick of a coarse clock) must still be read."""
    import os

    from site_builder.load import FileCache, load_project
    from tests.conftest import MINIMAL_SITE, write_site

    root = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    report = root / REPORT
    cache = FileCache()
    project, _ = load_project(root, cache)
    st = report.stat()
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("开展学习12次", "开展学习13次"), encoding="utf-8")
    os.utime(report, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    project, _ = load_project(root, cache)
    assert "开展学习13次" in next(r.text for r in project.reports if r.rel == REPORT)
    # a file last written long before it was read comes from the cache
    old = st.st_mtime_ns - 10_000_000_000
    os.utime(report, ns=(old, old))
    load_project(root, cache)
    assert cache.get(report, report.stat()) is not None


def test_recorded_facts_tell_an_int_from_an_equal_float(
    site: tuple[Path, Path, Session],
) -> None:
    """12 == 12.0 although they print differently: a figure's digest tells them apart."""
    import dataclasses

    from site_builder.derive.aggregate import derive
    from site_builder.record import Facts, encode

    root, out, session = site
    result = run(BuildOptions(source=root, out=out, in_place=True), session=session)
    assert result.site is not None
    rep = next(r for r in result.site.reports if r.metrics)
    as_float = dataclasses.replace(
        rep, metrics=tuple(dataclasses.replace(m, value=float(m.value)) for m in rep.metrics)
    )
    assert as_float == rep  # equal values ...
    float_site = dataclasses.replace(result.site, reports=(as_float,))
    fact = encode(("report", rep.ident, "metrics"))
    for_int = Facts({}, result.site, derive(result.site)).digest(fact)
    for_float = Facts({}, float_site, derive(float_site)).digest(fact)
    assert for_int != for_float  # ... new digest


# --- `build` with nothing changed: stamps, not contents ----------------------------------------


def _age(root: Path, seconds: float = 60) -> None:
    """Move every file's and folder's mtime into the past, as if edited a while ago: stamps
    taken within FileCache.RACY_NS of an mtime are never trusted."""
    when = time.time() - seconds
    for p in [root, *root.rglob("*")]:
        os.utime(p, (when, when), follow_symlinks=False)


def test_a_build_with_nothing_changed_reads_no_source_and_writes_nothing(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site({"content/reports/city/notes.txt": "not a report\n"})  # one warning
    out = tmp_path / "out"
    _age(root)
    first = build(root, out)
    assert not first.up_to_date and first.written is not None and first.written.written > 0
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}

    again = build(root, out, Session())
    assert again.up_to_date
    assert again.written is not None and again.written.written == 0
    assert again.rendered == [] and sorted(again.kept) == sorted(
        first.kept + [f.path for f in first.files]
    )
    assert [d.format() for d in again.diagnostics] == [d.format() for d in first.diagnostics]
    assert len(again.diagnostics) == 1  # the warning is reported again
    assert {
        p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()
    } == before
    assert cli("build", "--source", root, "--out", out).err.count("is up to date") == 1


def test_templates_and_assets_written_just_before_a_build_are_up_to_date_after_it(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Files stamped within a clock tick of their mtime are compared by content next time:
    templates and assets too, not only content files (a fresh checkout of the project or of
    site_builder itself made the next build a full one)."""
    root = make_site()
    out = tmp_path / "out"
    _age(root)
    base = (REPO / "templates/base.html").read_text(encoding="utf-8")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/base.html").write_text(base.replace("</body>", "<!--x--></body>"), "utf-8")
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets/extra.css").write_text("p { color: black }\n", encoding="utf-8")
    first = build(root, out)
    assert not first.up_to_date
    assert build(root, out, Session()).up_to_date


@pytest.mark.parametrize(
    "change",
    [
        "edit a report",
        "add a report",
        "remove a report",
        "stray output file",
        "output file deleted",
        "output file edited",
        "drafts",
        "template override",
    ],
)
def test_a_build_after_any_change_is_a_real_build(
    make_site: MakeSite, tmp_path: Path, change: str
) -> None:
    root = make_site()
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    report = root / "content/reports/city/2024-summary.md"
    _age(root)
    build(root, out)
    drafts = False
    if change == "edit a report":
        edit(report, "开展学习12次。", "开展学习13次。")  # same size: the mtime tells
    elif change == "add a report":
        text = report.read_text(encoding="utf-8").replace("date: 2024-12-31", "date: 2025-06-30")
        report.with_name("2025-summary.md").write_text(text, encoding="utf-8")
    elif change == "remove a report":
        report.unlink()
    elif change == "stray output file":
        (out / "stray.html").write_text("x", encoding="utf-8")
    elif change == "output file deleted":
        (out / "index.html").unlink()
    elif change == "output file edited":
        (out / "index.html").write_text("changed", encoding="utf-8")
    elif change == "drafts":
        drafts = True
    elif change == "template override":
        (root / "templates").mkdir()
        text = (DEFAULT_TEMPLATES / "base.html").read_text(encoding="utf-8")
        (root / "templates/base.html").write_text(text.replace("<main", "<main data-x", 1), "utf-8")
    if change not in ("stray output file", "output file deleted", "output file edited", "drafts"):
        _age(root)  # old enough to be trusted: only the stamps differ
    result = run(BuildOptions(source=root, out=out, drafts=drafts), session=Session())
    assert not result.errors and not result.up_to_date
    if not drafts:
        assert tree(out) == clean_build(root, fresh)


def test_the_default_output_folder_inside_the_project_is_up_to_date_too(
    make_site: MakeSite,
) -> None:
    """output/ and the state file sit in the project folder, whose own mtime every build
    changes: only what the site is read from may count as a source."""
    root = make_site()
    assert cli("build", "--source", root).code == 0
    assert (root / "output/index.html").is_file()
    second = cli("build", "--source", root)
    assert second.code == 0 and "output is up to date" in second.err, second.err


def test_an_edit_that_keeps_size_and_mtime_is_caught_by_content(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A file edited right before a build (within FileCache.RACY_NS) is compared by content: an
    edit that leaves size, mtime and inode as they were (same clock tick) is still a change,
    and an untouched recent file is not."""
    root = make_site()  # every file just written: all of them are "racy"
    out = tmp_path / "out"
    build(root, out)
    assert build(root, out, Session()).up_to_date  # recent, but the same bytes
    report = root / "content/reports/city/2024-summary.md"
    st = report.stat()
    text = report.read_text(encoding="utf-8")
    with report.open("r+", encoding="utf-8") as fh:  # in place: same inode
        fh.write(text.replace("开展学习12次。", "开展学习13次。"))
    os.utime(report, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = report.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )
    result = build(root, out, Session())
    assert not result.up_to_date
    assert any("开展学习13次".encode() in p.read_bytes() for p in out.rglob("*.html"))


def test_a_file_that_vanishes_while_stamped_is_never_up_to_date(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file listed but gone before its stamp (a save by rename, say) raises nothing and
    makes the build a real one."""
    from site_builder import load

    root = make_site()
    out = tmp_path / "out"
    _age(root)
    build(root, out)
    real_stat = os.stat
    gone = str(root / "content/tags.yaml")

    def flaky_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path) == gone:
            raise FileNotFoundError(path)
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load.os, "stat", flaky_stat)
    stamps = load.stamp_sources(root)
    monkeypatch.undo()
    assert stamps["content/tags.yaml"] == load.UNSTAMPED
    from site_builder.state import BuildState, up_to_date

    state = BuildState.load(state_path(out))
    assert state is not None and state.snapshot is not None
    state.snapshot.sources["content/tags.yaml"] = load.UNSTAMPED  # even if it matched
    now = dataclasses.replace(state.snapshot, sources=stamps)
    assert not up_to_date(state.snapshot, state.listing(), root, out, now)


def test_each_page_is_hashed_once_in_the_build_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers, the worker that renders a page hashes it for the gates' scan; the build
    process takes that digest for the state instead of hashing the bytes again."""
    import sys
    from collections import Counter

    from site_builder import gates, parallel, state

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # type: ignore[import-not-found]

    monkeypatch.setattr(parallel, "MIN_TASKS", 2)
    root = tmp_path / "site"
    generate(root, 12, seed=3)
    hashed: Counter[bytes] = Counter()  # counted in the build process only (workers fork)
    real = gates.content_digest

    def counting(data: bytes) -> bytes:
        hashed[data] += 1
        return real(data)

    monkeypatch.setattr(gates, "content_digest", counting)
    monkeypatch.setattr(state, "content_digest", counting)
    result = run(BuildOptions(source=root, out=tmp_path / "out", jobs=2), session=Session())
    assert not result.errors, [d.format() for d in result.errors]
    pages = [p for p in (tmp_path / "out").rglob("*.html") if "/assets/" not in p.as_posix()]
    counts = [hashed[p.read_bytes()] for p in pages]
    assert len(pages) > 50 and sum(counts) > 0  # the build process rendered some pages itself
    assert max(counts) == 1
