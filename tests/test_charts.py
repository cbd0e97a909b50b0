"""Charts: the chart block spec and its validator (every message pinned, each at its line in
the Markdown file), option building as snapshots, chart ids, and the charts the site draws of
its own.

Snapshots live in tests/snapshots/charts/*.json and are compared exactly. After a deliberate
change, regenerate them with ``UPDATE_SNAPSHOTS=1 python -m pytest tests/test_charts.py`` and
review the diff.
"""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from site_builder.derive.aggregate import Derived, derive
from site_builder.derive.charts import (
    ChartContext,
    ChartSpec,
    LocalText,
    Point,
    Series,
    block_id,
    build_options,
    home_charts,
    options_json,
    org_comparisons,
    org_trends,
    validate_chart,
)
from site_builder.model import Site
from site_builder.pipeline import BuildOptions, run
from tests.conftest import MINIMAL_SITE, MakeSite, write_site
from tests.util import cli, error_lines

SNAPSHOTS = Path(__file__).parent / "snapshots" / "charts"
PATH = "content/reports/city/2024-summary.md"
LINE = 20  # the block's first YAML line in PATH

# The minimal site plus a second member organization, a second year, and a data file.
CHART_SITE: dict[str, str] = {
    **MINIMAL_SITE,
    "content/orgs/town.yaml": """\
        name: {zh: 测试镇妇联, en: Test Town Federation}
        short_name: {zh: 测试镇, en: Test Town}
        level: county
        parent: nat
        """,
    "content/reports/city/2023-summary.md": """\
        ---
        title: 测试市妇联2023年工作总结
        date: 2023-12-31
        metrics:
          - key: study_sessions
            value: 10
          - key: funds_raised
            value: 2500000
        ---
        正文。
        """,
    "content/reports/town/2024-summary.md": """\
        ---
        title: 测试镇妇联2024年工作总结
        date: 2024-12-31
        metrics:
          - key: study_sessions
            value: 3000
            qualifier: more_than
        ---
        正文。
        """,
    "content/data/quarters.yaml": """\
        unit: {zh: 场, en: sessions}
        x: [Q1, Q2, Q3, Q4]
        series:
          - name: {zh: 宣讲场次, en: Outreach talks}
            data: [120, 180, 150, 210]
        """,
    "content/data/broken.yaml": """\
        x: [Q1, Q2]
        colour: red
        series:
          - name: 宣讲
            data: [1, 二]
        """,
}


@pytest.fixture(scope="module")
def site_and_derived(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Derived]:
    root = write_site(tmp_path_factory.mktemp("charts") / "site", dict(CHART_SITE))
    result = run(BuildOptions(root, root / "output", write=False))
    assert result.ok, [d.format() for d in result.errors]
    assert result.site is not None
    return result.site, derive(result.site)


def check(
    site_and_derived: tuple[Site, Derived], text: str, org: str | None = "city"
) -> tuple[ChartSpec | None, list[str]]:
    site, derived = site_and_derived
    env = ChartContext(site, derived, org)
    spec, diags = validate_chart(textwrap.dedent(text), PATH, LINE, env)
    return spec, [d.format() for d in diags]


def problems(
    site_and_derived: tuple[Site, Derived], text: str, org: str | None = "city"
) -> list[str]:
    spec, found = check(site_and_derived, text, org)
    assert spec is None
    assert found, "an invalid block must be reported"
    return found


def at(line: int, col: int, message: str) -> str:
    """A pinned diagnostic: chart problems are warnings (errors with --strict)."""
    return f"{PATH}:{LINE + line - 1}:{col}: warning: {message}"


# --- validation: every message --------------------------------------------------------------

