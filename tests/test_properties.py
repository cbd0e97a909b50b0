"""Property-based tests (gate 7): whatever the input, the front-matter parser, the metric-value
validation and the chart-spec validator return a value or diagnostics, never raise; and every
value they accept can be shown in every language. Example counts are modest: the suite stays
fast, and the hostile corpus (test_hostile.py) pins the cases these have found.
"""

from __future__ import annotations

import datetime
import json
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder import numbers
from site_builder.derive.aggregate import Derived, derive
from site_builder.derive.charts import ChartContext, build_options, validate_chart
from site_builder.errors import Diagnostic, Diagnostics
from site_builder.load import SourceFile, decode
from site_builder.model import Site
from site_builder.parse import parse_document
from site_builder.pipeline import BuildOptions, run
from site_builder.validate import Ctx, _metrics
from site_builder.yamlpos import parse_yaml
from tests.conftest import MINIMAL_SITE, write_site

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- strategies ---------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["study_sessions", "funds_raised", "more_than", "about", "3000余", "7万"]),
    st.dates(min_value=datetime.date(1, 1, 1)),
)
keys = st.sampled_from(
    [
        *("title", "date", "summary", "tags", "metrics", "lang", "draft", "source", "key"),
        *("value", "qualifier", "type", "x", "series", "name", "data", "unit", "metric"),
        *("org", "orgs", "year", "options", "zh", "en"),
    ]
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), keys), inner, max_size=4),
    ),
    max_leaves=12,
)
mappings = st.dictionaries(st.one_of(keys, st.text(max_size=6)), values, max_size=6)

# YAML-looking text: the characters that make YAML's structure, and some that break it.
yamlish = st.text(
    alphabet=st.sampled_from(list("-:[]{},#&*!|>'\"%@` \t\n?.0123456789abcxyz测试\r\ufeff\x00")),
    max_size=120,
)


def dump(value: object) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=False, sort_keys=False)


def source(text: str) -> SourceFile:
    return SourceFile("content/reports/city/2024-x.md", text, "0")


def well_formed(diags: list[Diagnostic]) -> None:
    for d in diags:
        assert isinstance(d, Diagnostic)
        assert d.line >= 1 and d.col >= 1 and d.message, d
        d.format()
        json.loads(d.to_json())


# --- the front-matter parser --------------------------------------------------------------------


@SETTINGS
@given(st.one_of(st.text(max_size=300), yamlish, yamlish.map(lambda t: f"---\n{t}\n---\nbody")))
def test_parse_document_never_raises(text: str) -> None:
    doc, diags = parse_document(source(text))
    well_formed(diags)
    if doc is None:
        assert diags, "a document refused without a reason"
    else:
        assert isinstance(doc.front.value, dict)
        assert doc.body_line >= 1


@SETTINGS
@given(mappings)
def test_front_matter_of_any_structure_parses(front: dict[str, object]) -> None:
    doc, diags = parse_document(source(f"---\n{dump(front)}---\n\n正文\n"))
    well_formed(diags)
    if doc is not None:
        assert isinstance(doc.front.value, dict)


@SETTINGS
@given(st.binary(max_size=200))
def test_decoding_any_bytes_gives_text_or_one_diagnostic(raw: bytes) -> None:
    text, problem = decode("content/x.md", raw)
    assert (text is None) != (problem is None)
    if problem is not None:
        well_formed([problem])
    else:
        assert text is not None and "\r" not in text


@SETTINGS
@given(yamlish)
def test_yaml_positions_point_into_the_text(text: str) -> None:
    located, errors = parse_yaml(text)
    lines = text.count("\n") + text.count("\r") + 2
    for e in errors:
        assert 1 <= e.line <= lines, (e, text)
    if located is not None:
        for line, col in located.positions.values():
            assert 1 <= line <= lines and col >= 1


# --- the metric values --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Derived]:
    root = write_site(tmp_path_factory.mktemp("prop") / "site", dict(MINIMAL_SITE))
    result = run(BuildOptions(source=root, out=root / "output", write=False))
    assert result.ok and result.site is not None, result.diagnostics
    return result.site, derive(result.site)


