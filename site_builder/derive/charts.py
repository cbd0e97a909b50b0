"""Charts: the declared spec of a ```` ```chart ```` block, its validator, the pure ECharts options
builder, and the charts the site draws of its own (organization trends, comparisons
of child organizations, the home page's figures).

A spec is resolved once, in the derive stage, into language-independent values (``LocalText``
labels, numbers with qualifiers); ``build_options`` turns it into one language's ECharts options.
Pure: no I/O, no clock, no randomness — chart ids are given, never generated.

Every problem of a block is reported at once, each at its own line in the Markdown file, as a
warning: an invalid chart is left out and the rest of the page still builds (``--strict`` turns
warnings into a failed build).

Long: one declared spec per chart type, with its validator and its options builder, and the
site's own charts built from the same specs; a module per chart type is the natural split.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from site_builder import numbers
from site_builder.derive.aggregate import Cell, Derived
from site_builder.derive.chart_options import check_options
from site_builder.errors import Diagnostic, Diagnostics, Severity, did_you_mean
from site_builder.i18n import catalog
from site_builder.markdown import ChartBlock
from site_builder.messages import _
from site_builder.model import EMPTY, LocalText, Metric, Site
from site_builder.parse import type_name
from site_builder.validate import Ctx, check_keys, local_text
from site_builder.yamlpos import Located, parse_yaml

CHART_TYPES = ("bar", "line", "pie", "stacked_bar", "bar_line")
CHART_KEYS = (
    "type",
    "title",
    "unit",
    "x",
    "series",
    "metric",
    "org",
    "orgs",
    "year",
    "data",
    "options",
)
SERIES_KEYS = ("name", "data", "unit", "type")
DATA_FILE_KEYS = ("x", "series", "unit")
FORMATS = ("count", "currency", "percent")

# The site's palette: the theme's red first, then colours that stay apart in grey print.
PALETTE = (
    "#9f1d20",
    "#1a5fb4",
    "#c98a00",
    "#2e7d32",
    "#6a3d9a",
    "#00838f",
    "#ad5a00",
    "#5a5a60",
)

# Above this many bars or points, value labels would overlap; the table and tooltip carry them.
MAX_LABELLED_POINTS = 24

_ID_RE = re.compile(r"[^a-z0-9-]+")


# --- the resolved spec --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    value: int | float
    qualifier: str | None = None  # "more_than" | "about"


@dataclass(frozen=True, slots=True)
class Series:
    name: LocalText
    points: tuple[Point | None, ...]  # one per category; None where there is no value
    unit: LocalText = EMPTY
    format: str = "count"  # count | currency | percent, as in metrics.yaml
    scale: str = "auto"
    kind: str = ""  # "bar" or "line" in a bar_line chart; "" elsewhere
    color: str = ""  # fixed colour (an organization keeps its colour across charts)


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A chart ready to draw in any language."""

    id: str  # the container's HTML id: fixed, unique within its page
    type: str  # one of CHART_TYPES
    title: LocalText
    x: tuple[LocalText, ...]  # the categories
    x_kind: str  # what the categories are: "category" | "year" | "org" (names the table column)
    series: tuple[Series, ...]
    options: dict[str, Any] = field(default_factory=dict, compare=False)  # raw, merged last

    @property
    def units(self) -> tuple[LocalText, ...]:
        """One unit per value axis, in axis order (bars first in a bar_line chart)."""
        out: list[LocalText] = []
        for s in self.series:
            if s.unit not in out:
                out.append(s.unit)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Charts:
    """Every chart of the site, resolved; looked up by the renderer per page."""

    blocks: dict[tuple[str, int], ChartSpec | None]  # (source path, index) -> spec or invalid
    trends: dict[str, tuple[ChartSpec, ...]]  # org key -> one chart per metric over years
    comparisons: dict[str, tuple[ChartSpec, ...]]  # org key -> its children compared
    home: tuple[ChartSpec, ...]


def block_id(index: int) -> str:
    """The id of a page's n-th chart block. A page has one body, so the index is unique."""
    return f"chart-{index + 1}"


def _ui(key: str, **values: str) -> LocalText:
    """A UI string in both languages (the zh-Hant page converts the zh-Hans text)."""
    return LocalText(
        zh=catalog("zh-Hans")[key].format(**values), en=catalog("en")[key].format(**values)
    )


def _join(template_key: str, **texts: LocalText) -> LocalText:
    return LocalText(
        zh=catalog("zh-Hans")[template_key].format(**{k: v.get("zh") for k, v in texts.items()}),
        en=catalog("en")[template_key].format(**{k: v.get("en") for k, v in texts.items()}),
    )


def _year_text(year: int) -> LocalText:
    return LocalText(zh=str(year), en=str(year))


# --- validation of a chart block ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartContext:
    """What a block may refer to: the site, its derived figures, and the page's organization."""

    site: Site
    derived: Derived
    org: str | None  # the report's organization; None on free pages


def validate_chart(
    text: str,
    path: str,
    line: int,
    env: ChartContext,
    chart_id: str = "chart-1",
    parse: Callable[..., tuple[Located | None, list[Any]]] = parse_yaml,
) -> tuple[ChartSpec | None, list[Diagnostic]]:
    """Check a chart block and resolve its data. Returns the spec, or None and every problem.

    ``line`` is the 1-based line of the block's first YAML line in ``path``. ``parse`` is
    ``yamlpos.parse_yaml``; ``serve`` passes it memoized by the block's text (the located YAML
    is never modified here), since a block's data may change with other files but its YAML not.
    """
    diags = Diagnostics()
    loc, yaml_errors = parse(text, line_offset=line - 1)
    for e in yaml_errors:
        diags.error(
            path,
            e.line,
            e.col,
            e.message.replace("invalid YAML", "invalid YAML in chart block"),
            e.hint,
            code="chart",
        )
    if loc is None or yaml_errors:
        return None, _as_warnings(diags)
    spec = _Validator(path, loc, diags, env, chart_id).run()
    if diags.items:
        return None, _as_warnings(diags)
    return spec, []


