"""What each output file is made from, for the incremental build. Pure.

A page is re-rendered only when one of its *inputs* changed. An input is a named fact of the model
or of the derived values, with a digest of exactly what the page shows of it, e.g.

- ``report:acwf/2018-x``: everything about one report (its page shows all of it);
- ``listing``: what list pages show of their reports (title, summary, date, organization and
  tag names): a year page re-renders when a title changes, not when a body does;
- ``org``: an organization's figures, charts, roll-ups, children and listed reports;
- ``frame``: the site configuration and the footer's page titles, on every page.

Templates are inputs too, but which ones a page uses is recorded while it renders
(``state.RecordingLoader``); ``site.yaml``, the drafts option and the generator's own code are
checked once per build (``state.BuildState.meta``): when one of them changes, everything renders.

Soundness rests on these declarations listing everything a page kind reads. Three guards keep a
mistake from producing a stale page: a page whose declared inputs cannot be computed (its
arguments changed shape) is always rendered; a model or derived class whose fields differ from the ones this module was written for
(``SCHEMA``) switches the incremental build off with a warning; and the test suite compares
incremental builds with clean builds after every step of a sequence of edits.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from site_builder.derive.aggregate import Derived, KeyFigure, OrgFacts, RollUp
from site_builder.derive.charts import Charts, ChartSpec
from site_builder.model import (
    Metric,
    MetricValue,
    Org,
    Page,
    Report,
    Site,
    SiteConfig,
    Tag,
    Translation,
)

if TYPE_CHECKING:
    from site_builder.kinds import PageKind

Inputs = dict[str, str]
"""Input name -> digest. Two builds render a page identically when its inputs are equal."""


def digest(*values: object) -> str:
    """A short stable digest of model values. ``repr`` of frozen dataclasses, tuples, dicts (in
    their deterministic build order), enums, dates and numbers is the same in every process."""
    text = repr(values).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


# The field names this module's declarations were written against. A new field may be shown on
# some page without this module knowing: then nothing is skipped until the declarations are
# reviewed and this table updated (tests/test_incremental.py fails meanwhile, on purpose).
SCHEMA: dict[type, tuple[str, ...]] = {
    Site: ("config", "orgs", "metrics", "tags", "reports", "pages", "data"),
    SiteConfig: (
        "title",
        "description",
        "base_url",
        "languages",
        "default_language",
        "raw_html",
        "latest_reports",
        "phrases",
    ),
    Report: (
        "org",
        "year",
        "slug",
        "title",
        "date",
        "summary",
        "tags",
        "script",
        "draft",
        "source",
        "metrics",
        "body",
        "body_line",
        "path",
        "translation",
    ),
    Translation: ("title", "summary", "body", "body_line", "path"),
    Page: ("name", "title", "body", "body_line", "path", "script", "translation"),
    Org: ("key", "name", "short_name", "level", "parent", "description", "sample", "path"),
    Tag: ("name", "slug", "key"),
    Metric: ("key", "label", "unit", "additive", "format", "scale"),
    MetricValue: ("key", "value", "qualifier", "line"),
    Derived: ("orgs", "roots", "years", "reports_by_year", "reports_by_tag", "latest"),
    OrgFacts: (
        "org",
        "children",
        "ancestors",
        "reports",
        "years",
        "table",
        "key_figures",
        "rollups",
    ),
    KeyFigure: (
        "metric",
        "year",
        "cell",
        "previous_year",
        "delta",
        "percent",
        "approximate",
    ),
    RollUp: ("metric", "year", "total", "orgs", "qualifier"),
    Charts: ("blocks", "trends", "comparisons", "home"),
}


def value_digest(key: tuple[object, ...]) -> str:
    """``digest(*key)``, for ``PageInputs(remember=…)``: ``serve`` remembers it by the key's value
    across builds (``state.Session.memo``). Keys are frozen values of plain fields; since equal
    values must render alike and ``1 == 1.0``, a key carries the type of every number in it."""
    return digest(*key)


def schema_drift() -> list[str]:
    """Classes whose fields are not the ones the declarations below were written for."""
    out = []
    for cls, names in SCHEMA.items():
        actual = tuple(f.name for f in dataclasses.fields(cls))
        if actual != names:
            out.append(f"{cls.__name__}: {actual} (declared for {names})")
    return out


def _facts_of(rep: Report) -> Report:
    """A report without its body text: what organization figures and listings read of it."""
    tr = rep.translation
    if tr is not None:
        tr = dataclasses.replace(tr, body="", body_line=0)
    return dataclasses.replace(rep, body="", body_line=0, translation=tr)


def stable_orgs(old: Site | None, new: Site) -> frozenset[str]:
    """Organizations whose derived facts (``derive``: figures, roll-ups, listed reports, child
    organizations) and own charts cannot differ between the site ``old`` and the site ``new``.

    None when a configuration or registry file changed. Otherwise every organization except
    those with a report added, removed or changed other than in its body text, and their
    ancestors (which list, add up and compare it). A report object the validation memo kept
    (``validate.build_site``) is unchanged by identity, so this costs next to nothing."""
    if old is None or (old.config, old.orgs, old.metrics, old.tags) != (
        new.config,
        new.orgs,
        new.metrics,
        new.tags,
    ):
        return frozenset()
    before = {r.ident: r for r in old.reports}
    after = {r.ident: r for r in new.reports}
    dirty: set[str] = set()
    for ident in before.keys() | after.keys():
        a, b = before.get(ident), after.get(ident)
        if a is b:
            continue
        if a is None or b is None or _facts_of(a) != _facts_of(b):
            dirty.update(r.org for r in (a, b) if r is not None)
    for key in list(dirty):
        seen = {key}
        parent = new.orgs[key].parent if key in new.orgs else None
        while parent is not None and parent in new.orgs and parent not in seen:
            dirty.add(parent)
            seen.add(parent)
            parent = new.orgs[parent].parent
    return frozenset(new.orgs.keys() - dirty)


@dataclasses.dataclass(slots=True)
class Carried:
    """Inputs of one build that the next build in the same process may reuse as they are:
    per organization page, and per report page with the report they were computed for."""

    orgs: dict[str, Inputs] = dataclasses.field(default_factory=dict)
    reports: dict[str, tuple[Report, Inputs]] = dataclasses.field(default_factory=dict)


class PageInputs:
    """The inputs of every page kind of one build, computed on demand and memoized.

    ``previous`` (``serve``): what the last build in this process computed; ``stable``: the
    organizations whose facts cannot have changed since (:func:`stable_orgs`). The inputs of a
    stable organization's page are taken over, as are those of a report page whose report is
    the very same object, in a stable organization, without chart blocks (which may show any
    organization's figures or a data file)."""

    def __init__(
        self,
        site: Site,
        derived: Derived,
        charts: Charts | None,
        remember: Callable[[tuple[object, ...]], str] = value_digest,
        previous: Carried | None = None,
        stable: frozenset[str] = frozenset(),
    ) -> None:
        self.site = site
        self.derived = derived
        self.charts = charts
        self.remember = remember
        self.previous = previous if previous is not None and stable else None
        self.stable = stable
        self.carried = Carried()
        self._memo: dict[str, str] = {}
        self._listings: dict[str, str] = {}
        self._reports = {(r.org, r.year, r.slug): r for r in site.reports}
        self._pages = {p.name: p for p in site.pages}
        self._blocks: dict[str, list[tuple[int, ChartSpec | None]]] = {}
        for (path, index), spec in (charts.blocks if charts else {}).items():
            self._blocks.setdefault(path, []).append((index, spec))

    def _fact(self, name: str, make: Callable[[], Iterable[object]]) -> str:
        found = self._memo.get(name)
        if found is None:
            found = self._memo[name] = digest(*make())
        return found

    # -- facts shared by several pages -------------------------------------------------------

    def frame(self) -> str:
        """What every page's frame shows: site title, languages, the footer's page titles."""
        return self._fact(
            "frame",
            lambda: (
                self.site.config,
                [
                    (p.name, p.title, p.translation.title if p.translation else None)
                    for p in self.site.pages
                ],
            ),
        )

    def _listing_of(self, rep: Report) -> tuple[object, ...]:
        tr = rep.translation
        return (
            "listing",
            rep.ident,
            rep.date,
            rep.title,
            rep.summary,
            tr.title if tr else None,
            tr.summary if tr else None,
            self.org(rep.org),  # its (short) name
            tuple(self.tag(s) for s in rep.tags),
        )

    def listing(self, reports: Iterable[Report]) -> list[str]:
        """Digests of what list pages show of ``reports``, in order."""
        out = []
        for rep in reports:
            found = self._listings.get(rep.ident)
            if found is None:
                found = self._listings[rep.ident] = self.remember(self._listing_of(rep))
            out.append(found)
        return out

    def _chart_blocks(
        self, *paths: str | None
    ) -> list[tuple[str, list[tuple[int, ChartSpec | None]]]]:
        return [(p, self._blocks.get(p, [])) for p in paths if p is not None]

    def tree(self) -> str:
        """The organization tree: names, levels, report counts and latest years of every org."""

        def make() -> tuple[object, ...]:
            d = self.derived
            rows = [
                (k, o, d.orgs[k].children, len(d.orgs[k].reports), d.orgs[k].years[-1:])
                for k, o in self.site.orgs.items()
            ]
            return (d.roots, rows)

        return self._fact("tree", make)

    def metrics(self) -> str:
        return self._fact("metrics", lambda: (self.site.metrics,))

    def org(self, key: str) -> str:
        return self.remember(("org", self.site.orgs[key]))  # no numbers in an Org

    def tag(self, slug: str) -> str:
        return self.remember(("tag", self.site.tags[slug]))

    def metric(self, key: str) -> str:
        return self.remember(("metric", self.site.metrics[key]))

    # -- one function per page kind (``kinds.PageKind.inputs`` names them) ---------------------

    def _home(self) -> Inputs:
        d, site = self.derived, self.site
        return {
            "tree": self.tree(),
            "home": digest(
                len(site.orgs),
                len(site.reports),
                len(d.years),
                self.listing(d.latest),
                self.charts.home if self.charts else None,
            ),
            "metrics": self.metrics(),
        }

    def _orgs_index(self) -> Inputs:
        return {"tree": self.tree()}

    def _org(self, key: str) -> Inputs:
        found = self.previous.orgs.get(key) if self.previous and key in self.stable else None
        if found is None:
            found = self._org_inputs(key)
        self.carried.orgs[key] = found
        return found

    def _org_inputs(self, key: str) -> Inputs:
        facts = self.derived.orgs[key]
        orgs = self.site.orgs
        related = sorted({*facts.children, *facts.ancestors, facts.org.parent or key} & orgs.keys())
        children = [
            (
                c,
                self.derived.orgs[c].years,
                len(self.derived.orgs[c].reports),
                self.derived.orgs[c].key_figures,
            )
            for c in facts.children
        ]
        charts = self.charts
        return {
            "org": digest(
                self.org(key),
                [self.org(k) for k in related],
                facts.children,
                facts.ancestors,
                facts.years,
                facts.table,
                facts.key_figures,
                facts.rollups,
                children,
                charts.trends.get(key) if charts else None,
                charts.comparisons.get(key) if charts else None,
            ),
            "reports": digest(self.listing(facts.reports)),
            "metrics": self.metrics(),
        }

    def _org_page(self, key: str, page: int) -> Inputs:
        facts = self.derived.orgs[key]
        return {"org": self.org(facts.org.key), "reports": digest(self.listing(facts.reports))}

    def _report(self, org: str, year: int, slug: str) -> Inputs:
        rep = self._reports[(org, year, slug)]
        kept = self.previous.reports.get(rep.ident) if self.previous else None
        if kept is not None and kept[0] is rep and org in self.stable:
            self.carried.reports[rep.ident] = kept
            return kept[1]
        chain = (rep.org, *self.derived.orgs[org].ancestors)
        tr = rep.translation
        blocks = self._chart_blocks(rep.path, tr.path if tr else None)
        has_blocks = any(b for _p, b in blocks)
        inputs = {
            f"report:{rep.ident}": digest(
                # a figure's int or float type is part of the key (value_digest)
                self.remember(("report", rep, tuple(type(mv.value) for mv in rep.metrics))),
                [self.org(o) for o in chain],
                [self.tag(s) for s in rep.tags],
                [self.metric(mv.key) for mv in rep.metrics],
                digest(blocks) if has_blocks else None,
            ),
        }
        if not has_blocks:  # a chart block may show any organization's figures: never carried
            self.carried.reports[rep.ident] = (rep, inputs)
        return inputs

    def _years_index(self) -> Inputs:
        d = self.derived
        return {"years": digest([(y, len(d.reports_by_year[y])) for y in d.years])}

    def _year(self, year: int) -> Inputs:
        reports = self.derived.reports_by_year[year]
        return {
            "listing": self._fact(f"year-listing:{year}", lambda: (year, self.listing(reports)))
        }

    def _tags_index(self) -> Inputs:
        by_tag = self.derived.reports_by_tag
        return {"tags": digest([(s, self.site.tags[s], len(r)) for s, r in by_tag.items()])}

    def _tag(self, slug: str) -> Inputs:
        reports = self.derived.reports_by_tag[slug]
        tag = self.site.tags[slug]
        return {"listing": self._fact(f"tag-listing:{slug}", lambda: (tag, self.listing(reports)))}

    def _page(self, name: str) -> Inputs:
        page = self._pages[name]
        tr = page.translation
        return {
            f"page:{name}": digest(page, self._chart_blocks(page.path, tr.path if tr else None))
        }

    # -- the public interface ------------------------------------------------------------------

    def page(self, kind: PageKind, args: tuple[Any, ...]) -> Inputs | None:
        """A page's inputs, as its kind declares them (``kinds.py``)."""
        try:
            own = kind.inputs(self, *args)
        except (KeyError, TypeError, IndexError):
            # A page kind whose arguments changed shape (pagination, say): render it.
            return None
        return {"frame": self.frame(), **own}

    def sitemap(self, specs: Iterable[tuple[str, tuple[Any, ...], bool]]) -> Inputs:
        dates = [(r.org, r.year, r.slug, r.date) for r in self.site.reports]
        return {"sitemap": digest(self.site.config, list(specs), dates)}

    def feed(self) -> Inputs:
        # The feed's own order and limit are render's business: any listed report counts.
        return {"feed": digest(self.site.config, self.listing(self.site.reports))}
