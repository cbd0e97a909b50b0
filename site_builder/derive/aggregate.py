"""Indexes and figures computed from the model: the org tree, reports by year and tag, each
organization's metric table, key figures with the change on the previous year, and roll-ups of
additive metrics over descendants."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from site_builder.model import DEFAULT_LEVELS, Org, Qualifier, Report, Site


@dataclass(frozen=True, slots=True)
class Cell:
    value: int | float
    qualifier: Qualifier | None
    report: str  # Report.ident it comes from


@dataclass(frozen=True, slots=True)
class KeyFigure:
    metric: str
    year: int
    cell: Cell
    previous_year: int | None
    delta: int | float | None
    percent: float | None  # None when there is no previous value or it was 0
    approximate: bool  # either value carries a qualifier: the change is "about"


@dataclass(frozen=True, slots=True)
class RollUp:
    metric: str
    year: int
    total: int | float
    orgs: int  # how many descendants contributed
    # A sum of "3000余" figures is itself "more than"; once an "about" figure is in it, "about".
    qualifier: Qualifier | None


@dataclass(frozen=True, slots=True)
class OrgFacts:
    org: Org
    children: tuple[str, ...]
    ancestors: tuple[str, ...]  # nearest first
    reports: tuple[Report, ...]  # newest first
    years: tuple[int, ...]  # years with a report or figure, ascending
    table: dict[str, dict[int, Cell]]  # metric -> year -> own value
    key_figures: tuple[KeyFigure, ...]
    rollups: tuple[RollUp, ...]  # additive metrics summed over descendants, latest year each


@dataclass(frozen=True, slots=True)
class Derived:
    orgs: dict[str, OrgFacts]
    roots: tuple[str, ...]  # organizations without a parent, by level then key
    years: tuple[int, ...]  # descending
    reports_by_year: dict[int, tuple[Report, ...]]
    reports_by_tag: dict[str, tuple[Report, ...]]
    latest: tuple[Report, ...]  # newest first
    reports_by_type: dict[str, tuple[Report, ...]] = field(default_factory=dict)


def _newest_first(reports: list[Report]) -> tuple[Report, ...]:
    return tuple(sorted(reports, key=lambda r: (-r.date.toordinal(), r.org, r.slug)))


def _sum(values: list[int | float]) -> int | float:
    total = sum(values)
    if isinstance(total, float):
        total = round(total, 6)
        if total.is_integer():
            return int(total)
    return total


def _sum_qualifier(qualifiers: list[Qualifier | None]) -> Qualifier | None:
    if Qualifier.ABOUT in qualifiers:
        return Qualifier.ABOUT
    if Qualifier.MORE_THAN in qualifiers:
        return Qualifier.MORE_THAN
    return None


def key_figures(
    table: dict[str, dict[int, Cell]], metric_order: list[str]
) -> tuple[KeyFigure, ...]:
    """Each metric's latest value, with the change on the previous year that has one."""
    out: list[KeyFigure] = []
    for key in metric_order:
        by_year = table.get(key)
        if not by_year:
            continue
        years = sorted(by_year)
        latest = years[-1]
        cell = by_year[latest]
        prev_year = years[-2] if len(years) > 1 else None
        delta: int | float | None = None
        percent: float | None = None
        approximate = cell.qualifier is not None
        if prev_year is not None:
            prev = by_year[prev_year]
            delta = _sum([cell.value, -prev.value])
            percent = round(delta / prev.value * 100, 1) if prev.value else None
            approximate = approximate or prev.qualifier is not None
        out.append(KeyFigure(key, latest, cell, prev_year, delta, percent, approximate))
    return tuple(out)


