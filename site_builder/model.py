"""The domain model: frozen values built by ``validate`` and read by every later stage."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class LocalText:
    """A human-readable field: Chinese (either script) and/or English."""

    zh: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text for a page language; falls back to the other language."""
        if lang == "en":
            return self.en if self.en is not None else (self.zh or "")
        return self.zh if self.zh is not None else (self.en or "")

    def is_fallback(self, lang: str) -> bool:
        """True when ``get(lang)`` shows the other language's text."""
        if lang == "en":
            return self.en is None and self.zh is not None
        return self.zh is None and self.en is not None

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


EMPTY = LocalText()


@dataclass(frozen=True, slots=True)
class LevelDef:
    """An administrative level (national, provincial, …): ``site.yaml`` may add its own."""

    key: str
    name: LocalText


@dataclass(frozen=True, slots=True)
class KindDef:
    """What an organization is (a committee, its organs, a department, a federation …), apart
    from its level. ``rolls_up``: whether its figures add up into the organizations above it;
    internal units (organs, departments, party groups) report work that is part of their
    parent's own, so adding them would count it twice."""

    key: str
    name: LocalText
    rolls_up: bool


@dataclass(frozen=True, slots=True)
class FormerName:
    """A name an organization had, and the years it applied (either end may be open)."""

    name: LocalText
    short_name: LocalText
    start: int | None
    end: int | None

    def applies(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


@dataclass(frozen=True, slots=True)
class Org:
    key: str
    name: LocalText
    short_name: LocalText
    level: str  # a key of SiteConfig.levels
    parent: str | None
    description: LocalText
    sample: bool
    path: str
    kind: str | None = None  # a key of SiteConfig.kinds
    former_names: tuple[FormerName, ...] = ()  # oldest first

    def name_in(self, year: int) -> FormerName | None:
        """The former name in use in ``year``, or None when it is the current name."""
        return name_in(self.former_names, year)


def name_in(former_names: tuple[FormerName, ...], year: int) -> FormerName | None:
    """The one of ``former_names`` in use in ``year``, or None. Views call this with the
    field (not ``Org.name_in``) so that what they read is recorded as that field alone."""
    for former in former_names:
        if former.applies(year):
            return former
    return None


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: LocalText
    unit: LocalText
    additive: bool
    format: str  # count | currency | percent
    scale: str  # auto | none | wan | yi


@dataclass(frozen=True, slots=True)
class Tag:
    name: LocalText  # zh: as written in tags.yaml
    slug: str
    key: str  # Simplified form: what report tags are matched against


class Qualifier(StrEnum):
    MORE_THAN = "more_than"
    ABOUT = "about"


@dataclass(frozen=True, slots=True)
class MetricValue:
    key: str
    value: int | float
    qualifier: Qualifier | None
    line: int


TRANSLATION_STATUSES = ("partial", "machine", "reviewed")


@dataclass(frozen=True, slots=True)
class Translation:
    title: str
    summary: str | None
    body: str
    body_line: int
    path: str
    status: str | None = None  # partial | machine | reviewed, when the translator says


@dataclass(frozen=True, slots=True)
class DocDate:
    """When a document is dated: a day, a year only, or a period; nothing is invented.
    ``start``/``end`` bound it (a year runs from 1 January to 31 December) for sorting."""

    kind: str  # day | year | period
    start: datetime.date
    end: datetime.date

    @property
    def iso(self) -> str:
        """For ``<time datetime>``: only the precision there is (a year is ``2019``; HTML has no
        interval, so a period gives its first day)."""
        if self.kind == "year":
            return str(self.start.year)
        return self.start.isoformat()

    @property
    def lastmod(self) -> str:
        """For sitemaps (W3C datetime allows a bare year): a period's last day."""
        return str(self.start.year) if self.kind == "year" else self.end.isoformat()


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What official documents carry besides their text (all optional)."""

    doc_number: str | None = None  # 文号, e.g. 津妇党〔2024〕5号
    issuer: LocalText = LocalText()  # 发文机关; shown as the organization when empty
    author: LocalText = LocalText()  # byline
    source_url: str | None = None  # where ``source`` can be read
    type: str | None = None  # a slug of Site.types

    def __bool__(self) -> bool:
        return bool(self.doc_number or self.issuer or self.author or self.source_url or self.type)


@dataclass(frozen=True, slots=True)
class Report:
    org: str
    year: int
    slug: str
    title: LocalText
    date: datetime.date
    summary: LocalText
    tags: tuple[str, ...]  # tag slugs, in the author's order
    script: str  # zh-Hans | zh-Hant: the script of the Chinese body
    draft: bool
    source: LocalText
    metrics: tuple[MetricValue, ...]
    body: str
    body_line: int
    path: str
    translation: Translation | None = None
    when: DocDate | None = None  # None: the day ``date``
    meta: DocMeta = DocMeta()

    @property
    def dated(self) -> DocDate:
        return self.when or DocDate("day", self.date, self.date)

    @property
    def ident(self) -> str:
        return f"{self.org}/{self.year}-{self.slug}"


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    title: LocalText
    body: str
    body_line: int
    path: str
    script: str
    translation: Translation | None = None


@dataclass(frozen=True, slots=True)
class Phrase:
    hans: str
    hant: str


@dataclass(frozen=True, slots=True)
class Theme:
    """``site.yaml`` ``theme:``: the look a site changes without overriding templates."""

    color: str | None = None  # the accent colour, "#rrggbb"
    logo: str | None = None  # a file in assets/, shown before the site title
    favicon: str | None = None  # a file in assets/ (default: favicon.svg)
    footer: LocalText | None = None  # the footer's line (default: the catalog's footer_text)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: LocalText
    description: LocalText
    base_url: str | None
    languages: tuple[str, ...]
    default_language: str
    raw_html: bool
    latest_reports: int
    phrases: tuple[Phrase, ...] = ()
    quotes: str = "corner"  # zh-Hant quotation marks: 「」『』 ("corner") or “”‘’ ("curly")
    pdf: bool = False  # a PDF of every report and a yearly compendium per organization
    theme: Theme = Theme()
    levels: tuple[LevelDef, ...] = ()  # highest first; DEFAULT_LEVELS plus site.yaml's
    kinds: tuple[KindDef, ...] = ()  # DEFAULT_KINDS plus site.yaml's

    def level_rank(self, key: str) -> int:
        """A level's place, highest (national) first; an unknown level sorts last."""
        for n, lv in enumerate(self.levels or DEFAULT_LEVELS):
            if lv.key == key:
                return n
        return len(self.levels or DEFAULT_LEVELS)

    def level_name(self, key: str) -> LocalText:
        for lv in self.levels or DEFAULT_LEVELS:
            if lv.key == key:
                return lv.name
        return LocalText(key, key)

    def kind_def(self, key: str | None) -> KindDef | None:
        for k in self.kinds or DEFAULT_KINDS:
            if k.key == key:
                return k
        return None


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    orgs: dict[str, Org]
    metrics: dict[str, Metric]
    tags: dict[str, Tag]  # by slug
    reports: tuple[Report, ...]  # sorted by (org, year, slug)
    pages: tuple[Page, ...]
    data: dict[str, object] = field(default_factory=dict)  # content/data/*.yaml by rel name
    types: dict[str, Tag] = field(default_factory=dict)  # content/types.yaml, by slug


DEFAULT_LEVELS = (
    LevelDef("national", LocalText("全国", "National")),
    LevelDef("provincial", LocalText("省级", "Provincial")),
    LevelDef("municipal", LocalText("市级", "Municipal")),
    LevelDef("county", LocalText("县级", "County")),
    LevelDef("township", LocalText("乡镇级", "Township")),
)

DEFAULT_KINDS = (
    KindDef("committee", LocalText("委员会", "Committee"), True),
    KindDef("federation", LocalText("联合会", "Federation"), True),
    KindDef("organs", LocalText("机关", "Organs"), False),
    KindDef("department", LocalText("部门", "Department"), False),
    KindDef("party_group", LocalText("党组", "Party leadership group"), False),
    KindDef("party_committee", LocalText("机关党委", "Party committee of the organ"), False),
    KindDef("affiliated_unit", LocalText("直属单位", "Directly affiliated unit"), False),
)