def _as_warnings(diags: Diagnostics) -> list[Diagnostic]:
    found = sorted(diags.items, key=lambda d: (d.line, d.col, d.message))
    return [
        Diagnostic(d.path, d.line, d.col, d.message, d.hint, Severity.WARNING, "chart")
        for d in found
    ]


class _Validator:
    def __init__(
        self, path: str, loc: Located, diags: Diagnostics, env: ChartContext, chart_id: str
    ) -> None:
        self.ctx = Ctx(path, loc, diags)
        self.diags = diags
        self.env = env
        self.chart_id = chart_id
        self.path = path
        self.loc = loc

    def err(self, where: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.ctx.err(where, message, hint)

    def run(self) -> ChartSpec | None:
        m = self.loc.value
        if not isinstance(m, dict):
            self.err(
                (),
                _("a chart block must be a YAML mapping, not {kind}").format(kind=type_name(m)),
                _("write fields such as 'type:', 'title:', 'x:' and 'series:'"),
            )
            return None
        check_keys(self.ctx, m, (), CHART_KEYS, what=_("chart block"))
        kind = self._type(m)
        title = self._title(m)
        unit = local_text(self.ctx, m.get("unit"), ("unit",), "unit") if "unit" in m else None
        options = self._options(m)
        got = self._data(m, kind, unit)
        if got is None or kind is None or title is None:
            return None
        x, x_kind, series = got
        series = self._series_kinds(kind, series)
        self._check_shape(kind, x, series)
        if self.diags.items:
            return None
        return ChartSpec(self.chart_id, kind, title, x, x_kind, series, options)

    # -- fields --------------------------------------------------------------------------------

    def _type(self, m: dict[str, Any]) -> str | None:
        if "type" not in m:
            self.err((), _("missing required key 'type' in chart block"), _choices(CHART_TYPES))
            return None
        kind = m["type"]
        if not isinstance(kind, str):
            self.err(
                ("type",),
                _("'type' must be text, not {kind}").format(kind=type_name(kind)),
                _choices(CHART_TYPES),
            )
            return None
        if kind not in CHART_TYPES:
            self.err(
                ("type",),
                _("unknown chart type '{kind}'").format(kind=kind),
                did_you_mean(kind, CHART_TYPES),
            )
            return None
        return kind

    def _title(self, m: dict[str, Any]) -> LocalText | None:
        if "title" not in m:
            self.err(
                (),
                _("missing required key 'title' in chart block"),
                _("e.g. title: {zh: …, en: …}"),
            )
            return None
        title = local_text(self.ctx, m["title"], ("title",), "title", required=True)
        return title or None

    def _options(self, m: dict[str, Any]) -> dict[str, Any]:
        raw = m.get("options", {})
        if raw is None or not isinstance(raw, dict):
            self.err(
                ("options",),
                _("'options' must be a mapping of ECharts options, not {kind}").format(
                    kind=type_name(raw)
                ),
                _("e.g. options: {legend: {top: bottom}}"),
            )
            return {}
        # ECharts reads some option strings as HTML or as URLs: escaped, restricted or refused
        return check_options(raw, self.err)

    # -- data: inline, a metric, or a data file ---------------------------------------------------

    def _data(
        self, m: dict[str, Any], kind: str | None, unit: LocalText | None
    ) -> tuple[tuple[LocalText, ...], str, tuple[Series, ...]] | None:
        sources = [k for k in ("series", "metric", "data") if k in m]
        if "x" in m and "series" not in m and not sources:
            self.err(
                (),
                _("missing required key 'series' in chart block"),
                _("inline data needs both 'x' (the categories) and 'series' (the values)"),
            )
            return None
        if not sources:
            self.err(
                (),
                _("a chart needs data: inline 'x' and 'series', a 'metric', or a 'data' file"),
                _("e.g. metric: study_sessions"),
            )
            return None
        if len(sources) > 1:
            names = " and ".join(f"'{s}'" for s in sources)
            self.err(
                (sources[1],),
                _("a chart takes one source of data, found {names}").format(names=names),
                _("keep one of them"),
            )
            return None
        if sources[0] != "metric":
            for key in ("org", "orgs", "year"):
                if key in m:
                    self.err((key,), _("'{key}' is only used with 'metric'").format(key=key))
        source = sources[0]
        if source == "series":
            return self._inline(m, (), unit)
        if source == "data":
            return self._data_file(m, unit)
        if unit is not None:
            self.err(("unit",), _("'unit' comes from metrics.yaml when the chart shows a 'metric'"))
        return self._metric(m, kind)

    def _inline(
        self, m: dict[str, Any], at: tuple[str | int, ...], unit: LocalText | None, prefix: str = ""
    ) -> tuple[tuple[LocalText, ...], str, tuple[Series, ...]] | None:
        if "x" not in m:
            self.err(
                at,
                _("{prefix}missing required key 'x'").format(prefix=prefix),
                _("inline data needs both 'x' (the categories) and 'series' (the values)"),
            )
            return None
        x = self._x(m["x"], (*at, "x"), prefix)
        series = self._series_list(m["series"], (*at, "series"), unit, prefix)
        if x is None or series is None:
            return None
        for i, s in enumerate(series):
            if len(s.points) != len(x):
                self.err(
                    (*at, "series", i, "data"),
                    _(
                        "{prefix}series {value} has {count} values but 'x' has {count2} categories"
                    ).format(prefix=prefix, value=i + 1, count=len(s.points), count2=len(x)),
                    _("give one value per category; write null where there is none"),
                )
        return x, "category", series

    def _x(self, raw: Any, at: tuple[str | int, ...], prefix: str) -> tuple[LocalText, ...] | None:
        if not isinstance(raw, list):
            self.err(
                at,
                _("{prefix}'x' must be a list of category labels, not {kind}").format(
                    prefix=prefix, kind=type_name(raw)
                ),
            )
            return None
        if not raw:
            self.err(at, _("{prefix}'x' must not be empty").format(prefix=prefix))
            return None
        out = []
        for i, item in enumerate(raw):
            text = local_text(self.ctx, item, (*at, i), f"x[{i + 1}]", required=True)
            out.append(text)
        return tuple(out)

    def _series_list(
        self, raw: Any, at: tuple[str | int, ...], unit: LocalText | None, prefix: str
    ) -> tuple[Series, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.err(
                at,
                _("{prefix}'series' must be a non-empty list, not {kind}").format(
                    prefix=prefix, kind=type_name(raw)
                ),
                _("e.g. series: [{name: {zh: 宣讲场次, en: Outreach talks}, data: [120, 180]}]"),
            )
            return None
        out: list[Series] = []
        for i, item in enumerate(raw):
            s = self._one_series(item, (*at, i), i, unit, prefix)
            if s is not None:
                out.append(s)
        return tuple(out) if len(out) == len(raw) else None

    def _one_series(
        self,
        item: Any,
        at: tuple[str | int, ...],
        i: int,
        unit: LocalText | None,
        prefix: str,
    ) -> Series | None:
        n = i + 1
        if not isinstance(item, dict):
            self.err(
                at,
                _("{prefix}series {n} must be a mapping with 'name' and 'data', not {kind}").format(
                    prefix=prefix, n=n, kind=type_name(item)
                ),
            )
            return None
        check_keys(
            self.ctx, item, at, SERIES_KEYS, ("name", "data"), what=_("series {n}").format(n=n)
        )
        name = EMPTY
        if "name" in item:
            name = local_text(self.ctx, item["name"], (*at, "name"), "name", required=True)
        s_unit = unit or EMPTY
        if "unit" in item:
            s_unit = local_text(self.ctx, item["unit"], (*at, "unit"), "unit")
        kind = item.get("type", "")
        if kind not in ("", "bar", "line"):
            self.err(
                (*at, "type"),
                _("{prefix}series {n} 'type' must be 'bar' or 'line', not '{kind}'").format(
                    prefix=prefix, n=n, kind=kind
                ),
            )
            kind = ""
        data = item.get("data")
        if "data" not in item:
            return None
        if not isinstance(data, list):
            self.err(
                (*at, "data"),
                _("{prefix}series {n} 'data' must be a list of numbers, not {kind}").format(
                    prefix=prefix, n=n, kind=type_name(data)
                ),
            )
            return None
        points: list[Point | None] = []
        for j, v in enumerate(data):
            if v is None:
                points.append(None)
            elif isinstance(v, bool) or not isinstance(v, int | float):
                self.err(
                    (*at, "data", j),
                    _(
                        "{prefix}series {n} value {value} must be a number or null, not {value2}"
                    ).format(
                        prefix=prefix,
                        n=n,
                        value=j + 1,
                        value2=type_name(v) if not isinstance(v, str) else repr(v),
                    ),
                    _("write plain numbers: 30000, not 3万"),
                )
                points.append(None)
            elif (problem := numbers.value_problem(v)) is not None:
                written = ".nan" if v != v else (".inf" if v > 0 else "-.inf")
                self.err(
                    (*at, "data", j),
                    _("{prefix}series {n} value {value} {problem}").format(
                        prefix=prefix, n=n, value=j + 1, problem=_(problem)
                    )
                    + (
                        _(", not {written}").format(written=written)
                        if problem.startswith("must")
                        else ""
                    ),
                    _("write a plain number, or null for a missing value"),
                )
                points.append(None)
            else:
                points.append(Point(v))
        if not name:
            return None
        return Series(name, tuple(points), s_unit, kind=str(kind))

    def _data_file(
        self, m: dict[str, Any], unit: LocalText | None
    ) -> tuple[tuple[LocalText, ...], str, tuple[Series, ...]] | None:
        name = m["data"]
        at: tuple[str | int, ...] = ("data",)
        if not isinstance(name, str) or not name.strip():
            self.err(
                at,
                _("'data' must name a YAML file in content/data/, such as 'outreach.yaml'"),
            )
            return None
        norm = posixpath.normpath(name)
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or re.match(r"^[A-Za-z]:", name)
            or norm.startswith("..")
            or ".." in name.split("/")
        ):
            self.err(
                at,
                _("'data' must be a file inside content/data/, not '{name}'").format(name=name),
                _("name the file relative to content/data/, without '..' or a leading '/'"),
            )
            return None
        if not name.endswith(".yaml"):
            self.err(at, _("data file '{name}' must be a .yaml file").format(name=name))
            return None
        files = self.env.site.data
        if norm not in files:
            self.err(
                at,
                _("data file '{name}' not found in content/data/").format(name=name),
                did_you_mean(norm, files) if files else _("create it, or give the data inline"),
            )
            return None
        content = files[norm]
        prefix = _("data file '{name}': ").format(name=norm)
        if not isinstance(content, dict):
            self.err(
                at,
                _("{prefix}must be a mapping with 'x' and 'series', not {kind}").format(
                    prefix=prefix, kind=type_name(content)
                ),
            )
            return None
        for key in content:
            if key not in DATA_FILE_KEYS:
                self.err(
                    at,
                    _("{prefix}unknown key '{key}'").format(prefix=prefix, key=key),
                    did_you_mean(key, DATA_FILE_KEYS),
                )
        if "series" not in content:
            self.err(at, _("{prefix}missing required key 'series'").format(prefix=prefix))
            return None
        if "unit" in content and unit is None:
            unit = self._plain_local(content["unit"], at, prefix + "'unit'")
        # Positions inside the data file are not known here: every problem points at 'data:'.
        sub = _Validator(self.path, Located(content), self.diags, self.env, self.chart_id)
        sub.loc.positions[()] = self.loc.pos(at)
        sub.loc.line_offset = 0
        return sub._inline(content, (), unit, prefix)

    def _plain_local(self, raw: Any, at: tuple[str | int, ...], what: str) -> LocalText:
        if isinstance(raw, str):
            return LocalText(zh=raw, en=raw) if raw.isascii() else LocalText(zh=raw)
        if isinstance(raw, dict) and set(raw) <= {"zh", "en"}:
            return LocalText(zh=raw.get("zh"), en=raw.get("en"))
        self.err(at, _("{what} must be text or a mapping {{zh: …, en: …}}").format(what=what))
        return LocalText()

    def _metric(
        self, m: dict[str, Any], kind: str | None
    ) -> tuple[tuple[LocalText, ...], str, tuple[Series, ...]] | None:
        site = self.env.site
        raw = m["metric"]
        keys = raw if isinstance(raw, list) else [raw]
        if not keys or not all(isinstance(k, str) for k in keys):
            self.err(
                ("metric",),
                _("'metric' must be a metric key or a list of keys, not {kind}").format(
                    kind=type_name(raw)
                ),
                _("e.g. metric: study_sessions"),
            )
            return None
        metrics: list[Metric] = []
        for i, key in enumerate(keys):
            where: tuple[str | int, ...] = ("metric", i) if isinstance(raw, list) else ("metric",)
            if key not in site.metrics:
                self.err(
                    where,
                    _("unknown metric '{key}'").format(key=key),
                    did_you_mean(key, site.metrics),
                )
            else:
                metrics.append(site.metrics[key])
        if "orgs" in m:
            return self._compare(m, metrics) if len(metrics) == len(keys) else None
        if "year" in m:
            self.err(("year",), _("'year' is only used with 'orgs'"), _("a trend shows every year"))
        org = self.env.org
        if "org" in m:
            org = self._org_key(m["org"], ("org",))
            if org is None:
                return None
        elif org is None:
            self.err(
                ("metric",),
                _("'metric' needs an organization, and this page belongs to none"),
                _("add 'org: <key>' or 'orgs: [...]'"),
            )
            return None
        if len(metrics) != len(keys):
            return None
        table = self.env.derived.orgs[org].table
        years = sorted({y for mt in metrics for y in table.get(mt.key, {})})
        if not years:
            self.err(
                ("metric",),
                _("organization '{org}' has no values for metric {metrics}").format(
                    org=org, metrics=", ".join(f"'{mt.key}'" for mt in metrics)
                ),
                _("its reports list no such figure under 'metrics:'"),
            )
            return None
        x = tuple(_year_text(y) for y in years)
        series = tuple(
            _metric_series(mt, [table.get(mt.key, {}).get(y) for y in years]) for mt in metrics
        )
        return x, "year", series

    def _org_key(self, raw: Any, at: tuple[str | int, ...]) -> str | None:
        orgs = self.env.site.orgs
        if not isinstance(raw, str) or raw not in orgs:
            text = raw if isinstance(raw, str) else type_name(raw)
            self.err(
                at,
                _("unknown organization '{text}'").format(text=text),
                did_you_mean(str(raw), orgs),
            )
            return None
        return raw

    def _compare(
        self, m: dict[str, Any], metrics: list[Metric]
    ) -> tuple[tuple[LocalText, ...], str, tuple[Series, ...]] | None:
        raw = m["orgs"]
        derived = self.env.derived
        keys: list[str] = []
        if raw == "children":
            parent = self.env.org
            if "org" in m:
                parent = self._org_key(m["org"], ("org",))
                if parent is None:
                    return None
            if parent is None:
                self.err(
                    ("orgs",),
                    _("'orgs: children' needs an organization, and this page belongs to none"),
                    _("add 'org: <key>', or list the organizations"),
                )
                return None
            keys = list(derived.orgs[parent].children)
            if not keys:
                self.err(
                    ("orgs",),
                    _("organization '{parent}' has no child organizations").format(parent=parent),
                )
                return None
        elif isinstance(raw, list) and raw:
            if "org" in m:
                self.err(("org",), _("'org' is not used with a list of 'orgs'"))
            for i, item in enumerate(raw):
                key = self._org_key(item, ("orgs", i))
                if key is not None:
                    if key in keys:
                        self.err(
                            ("orgs", i), _("organization '{key}' is listed twice").format(key=key)
                        )
                    keys.append(key)
            if len(keys) != len(raw):
                return None
        else:
            self.err(
                ("orgs",),
                _("'orgs' must be a list of organization keys or 'children', not {kind}").format(
                    kind=type_name(raw)
                ),
            )
            return None
        year = m.get("year")
        values = {
            k: {mt.key: derived.orgs[k].table.get(mt.key, {}) for mt in metrics} for k in keys
        }
        if year is None:
            seen = {y for k in keys for by_year in values[k].values() for y in by_year}
            if not seen:
                self.err(
                    ("metric",),
                    _("none of these organizations has a value for metric {metrics}").format(
                        metrics=", ".join(f"'{mt.key}'" for mt in metrics)
                    ),
                )
                return None
            year = max(seen)
        elif isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
            self.err(("year",), _("'year' must be a year such as 2024"))
            return None
        elif not any(year in by_year for k in keys for by_year in values[k].values()):
            self.err(
                ("year",),
                _("none of these organizations has a value for metric {metrics} in {year}").format(
                    metrics=", ".join(f"'{mt.key}'" for mt in metrics), year=year
                ),
            )
            return None
        x = tuple(_org_label(self.env.site, k) for k in keys)
        series = tuple(
            _metric_series(mt, [values[k][mt.key].get(year) for k in keys], name_year=year)
            for mt in metrics
        )
        return x, "org", series

    # -- shape --------------------------------------------------------------------------------

    def _series_kinds(self, kind: str, series: tuple[Series, ...]) -> tuple[Series, ...]:
        if kind != "bar_line":
            for i, s in enumerate(series):
                if s.kind:
                    self.err(
                        ("series", i, "type"),
                        _("series {n} 'type' is only used in bar_line charts").format(n=i + 1),
                    )
            return series
        # bar_line: series say which they are; by default the first is bars, the rest lines.
        out = []
        for i, s in enumerate(series):
            k = s.kind or ("bar" if i == 0 else "line")
            out.append(replace(s, kind=k))
        return tuple(out)

    def _check_shape(self, kind: str, x: tuple[LocalText, ...], series: tuple[Series, ...]) -> None:
        if kind == "pie":
            if len(series) != 1:
                self.err(
                    ("series",),
                    _("a pie chart takes exactly one series, found {count}").format(
                        count=len(series)
                    ),
                )
                return
            for j, p in enumerate(series[0].points):
                if p is not None and p.value < 0:
                    self.err(
                        ("series",),
                        _(
                            "a pie chart cannot show negative values (value {value} is {value2})"
                        ).format(value=j + 1, value2=p.value),
                    )
            return
        if kind == "bar_line":
            kinds = {s.kind for s in series}
            if kinds != {"bar", "line"}:
                self.err(
                    ("type",),
                    _("a bar_line chart needs at least one bar series and one line series"),
                    _("give the line series 'type: line'"),
                )
                return
            for k in ("bar", "line"):
                self._one_unit([s for s in series if s.kind == k], f"the {k} series")
            return
        self._one_unit(list(series), "series on one axis")

    def _one_unit(self, series: list[Series], what: str) -> None:
        first = series[0]
        for s in series[1:]:
            if s.unit != first.unit:
                self.err(
                    ("series",),
                    _(
                        "{what} must share one unit: '{unit}' ({name}) and '{unit2}' ({name2})"
                    ).format(
                        what=what,
                        unit=_unit_text(first.unit),
                        name=first.name.get("en"),
                        unit2=_unit_text(s.unit),
                        name2=s.name.get("en"),
                    ),
                    _("draw them as separate charts, or as a bar_line chart with one unit each"),
                )
                return


def unit_name(unit: LocalText, text_lang: str) -> str:
    """A unit as an axis or column names it: an English "book|books" is "books"."""
    return unit.get(text_lang).rpartition("|")[2]


def _choices(options: Iterable[str]) -> str:
    return "expected one of: " + ", ".join(options)


def _unit_text(unit: LocalText) -> str:
    return unit.get("en") or unit.get("zh") or "no unit"


def _org_label(site: Site, key: str) -> LocalText:
    org = site.orgs[key]
    return org.short_name if org.short_name else org.name


def _metric_series(
    metric: Metric, cells: list[Cell | None], name_year: int | None = None
) -> Series:
    points = tuple(
        None if c is None else Point(c.value, c.qualifier.value if c.qualifier else None)
        for c in cells
    )
    name = metric.label
    if name_year is not None:
        name = _join("chart_metric_in_year", metric=metric.label, year=_year_text(name_year))
    return Series(name, points, metric.unit, metric.format, metric.scale)


# --- charts of our own ---------------------------------------------------------------------------


def _year_span(years: Iterable[int]) -> list[int]:
    """Every year from the first to the last of ``years``: a year axis that skips the years
    without data would put 2005 beside 2019 with no sign of the years between."""
    present = list(years)
    return list(range(min(present), max(present) + 1)) if present else []


def org_trends(site: Site, derived: Derived, key: str) -> tuple[ChartSpec, ...]:
    """One line chart per metric with values in two or more years (one metric, one unit)."""
    table = derived.orgs[key].table
    out = []
    for metric_key, by_year in table.items():
        if len(by_year) < 2:
            continue
        metric = site.metrics[metric_key]
        years = _year_span(by_year)  # every year between, so a gap shows as one
        series = _metric_series(metric, [by_year.get(y) for y in years])
        out.append(
            ChartSpec(
                id=f"chart-trend-{_slug(metric_key)}",
                type="line",
                title=_join("chart_trend_title", metric=metric.label),
                x=tuple(_year_text(y) for y in years),
                x_kind="year",
                series=(series,),
            )
        )
    return tuple(out)


def org_comparisons(
    site: Site, derived: Derived, key: str, max_years: int = 3
) -> tuple[ChartSpec, ...]:
    """Per metric that two or more child organizations report: the children side by side, one
    bar per year, for the latest years in which at least two of them have a value."""
    children = derived.orgs[key].children
    if len(children) < 2:
        return ()
    out = []
    for metric_key, metric in site.metrics.items():
        tables = {c: derived.orgs[c].table.get(metric_key, {}) for c in children}
        reporting = [c for c in children if tables[c]]
        if len(reporting) < 2:
            continue
        years = sorted(
            y
            for y in {y for c in reporting for y in tables[c]}
            if sum(1 for c in reporting if y in tables[c]) >= 2
        )[-max_years:]
        if not years:
            continue
        series = tuple(
            Series(
                _year_text(y),
                tuple(
                    None
                    if (cell := tables[c].get(y)) is None
                    else Point(cell.value, cell.qualifier.value if cell.qualifier else None)
                    for c in reporting
                ),
                metric.unit,
                metric.format,
                metric.scale,
            )
            for y in years
        )
        out.append(
            ChartSpec(
                id=f"chart-compare-{_slug(metric_key)}",
                type="bar",
                title=_join("chart_compare_title", metric=metric.label),
                x=tuple(_org_label(site, c) for c in reporting),
                x_kind="org",
                series=series,
            )
        )
    return tuple(out)


def org_colors(site: Site) -> dict[str, str]:
    """A colour per organization, by level then key, so that it is the same in every chart."""
    order = sorted(site.orgs, key=lambda k: (site.config.level_rank(site.orgs[k].level), k))
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(order)}


