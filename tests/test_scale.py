"""Scale: the benchmark generator is deterministic, ``--jobs`` does not change the output, and
listings stay bounded with every report reachable (on generated sites, with small page sizes)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from site_builder import paginate, parallel
from site_builder.pipeline import BuildOptions, run

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from generate import generate, tree_digest  # noqa: E402

STATE_FILES = (".site-builder-state.json",)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".site-builder")
    }


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("gen") / "site"
    generate(site, 40, seed=7)
    return site


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", 25, seed=3)
    generate(tmp_path / "b", 25, seed=3)
    generate(tmp_path / "c", 25, seed=4)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "c")
    reports = list((tmp_path / "a" / "content" / "reports").glob("*/*.md"))
    assert len([p for p in reports if not p.name.endswith(".en.md")]) == 25


def test_generator_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        generate(tmp_path, 5)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_generated_site_builds_cleanly(small_site: Path, tmp_path: Path) -> None:
    result = run(BuildOptions(small_site, tmp_path / "out"))
    assert result.ok, [d.format() for d in result.errors]
    assert not result.diagnostics, [d.format() for d in result.diagnostics][:5]


def test_jobs_output_equals_one_process(
    small_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # make sure the parallel paths really run on this small site
    monkeypatch.setattr(parallel, "MIN_TASKS", 2)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    one = run(BuildOptions(small_site, tmp_path / "one", jobs=1))
    two = run(BuildOptions(small_site, tmp_path / "two", jobs=2))
    assert one.ok and two.ok
    assert [d.format() for d in one.diagnostics] == [d.format() for d in two.diagnostics]
    a, b = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    # the parallel build recorded its pages: a rebuild with nothing changed renders nothing
    again = run(BuildOptions(small_site, tmp_path / "two", jobs=2))
    assert again.written is not None and again.written.written == 0
    assert again.rendered == []


def test_gate_findings_are_the_same_when_workers_scan_the_pages(
    small_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers, each page's gate scan is made where it renders; the parent scans only the
    files it made itself (assets, search, sitemaps), and the findings do not change."""
    import shutil

    from site_builder import gates

    site = tmp_path / "site"
    shutil.copytree(small_site, site)
    report = sorted((site / "content" / "reports" / "national").glob("*.md"))[0]
    with report.open("a", encoding="utf-8") as fh:
        fh.write("\n\n[缺页](../nowhere/index.html) ![图](https://cdn.example/x.png)\n")
    monkeypatch.setattr(parallel, "MIN_TASKS", 2)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    from site_builder import stages

    scanned: list[str] = []  # pages scanned by the gates stage itself
    in_gates = False
    real_scan, real_check = gates._scan_file, stages.check_site

    def counting(path: str, data: bytes) -> gates.Scan:
        if in_gates:
            scanned.append(path)
        return real_scan(path, data)

    def checking(*args: Any, **kwargs: Any) -> list[Any]:
        nonlocal in_gates
        in_gates = True
        try:
            return real_check(*args, **kwargs)
        finally:
            in_gates = False

    monkeypatch.setattr(gates, "_scan_file", counting)
    monkeypatch.setattr(stages, "check_site", checking)
    findings = {}
    for jobs in (1, 2):
        scanned.clear()
        gates._SCANS.clear()
        result = run(BuildOptions(site, tmp_path / f"out{jobs}", jobs=jobs))
        findings[jobs] = [d.format() for d in result.errors]
        pages = [f.path for f in result.files if f.path.endswith(".html")]
        in_stage = [p for p in scanned if p.endswith(".html")]
        assert len(in_stage) == (len(pages) if jobs == 1 else 0)
    assert findings[1] == findings[2]
    assert any("leads to no file" in f for f in findings[1])
    assert any("cdn.example" in f for f in findings[1])


def test_pmap_keeps_order_and_raises() -> None:
    items = list(range(300))
    assert parallel.pmap(lambda x: x * x, items, 2) == [x * x for x in items]

    def boom(x: int) -> int:
        if x == 250:
            raise ValueError("item 250")
        return x

    with pytest.raises(ValueError, match="item 250"):
        parallel.pmap(boom, items, 2)


def test_the_build_process_is_one_of_the_jobs() -> None:
    """``--jobs 2`` is the build process and one worker: never more processes than jobs."""
    import os
    import time

    def pid_of(x: int) -> int:
        time.sleep(0.001)
        return os.getpid()

    pids = parallel.pmap(pid_of, list(range(400)), 2, chunk=10)
    assert os.getpid() in pids
    assert len(set(pids)) == 2


