"""View models: what each template receives, built from the model and derived facts. Pure.

Templates never see the domain model; they get resolved strings (already in the page's
language), formatted numbers and relative links.

Long: one view-model dataclass per template and the small builders that fill them (facts rows,
figure cards, neighbours, date forms); they share the formatting helpers and split naturally by
page kind only once the builders move next to their kinds in pages.py.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from site_builder import numbers
from site_builder.derive.aggregate import Cell, Derived, KeyFigure, OrgFacts
from site_builder.derive.charts import (
    ChartSpec,
    build_options,
    options_json,
    point_label,
    unit_name,
)
from site_builder.i18n import LANGUAGES, Translator
from site_builder.markdown import RenderedMarkdown, TocEntry
from site_builder.model import DEFAULT_KINDS, LocalText, Metric, Org, Page, Report, Site, name_in
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
    type: Link | None = None
    type_slug: str = ""


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
    kind: str = ""


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

    def org_link(self, key: str, short: bool = False, year: int | None = None) -> Link:
        """A link to an organization's page, named as it was named in ``year`` when given."""
        name = self.org_name(key, short)
        former = name_in(self.site.orgs[key].former_names, year) if year is not None else None
        if former is not None:
            name = self.tx(former.short_name if short and former.short_name else former.name)
        return Link(name, self.href(self.urls.org(self.lang, key)))

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
        d = report.dated
        return numbers.format_doc_date(d.kind, d.start, d.end, lang=self.text_lang)

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
            org=self.org_link(report.org, short=True, year=report.year),
            date=self.date(report),
            iso_date=report.dated.iso,
            summary=self.report_summary(report),
            tags=tuple(self.tag_link(s) for s in report.tags),
            type=self.type_link(report.meta.type) if report.meta.type else None,
            type_slug=report.meta.type or "",
        )

    def type_link(self, slug: str) -> Link:
        return Link(
            self.tx(self.site.types[slug].name), self.href(self.urls.doc_type(self.lang, slug))
        )

    def tag_link(self, slug: str) -> Link:
        return Link(self.tx(self.site.tags[slug].name), self.href(self.urls.tag(self.lang, slug)))

    def level(self, org: Org) -> str:
        return self.plain(self.site.config.level_name(org.level))

    def kind(self, org: Org) -> str:
        kind = self.site.config.kind_def(org.kind)
        return self.plain(kind.name) if kind else ""


def org_tree(ctx: PageContext, keep: Collection[str] | None = None) -> tuple[OrgNode, ...]:
    """The organization tree from its roots; with ``keep``, only those organizations."""

    def node(key: str) -> OrgNode:
        facts = ctx.derived.orgs[key]
        return OrgNode(
            link=ctx.org_link(key),
            level=ctx.level(facts.org),
            sample=facts.org.sample,
            reports=len(facts.reports),
            latest_year=facts.years[-1] if facts.years else None,
            children=tuple(node(c) for c in facts.children if keep is None or c in keep),
            kind=ctx.kind(facts.org),
        )

    return tuple(node(k) for k in ctx.derived.roots if keep is None or k in keep)


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
        change = change_text(ctx, metric, kf)
        note = f"{kf.year} · {ctx.t('change_since', change=change, year=kf.previous_year)}"
    else:
        note = str(kf.year)
    return MetricCard(ctx.tx(metric.label), ctx.value(metric, kf.cell), note)


def change_text(ctx: PageContext, metric: Metric, kf: KeyFigure) -> str:
    """The change on the previous year as number and percent, "about" when either value has a
    qualifier; amounts are written as amounts (+13.85万元, +CNY 138,500)."""
    assert kf.delta is not None
    lang = ctx.text_lang
    text = numbers.format_change(kf.delta, kf.percent, lang=lang, about=kf.approximate)
    if metric.format != "currency" or not kf.delta:
        return text
    bare = numbers.format_change(kf.delta, None, lang=lang)
    amount = numbers.format_value(
        abs(kf.delta), lang=lang, unit=ctx.plain(metric.unit), fmt="currency", scale=metric.scale
    )
    return text.replace(bare, bare[0] + amount, 1)


def reports_by_year(ctx: PageContext, reports: tuple[Report, ...]) -> tuple[YearGroup, ...]:
    groups: dict[int, list[ReportItem]] = {}
    for rep in reports:
        groups.setdefault(rep.year, []).append(ctx.report_item(rep))
    return tuple(YearGroup(y, tuple(items)) for y, items in sorted(groups.items(), reverse=True))