def home_charts(site: Site, derived: Derived, headline: int = 2) -> tuple[ChartSpec, ...]:
    """Reports per year by organization, and the site's headline metrics: the additive metrics
    reported most often (by organization and year), summed per year and stacked by organization."""
    out: list[ChartSpec] = []
    colors = org_colors(site)
    years = _year_span(derived.reports_by_year)
    if years:
        orgs = sorted(
            {r.org for r in site.reports},
            key=lambda k: (site.config.level_rank(site.orgs[k].level), k),
        )
        counts = Counter((y, r.org) for y in years for r in derived.reports_by_year.get(y, ()))
        series = tuple(
            Series(
                _org_label(site, k),
                tuple(Point(n) if (n := counts[(y, k)]) else None for y in years),
                _ui("chart_reports_unit"),
                color=colors[k],
            )
            for k in orgs
        )
        out.append(
            ChartSpec(
                id="chart-reports-by-year",
                type="stacked_bar",
                title=_ui("chart_reports_title"),
                x=tuple(_year_text(y) for y in years),
                x_kind="year",
                series=series,
            )
        )
    coverage: list[tuple[int, int, str]] = []
    for i, (metric_key, metric) in enumerate(site.metrics.items()):
        if not metric.additive:
            continue
        n = sum(len(f.table.get(metric_key, {})) for f in derived.orgs.values())
        if n >= 2:
            coverage.append((-n, i, metric_key))
    for _n, _i, metric_key in sorted(coverage)[:headline]:
        metric = site.metrics[metric_key]
        by_org = {
            k: f.table[metric_key] for k, f in derived.orgs.items() if f.table.get(metric_key)
        }
        m_years = _year_span({y for t in by_org.values() for y in t})
        orgs = sorted(by_org, key=lambda k: (site.config.level_rank(site.orgs[k].level), k))
        series = tuple(_metric_series(metric, [by_org[k].get(y) for y in m_years]) for k in orgs)
        series = tuple(
            replace(s, name=_org_label(site, k), color=colors[k])
            for k, s in zip(orgs, series, strict=True)
        )
        out.append(
            ChartSpec(
                id=f"chart-headline-{_slug(metric_key)}",
                type="stacked_bar",
                title=_join("chart_headline_title", metric=metric.label),
                x=tuple(_year_text(y) for y in m_years),
                x_kind="year",
                series=series,
            )
        )
    return tuple(out)


