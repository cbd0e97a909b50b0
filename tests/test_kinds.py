"""Page kinds are declared once (kinds.py): a kind added by its declaration alone is rendered in
every language tree, listed in the sitemap, planned by the incremental build and re-rendered when
what its view read changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.kinds import KINDS, PageKind, plan_pages
from site_builder.pages import View
from site_builder.pipeline import BuildOptions, run, validate
from site_builder.render import Renderer
from site_builder.state import Session
from site_builder.urls import Urls
from site_builder.views import PageContext
from tests.conftest import REPO, MakeSite

METRIC_TEMPLATE = """\
{% extends "base.html" %}
{% block main %}
<h1 class="metric-title">{{ title }}</h1>
<ul class="metric-reports">{% for r in reports %}<li><a href="{{ r.href }}">{{ r.title }}</a></li>{% endfor %}</ul>
{% endblock %}
"""


def _metric_url(urls: Urls, lang: str, key: str) -> str:
    return f"{urls.prefix(lang)}metrics/{key}/index.html"


def _metric_view(r: Renderer, ctx: PageContext, key: str) -> View:
    reports = [rep for rep in r.site.reports if any(mv.key == key for mv in rep.metrics)]
    return {
        "title": ctx.tx(r.site.metrics[key].label),
        "reports": [ctx.report_item(rep) for rep in reports],
    }


METRIC = PageKind(
    "metric",
    _metric_url,
    _metric_view,
    "metric.html",
    pages=lambda site, derived: [(k,) for k in site.metrics],
)
WITH_METRICS = (*KINDS, METRIC)


def test_a_page_kind_from_its_declaration_alone(make_site: MakeSite, tmp_path: Path) -> None:
    source = make_site({"templates/metric.html": METRIC_TEMPLATE})
    out = tmp_path / "out"
    session = Session()
    options = BuildOptions(source=source, out=out, kinds=WITH_METRICS)
    first = run(options, session=session)
    assert not first.errors, [d.format() for d in first.errors]

    for prefix, label in (
        ("", "集体学习会"),
        ("zh-hant/", "集體學習會"),
        ("en/", "Study sessions"),
    ):
        page = (out / f"{prefix}metrics/study_sessions/index.html").read_text(encoding="utf-8")
        assert f'<h1 class="metric-title">{label}</h1>' in page
        # the shared frame: the language switcher links the same page in the other trees
        assert 'hreflang="en"' in page or "metrics/study_sessions/index.html" in page
        assert "../../reports/city/2024-summary/index.html" in page
        sitemap = (out / f"{prefix}sitemap.xml").read_text(encoding="utf-8")
        assert "metrics/study_sessions/" in sitemap
    assert (out / "en/metrics/funds_raised/index.html").is_file()

    # Nothing changed: the kind's pages are kept like any other.
    again = run(options, session=session)
    assert not [p for p in again.rendered if "/metrics/" in p or p.startswith("metrics/")]

    # What its view read changed: its pages re-render, in every tree, and other metrics' do not.
    metrics = source / "content/metrics.yaml"
    metrics.write_text(
        metrics.read_text(encoding="utf-8").replace("集体学习会", "学习会"), encoding="utf-8"
    )
    edited = run(options, session=session)
    assert not edited.errors
    metric_pages = {p for p in edited.rendered if "metrics/" in p}
    assert metric_pages == {
        f"{prefix}metrics/study_sessions/index.html" for prefix in ("", "zh-hant/", "en/")
    }


def test_validate_is_load_parse_validate_only(make_site: MakeSite, tmp_path: Path) -> None:
    """``pipeline.validate`` checks the sources and stops: messages, no page, no output."""
    source = make_site({"content/reports/city/2024-summary.md": "---\ntitle: x\n---\n"})
    out = tmp_path / "out"
    checked = validate(BuildOptions(source=source, out=out))
    (error,) = [d.format() for d in checked.diagnostics.errors]
    assert error.startswith("content/reports/city/2024-summary.md:2:1: error: ")
    assert "'date'" in error
    assert not out.exists()


def test_validate_does_not_branch_on_the_command(make_site: MakeSite, tmp_path: Path) -> None:
    """Options select stages: ``validate`` says the same for build, check and check
    --translations; the pasted-wall warnings and the missing translations are stages of their
    own (``pipeline.SOURCE_CHECKS``) that ``run`` adds for check and --translations."""
    from site_builder.pipeline import SOURCE_CHECKS

    report = "content/reports/city/2024-summary.md"
    wall = "---\ntitle: 报告\ndate: 2024-12-31\n---\n\n" + "全年开展工作。" * 300 + "\n"
    source = make_site({report: wall})
    out = tmp_path / "out"
    said = set()
    for write, translations in ((True, False), (False, False), (False, True)):
        options = BuildOptions(source=source, out=out, write=write, translations=translations)
        said.add(tuple(d.format() for d in validate(options).diagnostics.sorted()))
    assert len(said) == 1, said  # the command changes nothing validate says
    checked = run(BuildOptions(source=source, out=out, write=False, translations=True))
    hints = [d.hint for d in checked.diagnostics if d.path == report]
    assert any("site-builder import" in h for h in hints), hints  # the wall, from run's stage
    assert {stage.__name__ for _, stage in SOURCE_CHECKS} == {
        "missing_translations",
        "pasted_walls",
    }


def test_every_site_kind_has_pages_in_kind_order() -> None:
    """The example site's plan: the kinds' pages in the order of ``KINDS``."""
    from site_builder.derive.aggregate import derive

    checked = validate(BuildOptions(source=REPO, out=REPO / "output"))
    assert checked.site is not None
    specs = plan_pages(checked.site, derive(checked.site), KINDS)
    firsts = [s.kind.name for s in specs if not s.kind.follows]
    assert list(dict.fromkeys(firsts)) == [k.name for k in KINDS if not k.follows]


def test_the_browser_list_has_a_case_for_every_declared_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tests/browser/kinds.py reads the declarations: a new kind gets a browser case."""
    from site_builder import kinds
    from tests.browser.kinds import VARIANTS, kind_paths

    assert set(VARIANTS) <= {k.name for k in KINDS}
    monkeypatch.setattr(kinds, "KINDS", WITH_METRICS)
    cases = kind_paths()
    assert cases["metric"].startswith("metrics/") and cases["metric"].endswith("/index.html")
    assert set(VARIANTS["report"]) <= set(cases)