INVALID: list[tuple[str, str, list[tuple[int, int, str]]]] = [
    (
        "yaml-syntax",
        "type: bar\ntitle: [a\n",
        [
            (
                3,
                1,
                "invalid YAML in chart block: did not find expected ',' or ']' "
                "(check indentation, and quote values that contain ': ' or start with a symbol)",
            )
        ],
    ),
    (
        "not-a-mapping",
        "- bar\n- line\n",
        [
            (
                1,
                1,
                "a chart block must be a YAML mapping, not a list "
                "(write fields such as 'type:', 'title:', 'x:' and 'series:')",
            )
        ],
    ),
    (
        "unknown-key-missing-type-and-title",
        "tpye: bar\nmetric: study_sessions\n",
        [
            (1, 1, "missing required key 'title' in chart block (e.g. title: {zh: …, en: …})"),
            (
                1,
                1,
                "missing required key 'type' in chart block "
                "(expected one of: bar, line, pie, stacked_bar, bar_line)",
            ),
            (1, 1, "unknown key 'tpye' in chart block (did you mean 'type'?)"),
        ],
    ),
    (
        "unknown-type",
        "type: pi\ntitle: t\nmetric: study_sessions\n",
        [(1, 7, "unknown chart type 'pi' (did you mean 'pie'?)")],
    ),
    (
        "type-not-text",
        "type: [bar]\ntitle: t\nmetric: study_sessions\n",
        [
            (
                1,
                7,
                "'type' must be text, not a list "
                "(expected one of: bar, line, pie, stacked_bar, bar_line)",
            )
        ],
    ),
    (
        "bad-title",
        "type: bar\ntitle: [a]\nmetric: study_sessions\n",
        [(2, 8, "'title' must be text or a mapping {zh: …, en: …}, not a list")],
    ),
    (
        "empty-title",
        "type: bar\ntitle: {fr: a}\nmetric: study_sessions\n",
        [
            (2, 8, "'title' needs at least one of 'zh' or 'en'"),
            (2, 9, "unknown key 'fr' in 'title' (expected one of: en, zh)"),
        ],
    ),
    (
        "no-data",
        "type: bar\ntitle: t\n",
        [
            (
                1,
                1,
                "a chart needs data: inline 'x' and 'series', a 'metric', or a 'data' file "
                "(e.g. metric: study_sessions)",
            )
        ],
    ),
    (
        "two-sources",
        "type: bar\ntitle: t\nx: [a]\nseries: [{name: n, data: [1]}]\nmetric: study_sessions\n",
        [
            (
                5,
                9,
                "a chart takes one source of data, found 'series' and 'metric' (keep one of them)",
            )
        ],
    ),
    (
        "x-without-series",
        "type: bar\ntitle: t\nx: [a, b]\n",
        [
            (
                1,
                1,
                "missing required key 'series' in chart block "
                "(inline data needs both 'x' (the categories) and 'series' (the values))",
            )
        ],
    ),
    (
        "series-without-x",
        "type: bar\ntitle: t\nseries: [{name: n, data: [1]}]\n",
        [
            (
                1,
                1,
                "missing required key 'x' "
                "(inline data needs both 'x' (the categories) and 'series' (the values))",
            )
        ],
    ),
    (
        "x-not-a-list",
        "type: bar\ntitle: t\nx: Q1\nseries: [{name: n, data: [1]}]\n",
        [(3, 4, "'x' must be a list of category labels, not text")],
    ),
    (
        "x-empty",
        "type: bar\ntitle: t\nx: []\nseries: [{name: n, data: []}]\n",
        [(3, 4, "'x' must not be empty")],
    ),
    (
        "series-not-a-list",
        "type: bar\ntitle: t\nx: [a]\nseries: {name: n, data: [1]}\n",
        [
            (
                4,
                9,
                "'series' must be a non-empty list, not a mapping "
                "(e.g. series: [{name: {zh: 宣讲场次, en: Outreach talks}, data: [120, 180]}])",
            )
        ],
    ),
    (
        "series-item-not-a-mapping",
        "type: bar\ntitle: t\nx: [a]\nseries: [5]\n",
        [(4, 10, "series 1 must be a mapping with 'name' and 'data', not a number")],
    ),
    (
        "series-missing-name-and-data-and-unknown-key",
        "type: bar\ntitle: t\nx: [a]\nseries:\n  - values: [1]\n",
        [
            (5, 5, "missing required key 'data' in series 1"),
            (5, 5, "missing required key 'name' in series 1"),
            (5, 5, "unknown key 'values' in series 1 (expected one of: data, name, type, unit)"),
        ],
    ),
    (
        "series-data-not-a-list",
        "type: bar\ntitle: t\nx: [a]\nseries:\n  - name: n\n    data: 5\n",
        [(6, 11, "series 1 'data' must be a list of numbers, not a number")],
    ),
    (
        "series-value-not-a-number",
        "type: bar\ntitle: t\nx: [a, b, c]\nseries:\n  - name: n\n    data: [1, 3万, true]\n",
        [
            (
                6,
                15,
                "series 1 value 2 must be a number or null, not '3万' "
                "(write plain numbers: 30000, not 3万)",
            ),
            (
                6,
                19,
                "series 1 value 3 must be a number or null, not a boolean "
                "(write plain numbers: 30000, not 3万)",
            ),
        ],
    ),
    (
        "series-length",
        "type: line\ntitle: t\nx: [a, b, c]\nseries:\n  - name: n\n    data: [1, 2]\n",
        [
            (
                6,
                11,
                "series 1 has 2 values but 'x' has 3 categories "
                "(give one value per category; write null where there is none)",
            )
        ],
    ),
    (
        "series-type-invalid",
        "type: bar_line\ntitle: t\nx: [a]\nseries:\n  - {name: n, data: [1], type: pie}\n"
        "  - {name: m, data: [1], type: line}\n",
        [(5, 32, "series 1 'type' must be 'bar' or 'line', not 'pie'")],
    ),
    (
        "series-type-outside-bar-line",
        "type: bar\ntitle: t\nx: [a]\nseries:\n  - {name: n, data: [1], type: line}\n",
        [(5, 32, "series 1 'type' is only used in bar_line charts")],
    ),
    (
        "pie-two-series",
        "type: pie\ntitle: t\nx: [a]\nseries:\n  - {name: n, data: [1]}\n  - {name: m, data: [2]}\n",
        [(5, 3, "a pie chart takes exactly one series, found 2")],
    ),
    (
        "pie-negative",
        "type: pie\ntitle: t\nx: [a, b]\nseries:\n  - {name: n, data: [1, -2]}\n",
        [(5, 3, "a pie chart cannot show negative values (value 2 is -2)")],
    ),
    (
        "bar-line-without-line",
        "type: bar_line\ntitle: t\nx: [a]\nseries:\n  - {name: n, data: [1], type: bar}\n",
        [
            (
                1,
                7,
                "a bar_line chart needs at least one bar series and one line series "
                "(give the line series 'type: line')",
            )
        ],
    ),
    (
        "mixed-units",
        "type: bar\ntitle: t\nx: [a]\nseries:\n  - {name: Talks, data: [1], unit: sessions}\n"
        "  - {name: Reach, data: [9], unit: person-times}\n",
        [
            (
                5,
                3,
                "series on one axis must share one unit: 'sessions' (Talks) and 'person-times' "
                "(Reach) (draw them as separate charts, or as a bar_line chart with one unit each)",
            )
        ],
    ),
    (
        "mixed-units-bar-line",
        "type: bar_line\ntitle: t\nx: [a]\nunit: sessions\nseries:\n  - {name: A, data: [1]}\n"
        "  - {name: B, data: [1], unit: people}\n  - {name: C, data: [1], unit: CNY}\n",
        [
            (
                6,
                3,
                "the line series must share one unit: 'people' (B) and 'CNY' (C) "
                "(draw them as separate charts, or as a bar_line chart with one unit each)",
            )
        ],
    ),
    (
        "unknown-metric",
        "type: line\ntitle: t\nmetric: study_session\n",
        [(3, 9, "unknown metric 'study_session' (did you mean 'study_sessions'?)")],
    ),
    (
        "metric-not-text",
        "type: line\ntitle: t\nmetric: {key: study_sessions}\n",
        [
            (
                3,
                9,
                "'metric' must be a metric key or a list of keys, not a mapping "
                "(e.g. metric: study_sessions)",
            )
        ],
    ),
    (
        "metric-with-unit",
        "type: line\ntitle: t\nunit: 次\nmetric: study_sessions\n",
        [(3, 7, "'unit' comes from metrics.yaml when the chart shows a 'metric'")],
    ),
    (
        "unknown-org",
        "type: line\ntitle: t\nmetric: study_sessions\norg: cty\n",
        [(4, 6, "unknown organization 'cty' (did you mean 'city'?)")],
    ),
    (
        "org-without-values",
        "type: line\ntitle: t\nmetric: study_sessions\norg: nat\n",
        [
            (
                3,
                9,
                "organization 'nat' has no values for metric 'study_sessions' "
                "(its reports list no such figure under 'metrics:')",
            )
        ],
    ),
    (
        "year-without-orgs",
        "type: line\ntitle: t\nmetric: study_sessions\nyear: 2024\n",
        [(4, 7, "'year' is only used with 'orgs' (a trend shows every year)")],
    ),
    (
        "orgs-not-a-list",
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: city\n",
        [(4, 7, "'orgs' must be a list of organization keys or 'children', not text")],
    ),
    (
        "orgs-unknown-and-twice",
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: [city, city, twon]\n",
        [
            (4, 14, "organization 'city' is listed twice"),
            (4, 20, "unknown organization 'twon' (did you mean 'town'?)"),
        ],
    ),
    (
        "org-with-orgs-list",
        "type: bar\ntitle: t\nmetric: study_sessions\norg: nat\norgs: [city, town]\n",
        [(4, 6, "'org' is not used with a list of 'orgs'")],
    ),
    (
        "children-of-a-leaf",
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: children\n",
        [(4, 7, "organization 'city' has no child organizations")],
    ),
    (
        "bad-year",
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: [city, town]\nyear: '2024'\n",
        [(5, 7, "'year' must be a year such as 2024")],
    ),
    (
        "year-without-values",
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: [city, town]\nyear: 2020\n",
        [(5, 7, "none of these organizations has a value for metric 'study_sessions' in 2020")],
    ),
    (
        "orgs-without-values",
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: [nat]\n",
        [(3, 9, "none of these organizations has a value for metric 'study_sessions'")],
    ),
    (
        "org-keys-without-metric",
        "type: bar\ntitle: t\nx: [a]\nseries: [{name: n, data: [1]}]\norg: city\nyear: 2024\n",
        [
            (5, 6, "'org' is only used with 'metric'"),
            (6, 7, "'year' is only used with 'metric'"),
        ],
    ),
    (
        "options-not-a-mapping",
        "type: bar\ntitle: t\nmetric: study_sessions\noptions: [1]\n",
        [
            (
                4,
                10,
                "'options' must be a mapping of ECharts options, not a list "
                "(e.g. options: {legend: {top: bottom}})",
            )
        ],
    ),
    (
        "data-not-text",
        "type: bar\ntitle: t\ndata: 5\n",
        [(3, 7, "'data' must name a YAML file in content/data/, such as 'outreach.yaml'")],
    ),
    (
        "data-path-traversal",
        "type: bar\ntitle: t\ndata: ../../etc/passwd\n",
        [
            (
                3,
                7,
                "'data' must be a file inside content/data/, not '../../etc/passwd' "
                "(name the file relative to content/data/, without '..' or a leading '/')",
            )
        ],
    ),
    (
        "data-absolute-path",
        "type: bar\ntitle: t\ndata: /etc/passwd.yaml\n",
        [
            (
                3,
                7,
                "'data' must be a file inside content/data/, not '/etc/passwd.yaml' "
                "(name the file relative to content/data/, without '..' or a leading '/')",
            )
        ],
    ),
    (
        "data-inner-traversal",
        "type: bar\ntitle: t\ndata: a/../../site.yaml\n",
        [
            (
                3,
                7,
                "'data' must be a file inside content/data/, not 'a/../../site.yaml' "
                "(name the file relative to content/data/, without '..' or a leading '/')",
            )
        ],
    ),
    (
        "data-not-yaml",
        "type: bar\ntitle: t\ndata: quarters.csv\n",
        [(3, 7, "data file 'quarters.csv' must be a .yaml file")],
    ),
    (
        "data-not-found",
        "type: bar\ntitle: t\ndata: quarter.yaml\n",
        [
            (
                3,
                7,
                "data file 'quarter.yaml' not found in content/data/ "
                "(did you mean 'quarters.yaml'?)",
            )
        ],
    ),
    (
        "data-file-invalid",
        "type: bar\ntitle: t\ndata: broken.yaml\n",
        [
            (
                3,
                7,
                "data file 'broken.yaml': series 1 value 2 must be a number or null, "
                "not '二' (write plain numbers: 30000, not 3万)",
            ),
            (
                3,
                7,
                "data file 'broken.yaml': unknown key 'colour' (expected one of: series, unit, x)",
            ),
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in INVALID],
)
def test_invalid_chart_block_is_reported_at_its_line(
    site_and_derived: tuple[Site, Derived], text: str, expected: list[tuple[int, int, str]]
) -> None:
    assert problems(site_and_derived, text) == [at(*e) for e in expected]


def test_metric_chart_on_a_free_page_needs_an_organization(
    site_and_derived: tuple[Site, Derived],
) -> None:
    text = "type: line\ntitle: t\nmetric: study_sessions\n"
    assert problems(site_and_derived, text, org=None) == [
        at(
            3,
            9,
            "'metric' needs an organization, and this page belongs to none "
            "(add 'org: <key>' or 'orgs: [...]')",
        )
    ]
    text = "type: bar\ntitle: t\nmetric: study_sessions\norgs: children\n"
    assert problems(site_and_derived, text, org=None) == [
        at(
            4,
            7,
            "'orgs: children' needs an organization, and this page belongs to none "
            "(add 'org: <key>', or list the organizations)",
        )
    ]


def test_every_problem_of_a_block_is_reported_at_once(
    site_and_derived: tuple[Site, Derived],
) -> None:
    text = "type: donut\ntitle: [x]\ncolour: red\nmetric: nope\n"
    assert problems(site_and_derived, text) == [
        at(
            1,
            7,
            "unknown chart type 'donut' (expected one of: bar, bar_line, line, pie, stacked_bar)",
        ),
        at(2, 8, "'title' must be text or a mapping {zh: …, en: …}, not a list"),
        at(
            3,
            1,
            "unknown key 'colour' in chart block "
            "(expected one of 11 known keys, e.g. data, metric, options, org, orgs)",
        ),
        at(4, 9, "unknown metric 'nope' (expected one of: funds_raised, study_sessions)"),
    ]


# --- valid blocks resolve to specs -------------------------------------------------------------


def test_inline_block(site_and_derived: tuple[Site, Derived]) -> None:
    spec, found = check(
        site_and_derived,
        """\
        type: bar
        title: {zh: 各季度宣讲场次, en: Outreach talks by quarter}
        unit: {zh: 场, en: sessions}
        x: [Q1, Q2, {zh: 第三季度, en: Q3}]
        series:
          - name: {zh: 宣讲场次, en: Outreach talks}
            data: [120, null, 150.5]
        """,
    )
    assert found == []
    assert spec is not None
    assert spec.id == "chart-1"
    assert spec.x == (LocalText("Q1", "Q1"), LocalText("Q2", "Q2"), LocalText("第三季度", "Q3"))
    assert spec.series[0].points == (Point(120), None, Point(150.5))
    assert spec.series[0].unit == LocalText("场", "sessions")


def test_metric_trend_of_the_page_organization(site_and_derived: tuple[Site, Derived]) -> None:
    spec, found = check(site_and_derived, "type: line\ntitle: t\nmetric: study_sessions\n")
    assert found == []
    assert spec is not None
    assert [x.get("en") for x in spec.x] == ["2023", "2024"]
    assert spec.x_kind == "year"
    assert spec.series[0].points == (Point(10), Point(12))
    assert spec.series[0].unit == LocalText("次", "sessions")


def test_metric_compared_across_children_in_latest_year(
    site_and_derived: tuple[Site, Derived],
) -> None:
    spec, found = check(
        site_and_derived, "type: bar\ntitle: t\nmetric: study_sessions\norgs: children\norg: nat\n"
    )
    assert found == []
    assert spec is not None
    assert [x.get("en") for x in spec.x] == ["Test City Federation", "Test Town"]
    assert spec.series[0].points == (Point(12), Point(3000, "more_than"))
    assert spec.series[0].name.get("en") == "Study sessions, 2024"
    spec, found = check(
        site_and_derived,
        "type: bar\ntitle: t\nmetric: study_sessions\norgs: [city, town]\nyear: 2023\n",
    )
    assert spec is not None and found == []
    assert spec.series[0].points == (Point(10), None)


def test_data_file_block(site_and_derived: tuple[Site, Derived]) -> None:
    spec, found = check(site_and_derived, "type: line\ntitle: t\ndata: quarters.yaml\n")
    assert found == []
    assert spec is not None
    assert [x.get("en") for x in spec.x] == ["Q1", "Q2", "Q3", "Q4"]
    assert spec.series[0].unit == LocalText("场", "sessions")


def test_bar_line_series_kinds_default_to_bar_then_line(
    site_and_derived: tuple[Site, Derived],
) -> None:
    spec, found = check(
        site_and_derived,
        "type: bar_line\ntitle: t\nx: [a]\nseries:\n  - {name: A, data: [1], unit: sessions}\n"
        "  - {name: B, data: [9], unit: people}\n",
    )
    assert found == [] and spec is not None
    assert [s.kind for s in spec.series] == ["bar", "line"]


# --- options: snapshots --------------------------------------------------------------------------

Q = (LocalText("第一季度", "Q1"), LocalText("第二季度", "Q2"), LocalText("第三季度", "Q3"))
TALKS = LocalText("宣讲场次", "Outreach talks")
SESSIONS = LocalText("场", "sessions")

SNAPSHOT_SPECS: dict[str, ChartSpec] = {
    "bar": ChartSpec(
        "chart-1",
        "bar",
        LocalText("各季度宣讲场次", "Outreach talks by quarter"),
        Q,
        "category",
        (Series(TALKS, (Point(3000, "more_than"), None, Point(11300, "about")), SESSIONS),),
    ),
    "line-currency": ChartSpec(
        "chart-trend-funds-raised",
        "line",
        LocalText("募集款物（历年）", "Funds raised by year"),
        (LocalText("2023", "2023"), LocalText("2024", "2024")),
        "year",
        (
            Series(
                LocalText("募集款物", "Funds raised"),
                (Point(2500000), Point(3039200)),
                LocalText("元", "CNY"),
                "currency",
            ),
        ),
    ),
    "stacked-bar": ChartSpec(
        "chart-reports-by-year",
        "stacked_bar",
        LocalText("各年度报告数", "Reports per year"),
        (LocalText("2023", "2023"), LocalText("2024", "2024")),
        "year",
        (
            Series(
                LocalText("甲市", "City A"),
                (Point(1), Point(2)),
                LocalText("篇", "reports"),
                color="#9f1d20",
            ),
            Series(
                LocalText("乙市", "City B"),
                (None, Point(1)),
                LocalText("篇", "reports"),
                color="#1a5fb4",
            ),
        ),
    ),
    "pie": ChartSpec(
        "chart-2",
        "pie",
        LocalText("整改任务（按方面）", "Rectification items by area"),
        Q,
        "category",
        (
            Series(
                LocalText("整改任务", "Items"),
                (Point(3), Point(1), Point(4)),
                LocalText("项", "items"),
            ),
        ),
    ),
    "bar-line-two-axes": ChartSpec(
        "chart-3",
        "bar_line",
        LocalText("宣讲场次和覆盖人次", "Talks and people reached"),
        Q,
        "category",
        (
            Series(TALKS, (Point(120), Point(180), Point(150)), SESSIONS, kind="bar"),
            Series(
                LocalText("覆盖人次", "People reached"),
                (Point(70000), Point(86000), Point(91500)),
                LocalText("人次", "person-times"),
                kind="line",
            ),
        ),
        {"legend": {"top": 0}, "grid": {"top": 60}},
    ),
}


def _snapshot(name: str, data: object) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"options differ from {path}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(SNAPSHOT_SPECS))
def test_options_snapshot(name: str, lang: str) -> None:
    _snapshot(f"{name}.{lang}", build_options(SNAPSHOT_SPECS[name], lang))


def test_options_carry_labels_in_each_language() -> None:
    zh = build_options(SNAPSHOT_SPECS["bar"], "zh")
    en = build_options(SNAPSHOT_SPECS["bar"], "en")
    assert [d and d["label"]["formatter"] for d in zh["series"][0]["data"]] == [
        "3000余",
        None,
        "约11300",
    ]
    assert [d and d["label"]["formatter"] for d in en["series"][0]["data"]] == [
        "3,000+",
        None,
        "about 11,300",
    ]
    assert en["yAxis"][0]["name"] == "sessions" and zh["yAxis"][0]["name"] == "场"
    assert en["xAxis"][0]["data"] == ["Q1", "Q2", "Q3"]
    assert en["title"][0]["text"] == "Outreach talks by quarter"
    money = build_options(SNAPSHOT_SPECS["line-currency"], "zh")
    assert [d["label"]["formatter"] for d in money["series"][0]["data"]] == ["250万", "303.92万"]
    money = build_options(SNAPSHOT_SPECS["line-currency"], "en")
    assert [d["label"]["formatter"] for d in money["series"][0]["data"]] == [
        "2.5 million",
        "3.04 million",
    ]


def test_bar_line_with_two_units_has_two_axes() -> None:
    o = build_options(SNAPSHOT_SPECS["bar-line-two-axes"], "en")
    assert [a["name"] for a in o["yAxis"]] == ["sessions", "person-times"]
    assert [(s["type"], s.get("yAxisIndex", 0)) for s in o["series"]] == [("bar", 0), ("line", 1)]
    assert o["legend"][0]["top"] == 0 and o["grid"]["top"] == 60  # raw options merged last


def test_options_do_not_depend_on_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    """Options are the same on every call and draw no random id (pyecharts, which built them
    before, drew one unless it was given an id): a guard against a builder that does again."""

    def no_uuid() -> uuid.UUID:
        raise AssertionError("pyecharts generated a random chart id")

    first = {n: build_options(s, "en") for n, s in SNAPSHOT_SPECS.items()}
    monkeypatch.setattr(uuid, "uuid4", no_uuid)
    assert {n: build_options(s, "en") for n, s in SNAPSHOT_SPECS.items()} == first


def test_options_json_cannot_end_its_script_element() -> None:
    spec = ChartSpec(
        "chart-1",
        "bar",
        LocalText("</script><script>alert(1)</script><!--", None),
        Q,
        "category",
        (Series(TALKS, (Point(1), Point(2), Point(3))),),
    )
    text = options_json(build_options(spec, "zh"))
    assert "</" not in text and "<!--" not in text
    assert json.loads(text)["title"][0]["text"] == "</script><script>alert(1)</script><!--"
    assert "宣讲场次" in text  # unescaped, so that the zh-Hant page conversion reaches it


def test_chart_ids_are_fixed() -> None:
    assert [block_id(i) for i in range(3)] == ["chart-1", "chart-2", "chart-3"]


# --- charts of our own ------------------------------------------------------------------------


def test_auto_charts(site_and_derived: tuple[Site, Derived]) -> None:
    site, derived = site_and_derived
    trends = org_trends(site, derived, "city")
    assert [s.id for s in trends] == ["chart-trend-study-sessions", "chart-trend-funds-raised"]
    assert all(len(s.series) == 1 and len(s.units) == 1 for s in trends)  # one unit per axis
    assert org_trends(site, derived, "town") == ()  # one year only: no trend
    (compare,) = org_comparisons(site, derived, "nat")
    assert compare.id == "chart-compare-study-sessions"
    assert [x.get("en") for x in compare.x] == ["Test City Federation", "Test Town"]
    assert [s.name.get("en") for s in compare.series] == ["2024"]
    home = home_charts(site, derived)
    assert [s.id for s in home] == [
        "chart-reports-by-year",
        "chart-headline-study-sessions",  # 3 values (organization × year), then
        "chart-headline-funds-raised",  # 2 values
    ]
    reports = home[0]
    assert [x.get("en") for x in reports.x] == ["2023", "2024"]
    assert {s.name.get("en"): s.points for s in reports.series} == {
        "NTF": (Point(1), None),
        "Test City Federation": (Point(1), Point(1)),
        "Test Town": (None, Point(1)),
    }
    assert len({s.color for s in reports.series}) == 3


def test_auto_charts_never_mix_units_on_an_axis(site_and_derived: tuple[Site, Derived]) -> None:
    site, derived = site_and_derived
    specs = [*home_charts(site, derived)]
    for key in site.orgs:
        specs += [*org_trends(site, derived, key), *org_comparisons(site, derived, key)]
    assert specs
    for spec in specs:
        assert len(spec.units) == 1, spec.id


def test_pie_options_name_each_slice() -> None:
    o = build_options(SNAPSHOT_SPECS["pie"], "en")
    assert o["series"][0]["data"] == [
        {"name": "Q1", "value": 3},
        {"name": "Q2", "value": 1},
        {"name": "Q3", "value": 4},
    ]


# --- in the built site --------------------------------------------------------------------------

CHART_REPORT = """\
    ---
    title: {zh: 图表测试, en: Chart test}
    date: 2024-06-30
    ---
    正文。

    ```chart
    type: bar
    title: {zh: 各季度宣讲场次, en: Outreach talks by quarter}
    data: quarters.yaml
    ```

    ```chart
    type: bar
    title: 坏图表
    metric: no_such_metric
    ```
    """


def test_chart_pages_in_the_built_site(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({**CHART_SITE, "content/reports/city/2024-charts.md": CHART_REPORT})
    out = tmp_path / "out"
    run_ = cli("build", "--source", root, "--out", out)
    assert run_.code == 0, run_.err
    # an invalid block is a warning at its line; the page builds without it
    assert error_lines(run_) == [
        "content/reports/city/2024-charts.md:16:9: warning: unknown metric 'no_such_metric' "
        "(expected one of: funds_raised, study_sessions)"
    ]
    page = (out / "en/reports/city/2024-charts/index.html").read_text(encoding="utf-8")
    assert page.count('<figure class="chart chart-bar">') == 1
    assert '<div class="chart-canvas" id="chart-1" data-options="chart-1-options"' in page
    assert 'class="notice chart-invalid"' in page
    # charts.js loads ECharts itself, when a chart nears the screen
    assert (
        '<script defer src="../../../../assets/charts.js"'
        ' data-echarts="../../../../assets/echarts.min.js"></script>'
    ) in page
    options = page.split('<script type="application/json" id="chart-1-options">')[1]
    options = json.loads(options.split("</script>")[0])
    assert options["xAxis"][0]["data"] == ["Q1", "Q2", "Q3", "Q4"]
    assert '<th scope="row">Q1</th><td>120</td>' in page  # the data as a real table
    hant = (out / "zh-hant/reports/city/2024-charts/index.html").read_text(encoding="utf-8")
    assert "各季度宣講場次" in hant.split('id="chart-1-options">')[1]  # JSON converted too
    # ECharts is loaded only where there is a chart
    for path, charts in [
        ("en/index.html", True),
        ("en/orgs/city/index.html", True),  # a trend: two years of figures
        ("en/orgs/town/index.html", False),
        ("en/reports/city/2023-summary/index.html", False),
        ("en/tags/index.html", False),
    ]:
        html = (out / path).read_text(encoding="utf-8")
        assert ("echarts.min.js" in html) is charts, path
        assert ('class="chart-canvas"' in html) is charts, path
    assert (out / "assets/charts.js").is_file() and (out / "assets/echarts.min.js").is_file()
    # --strict: a broken chart fails the build
    strict = cli("build", "--source", root, "--out", tmp_path / "strict", "--strict")
    assert strict.code == 1


def _variants() -> list[ChartSpec]:
    """The snapshot specs, and the same with what pyecharts leaves out or treats apart: empty
    names, title and units, duplicate and missing pie slices, many points (no value labels),
    a bar_line whose line shares the bars' axis, a chart with no categories."""
    out = list(SNAPSHOT_SPECS.values())
    for spec in SNAPSHOT_SPECS.values():
        blank = tuple(replace(s, name=LocalText("", ""), unit=LocalText()) for s in spec.series)
        out.append(replace(spec, title=LocalText(), series=blank))
        if spec.type != "pie":
            same_unit = tuple(replace(s, unit=spec.series[0].unit) for s in spec.series)
            out.append(replace(spec, series=same_unit))
            out.append(
                replace(spec, x=(), series=tuple(replace(s, points=()) for s in spec.series))
            )
        many = tuple(replace(s, points=s.points * 12) for s in spec.series)
        out.append(replace(spec, x=spec.x * 12, series=many))
    pie = SNAPSHOT_SPECS["pie"]
    twice = LocalText("同名", "Same")
    out.append(
        replace(
            pie,
            x=(twice, twice, LocalText("", "")),
            series=(replace(pie.series[0], points=(Point(1), None, Point(2))),),
        )
    )
    return out


def test_options_are_what_pyecharts_wrote() -> None:
    """The directly built options are pyecharts' own, key for key and in its order (the page's
    JSON is the same bytes), for every chart type and the values pyecharts drops."""
    from tests.chart_reference import pyecharts_options

    variants = _variants()
    assert len(variants) > 20
    for spec in variants:
        for lang in ("zh", "en"):
            expected = options_json(pyecharts_options(spec, lang))
            assert options_json(build_options(spec, lang)) == expected, (spec.type, lang)


def test_drawing_a_chart_imports_no_pyecharts() -> None:
    """The options are written directly: a build that draws charts loads no pyecharts (its
    import alone cost a fresh CLI build about 0.2 s)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from site_builder.derive.charts import ChartSpec, LocalText, Point, Series, build_options\n"
        "from site_builder.views import chart_options\n"
        "x = (LocalText('甲', 'A'), LocalText('乙', 'B'))\n"
        "s = Series(LocalText('次数', 'Times'), (Point(1), Point(2)))\n"
        "for kind in ('bar', 'line', 'pie', 'stacked_bar'):\n"
        "    chart_options(ChartSpec('chart-1', kind, LocalText('题', 'T'), x, 'category', (s,)), 'zh')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyecharts'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