def _slug(key: str) -> str:
    return _ID_RE.sub("-", key.lower().replace("_", "-")).strip("-")


def derive_charts(
    site: Site,
    derived: Derived,
    blocks: Iterable[tuple[str, str | None, tuple[ChartBlock, ...]]],
    diags: Diagnostics,
    parse: Callable[..., tuple[Located | None, list[Any]]] = parse_yaml,
    previous: Charts | None = None,
    stable: frozenset[str] = frozenset(),
) -> Charts:
    """Validate every chart block — ``(source path, its organization, its blocks)`` — and
    compute the site's own charts. ``parse``: see :func:`validate_chart`. ``previous``: an
    earlier build's charts, whose organization charts are taken over for the organizations in
    ``stable`` (``deps.stable_orgs``: their figures and their children's are unchanged)."""
    resolved: dict[tuple[str, int], ChartSpec | None] = {}
    for path, org, chart_blocks in blocks:
        env = ChartContext(site, derived, org)
        for block in chart_blocks:
            spec, problems = validate_chart(
                block.source, path, block.line, env, block_id(block.index), parse
            )
            diags.extend(problems)
            resolved[(path, block.index)] = spec
    old = previous if previous is not None else Charts({}, {}, {}, ())
    return Charts(
        blocks=resolved,
        trends={
            k: old.trends[k] if k in stable and k in old.trends else org_trends(site, derived, k)
            for k in site.orgs
        },
        comparisons={
            k: old.comparisons[k]
            if k in stable and k in old.comparisons
            else org_comparisons(site, derived, k)
            for k in site.orgs
        },
        home=home_charts(site, derived),
    )