def derive(site: Site) -> Derived:
    children: dict[str, list[str]] = defaultdict(list)
    for key, org in site.orgs.items():
        if org.parent in site.orgs:
            children[org.parent].append(key)
    rank = {lv.key: n for n, lv in enumerate(site.config.levels or DEFAULT_LEVELS)}
    level_key = {k: (rank.get(o.level, len(rank)), k) for k, o in site.orgs.items()}
    for key in children:
        children[key].sort(key=level_key.__getitem__)

    def rolls_up(key: str) -> bool:
        kind = site.config.kind_def(site.orgs[key].kind)
        return kind is None or kind.rolls_up

    by_org: dict[str, list[Report]] = defaultdict(list)
    by_year: dict[int, list[Report]] = defaultdict(list)
    by_tag: dict[str, list[Report]] = defaultdict(list)
    by_type: dict[str, list[Report]] = defaultdict(list)
    for rep in site.reports:
        by_org[rep.org].append(rep)
        by_year[rep.year].append(rep)
        for tag in rep.tags:
            by_tag[tag].append(rep)
        if rep.meta.type is not None:
            by_type[rep.meta.type].append(rep)

    metric_order = list(site.metrics)
    tables: dict[str, dict[str, dict[int, Cell]]] = {}
    for key in site.orgs:
        table: dict[str, dict[int, Cell]] = defaultdict(dict)
        # oldest first, so that a later report of the same year wins deterministically
        for rep in sorted(by_org[key], key=lambda r: (r.date, r.slug)):
            for mv in rep.metrics:
                table[mv.key][rep.year] = Cell(mv.value, mv.qualifier, rep.ident)
        tables[key] = {m: dict(sorted(table[m].items())) for m in metric_order if m in table}

    def descendants(key: str) -> list[str]:
        """The organizations whose figures add up into ``key``: its descendants depth first,
        children in level order, reached only through organizations whose kind rolls up;
        iterative and visiting each organization once, since an invalid tree (a cycle, a parent
        of itself, a long chain: reported by validation, and derived all the same to report
        everything at once) must not recurse without end."""
        out: list[str] = []
        seen = {key}
        stack = [iter(children.get(key, []))]
        while stack:
            c = next(stack[-1], None)
            if c is None:
                stack.pop()
                continue
            if c in seen or not rolls_up(c):
                continue
            seen.add(c)
            out.append(c)
            stack.append(iter(children.get(c, [])))
        return out

    def ancestors(key: str) -> tuple[str, ...]:
        out: list[str] = []
        p = site.orgs[key].parent
        while p in site.orgs and p not in out and p != key:
            out.append(p)
            p = site.orgs[p].parent
        return tuple(out)

    facts: dict[str, OrgFacts] = {}
    for key, org in site.orgs.items():
        desc = descendants(key)
        rollups: list[RollUp] = []
        for m in metric_order:
            if not site.metrics[m].additive:
                continue
            per_year: dict[int, list[Cell]] = defaultdict(list)
            for d in desc:
                if site.orgs[d].sample and not org.sample:
                    continue  # made-up sample figures never add to a real organization's
                for year, cell in tables[d].get(m, {}).items():
                    per_year[year].append(cell)
            if per_year:
                year = max(per_year)
                cells = per_year[year]
                rollups.append(
                    RollUp(
                        m,
                        year,
                        _sum([c.value for c in cells]),
                        len(cells),
                        _sum_qualifier([c.qualifier for c in cells]),
                    )
                )
        years = sorted({r.year for r in by_org[key]})
        facts[key] = OrgFacts(
            org=org,
            children=tuple(children.get(key, [])),
            ancestors=ancestors(key),
            reports=_newest_first(by_org[key]),
            years=tuple(years),
            table=tables[key],
            key_figures=key_figures(tables[key], metric_order),
            rollups=tuple(rollups),
        )
    roots = tuple(
        sorted(
            (k for k, o in site.orgs.items() if o.parent not in site.orgs),
            key=level_key.__getitem__,
        )
    )
    return Derived(
        orgs=facts,
        roots=roots,
        years=tuple(sorted(by_year, reverse=True)),
        reports_by_year={y: _newest_first(v) for y, v in sorted(by_year.items())},
        reports_by_tag={t: _newest_first(v) for t, v in sorted(by_tag.items())},
        latest=_newest_first(list(site.reports))[: site.config.latest_reports],
        reports_by_type={t: _newest_first(v) for t, v in sorted(by_type.items())},
    )