def test_a_worker_that_dies_fails_the_build_instead_of_hanging() -> None:
    import os
    import time

    parent = os.getpid()

    def die_in_worker(x: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        time.sleep(0.001)  # leave the worker time to start and claim a chunk
        return x

    with pytest.raises(RuntimeError, match="ended without its results"):
        parallel.pmap(die_in_worker, list(range(400)), 2, chunk=10)


# --- pagination ----------------------------------------------------------------------------------

ITEM_RE = re.compile(r'<li class="report-item">\s*<h\d class="report-item-title"><a href="([^"]+)"')
ORG_LINK_RE = re.compile(r'<ul class="org-tree">|<li>\s*<a href="([^"]+)">')


def _resolve(page: str, href: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href))


def _listing(out: Path, first: str) -> Iterator[tuple[str, str]]:
    """(page path, html) of a listing's first page and every later page."""
    yield first, (out / first).read_text(encoding="utf-8")
    later = out / first.removesuffix("index.html") / "page"
    n = 2
    while (later / str(n) / "index.html").is_file():
        path = f"{first.removesuffix('index.html')}page/{n}/index.html"
        yield path, (out / path).read_text(encoding="utf-8")
        n += 1


@pytest.fixture(scope="module")
def paged(
    small_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, object]]:
    mp = pytest.MonkeyPatch()
    mp.setattr(paginate, "PAGE_SIZE", 3)
    mp.setattr(paginate, "ORG_PAGE_SIZE", 4)
    out = tmp_path_factory.mktemp("paged") / "out"
    result = run(BuildOptions(small_site, out, incremental=False))
    mp.undo()
    assert result.ok, [d.format() for d in result.errors]
    yield out, result.site


def test_listings_are_bounded_and_reach_every_report(paged: tuple[Path, object]) -> None:
    out, site = paged
    reports = {f"reports/{r.org}/{r.year}-{r.slug}/index.html" for r in site.reports}  # type: ignore[attr-defined]
    by_year: dict[int, set[str]] = {}
    by_tag: dict[str, set[str]] = {}
    by_org: dict[str, set[str]] = {}
    for r in site.reports:  # type: ignore[attr-defined]
        path = f"reports/{r.org}/{r.year}-{r.slug}/index.html"
        by_year.setdefault(r.year, set()).add(path)
        by_org.setdefault(r.org, set()).add(path)
        for t in r.tags:
            by_tag.setdefault(t, set()).add(path)
    assert max(len(v) for v in by_year.values()) > 3  # the site needs several pages somewhere

    def collect(first: str) -> set[str]:
        found: set[str] = set()
        for n, (path, html) in enumerate(_listing(out, first)):
            items = [_resolve(path, h) for h in ITEM_RE.findall(html)]
            assert len(items) <= 3, path
            found.update(items)
            if n:
                assert 'class="pagination"' in html
        return found

    for year, want in by_year.items():
        assert collect(f"years/{year}/index.html") == want
    for tag, want in by_tag.items():
        assert collect(f"tags/{tag}/index.html") == want
    for org, want in by_org.items():
        found = collect(f"orgs/{org}/index.html") if len(want) <= 3 else set()
        if len(want) > 3:  # the organization page lists the first page; the rest follow
            first = (out / f"orgs/{org}/index.html").read_text(encoding="utf-8")
            found = {_resolve(f"orgs/{org}/index.html", h) for h in ITEM_RE.findall(first)}
            assert len(found) <= 3
            later = out / f"orgs/{org}/page"
            for p in sorted(later.rglob("index.html")):
                rel = p.relative_to(out).as_posix()
                items = {_resolve(rel, h) for h in ITEM_RE.findall(p.read_text(encoding="utf-8"))}
                assert len(items) <= 3, rel
                found |= items
        assert found == want, org
    assert set().union(*by_year.values()) == reports


def test_org_index_is_paginated_in_tree_order(paged: tuple[Path, object]) -> None:
    out, site = paged
    orgs = {f"orgs/{k}/index.html" for k in site.orgs}  # type: ignore[attr-defined]
    seen: set[str] = set()
    pages = 0
    for path, html in _listing(out, "orgs/index.html"):
        pages += 1
        end = html.find('<nav class="pagination"')
        tree = html[html.index('<ul class="org-tree">') : end if end > 0 else html.index("</main>")]
        links = [_resolve(path, h) for h in re.findall(r'<li>\s*<a href="([^"]+)"', tree)]
        assert len(links) <= 4 + 4  # the page's organizations and up to 4 ancestors
        seen.update(links)
    assert pages == -(-len(orgs) // 4)
    assert seen == orgs