# --- options ------------------------------------------------------------------------------------


def point_label(p: Point | None, s: Series, text_lang: str) -> str:
    """A value as the page's language writes it (3000余, 3,000+, 303.92万), without its unit:
    the axis or the column header names it."""
    if p is None:
        return "–"
    if s.format != "currency":
        return numbers.format_value(
            p.value, lang=text_lang, fmt=s.format, scale=s.scale, qualifier=p.qualifier
        )
    # amounts always carry their unit (303.92万元, CNY 3.04 million): take it off again
    unit = unit_name(s.unit, text_lang) or ("元" if text_lang == "zh" else "CNY")
    text = numbers.format_value(
        p.value, lang=text_lang, unit=unit, fmt="currency", scale=s.scale, qualifier=p.qualifier
    )
    if text_lang == "zh":
        return text.removesuffix(unit)
    return text.replace(unit + " ", "", 1)


def build_options(spec: ChartSpec, text_lang: str) -> dict[str, Any]:
    """The ECharts options of a chart in one language ("zh" or "en"). Pure and deterministic:
    the chart id is the spec's; the page loads ECharts from the site itself.

    The options are built directly, key for key as pyecharts 2 (``Bar``/``Line``/``Pie`` with
    ``set_global_opts``, ``dump_options``) wrote them when the site used it: the same defaults
    in the same order, None and empty-text values left out where pyecharts drops them, so that
    pages stay byte for byte what they were (tests/snapshots/charts pins them)."""
    t = text_lang
    labelled = len(spec.x) * len(spec.series) <= MAX_LABELLED_POINTS

    def items(s: Series) -> list[Any]:
        # Each value carries its text as the language writes it (3000余, 3,000+, 303.92万):
        # shown as the value label, and by charts.js in the tooltip.
        return [
            None if p is None else {"value": p.value, "label": {"formatter": point_label(p, s, t)}}
            for p in s.points
        ]

    options: dict[str, Any] = _base_options()
    series: list[dict[str, Any]] = []
    if spec.type == "pie":
        s = spec.series[0]
        names = [x.get(t) for x, p in zip(spec.x, s.points, strict=True) if p is not None]
        data = [
            _named({"name": x.get(t), "value": p.value})
            for x, p in zip(spec.x, s.points, strict=True)
            if p is not None
        ]
        series.append(_pie_series(s.name.get(t), data))
        legend_data = list(dict.fromkeys(names))
    else:
        bars = [s for s in spec.series if s.kind != "line"]
        lines = [s for s in spec.series if s.kind == "line"]
        if spec.type == "line":
            bars, lines = [], list(spec.series)
        stacked = spec.type == "stacked_bar"
        line_axis: int | None = None
        if (
            spec.type != "line" and lines
        ):  # bar_line: lines on a second axis when their unit differs
            line_axis = 0 if lines[0].unit == bars[0].unit else 1
        for s in bars:
            series.append(
                _bar_series(
                    s.name.get(t), items(s), stacked, labelled, "inside" if stacked else "top"
                )
            )
        for s in lines:
            series.append(_line_series(s.name.get(t), items(s), line_axis, labelled))
        legend_data = [s.name.get(t) for s in bars] + [s.name.get(t) for s in lines]
    options["series"] = series
    options["legend"] = [_legend(legend_data, len(spec.series) > 1 or spec.type == "pie")]
    options["tooltip"] = _tooltip("item" if spec.type == "pie" else "axis")
    if spec.type != "pie":
        x_axis = _axis("category", None, 0, None)
        x_axis["data"] = [c.get(t) for c in spec.x]
        y_axes = [
            _axis("value", unit_name(spec.series[0].unit, t), _min_interval(spec.series[0]), None)
        ]
        if line_axis:
            y_axes.append(
                _axis("value", unit_name(lines[0].unit, t), _min_interval(lines[0]), "right")
            )
        options["xAxis"] = [x_axis]
        options["yAxis"] = y_axes
    options["title"] = [_title(spec.title.get(t))]
    ordered_colors = [s.color for s in spec.series if s.kind != "line"]
    ordered_colors += [s.color for s in spec.series if s.kind == "line"]
    if spec.type != "pie" and all(ordered_colors):
        options["color"] = ordered_colors
    else:
        options["color"] = list(PALETTE)
    if spec.type != "pie":
        bottom = 12 + 24 * _legend_rows(spec, t) if len(spec.series) > 1 else 8
        options["grid"] = {
            "left": 8,
            "right": 16,
            "top": 40,
            "bottom": bottom,
            "containLabel": True,
        }
    return _merge(options, spec.options)


