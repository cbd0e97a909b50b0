"""Stage 6, render: plan every output page, build its view, render its template, and convert
Chinese pages to their script. Pure: templates arrive as text from ``load``.

Each page is described by a ``PageSpec`` (kind + arguments); ``Urls`` turns a spec into its path
in every language, so pages, the language switcher, alternates and the sitemap agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

from site_builder import paginate, search, views
from site_builder.chinese import Converter
from site_builder.derive.aggregate import Derived
from site_builder.derive.charts import Charts
from site_builder.errors import Diagnostics
from site_builder.i18n import LANGUAGES, Translator
from site_builder.load import TemplateSource
from site_builder.markdown import CHART_PLACEHOLDER_RE, RenderedMarkdown
from site_builder.model import Report, Site
from site_builder.urls import Urls, absolute, relative
from site_builder.views import Alternate, Link, PageContext

if TYPE_CHECKING:
    from site_builder.parallel import Inspection


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class PageSpec:
    kind: str  # a Urls method name: home, orgs_index, org, report, year, tag, …
    args: tuple[Any, ...] = ()
    in_sitemap: bool = True

    def path(self, urls: Urls, lang: str) -> str:
        method: Callable[..., str] = getattr(urls, self.kind)
        return method(lang, *self.args)


@dataclass(frozen=True, slots=True)
class Bodies:
    """Markdown rendered once per source file, keyed by the source's path."""

    by_path: dict[str, RenderedMarkdown]


ChartRenderer = Callable[[PageContext, str, int, str], Markup]
"""(page context, source path, chart index, chart YAML) -> the chart's HTML."""

CHART_CANVAS = 'class="chart-canvas"'
"""Marks a drawn chart in a body: such pages load ECharts and charts.js."""


def plan_pages(site: Site, derived: Derived) -> list[PageSpec]:
    """Every HTML page of one language tree; the same list serves every language."""

    # Listings are paginated (paginate.py): page 1 keeps its kind, later pages are `…_page`.
    def later(kind: str, arg: tuple[Any, ...], items: int, size: int) -> list[PageSpec]:
        n = paginate.page_count(items, size)
        return [PageSpec(kind, (*arg, page)) for page in range(2, n + 1)]

    orgs_total = len(paginate.org_order(derived))
    specs = [PageSpec("home"), PageSpec("orgs_index")]
    specs += later("orgs_index_page", (), orgs_total, paginate.ORG_PAGE_SIZE)
    for k in site.orgs:
        specs.append(PageSpec("org", (k,)))
        specs += later("org_page", (k,), len(derived.orgs[k].reports), paginate.PAGE_SIZE)
    specs += [PageSpec("report", (r.org, r.year, r.slug)) for r in site.reports]
    specs.append(PageSpec("years_index"))
    for y in sorted(derived.reports_by_year):
        specs.append(PageSpec("year", (y,)))
        specs += later("year_page", (y,), len(derived.reports_by_year[y]), paginate.PAGE_SIZE)
    specs.append(PageSpec("tags_index"))
    for s in sorted(derived.reports_by_tag):
        specs.append(PageSpec("tag", (s,)))
        specs += later("tag_page", (s,), len(derived.reports_by_tag[s]), paginate.PAGE_SIZE)
    specs += [PageSpec("page", (p.name,)) for p in site.pages]
    specs.append(PageSpec("search"))
    specs.append(PageSpec("not_found", in_sitemap=False))
    return specs