metric_entries = st.lists(
    st.one_of(
        values,
        st.fixed_dictionaries(
            {"key": st.sampled_from(["study_sessions", "funds_raised"]), "value": scalars},
            optional={"qualifier": st.one_of(st.sampled_from(["more_than", "about"]), scalars)},
        ),
    ),
    max_size=4,
)


@SETTINGS
@given(raw=st.one_of(values, metric_entries))
def test_metric_values_validate_or_are_reported(
    fixture_site: tuple[Site, Derived], raw: object
) -> None:
    site, _ = fixture_site
    diags = Diagnostics()
    front = {"metrics": raw}
    located, errors = parse_yaml(dump(front))
    assert located is not None and not errors
    accepted = _metrics(Ctx("content/x.md", located, diags), located.value["metrics"], site.metrics)
    well_formed(diags.items)
    for mv in accepted:
        assert isinstance(mv.value, int | float) and not isinstance(mv.value, bool)
        assert math.isfinite(mv.value) and mv.value >= 0
        metric = site.metrics[mv.key]
        for lang in ("zh", "en"):
            text = numbers.format_value(
                mv.value,
                lang=lang,
                fmt=metric.format,
                scale=metric.scale,
                qualifier=mv.qualifier.value if mv.qualifier else None,
            )
            assert text and "nan" not in text.lower()


@SETTINGS
@given(
    value=st.one_of(
        st.integers(min_value=0, max_value=10**18),
        st.floats(min_value=0, max_value=1e18, allow_nan=False, allow_infinity=False),
    ),
    fmt=st.sampled_from(["count", "currency", "percent"]),
    scale=st.sampled_from(["auto", "none", "wan", "yi"]),
    qualifier=st.sampled_from([None, "more_than", "about"]),
    lang=st.sampled_from(["zh", "en"]),
)
def test_every_accepted_value_formats(
    value: float, fmt: str, scale: str, qualifier: str | None, lang: str
) -> None:
    assert numbers.format_value(value, lang=lang, fmt=fmt, scale=scale, qualifier=qualifier)


# --- the chart-spec validator -------------------------------------------------------------------

chart_like = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(
            st.sampled_from(["bar", "line", "pie", "stacked_bar", "bar_line"]), scalars
        ),
        "title": st.one_of(st.text(max_size=10), values),
        "x": st.one_of(st.lists(st.one_of(st.text(max_size=6), scalars), max_size=5), values),
        "series": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"name": st.text(max_size=6), "data": st.lists(scalars, max_size=5)},
                    optional={"type": st.sampled_from(["bar", "line", "pie"]), "unit": values},
                ),
                max_size=3,
            ),
            values,
        ),
        "metric": st.one_of(st.sampled_from(["study_sessions", "funds_raised"]), scalars),
        "org": st.one_of(st.sampled_from(["city", "nat", "nope"]), scalars),
        "orgs": st.one_of(st.lists(st.sampled_from(["city", "nat", "x"]), max_size=3), values),
        "year": st.one_of(st.integers(2000, 2030), scalars),
        "data": st.one_of(st.sampled_from(["x.yaml", "../../etc/passwd", "/etc/passwd"]), scalars),
        "unit": values,
        "options": st.one_of(st.dictionaries(st.text(max_size=5), values, max_size=3), values),
    },
)


@SETTINGS
@given(st.one_of(chart_like.map(dump), yamlish))
def test_chart_blocks_validate_or_are_reported(
    fixture_site: tuple[Site, Derived], text: str
) -> None:
    site, derived = fixture_site
    for org in ("city", None):
        spec, diags = validate_chart(text, "content/x.md", 10, ChartContext(site, derived, org))
        well_formed(diags)
        assert (spec is None) == bool(diags)
        if spec is not None:
            for lang in ("zh", "en"):
                json.dumps(build_options(spec, lang))


def test_the_properties_run_on_the_fixture_site(fixture_site: tuple[Site, Derived]) -> None:
    """The chart strategy reaches valid charts too, not only errors."""
    site, derived = fixture_site
    text = dump(
        {"type": "bar", "title": "t", "x": ["a", "b"], "series": [{"name": "s", "data": [1, 2]}]}
    )
    spec, diags = validate_chart(text, "content/x.md", 1, ChartContext(site, derived, "city"))
    assert spec is not None and not diags