# --- the pyecharts defaults, as its options objects wrote them ---------------------------------


def _named(mapping: dict[str, Any]) -> dict[str, Any]:
    """A mapping as pyecharts cleaned it: None and empty-text values left out."""
    return {k: v for k, v in mapping.items() if v is not None and v != ""}


def _animation() -> dict[str, Any]:
    return {
        "animation": True,
        "animationThreshold": 2000,
        "animationDuration": 1000,
        "animationEasing": "cubicOut",
        "animationDelay": 0,
        "animationDurationUpdate": 300,
        "animationEasingUpdate": "cubicOut",
        "animationDelayUpdate": 0,
    }


def _base_options() -> dict[str, Any]:
    out = _animation()
    out["aria"] = {"enabled": False}
    return out


def _label(show: bool, position: str | None = None, formatter: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"show": show}
    if position is not None:
        out["position"] = position
    out["margin"] = 8
    if formatter is not None:
        out["formatter"] = formatter
    out["richInheritPlainLabel"] = True
    out["valueAnimation"] = False
    return out


def _bar_series(
    name: str, data: list[Any], stacked: bool, labelled: bool, position: str
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "bar"}
    if name:
        out["name"] = name
    out["legendHoverLink"] = True
    out["data"] = data
    out["realtimeSort"] = False
    out["showBackground"] = False
    if stacked:
        out["stack"] = "total"
    out.update(
        {
            "stackStrategy": "samesign",
            "cursor": "pointer",
            "barMinHeight": 0,
            "barCategoryGap": "20%",
            "barGap": "30%",
            "large": False,
            "largeThreshold": 400,
            "seriesLayoutBy": "column",
            "datasetIndex": 0,
            "clip": True,
            "zlevel": 0,
            "z": 2,
            "label": _label(labelled, position),
            "labelLayout": {"hideOverlap": True},
        }
    )
    return out


