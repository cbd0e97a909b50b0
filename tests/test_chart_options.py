"""The chart-options passthrough (issue 16): whatever a block's ``options:`` hold, the check
returns JSON-ready options or reports at the value's path, never raises; what it lets through
has no markup in a tooltip formatter, no link but a relative or http(s) one, and no string that
loads from outside the site. The offline guard reads labels with colons as labels."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.derive.chart_options import check_options, link_ok
from site_builder.gates import LABEL_OPTION_KEYS, is_load_url, string_loads

HOSTILE_STRINGS = [
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    " JaVa\tScRiPt:alert(1)",
    "\x01javascript:alert(1)",
    "//evil.example/x.png",
    "http://evil.example/x.png",
    "https:evil.example/x.png",
    "image://http://evil.example/pin.png",
    "background:url(https://evil.example/b.png)",
    "@import 'https://evil.example/s.css'",
    '<img src="http://other.host/t.png">',
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "Study: collective sessions",
    "Count:items",
    "{b}: {c}",
    "../../index.html",
    "file:///etc/passwd",
]
KEYS = [
    *("tooltip", "formatter", "link", "sublink", "title", "series", "legend", "extraCssText"),
    *("symbol", "image", "backgroundColor", "graphic", "style", "toolbox", "feature"),
    *("dataView", "text", "on", "lang"),
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=12),
    st.dates(),
)
option_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=6), st.booleans(), st.integers()),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=14,
)


def strings_with_keys(
    value: Any, key: str = "", tooltip: bool = False
) -> list[tuple[str, bool, str]]:
    """(key, under a tooltip, string) of every string in ``value``."""
    if isinstance(value, str):
        return [(key, tooltip, value)]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out += strings_with_keys(v, k, tooltip or k == "tooltip")
        return out
    if isinstance(value, list):
        return [x for v in value for x in strings_with_keys(v, key, tooltip)]
    return []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), option_values, max_size=5))
def test_any_options_are_checked_or_reported(raw: dict[Any, Any]) -> None:
    problems: list[tuple[tuple[Any, ...], str]] = []
    checked = check_options(raw, lambda where, message, hint: problems.append((where, message)))
    for where, message in problems:
        assert where[0] == "options" and message
    if problems:
        return  # the chart is not drawn
    json.dumps(checked, allow_nan=False)  # JSON-ready: no date, no NaN, text keys
    for key, tooltip, text in strings_with_keys(checked):
        if key == "formatter" and tooltip:
            assert "<" not in text.replace("<br/>", "") and '"' not in text, text
        if key in ("link", "sublink"):
            assert link_ok(text), text
        else:  # a label's text (names, titles, data, templates) is never fetched as a URL
            assert string_loads(text, as_url=key not in LABEL_OPTION_KEYS) == [], text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"title": {"link": "javascript:alert(1)"}}, "'options.title.link' must be a relative"),
        (
            {"series": [{"tooltip": {"formatter": "<img src=http://e.x/a>"}}]},
            "loads 'http://e.x/a'",
        ),
        ({"toolbox": {"feature": {"dataView": {}}}}, "'options.toolbox.feature.dataView' is not"),
        ({"legend": {"top": datetime.date(2024, 1, 1)}}, "not a date"),
        ({"grid": {"left": float("nan")}}, "must be a finite number, not .nan"),
        ({"legend": {True: 1}}, "was read as a boolean"),
    ],
)
def test_each_kind_of_problem_is_reported_at_its_value(
    options: dict[Any, Any], message: str
) -> None:
    problems: list[str] = []
    check_options(options, lambda where, m, hint: problems.append(m))
    assert len(problems) == 1 and message in problems[0], problems


def test_tooltip_formatters_are_escaped_templates() -> None:
    checked = check_options(
        {"tooltip": {"formatter": "<b>{b}</b>\n{c} & 'x'"}, "legend": {"formatter": "<b>{name}"}},
        lambda *a: pytest.fail(str(a)),
    )
    assert checked["tooltip"]["formatter"] == "&lt;b&gt;{b}&lt;/b&gt;<br/>{c} &amp; &#x27;x&#x27;"
    assert checked["legend"]["formatter"] == "<b>{name}"  # drawn on the canvas, not HTML


@pytest.mark.parametrize(
    ("text", "loads"),
    [
        ("Study: collective sessions", False),
        ("Count:items", False),
        ("mailto:someone", False),
        ("Q1:start", False),
        ("http://other.host/a.png", True),
        ("https:other.host/a.png", True),
        ("//other.host/a.png", True),
        ("image://https://other.host/a.png", True),
        ("image://assets/pin.png", False),
        ("../assets/pin.png", False),
    ],
)
def test_only_urls_are_read_as_urls(text: str, loads: bool) -> None:
    assert is_load_url(text) is loads
