"""Stage 6, render: plan every output page, build its view, render its template, and convert
Chinese pages to their script. Pure: templates arrive as text from ``load``.

Each page is a ``kinds.PageSpec`` (its declared kind + arguments); the kind's URL turns it into
its path in every language, so pages, the language switcher, alternates and the sitemap agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from site_builder import theme, views
from site_builder.chinese import Converter
from site_builder.derive.aggregate import Derived
from site_builder.derive.charts import Charts
from site_builder.errors import Diagnostics
from site_builder.i18n import LANGUAGES, Translator
from site_builder.kinds import KINDS, PageKind, PageSpec, named, plan_pages
from site_builder.load import TemplateSource
from site_builder.markdown import RenderedMarkdown
from site_builder.messages import _
from site_builder.model import Report, Site
from site_builder.pages import ChartRenderer, PageViews
from site_builder.urls import Urls, absolute, relative
from site_builder.views import Alternate, Link, PageContext

if TYPE_CHECKING:
    from site_builder.parallel import Inspection


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Bodies:
    """Markdown rendered once per source file, keyed by the source's path."""

    by_path: dict[str, RenderedMarkdown]


def make_environment(templates: Iterable[TemplateSource]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({t.name: t.text for t in templates}),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    return env


class Renderer(PageViews):
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
        kinds: tuple[PageKind, ...] = KINDS,
    ) -> None:
        self.site = site
        self.derived = derived
        # the model as plan_pages reads it (a subclass may give the views a recording view of it)
        self.model = (site, derived)
        self.bodies = bodies
        self.env = make_environment(templates)
        self.converter = converter
        self.urls = Urls(site.config.languages, site.config.default_language)
        self.reports = {(r.org, r.year, r.slug): r for r in site.reports}
        self.pages = {p.name: p for p in site.pages}
        self.charts = charts
        self.chart_renderer = chart_renderer
        self.kinds = kinds
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
            {"href": ctx.href(path), "text": text, "current": kind == spec.kind.name}
            for kind, path, text in nav_items
        ]
        return {
            "lang": lang,
            "kind": spec.kind.name.replace("_", "-"),
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
            "theme_style": theme.style(site.config.theme),
            "logo": ctx.href(urls.asset(site.config.theme.logo)) if site.config.theme.logo else "",
            "favicon": site.config.theme.favicon or "favicon.svg",
            "footer_text": (
                ctx.tx(site.config.theme.footer) if site.config.theme.footer else t("footer_text")
            ),
            "footer_pages": [
                Link(views.page_title(ctx, p), ctx.href(urls.page(lang, p.name)))
                for p in site.pages
            ],
        }

    # -- rendering -----------------------------------------------------------------------------

    def render_page(self, spec: PageSpec, lang: str) -> OutputFile:
        path = spec.path(self.urls, lang)
        ctx = PageContext(self.site, self.derived, self.urls, lang, path)
        frame = self._frame(ctx, spec)
        if spec.kind.frame_at_root and self.site.config.base_url:
            # links are resolved against <base>, i.e. the tree root
            root_ctx = PageContext(self.site, self.derived, self.urls, lang, self.urls.home(lang))
            frame = self._frame(root_ctx, spec)
        view = spec.view(self, ctx)
        frame["has_charts"] = bool(view.pop("has_charts", False))
        if view.get("page_description"):
            frame["description"] = view["page_description"]
        html = self.env.get_template(spec.kind.template).render(**frame, **view)
        return OutputFile(path, self._convert(html, lang).encode("utf-8"))

    # -- rendering in worker processes (parallel.py) -----------------------------------------

    def parallel_safe(self) -> bool:
        """Whether this renderer's pages may render in workers (see parallel.py's docstring)."""
        cls = type(self)
        return (
            cls.render_page is Renderer.render_page or cls.render_task is not Renderer.render_task
        )

    def begin(self, specs: list[PageSpec]) -> None:
        """Before the first page: the pages of one language tree (a subclass may note them)."""

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

        def loc(p: str) -> str:
            return absolute(base, p) if base else relative(path, p)

        entries = []
        for spec in specs:
            if not spec.in_sitemap:
                continue
            entries.append(
                {
                    "loc": loc(spec.path(urls, lang)),
                    "lastmod": spec.kind.lastmod(self, *spec.args) if spec.kind.lastmod else "",
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
        report_kind = named("report", self.kinds)
        for rep in reports:
            target = report_kind.page_of(urls, lang, rep)
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

    specs = plan_pages(*renderer.model, renderer.kinds)
    renderer.begin(specs)
    languages = renderer.model[0].config.languages
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
                _("{n} pages would be written to the same file '{path}'").format(n=n, path=path),
                _("rename one of the sources so that their output paths differ"),
            )
    return out