def _line_series(name: str, data: list[Any], y_axis: int | None, labelled: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "line"}
    if name:
        out["name"] = name
    out["connectNulls"] = False
    if data:  # pyecharts paired values with the x labels, and then named the axis
        out["xAxisIndex"] = 0
    if y_axis is not None:
        out["yAxisIndex"] = y_axis
    out.update(
        {
            "symbolSize": 8,
            "showSymbol": True,
            "smooth": False,
            "clip": True,
            "step": False,
            "stackStrategy": "samesign",
            "data": data,
            "hoverAnimation": True,
            "label": _label(labelled, "top"),
            "logBase": 10,
            "seriesLayoutBy": "column",
            "lineStyle": {"show": False},
            "areaStyle": {"opacity": 0},
            "zlevel": 0,
            "z": 0,
            "labelLayout": {"hideOverlap": True},
        }
    )
    return out


def _pie_series(name: str, data: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "pie"}
    if name:
        out["name"] = name
    out.update(
        {
            "colorBy": "data",
            "legendHoverLink": True,
            "selectedMode": False,
            "selectedOffset": 10,
            "clockwise": True,
            "startAngle": 90,
            "minAngle": 0,
            "minShowLabelAngle": 0,
            "avoidLabelOverlap": True,
            "stillShowZeroSum": True,
            "percentPrecision": 2,
            "showEmptyCircle": True,
            "emptyCircleStyle": {
                "color": "lightgray",
                "borderColor": "#000",
                "borderWidth": 0,
                "borderType": "solid",
                "borderDashOffset": 0,
                "borderCap": "butt",
                "borderJoin": "bevel",
                "borderMiterLimit": 10,
                "opacity": 1,
            },
            "data": data,
            "radius": ["0%", "62%"],
            "center": ["50%", "50%"],
            "label": _label(True, None, "{b}: {d}%"),
            "labelLine": {
                "show": True,
                "showAbove": False,
                "length": 15,
                "length2": 15,
                "smooth": False,
                "minTurnAngle": 90,
                "maxSurfaceAngle": 90,
            },
        }
    )
    return out


