"""The view of each page kind: what its template is given. ``Renderer`` (render.py) holds the
site, the Jinja environment and the lookups these methods read; the page kinds (kinds.py) name
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup, escape

from site_builder import paginate, search, views
from site_builder.chinese import Converter
from site_builder.derive.aggregate import Derived
from site_builder.derive.charts import Charts
from site_builder.i18n import LANGUAGES
from site_builder.markdown import CHART_PLACEHOLDER_RE
from site_builder.model import Page, Report, Site, name_in
from site_builder.urls import Urls
from site_builder.views import Link, PageContext

View = dict[str, Any]
"""What a page kind's template is given (with the frame every page shares)."""

ChartRenderer = Callable[[PageContext, str, int, str], Markup]
"""(page context, source path, chart index, chart YAML) -> the chart's HTML."""

CHART_CANVAS = 'class="chart-canvas"'
"""Marks a drawn chart in a body: such pages load ECharts and charts.js."""


class PageViews:
    """One method per page kind, mixed into ``Renderer``: (context, *the page's arguments) ->
    its view. Which template shows it, and at which URL, the kind's declaration says."""

    site: Site
    derived: Derived
    bodies: Any  # render.Bodies
    env: jinja2.Environment
    urls: Urls
    reports: dict[tuple[str, int, str], Report]
    pages: dict[str, Page]
    charts: Charts | None
    chart_renderer: ChartRenderer | None
    converter: Converter

    # -- one function per page kind --------------------------------------------------------

    def _home(self, ctx: PageContext) -> View:
        d = self.derived
        return {
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

    def _orgs_index(self, ctx: PageContext, page: int = 1) -> View:
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

        return {
            "title": self._paged_title(ctx, ctx.t("orgs_title"), page),
            "tree": tree,
            "pager": paginate.pager(ctx, page, total, path_of),
        }

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
    ) -> View:
        """One page of a paginated report listing."""
        total = paginate.page_count(len(reports))
        items = [ctx.report_item(r) for r in reports[paginate.page_slice(page)]]
        return {
            "title": self._paged_title(ctx, title, page),
            "links": [],
            "reports": items,
            "pager": paginate.pager(ctx, page, total, path_of),
        }

    def _org(self, ctx: PageContext, key: str) -> View:
        facts = self.derived.orgs[key]
        org = facts.org
        other = org.short_name if org.short_name else None
        cards = [views.key_figure_card(ctx, kf) for kf in facts.key_figures]
        crumbs = [Link(escape(ctx.t("nav_orgs")), ctx.href(self.urls.orgs_index(ctx.lang)))]
        crumbs += [ctx.org_link(a, short=True) for a in reversed(facts.ancestors)]
        return {
            "title": ctx.tx(org.name),
            "org_description": ctx.tx(org.description),
            "other_name": ctx.tx(other) if other else "",
            "level": ctx.level(org),
            "org_kind": ctx.kind(org),
            "names": views.name_history(ctx, org),
            "rollup_rule": views.rollup_rule(ctx, org),
            "type_options": views.type_options(ctx, facts.reports[: paginate.PAGE_SIZE]),
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
            "compendiums": self._compendiums(ctx, key),
            "reports_more": self._org_reports_more(ctx, key),
            "crumbs": crumbs,
            "page_description": ctx.plain(org.description),
        }

    def _compendiums(self, ctx: PageContext, key: str) -> dict[int, str]:
        """Year -> the link to the organization's compendium PDF of that year (``pdf`` on)."""
        if not self.site.config.pdf:
            return {}
        from site_builder.pdf import compendium_pdf_path

        years = {r.year for r in self.derived.orgs[key].reports}
        return {y: ctx.href(compendium_pdf_path(self.urls, ctx.lang, key, y)) for y in years}

    def _org_reports_more(self, ctx: PageContext, key: str) -> Link | None:
        n = len(self.derived.orgs[key].reports)
        if n <= paginate.PAGE_SIZE:
            return None
        target = self.urls.org_page(ctx.lang, key, 2)
        return paginate.more_link(ctx, ctx.t("more_reports", n=n), target)

    def _org_page(self, ctx: PageContext, key: str, page: int) -> View:
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

    def _report(self, ctx: PageContext, org: str, year: int, slug: str) -> View:
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
        crumbs = [ctx.org_link(a, short=True, year=year) for a in reversed(facts.ancestors)]
        crumbs.append(ctx.org_link(org, short=True, year=year))
        older, newer = views.neighbours(facts.reports, rep)
        running = f"{ctx.plain(self.site.orgs[org].name)} · {ctx.report_title(rep).striptags()}"
        if LANGUAGES[ctx.lang].text == "zh":  # the page's conversion passes over <style>
            running = self.converter.convert(running, ctx.lang)
        pdf_href = ""
        if self.site.config.pdf:
            from site_builder.pdf import report_pdf_path

            pdf_href = ctx.href(report_pdf_path(self.urls, ctx.lang, org, year, slug))
        now = None
        if name_in(self.site.orgs[org].former_names, year):  # named as it was then
            now = Markup(escape(ctx.t("name_now", name="\x00"))).replace("\x00", ctx.org_name(org))
        tr = rep.translation
        status = (
            tr.status if tr is not None and ctx.text_lang == "en" and body_lang is None else None
        )
        return {
            "pdf": pdf_href,
            "older": ctx.report_item(older) if older else None,
            "newer": ctx.report_item(newer) if newer else None,
            "print_header": views.css_string(running),
            "title": ctx.report_title(rep),
            "org": ctx.org_link(org, year=year),
            "org_now": now,
            "doc_meta": views.document_meta(ctx, rep),
            "translation_status": ctx.t(f"translation_{status}") if status else "",
            "translation_status_kind": status or "",
            "date": ctx.date(rep),
            "iso_date": rep.dated.iso,
            "tags": [ctx.tag_link(s) for s in rep.tags],
            "source": ctx.tx(rep.source) if rep.source else "",
            "source_url": rep.meta.source_url or "",
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

    def _years_index(self, ctx: PageContext) -> View:
        links = [
            {
                "text": str(y),
                "href": ctx.href(self.urls.year(ctx.lang, y)),
                "count": ctx.t("reports_count", n=len(self.derived.reports_by_year[y])),
            }
            for y in self.derived.years
        ]
        return {
            "title": ctx.t("years_title"),
            "links": links,
            "reports": [],
            "pager": None,
        }

    def _year(self, ctx: PageContext, year: int, page: int = 1) -> View:
        def path_of(n: int) -> str:
            lang = ctx.lang
            return self.urls.year(lang, year) if n == 1 else self.urls.year_page(lang, year, n)

        reports = self.derived.reports_by_year[year]
        return self._listing(ctx, ctx.t("year_title", year=year), reports, page, path_of)

    def _tags_index(self, ctx: PageContext) -> View:
        links = [
            {
                "text": ctx.tx(self.site.tags[s].name),
                "href": ctx.href(self.urls.tag(ctx.lang, s)),
                "count": ctx.t("reports_count", n=len(reps)),
            }
            for s, reps in self.derived.reports_by_tag.items()
        ]
        return {
            "title": ctx.t("tags_title"),
            "links": links,
            "reports": [],
            "pager": None,
        }

    def _tag(self, ctx: PageContext, slug: str, page: int = 1) -> View:
        tag = self.site.tags[slug]
        title = Markup(escape(ctx.t("tag_title", tag="\x00"))).replace("\x00", ctx.tx(tag.name))

        def path_of(n: int) -> str:
            lang = ctx.lang
            return self.urls.tag(lang, slug) if n == 1 else self.urls.tag_page(lang, slug, n)

        return self._listing(ctx, title, self.derived.reports_by_tag[slug], page, path_of)

    def _doc_type(self, ctx: PageContext, slug: str, page: int = 1) -> View:
        """The reports of one document type (content/types.yaml), newest first."""
        name = ctx.tx(self.site.types[slug].name)
        title = Markup(escape(ctx.t("type_title", type="\x00"))).replace("\x00", name)

        def path_of(n: int) -> str:
            lang = ctx.lang
            if n == 1:
                return self.urls.doc_type(lang, slug)
            return self.urls.doc_type_page(lang, slug, n)

        return self._listing(ctx, title, self.derived.reports_by_type[slug], page, path_of)

    def _page(self, ctx: PageContext, name: str) -> View:
        page = self.pages[name]
        en_path = page.translation.path if page.translation else None
        body, _toc, body_lang = self._body(ctx, page.path, en_path, page.script)
        return {
            "title": views.page_title(ctx, page),
            "body": body,
            "body_lang": body_lang,
            "has_charts": CHART_CANVAS in body,
        }

    def _search(self, ctx: PageContext) -> View:
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
        return {
            "title": t("search_title"),
            "config": search.config_json(config),
            "has_types": bool(self.derived.reports_by_type),
        }

    def _not_found(self, ctx: PageContext) -> View:
        base = self.site.config.base_url
        base_href = ""
        if base:
            # A 404 page is served at any depth; a <base> at the tree root keeps its links right.
            from urllib.parse import urlsplit

            base_href = urlsplit(base).path + self.urls.prefix(ctx.lang)
        return {"title": ctx.t("not_found_title"), "base_href": base_href}
