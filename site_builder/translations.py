"""Translation gaps: which English fields and bodies a site is missing. Pure.

``check --translations`` reports them as warnings (so ``--strict`` fails on them, for sites that
require complete English) and prints a summary per organization and report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from site_builder.errors import Diagnostic, Severity
from site_builder.messages import _
from site_builder.model import TRANSLATION_STATUSES, LocalText, Site
from site_builder.yamlpos import Located


@dataclass(frozen=True, slots=True)
class Gap:
    path: str
    line: int
    col: int
    field: str  # e.g. "summary", "label", "body"
    owner: str  # who it belongs to, e.g. "report tianjin/2024-x", "organization acwf"


def _missing(text: LocalText) -> bool:
    return text.zh is not None and text.en is None


def translation_gaps(site: Site, located: Mapping[str, Located]) -> list[Gap]:
    gaps: list[Gap] = []

    def add(path: str, key: tuple[str | int, ...], fld: str, owner: str) -> None:
        loc = located.get(path)
        line, col = loc.pos(key) if loc is not None else (1, 1)
        gaps.append(Gap(path, line, col, fld, owner))

    cfg = site.config
    for fld, text in (("title", cfg.title), ("description", cfg.description)):
        if _missing(text):
            add("site.yaml", (fld,), fld, "site")
    for key, org in site.orgs.items():
        for fld, text in (
            ("name", org.name),
            ("short_name", org.short_name),
            ("description", org.description),
        ):
            if _missing(text):
                add(org.path, (fld,), fld, f"organization {key}")
    for key, metric in site.metrics.items():
        for fld, text in (("label", metric.label), ("unit", metric.unit)):
            if _missing(text):
                add("content/metrics.yaml", (key, fld), fld, f"metric {key}")
    for tag in site.tags.values():
        if tag.name.en is None:
            add("content/tags.yaml", (tag.name.zh or tag.slug,), "en", f"tag {tag.name.zh}")
    for rep in site.reports:
        owner = f"report {rep.ident}"
        tr = rep.translation
        if _missing(rep.title) and tr is None:
            add(rep.path, ("title",), "title", owner)
        if _missing(rep.summary) and (tr is None or not tr.summary):
            add(rep.path, ("summary",), "summary", owner)
        if tr is None:
            gaps.append(Gap(rep.path, 1, 1, "body", owner))
    for page in site.pages:
        owner = f"page {page.name}"
        if _missing(page.title) and page.translation is None:
            add(page.path, ("title",), "title", owner)
        if page.translation is None:
            gaps.append(Gap(page.path, 1, 1, "body", owner))
    return sorted(gaps, key=lambda g: (g.path, g.line, g.col, g.field))


def as_diagnostics(gaps: list[Gap]) -> list[Diagnostic]:
    out = []
    for g in gaps:
        if g.field == "body":
            stem = g.path.removesuffix(".md")
            message = _("no English translation of the body")
            hint = _("add {name}.en.md beside it").format(name=stem.rsplit("/", 1)[-1])
        else:
            message = _("no English text for '{field}'").format(field=g.field)
            hint = _("write it as {zh: …, en: …}") if g.field != "en" else _("add en: … to the tag")
        out.append(
            Diagnostic(g.path, g.line, g.col, message, hint, Severity.WARNING, "translation")
        )
    return out


def summary(gaps: list[Gap], site: Site) -> str:
    """A human-readable list, grouped by owner, with totals."""
    statuses = status_counts(site)
    if not gaps:
        return "English translation: complete (no gaps).\n" + statuses
    by_owner: dict[str, list[str]] = {}
    for g in gaps:
        by_owner.setdefault(g.owner, []).append(g.field)
    lines = ["English translation gaps:"]
    for owner in sorted(by_owner):
        lines.append(f"  {owner}: {', '.join(by_owner[owner])}")
    reports = sum(1 for r in site.reports if r.translation is not None)
    lines.append(
        f"{len(gaps)} gap(s) in {len(by_owner)} item(s); "
        f"{reports} of {len(site.reports)} report bodies translated."
    )
    lines.append(statuses)
    return "\n".join(lines)


def status_counts(site: Site) -> str:
    """The report translations by their ``status`` (partial | machine | reviewed), as a line:
    a translation that states none is counted as unstated."""
    counts = {s: 0 for s in (*TRANSLATION_STATUSES, None)}
    for rep in site.reports:
        if rep.translation is not None:
            counts[rep.translation.status] += 1
    parts = [f"{counts[s]} {s}" for s in TRANSLATION_STATUSES]
    parts.append(f"{counts[None]} with no status")
    return "Report translations by status: " + ", ".join(parts) + "."