def _legend(data: list[str], show: bool) -> dict[str, Any]:
    return {
        "data": data,
        "selected": {},
        "show": show,
        "bottom": 0,
        "padding": 5,
        "itemGap": 10,
        "itemWidth": 25,
        "itemHeight": 14,
        "backgroundColor": "transparent",
        "borderColor": "#ccc",
        "borderRadius": 0,
        "pageButtonItemGap": 5,
        "pageButtonPosition": "end",
        "pageFormatter": "{current}/{total}",
        "pageIconColor": "#2f4554",
        "pageIconInactiveColor": "#aaa",
        "pageIconSize": 15,
        "animationDurationUpdate": 800,
        "selector": False,
        "selectorPosition": "auto",
        "selectorItemGap": 7,
        "selectorButtonGap": 10,
        "triggerEvent": False,
    }


def _tooltip(trigger: str) -> dict[str, Any]:
    return {
        "show": True,
        "trigger": trigger,
        "triggerOn": "mousemove|click",
        "axisPointer": {"type": "line"},
        "showContent": True,
        "alwaysShowContent": False,
        "showDelay": 0,
        "hideDelay": 100,
        "enterable": False,
        "confine": False,
        "appendToBody": False,
        "transitionDuration": 0.4,
        "displayTransition": True,
        "textStyle": {"fontSize": 14, "richInheritPlainLabel": True},
        "borderWidth": 0,
        "padding": 5,
        "order": "seriesAsc",
    }


def _axis(kind: str, name: str | None, min_interval: int, position: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind}
    if name:
        out["name"] = name
    out.update(
        {
            "show": True,
            "scale": False,
            "nameLocation": "end",
            "nameGap": 15,
            "nameTruncate": {},
            "nameMoveOverlap": True,
        }
    )
    if kind == "category":
        out["axisLabel"] = {
            "show": True,
            "margin": 8,
            "interval": 0,
            "width": 96,
            "overflow": "break",
            "richInheritPlainLabel": True,
            "valueAnimation": False,
        }
    out["inverse"] = False
    if position is not None:
        out["position"] = position
    out.update(
        {
            "offset": 0,
            "splitNumber": 5,
            "minInterval": min_interval,
            "silent": False,
            "triggerEvent": False,
            "splitLine": {"show": True, "lineStyle": {"show": False}},
        }
    )
    out.update(_animation())
    return out


def _title(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"show": False}
    if text:
        out["text"] = text
    out.update(
        {
            "target": "blank",
            "subtarget": "blank",
            "padding": 5,
            "itemGap": 10,
            "textAlign": "auto",
            "textVerticalAlign": "auto",
            "triggerEvent": False,
        }
    )
    return out


def _min_interval(s: Series) -> int:
    return 1 if _whole(s) else 0


def _legend_rows(spec: ChartSpec, text_lang: str, width: int = 480) -> int:
    """How many rows the legend wraps into in a chart about ``width`` pixels wide (a guess from
    the names' lengths: ECharts wraps a plain legend, and the plot must leave room for it)."""
    rows, used = 1, 0
    for s in spec.series:
        name = s.name.get(text_lang)
        item = 35 + sum(13 if ord(c) > 0x2E80 else 7 for c in name)
        if used and used + item > width:
            rows, used = rows + 1, 0
        used += item
    return rows


def _whole(s: Series) -> bool:
    """Counts of whole things: the axis never ticks at 0.5 of a meeting."""
    return s.format == "count" and all(p is None or float(p.value).is_integer() for p in s.points)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The spec's raw options merged last, mappings deeply, everything else replaced."""
    out = dict(base)
    for k, v in extra.items():
        old = out.get(k)
        if isinstance(v, dict) and isinstance(old, dict):
            out[k] = _merge(old, v)
        elif isinstance(v, dict) and isinstance(old, list) and old and isinstance(old[0], dict):
            # pyecharts writes single components as lists (legend: [{…}]): merge into the first
            out[k] = [_merge(old[0], v), *old[1:]]
        else:
            out[k] = v
    return out


def options_json(options: dict[str, Any]) -> str:
    """Options as JSON that is safe inside ``<script type="application/json">``.

    Chinese stays unescaped so that the page's script conversion reaches it; ``</`` and ``<!--``
    are escaped so that no content can end the script element early.
    """
    text = json.dumps(options, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")