def neighbours(reports: tuple[Report, ...], report: Report) -> tuple[Report | None, Report | None]:
    """The organization's report before and after ``report`` (older, newer) in its listing
    order (``reports`` is newest first), for the links under a report."""
    i = next(i for i, r in enumerate(reports) if r is report or r.ident == report.ident)
    older = reports[i + 1] if i + 1 < len(reports) else None
    newer = reports[i - 1] if i > 0 else None
    return older, newer


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string that is safe inside ``<style>``: everything but ASCII
    letters, digits, spaces and simple punctuation is written as a CSS escape."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_()'!?")
    out = "".join(c if c in safe else f"\\{ord(c):06x}" for c in text)
    return Markup(f'"{out}"')


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


# --- charts and organization summaries ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartTable:
    head: tuple[str, ...]  # the category column's header, then one per series
    rows: tuple[tuple[Markup, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class ChartView:
    id: str
    type: str
    title: Markup
    options: Markup  # JSON, safe to place inside <script type="application/json">
    table: ChartTable
    description: str  # the container's aria-label: title, then each series' values


def chart_options(spec: ChartSpec, text_lang: str) -> Markup:
    """A chart's options in one language, as JSON for the page. Built for each page that shows
    the chart (cheap: ``build_options`` writes plain dicts), not kept: a cache of every chart's
    JSON would hold a copy of them all in each build process."""
    return Markup(options_json(build_options(spec, text_lang)))


def chart_view(ctx: PageContext, spec: ChartSpec) -> ChartView:
    """A chart in the page's language: its options and the same data as a table."""
    lang = ctx.text_lang
    options = chart_options(spec, lang)
    category = {
        "year": ctx.t("year"),
        "org": ctx.t("report_org"),
    }.get(spec.x_kind, ctx.t("chart_category"))
    head = [category]
    for s in spec.series:
        name = ctx.plain(s.name)
        unit = unit_name(s.unit, lang)
        head.append(f"{name} ({unit})" if unit and spec.x_kind != "org" else name)
    if spec.x_kind == "org" and spec.series and unit_name(spec.series[0].unit, lang):
        # compared organizations share one metric: name its unit once, in the first header
        head[0] = f"{category} ({ctx.t('chart_unit', unit=unit_name(spec.series[0].unit, lang))})"
    # each value's text once, for the table and the description
    labels = [[point_label(p, s, lang) for p in s.points] for s in spec.series]
    rows = tuple((ctx.tx(x), tuple(texts[i] for texts in labels)) for i, x in enumerate(spec.x))
    # A short text equivalent for the drawing; the full data is in the table.
    zh = lang == "zh"
    parts = [ctx.plain(spec.title)]
    for s, texts in zip(spec.series, labels, strict=True):
        unit = unit_name(s.unit, lang)
        values = ("，" if zh else ", ").join(
            f"{ctx.plain(x)} {text}" for x, text in zip(spec.x, texts, strict=True)
        )
        if unit:
            name = f"{ctx.plain(s.name)}（{unit}）" if zh else f"{ctx.plain(s.name)} ({unit})"
        else:
            name = ctx.plain(s.name)
        parts.append(f"{name}：{values}" if zh else f"{name}: {values}")
    return ChartView(
        spec.id,
        spec.type,
        ctx.tx(spec.title),
        options,
        ChartTable(tuple(head), rows),
        ("。" if zh else ". ").join(parts),
    )


@dataclass(frozen=True, slots=True)
class RollUpRow:
    label: Markup
    own: str  # the organization's own figure in the roll-up's year, or "–"
    total: str  # the sum over its descendants
    note: str  # how many reported, which year


def rollup_rows(ctx: PageContext, facts: OrgFacts) -> tuple[RollUpRow, ...]:
    rows = []
    for r in facts.rollups:
        metric = ctx.site.metrics[r.metric]
        own_cell = facts.table.get(r.metric, {}).get(r.year)
        own = ctx.value(metric, own_cell) if own_cell else "–"
        total = ctx.value(metric, Cell(r.total, r.qualifier, ""))
        key = "rollup_sum_orgs_one" if r.orgs == 1 else "rollup_sum_orgs"
        note = ctx.t(key, n=str(r.orgs), year=str(r.year))
        rows.append(RollUpRow(ctx.tx(metric.label), own, total, note))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class ChildSummary:
    link: Link
    level: str
    sample: bool
    reports: int
    latest_year: int | None
    figures: tuple[MetricCard, ...]


def child_summaries(ctx: PageContext, facts: OrgFacts, limit: int = 4) -> tuple[ChildSummary, ...]:
    """Each child organization with its latest key figures (the first few, registry order)."""
    out = []
    for key in facts.children:
        child = ctx.derived.orgs[key]
        cards = []
        latest = child.years[-1] if child.years else None
        for kf in child.key_figures[:limit]:
            metric = ctx.site.metrics[kf.metric]
            note = "" if kf.year == latest else str(kf.year)
            cards.append(MetricCard(ctx.tx(metric.label), ctx.value(metric, kf.cell), note))
        level = ctx.level(child.org)
        if ctx.kind(child.org):
            level += " · " + ctx.kind(child.org)
        out.append(
            ChildSummary(
                link=ctx.org_link(key),
                level=level,
                sample=child.org.sample,
                reports=len(child.reports),
                latest_year=child.years[-1] if child.years else None,
                figures=tuple(cards),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class NameRow:
    name: Markup
    years: str  # e.g. "–2019", "2010–2019", "2020–"


def name_history(ctx: PageContext, org: Org) -> tuple[NameRow, ...]:
    """The organization's former names with their years, then its current name."""
    if not org.former_names:
        return ()
    rows = []
    for f in org.former_names:
        name = ctx.tx(f.name)
        if f.short_name:
            name = name + Markup(" ({})").format(ctx.tx(f.short_name))
        rows.append(NameRow(name, f"{f.start or ''}–{f.end or ''}"))
    last = max((f.end for f in org.former_names if f.end is not None), default=None)
    since = f"{last + 1}–" if last is not None else ""
    rows.append(NameRow(ctx.tx(org.name), since or ctx.t("name_current")))
    return tuple(rows)


def rollup_rule(ctx: PageContext, org: Org) -> str:
    """The roll-up rule as a sentence: which kinds add up into a parent and which do not. A
    site whose organizations name no kind adds up every organization below (the general note
    says so): then nothing more is said."""
    if not any(o.kind for o in ctx.site.orgs.values()):
        return ""
    kinds = ctx.site.config.kinds or DEFAULT_KINDS
    sep = "、" if ctx.text_lang == "zh" else ", "
    adds = sep.join(ctx.plain(k.name) for k in kinds if k.rolls_up)
    apart = sep.join(ctx.plain(k.name) for k in kinds if not k.rolls_up)
    gap = "" if ctx.text_lang == "zh" else " "  # sentences in Chinese need no space
    text = ctx.t("rollup_rule", adds=adds)
    if apart:
        text += gap + ctx.t("rollup_rule_apart", apart=apart)
    if not org.sample:
        text += gap + ctx.t("rollup_rule_sample")
    return text


@dataclass(frozen=True, slots=True)
class TypeOption:
    slug: str
    text: Markup
    count: int
    href: str  # the type's listing page


def type_options(ctx: PageContext, reports: tuple[Report, ...]) -> tuple[TypeOption, ...]:
    """The document types among ``reports``, for a filter (registry order)."""
    counts: dict[str, int] = {}
    for rep in reports:
        if rep.meta.type:
            counts[rep.meta.type] = counts.get(rep.meta.type, 0) + 1
    return tuple(
        TypeOption(slug, ctx.tx(t.name), counts[slug], ctx.href(ctx.urls.doc_type(ctx.lang, slug)))
        for slug, t in ctx.site.types.items()
        if slug in counts
    )


@dataclass(frozen=True, slots=True)
class MetaRow:
    label: str
    value: Markup
    href: str = ""


def document_meta(ctx: PageContext, report: Report) -> tuple[MetaRow, ...]:
    """The rows of a report page's document block beside organization, date, tags and source:
    type, number, issuer (of a report with document metadata) and author."""
    meta = report.meta
    t = ctx.t
    rows: list[MetaRow] = []
    if meta.type:
        link = ctx.type_link(meta.type)
        rows.append(MetaRow(t("doc_type"), link.text, link.href))
    if meta.doc_number:
        rows.append(MetaRow(t("doc_number"), escape(meta.doc_number)))
    if meta.doc_number or meta.issuer or meta.type:
        # an official document names its issuer; by default the organization it belongs to
        org_name = ctx.org_link(report.org, year=report.year).text
        rows.append(MetaRow(t("doc_issuer"), ctx.tx(meta.issuer) if meta.issuer else org_name))
    if meta.author:
        rows.append(MetaRow(t("doc_author"), ctx.tx(meta.author)))
    return tuple(rows)
