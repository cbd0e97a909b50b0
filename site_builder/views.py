"""View models: what each template receives, built from the model and derived facts. Pure.

Templates never see the domain model; they get resolved strings (already in the page's
language), formatted numbers and relative links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from site_builder import numbers
from site_builder.derive.aggregate import Cell, Derived, KeyFigure, OrgFacts, RollUp
from site_builder.i18n import LANGUAGES, Translator
from site_builder.markdown import RenderedMarkdown, TocEntry
from site_builder.model import LocalText, Metric, Org, Page, Report, Site
from site_builder.urls import Urls, relative


@dataclass(frozen=True, slots=True)
class Link:
    text: Markup
    href: str


@dataclass(frozen=True, slots=True)
class Alternate:
    lang: str
    label: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class ReportItem:
    title: Markup
    href: str
    org: Link
    date: str
    iso_date: str
    summary: Markup
    tags: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class MetricCard:
    label: Markup
    value: str
    note: str = ""  # e.g. change on the previous year


@dataclass(frozen=True, slots=True)
class TableRow:
    label: Markup
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MetricTable:
    caption: str
    years: tuple[int, ...]
    rows: tuple[TableRow, ...]


@dataclass(frozen=True, slots=True)
class OrgNode:
    link: Link
    level: str
    sample: bool
    reports: int
    latest_year: int | None
    children: tuple[OrgNode, ...]


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    reports: tuple[ReportItem, ...]


@dataclass(slots=True)
class PageContext:
    """Everything a page's view builder needs; one per (language, output path)."""

    site: Site
    derived: Derived
    urls: Urls
    lang: str
    here: str  # this page's output path
    t: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.t = Translator(self.lang)

    @property
    def text_lang(self) -> str:
        return LANGUAGES[self.lang].text

    def href(self, target: str) -> str:
        return relative(self.here, target)

    def tx(self, text: LocalText) -> Markup:
        """A localized field, marked with its own ``lang`` when it falls back."""
        value = text.get(self.text_lang)
        if text.is_fallback(self.text_lang):
            other = "en" if self.text_lang == "zh" else "zh"
            return Markup('<span lang="{}">{}</span>').format(other, value)
        return escape(value)

    def plain(self, text: LocalText) -> str:
        return text.get(self.text_lang)

    def org_name(self, key: str, short: bool = False) -> Markup:
        org = self.site.orgs[key]
        return self.tx(org.short_name if short and org.short_name else org.name)

    def org_link(self, key: str, short: bool = False) -> Link:
        return Link(self.org_name(key, short), self.href(self.urls.org(self.lang, key)))

    def value(self, metric: Metric, cell: Cell, with_unit: bool = True) -> str:
        return numbers.format_value(
            cell.value,
            lang=self.text_lang,
            unit=self.plain(metric.unit) if with_unit else "",
            fmt=metric.format,
            scale=metric.scale,
            qualifier=cell.qualifier.value if cell.qualifier else None,
        )

    def date(self, report: Report) -> str:
        return numbers.format_date(report.date, lang=self.text_lang)

    def report_title(self, report: Report) -> Markup:
        if self.text_lang == "en" and report.translation is not None:
            return escape(report.translation.title)
        return self.tx(report.title)

    def report_summary(self, report: Report) -> Markup:
        if self.text_lang == "en" and report.translation and report.translation.summary:
            return escape(report.translation.summary)
        return self.tx(report.summary)

    def report_item(self, report: Report) -> ReportItem:
        return ReportItem(
            title=self.report_title(report),
            href=self.href(self.urls.report(self.lang, report.org, report.year, report.slug)),
            org=self.org_link(report.org, short=True),
            date=self.date(report),
            iso_date=report.date.isoformat(),
            summary=self.report_summary(report),
            tags=tuple(self.tag_link(s) for s in report.tags),
        )

    def tag_link(self, slug: str) -> Link:
        return Link(self.tx(self.site.tags[slug].name), self.href(self.urls.tag(self.lang, slug)))

    def level(self, org: Org) -> str:
        return self.t(f"level_{org.level.value}")


def org_tree(ctx: PageContext) -> tuple[OrgNode, ...]:
    def node(key: str) -> OrgNode:
        facts = ctx.derived.orgs[key]
        return OrgNode(
            link=ctx.org_link(key),
            level=ctx.level(facts.org),
            sample=facts.org.sample,
            reports=len(facts.reports),
            latest_year=facts.years[-1] if facts.years else None,
            children=tuple(node(c) for c in facts.children),
        )

    return tuple(node(k) for k in ctx.derived.roots)


def metric_table(ctx: PageContext, facts: OrgFacts) -> MetricTable | None:
    if not facts.table:
        return None
    years = tuple(sorted({y for by_year in facts.table.values() for y in by_year}))
    rows = []
    for key, by_year in facts.table.items():
        metric = ctx.site.metrics[key]
        unit = ctx.plain(metric.unit)
        label = ctx.tx(metric.label)
        if unit:
            label = label + Markup(" ({})").format(unit)
        cells = tuple(ctx.value(metric, by_year[y], False) if y in by_year else "–" for y in years)
        rows.append(TableRow(label, cells))
    caption = ctx.t("metrics_table_caption", org=ctx.plain(facts.org.name))
    return MetricTable(caption, years, tuple(rows))


def key_figure_card(ctx: PageContext, kf: KeyFigure) -> MetricCard:
    metric = ctx.site.metrics[kf.metric]
    note = ""
    if kf.delta is not None and kf.previous_year is not None:
        change = numbers.format_change(
            kf.delta, kf.percent, lang=ctx.text_lang, about=kf.approximate
        )
        note = f"{kf.year} · {change} ({kf.previous_year})"
    else:
        note = str(kf.year)
    return MetricCard(ctx.tx(metric.label), ctx.value(metric, kf.cell), note)


def rollup_card(ctx: PageContext, r: RollUp) -> MetricCard:
    metric = ctx.site.metrics[r.metric]
    cell = Cell(r.total, None, "")
    value = ctx.value(metric, cell)
    if r.approximate:
        value = numbers.format_value(
            r.total,
            lang=ctx.text_lang,
            unit=ctx.plain(metric.unit),
            fmt=metric.format,
            scale=metric.scale,
            qualifier="about",
        )
    return MetricCard(ctx.tx(metric.label), value, str(r.year))


def reports_by_year(ctx: PageContext, reports: tuple[Report, ...]) -> tuple[YearGroup, ...]:
    groups: dict[int, list[ReportItem]] = {}
    for rep in reports:
        groups.setdefault(rep.year, []).append(ctx.report_item(rep))
    return tuple(YearGroup(y, tuple(items)) for y, items in sorted(groups.items(), reverse=True))


def toc_links(toc: tuple[TocEntry, ...]) -> tuple[tuple[int, Link], ...]:
    return tuple((e.level, Link(escape(e.text), "#" + e.anchor)) for e in toc)


def body_for(
    ctx: PageContext, zh: RenderedMarkdown, en: RenderedMarkdown | None, script: str
) -> tuple[RenderedMarkdown, str | None]:
    """The body to show and, when it is not in the page's language, its ``lang``."""
    if ctx.text_lang == "en":
        if en is not None:
            return en, None
        return zh, script
    return zh, None


def page_title(ctx: PageContext, page: Page) -> Markup:
    if ctx.text_lang == "en" and page.translation is not None:
        return escape(page.translation.title)
    return ctx.tx(page.title)
