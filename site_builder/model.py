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


class Level(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


@dataclass(frozen=True, slots=True)
class Org:
    key: str
    name: LocalText
    short_name: LocalText
    level: Level
    parent: str | None
    description: LocalText
    sample: bool
    path: str


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


@dataclass(frozen=True, slots=True)
class Translation:
    title: str
    summary: str | None
    body: str
    body_line: int
    path: str


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
    pdf: bool = False  # a PDF of every report and a yearly compendium per organization
    theme: Theme = Theme()


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    orgs: dict[str, Org]
    metrics: dict[str, Metric]
    tags: dict[str, Tag]  # by slug
    reports: tuple[Report, ...]  # sorted by (org, year, slug)
    pages: tuple[Page, ...]
    data: dict[str, object] = field(default_factory=dict)  # content/data/*.yaml by rel name