def test_feeds_search_and_the_gates_find_reports_by_the_declaration(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The report kind's URL is read from its declaration by the feed, the search index and
    the gates' map of bodies (not from ``Urls.report``): a declaration that moves report pages
    moves them there too."""
    import dataclasses

    from site_builder.derive.aggregate import derive
    from site_builder.gates import body_links
    from site_builder.kinds import named
    from site_builder.search import build_search
    from site_builder.sources import render_bodies

    def moved(urls: Urls, lang: str, org: str, year: int, slug: str) -> str:
        return f"{urls.prefix(lang)}papers/{year}/{org}-{slug}.html"

    kinds = tuple(dataclasses.replace(k, url=moved) if k.name == "report" else k for k in KINDS)
    checked = validate(BuildOptions(source=make_site(), out=tmp_path / "out"))
    site, converter = checked.site, checked.converter
    assert site is not None and converter is not None
    bodies = render_bodies(site, converter)
    renderer = Renderer(site, derive(site), bodies, checked.project.templates, converter)
    renderer.kinds = kinds
    feed = renderer.render_feed("zh-Hans").data.decode()
    assert "papers/2024/city-summary.html" in feed
    assert "reports/city/2024-summary" not in feed

    read: list[str] = []

    def read_page(path: str) -> bytes | None:
        read.append(path)
        return b"<main></main>"

    report_page = named("report", kinds).page_of
    found = dict(build_search(site, bodies.by_path, read_page, converter, report_page))
    assert "papers/2024/city-summary.html" in read
    assert not any("reports/city/2024-summary" in p for p in read)
    docs = b"".join(data for path, data in found.items() if "docs" in path)
    assert b"papers/2024/city-summary.html" in docs

    def page_of(urls: Urls, lang: str, item: object) -> str:
        kind = named("report", kinds) if hasattr(item, "org") else named("page", kinds)
        return kind.page_of(urls, lang, item)

    links = body_links(site, bodies.by_path, page_of)
    assert "zh-hant/papers/2024/city-summary.html" in links