def make_environment(templates: Iterable[TemplateSource]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({t.name: t.text for t in templates}),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    return env


class Renderer:
    """Renders pages of one site; holds the Jinja environment and lookups built once."""

    def __init__(
        self,
        site: Site,
        derived: Derived,
        bodies: Bodies,
        templates: Iterable[TemplateSource],
        converter: Converter,
        chart_renderer: ChartRenderer | None = None,
        charts: Charts | None = None,
    ) -> None:
        self.site = site
        self.derived = derived
        self.bodies = bodies
        self.env = make_environment(templates)
        self.converter = converter
        self.urls = Urls(site.config.languages, site.config.default_language)
        self.reports = {(r.org, r.year, r.slug): r for r in site.reports}
        self.pages = {p.name: p for p in site.pages}
        self.charts = charts
        self.chart_renderer = chart_renderer
        if chart_renderer is None and charts is not None:
            self.chart_renderer = self._chart_block

    # -- shared page frame ------------------------------------------------------------------

    def _frame(self, ctx: PageContext, spec: PageSpec) -> dict[str, Any]:
        urls, lang, site = self.urls, ctx.lang, self.site
        t = ctx.t
        alternates = [
            Alternate(
                other,
                LANGUAGES[other].label,
                ctx.href(spec.path(urls, other)),
                other == lang,
            )
            for other in site.config.languages
        ]
        nav_items = [
            ("home", urls.home(lang), t("nav_home")),
            ("orgs_index", urls.orgs_index(lang), t("nav_orgs")),
            ("years_index", urls.years_index(lang), t("nav_years")),
            ("tags_index", urls.tags_index(lang), t("nav_tags")),
        ]
        nav = [
            {"href": ctx.href(path), "text": text, "current": kind == spec.kind}
            for kind, path, text in nav_items
        ]
        return {
            "lang": lang,
            "kind": spec.kind.replace("_", "-"),
            "t": t,
            "site_title": ctx.plain(site.config.title),
            "site_description": ctx.plain(site.config.description),
            "description": ctx.plain(site.config.description),
            "alternates": alternates,
            "nav": nav,
            "home_href": ctx.href(urls.home(lang)),
            "feed_href": ctx.href(urls.feed(lang)),
            "search_href": ctx.href(urls.search(lang)),
            "feed_title": t("feed_title", site=ctx.plain(site.config.title)),
            "asset": lambda name: ctx.href(urls.asset(name)),
            "footer_pages": [
                Link(views.page_title(ctx, p), ctx.href(urls.page(lang, p.name)))
                for p in site.pages
            ],
        }

    # -- one function per page kind --------------------------------------------------------

    def _home(self, ctx: PageContext) -> tuple[str, dict[str, Any]]:
        d = self.derived
        return "home.html", {
            "title": ctx.t("home_title"),
            "counts": {
                "orgs": len(self.site.orgs),
                "reports": len(self.site.reports),
                "years": len(d.years),
            },
            "latest": [ctx.report_item(r) for r in d.latest],
            **self._home_orgs(ctx),
            **self._chart_views(ctx, home_charts=self.charts.home if self.charts else ()),
        }

    def _home_orgs(self, ctx: PageContext) -> dict[str, Any]:
        """A big site's home lists the top of the tree and links to the whole index."""
        shown = paginate.home_orgs(self.derived)
        if shown is None:
            return {"tree": views.org_tree(ctx), "orgs_more": None}
        more = paginate.more_link(
            ctx, ctx.t("all_orgs", n=len(self.site.orgs)), self.urls.orgs_index(ctx.lang)
        )
        return {"tree": paginate.org_forest(ctx, shown), "orgs_more": more}

    def _orgs_index(self, ctx: PageContext, page: int = 1) -> tuple[str, dict[str, Any]]:
        order = paginate.org_order(self.derived)
        size = paginate.ORG_PAGE_SIZE
        total = paginate.page_count(len(order), size)
        if total == 1:
            tree = views.org_tree(ctx)
        else:
            tree = paginate.org_forest(ctx, order[paginate.page_slice(page, size)])

        def path_of(n: int) -> str:
            lang = ctx.lang
            return self.urls.orgs_index(lang) if n == 1 else self.urls.orgs_index_page(lang, n)

        return "orgs.html", {
            "title": self._paged_title(ctx, ctx.t("orgs_title"), page),
            "tree": tree,
            "pager": paginate.pager(ctx, page, total, path_of),
        }

    def _orgs_index_page(self, ctx: PageContext, page: int) -> tuple[str, dict[str, Any]]:
        return self._orgs_index(ctx, page)

    @staticmethod
    def _paged_title(ctx: PageContext, title: str | Markup, page: int) -> str | Markup:
        if page == 1:
            return title
        return escape(title) + escape(ctx.t("page_suffix", n=page))

    def _listing(
        self,
        ctx: PageContext,
        title: str | Markup,
        reports: tuple[Report, ...],
        page: int,
        path_of: Callable[[int], str],
    ) -> tuple[str, dict[str, Any]]:
        """One page of a paginated report listing."""
        total = paginate.page_count(len(reports))
        items = [ctx.report_item(r) for r in reports[paginate.page_slice(page)]]
        return "list.html", {
            "title": self._paged_title(ctx, title, page),
            "links": [],
            "reports": items,
            "pager": paginate.pager(ctx, page, total, path_of),
        }

    def _org(self, ctx: PageContext, key: str) -> tuple[str, dict[str, Any]]:
        facts = self.derived.orgs[key]
        org = facts.org
        other = org.short_name if org.short_name else None
        cards = [views.key_figure_card(ctx, kf) for kf in facts.key_figures]
        crumbs = [Link(escape(ctx.t("nav_orgs")), ctx.href(self.urls.orgs_index(ctx.lang)))]
        crumbs += [ctx.org_link(a, short=True) for a in reversed(facts.ancestors)]
        return "org.html", {
            "title": ctx.tx(org.name),
            "org_description": ctx.tx(org.description),
            "other_name": ctx.tx(other) if other else "",
            "level": ctx.level(org),
            "parent": ctx.org_link(org.parent) if org.parent in self.site.orgs else None,
            "children": [ctx.org_link(c) for c in facts.children],
            "sample": org.sample,
            "key_figures": cards,
            "rollups": views.rollup_rows(ctx, facts),
            "rollup_own_label": ctx.t("rollup_own", org=ctx.plain(org.short_name or org.name)),
            "child_summaries": views.child_summaries(ctx, facts),
            **self._chart_views(
                ctx,
                trend_charts=self.charts.trends.get(key, ()) if self.charts else (),
                comparison_charts=self.charts.comparisons.get(key, ()) if self.charts else (),
            ),
            "table": views.metric_table(ctx, facts),
            "groups": views.reports_by_year(ctx, facts.reports[: paginate.PAGE_SIZE]),
            "reports_more": self._org_reports_more(ctx, key),
            "crumbs": crumbs,
            "page_description": ctx.plain(org.description),
        }

    def _org_reports_more(self, ctx: PageContext, key: str) -> Link | None:
        n = len(self.derived.orgs[key].reports)
        if n <= paginate.PAGE_SIZE:
            return None
        target = self.urls.org_page(ctx.lang, key, 2)
        return paginate.more_link(ctx, ctx.t("more_reports", n=n), target)

    def _org_page(self, ctx: PageContext, key: str, page: int) -> tuple[str, dict[str, Any]]:
        facts = self.derived.orgs[key]

        def path_of(n: int) -> str:
            lang = ctx.lang
            return self.urls.org(lang, key) if n == 1 else self.urls.org_page(lang, key, n)

        title = ctx.t("org_reports_title", org="\x00")
        title = Markup(escape(title)).replace("\x00", ctx.tx(facts.org.name))
        return self._listing(ctx, title, facts.reports, page, path_of)

    # -- charts ------------------------------------------------------------------------------

    def _chart_views(self, ctx: PageContext, **groups: tuple[Any, ...]) -> dict[str, Any]:
        """Chart views by template name, and ``has_charts`` for the page's <head>."""
        out: dict[str, Any] = {
            name: [views.chart_view(ctx, spec) for spec in specs] for name, specs in groups.items()
        }
        out["has_charts"] = any(out[name] for name in groups)
        return out

    def _chart_block(self, ctx: PageContext, path: str, index: int, source: str) -> Markup:
        """The default ``ChartRenderer``: a validated block as a figure, an invalid one (already
        reported as a warning) as a short notice in its place."""
        assert self.charts is not None
        spec = self.charts.blocks.get((path, index))
        if spec is None:
            return Markup('<p class="notice chart-invalid" role="note">{}</p>\n').format(
                ctx.t("chart_invalid")
            )
        macro = self.env.get_template("macros.html").module.chart  # type: ignore[attr-defined]
        return Markup(macro(views.chart_view(ctx, spec), ctx.t))

    def _body(
        self, ctx: PageContext, path: str, en_path: str | None, script: str
    ) -> tuple[Markup, tuple[Any, ...], str | None]:
        zh = self.bodies.by_path[path]
        en = self.bodies.by_path.get(en_path) if en_path else None
        shown, body_lang = views.body_for(ctx, zh, en, script)
        source_path = en_path if shown is en and en_path else path
        html = shown.html
        if shown.charts:
            blocks = {c.index: c for c in shown.charts}

            def chart(m: Any) -> str:
                block = blocks[int(m.group(1))]
                if self.chart_renderer is None:
                    return str(Markup("<pre><code>{}</code></pre>").format(block.source))
                return str(self.chart_renderer(ctx, source_path, block.index, block.source))

            html = CHART_PLACEHOLDER_RE.sub(chart, html)
        return Markup(html), views.toc_links(shown.toc), body_lang

    def _report(
        self, ctx: PageContext, org: str, year: int, slug: str
    ) -> tuple[str, dict[str, Any]]:
        rep = self.reports[(org, year, slug)]
        en_path = rep.translation.path if rep.translation else None
        body, toc, body_lang = self._body(ctx, rep.path, en_path, rep.script)
        metrics = []
        for mv in rep.metrics:
            metric = self.site.metrics[mv.key]
            from site_builder.derive.aggregate import Cell

            metrics.append(
                views.MetricCard(
                    ctx.tx(metric.label), ctx.value(metric, Cell(mv.value, mv.qualifier, ""))
                )
            )
        facts = self.derived.orgs[org]
        crumbs = [ctx.org_link(a, short=True) for a in reversed(facts.ancestors)]
        crumbs.append(ctx.org_link(org, short=True))
        return "report.html", {
            "title": ctx.report_title(rep),
            "org": ctx.org_link(org),
            "date": ctx.date(rep),
            "iso_date": rep.date.isoformat(),
            "tags": [ctx.tag_link(s) for s in rep.tags],
            "source": ctx.tx(rep.source) if rep.source else "",
            "summary": ctx.report_summary(rep),
            "metrics": metrics,
            "toc": toc,
            "body": search.mark_body(body),
            "body_lang": body_lang,
            "has_charts": CHART_CANVAS in body,
            "sample": self.site.orgs[org].sample,
            "crumbs": crumbs,
            "page_description": str(ctx.report_summary(rep).striptags()),
        }

    def _years_index(self, ctx: PageContext) -> tuple[str, dict[str, Any]]:
        links = [
            {
                "text": str(y),
                "href": ctx.href(self.urls.year(ctx.lang, y)),
                "count": ctx.t("reports_count", n=len(self.derived.reports_by_year[y])),
            }
            for y in self.derived.years
        ]
        return "list.html", {
            "title": ctx.t("years_title"),
            "links": links,
            "reports": [],
            "pager": None,
        }

    def _year(self, ctx: PageContext, year: int, page: int = 1) -> tuple[str, dict[str, Any]]:
        def path_of(n: int) -> str:
            lang = ctx.lang
            return self.urls.year(lang, year) if n == 1 else self.urls.year_page(lang, year, n)

        reports = self.derived.reports_by_year[year]
        return self._listing(ctx, ctx.t("year_title", year=year), reports, page, path_of)

    def _year_page(self, ctx: PageContext, year: int, page: int) -> tuple[str, dict[str, Any]]:
        return self._year(ctx, year, page)

    def _tags_index(self, ctx: PageContext) -> tuple[str, dict[str, Any]]:
        links = [
            {
                "text": ctx.tx(self.site.tags[s].name),
                "href": ctx.href(self.urls.tag(ctx.lang, s)),
                "count": ctx.t("reports_count", n=len(reps)),
            }
            for s, reps in self.derived.reports_by_tag.items()
        ]
        return "list.html", {
            "title": ctx.t("tags_title"),
            "links": links,
            "reports": [],
            "pager": None,
        }

    def _tag(self, ctx: PageContext, slug: str, page: int = 1) -> tuple[str, dict[str, Any]]:
        tag = self.site.tags[slug]
        title = Markup(escape(ctx.t("tag_title", tag="\x00"))).replace("\x00", ctx.tx(tag.name))

        def path_of(n: int) -> str:
            lang = ctx.lang
            return self.urls.tag(lang, slug) if n == 1 else self.urls.tag_page(lang, slug, n)

        return self._listing(ctx, title, self.derived.reports_by_tag[slug], page, path_of)

    def _tag_page(self, ctx: PageContext, slug: str, page: int) -> tuple[str, dict[str, Any]]:
        return self._tag(ctx, slug, page)

    def _page(self, ctx: PageContext, name: str) -> tuple[str, dict[str, Any]]:
        page = self.pages[name]
        en_path = page.translation.path if page.translation else None
        body, _toc, body_lang = self._body(ctx, page.path, en_path, page.script)
        return "page.html", {
            "title": views.page_title(ctx, page),
            "body": body,
            "body_lang": body_lang,
            "has_charts": CHART_CANVAS in body,
        }

    def _search(self, ctx: PageContext) -> tuple[str, dict[str, Any]]:
        urls, lang, t = self.urls, ctx.lang, ctx.t
        keys = search.index_keys(lang)
        strings = {
            k: t("search_" + k)
            for k in ("results", "one_result", "no_results", "prompt", "loading", "more")
        }
        strings.update(any_org=t("search_any_org"), any_year=t("search_any_year"))
        config = {
            "lang": lang,
            "fold": ctx.href(urls.search_fold()),
            "docs": ctx.href(urls.search_docs(lang)),
            "text": ctx.href(urls.search_text(lang, 0)).removesuffix("0.js"),
            "indexes": {k: ctx.href(urls.search_index(k)) for k in keys},
            "shards": {k: ctx.href(urls.search_shard(k, 0)).removesuffix("00.js") for k in keys},
            "strings": strings,
        }
        return "search.html", {"title": t("search_title"), "config": search.config_json(config)}

    def _not_found(self, ctx: PageContext) -> tuple[str, dict[str, Any]]:
        base = self.site.config.base_url
        base_href = ""
        if base:
            # A 404 page is served at any depth; a <base> at the tree root keeps its links right.
            from urllib.parse import urlsplit

            base_href = urlsplit(base).path + self.urls.prefix(ctx.lang)
        return "404.html", {"title": ctx.t("not_found_title"), "base_href": base_href}

    # -- rendering -----------------------------------------------------------------------------

    def render_page(self, spec: PageSpec, lang: str) -> OutputFile:
        path = spec.path(self.urls, lang)
        ctx = PageContext(self.site, self.derived, self.urls, lang, path)
        frame = self._frame(ctx, spec)
        if spec.kind == "not_found" and self.site.config.base_url:
            # links are resolved against <base>, i.e. the tree root
            root_ctx = PageContext(self.site, self.derived, self.urls, lang, self.urls.home(lang))
            frame = self._frame(root_ctx, spec)
        template, view = getattr(self, "_" + spec.kind)(ctx, *spec.args)
        frame["has_charts"] = bool(view.pop("has_charts", False))
        if view.get("page_description"):
            frame["description"] = view["page_description"]
        html = self.env.get_template(template).render(**frame, **view)
        return OutputFile(path, self._convert(html, lang).encode("utf-8"))

    # -- rendering in worker processes (parallel.py) -----------------------------------------

    def prepare_workers(self) -> None:
        """Before forking: compile every template once, here, rather than once per worker."""
        for name in self.env.list_templates():
            if name.endswith((".html", ".xml")):
                self.env.get_template(name)

    def plan_task(self, spec: PageSpec, lang: str) -> OutputFile | None:
        """In the build process, before a page goes to a worker: its finished file when it
        need not render (an incremental build keeps it), else None."""
        return None

    def render_task(self, spec: PageSpec, lang: str) -> tuple[OutputFile, Any]:
        """In a worker: the page, and whatever ``finish_task`` must record about it (picklable).
        A subclass that overrides ``render_page`` with bookkeeping overrides all three hooks."""
        return self.render_page(spec, lang), None

    def finish_task(self, spec: PageSpec, lang: str, file: OutputFile, effects: Any) -> OutputFile:
        """Back in the build process: record ``effects``; the page's final file."""
        return file

    def _convert(self, text: str, lang: str) -> str:
        if LANGUAGES[lang].text == "zh":
            return self.converter.convert_html(text, lang)
        return text

    def render_sitemap(self, specs: list[PageSpec], lang: str) -> OutputFile:
        urls, base = self.urls, self.site.config.base_url
        path = urls.sitemap(lang)
        lastmod = {
            ("report", (r.org, r.year, r.slug)): r.date.isoformat() for r in self.site.reports
        }

        def loc(p: str) -> str:
            return absolute(base, p) if base else relative(path, p)

        entries = []
        for spec in specs:
            if not spec.in_sitemap:
                continue
            entries.append(
                {
                    "loc": loc(spec.path(urls, lang)),
                    "lastmod": lastmod.get((spec.kind, spec.args), ""),
                    "alternates": [
                        {"lang": other, "href": loc(spec.path(urls, other))}
                        for other in self.site.config.languages
                    ],
                }
            )
        xml = self.env.get_template("sitemap.xml").render(urls=entries)
        return OutputFile(path, xml.encode("utf-8"))

    def render_feed(self, lang: str, limit: int = 50) -> OutputFile:
        urls, base = self.urls, self.site.config.base_url
        path = urls.feed(lang)
        ctx = PageContext(self.site, self.derived, urls, lang, path)

        def loc(p: str) -> str:
            return absolute(base, p) if base else relative(path, p)

        reports: list[Report] = sorted(
            self.site.reports, key=lambda r: (-r.date.toordinal(), r.org, r.slug)
        )[:limit]
        entries = []
        for rep in reports:
            target = urls.report(lang, rep.org, rep.year, rep.slug)
            stamp = _stamp(rep.date)
            entries.append(
                {
                    "title": str(ctx.report_title(rep).striptags()),
                    "id": loc(target) if base else f"urn:site-builder:report:{rep.ident}:{lang}",
                    "href": loc(target),
                    "updated": stamp,
                    "author": ctx.plain(self.site.orgs[rep.org].name),
                    "summary": str(ctx.report_summary(rep).striptags()),
                    "categories": [ctx.plain(self.site.tags[s].name) for s in rep.tags],
                }
            )
        updated = _stamp(reports[0].date) if reports else "1970-01-01T00:00:00Z"
        title = Translator(lang)("feed_title", site=ctx.plain(self.site.config.title))
        xml = self.env.get_template("feed.xml").render(
            lang=lang,
            title=title,
            feed_id=loc(path) if base else f"urn:site-builder:feed:{lang}",
            self_href=loc(path),
            home_href=loc(urls.home(lang)),
            updated=updated,
            entries=entries,
        )
        return OutputFile(path, self._convert(xml, lang).encode("utf-8"))


def _stamp(d: datetime.date) -> str:
    return d.isoformat() + "T00:00:00Z"


def render_site(
    renderer: Renderer,
    diags: Diagnostics,
    progress: Callable[[str, int, int], None] | None = None,
    jobs: int = 1,
    inspection: Inspection[Any] | None = None,
    sink: Callable[[OutputFile], OutputFile] | None = None,
) -> list[OutputFile]:
    """Every file of every language tree, checked for two pages claiming one path. Pages render
    over ``jobs`` processes (parallel.py); the result is the same for any ``jobs``.
    ``inspection``: work on each page done beside its rendering in the workers; ``sink``:
    what the build keeps of each page (parallel.render_pages)."""
    from site_builder.parallel import render_pages

    specs = plan_pages(renderer.site, renderer.derived)
    languages = renderer.site.config.languages
    tasks = [(spec, lang) for lang in languages for spec in specs]
    total = len(tasks)

    def advance(done: int) -> None:
        if progress is not None and done % 25 == 0:
            progress("render", done, total)

    # The stage shows from its start: the build process renders chunks itself and passes
    # counts on between them, so the first count can come late on a small site.
    advance(0)
    pages = render_pages(renderer, tasks, jobs, advance, inspection, sink)
    out: list[OutputFile] = []
    for n, lang in enumerate(languages):
        out += pages[n * len(specs) : (n + 1) * len(specs)]
        out.append(renderer.render_sitemap(specs, lang))
        out.append(renderer.render_feed(lang))
    seen: dict[str, int] = {}
    for f in out:
        seen[f.path] = seen.get(f.path, 0) + 1
    for path, n in sorted(seen.items()):
        if n > 1:
            diags.error(
                "site.yaml",
                1,
                1,
                f"{n} pages would be written to the same file '{path}'",
                "rename one of the sources so that their output paths differ",
            )
    return out
