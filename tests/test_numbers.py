"""Tests for site_builder.numbers: how each language writes values, changes and dates."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from site_builder.chinese import HANT, default_converter
from site_builder.numbers import MINUS, format_change, format_date, format_number, format_value

# (value, keyword arguments, expected)
VALUES: list[tuple[int | float, dict[str, Any], str]] = [
    # --- counts, Chinese
    (203, {"lang": "zh", "unit": "次"}, "203次"),
    (70000, {"lang": "zh", "unit": "人次"}, "7万人次"),
    (70000.0, {"lang": "zh", "unit": "人次"}, "7万人次"),
    (10000, {"lang": "zh"}, "1万"),
    (120000, {"lang": "zh", "unit": "人"}, "12万人"),
    (11300, {"lang": "zh", "unit": "册"}, "11300册"),  # not a whole multiple of 10,000
    (11300, {"lang": "zh", "unit": "册", "qualifier": "about"}, "约11300册"),
    (3000, {"lang": "zh", "unit": "场", "qualifier": "more_than"}, "3000余场"),
    (70000, {"lang": "zh", "unit": "人次", "qualifier": "more_than"}, "7万余人次"),
    (250000000, {"lang": "zh"}, "2.5亿"),
    (100000000, {"lang": "zh", "unit": "元", "fmt": "count"}, "1亿元"),
    (123450000, {"lang": "zh"}, "1.2345亿"),  # exact, never rounded away
    (11300, {"lang": "zh", "unit": "册", "scale": "wan"}, "1.13万册"),
    (12345, {"lang": "zh", "scale": "wan"}, "1.23万"),
    (5000, {"lang": "zh", "scale": "wan"}, "0.5万"),
    (250000000, {"lang": "zh", "scale": "wan"}, "25000万"),
    (250000000, {"lang": "zh", "scale": "yi"}, "2.5亿"),
    (70000, {"lang": "zh", "unit": "人次", "scale": "none"}, "70000人次"),
    (1234.5, {"lang": "zh"}, "1234.5"),
    (0.1 + 0.2, {"lang": "zh"}, "0.3"),
    (-0.001, {"lang": "zh"}, "0"),
    (-3, {"lang": "zh", "unit": "项"}, f"{MINUS}3项"),
    (10**15, {"lang": "zh"}, "1000000000000000"),  # beyond 万亿: written out
    # --- counts, English
    (203, {"lang": "en", "unit": "times"}, "203 times"),
    (70000, {"lang": "en", "unit": "person-times"}, "70,000 person-times"),
    (11300, {"lang": "en", "unit": "books", "qualifier": "about"}, "about 11,300 books"),
    (3000, {"lang": "en", "unit": "sessions", "qualifier": "more_than"}, "3,000+ sessions"),
    (0.5, {"lang": "en"}, "0.5"),
    (1234.5, {"lang": "en"}, "1,234.5"),
    (1e20, {"lang": "en"}, "100,000,000,000,000,000,000"),  # no scientific notation
    (250000000, {"lang": "en", "unit": "person-times"}, "250 million person-times"),
    (2500000, {"lang": "en"}, "2.5 million"),
    (1234567, {"lang": "en"}, "1,234,567"),  # not round: written out
    (3000000000, {"lang": "en"}, "3 billion"),
    (250000000, {"lang": "en", "scale": "none"}, "250,000,000"),
    (1, {"lang": "en", "unit": "book|books"}, "1 book"),
    (2, {"lang": "en", "unit": "book|books"}, "2 books"),
    (-1234, {"lang": "en"}, f"{MINUS}1,234"),
    (-0.0, {"lang": "en"}, "0"),
    # --- currency
    (3039200, {"lang": "zh", "fmt": "currency"}, "303.92万元"),
    (500, {"lang": "zh", "fmt": "currency"}, "500元"),
    (11550, {"lang": "zh", "fmt": "currency"}, "1.16万元"),  # half up, from decimal 1.155
    (250000000, {"lang": "zh", "fmt": "currency"}, "2.5亿元"),
    (99999999, {"lang": "zh", "fmt": "currency"}, "1亿元"),  # not "10000万元"
    (3039200, {"lang": "zh", "fmt": "currency", "scale": "none"}, "3039200元"),
    (3039200, {"lang": "zh", "fmt": "currency", "qualifier": "about"}, "约303.92万元"),
    (3000000, {"lang": "zh", "fmt": "currency", "qualifier": "more_than"}, "300万余元"),
    (3039200, {"lang": "zh", "fmt": "currency", "qualifier": "more_than"}, "超过303.92万元"),
    (3039200, {"lang": "en", "fmt": "currency"}, "CNY 3.04 million"),
    (250000000, {"lang": "en", "fmt": "currency"}, "CNY 250 million"),
    (1.2e9, {"lang": "en", "fmt": "currency"}, "CNY 1.2 billion"),
    (5000, {"lang": "en", "fmt": "currency"}, "CNY 5,000"),
    (11550, {"lang": "en", "fmt": "currency"}, "CNY 11,550"),
    (999999999, {"lang": "en", "fmt": "currency"}, "CNY 1 billion"),  # not "1,000 million"
    (3039200, {"lang": "en", "fmt": "currency", "qualifier": "about"}, "about CNY 3.04 million"),
    (
        3039200,
        {"lang": "en", "fmt": "currency", "qualifier": "more_than"},
        "more than CNY 3.04 million",
    ),
    (1000, {"lang": "en", "fmt": "currency", "unit": "USD"}, "USD 1,000"),
    # --- percent
    (12.5, {"lang": "zh", "fmt": "percent"}, "12.5%"),
    (12.5, {"lang": "en", "fmt": "percent"}, "12.5%"),
    (33.333333, {"lang": "en", "fmt": "percent"}, "33.33%"),
    (100, {"lang": "zh", "fmt": "percent", "qualifier": "about"}, "约100%"),
    (95, {"lang": "en", "fmt": "percent", "qualifier": "more_than"}, "more than 95%"),
]


@pytest.mark.parametrize(("value", "kwargs", "expected"), VALUES)
def test_format_value(value: int | float, kwargs: dict[str, Any], expected: str) -> None:
    assert format_value(value, **kwargs) == expected


def test_value_table_is_large() -> None:
    assert len(VALUES) >= 40


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (11300, "zh", "11300"),
        (11300, "en", "11,300"),
        (70000, "zh", "70000"),  # bare numbers are never abbreviated
        (0.1 + 0.2, "en", "0.3"),
        (1 / 3, "zh", "0.33"),
        (2.675, "en", "2.68"),  # decimal half up, not binary 2.67499…
        (-0.004, "en", "0"),
        (-12.5, "en", f"{MINUS}12.5"),
        (1e16, "zh", "10000000000000000"),
    ],
)
def test_format_number(value: float, lang: str, expected: str) -> None:
    assert format_number(value, lang=lang) == expected


@pytest.mark.parametrize(
    ("delta", "percent", "lang", "about", "expected"),
    [
        (12, 6.3, "zh", False, "+12(+6.3%)"),
        (12, 6.3, "en", False, "+12 (+6.3%)"),
        (-3, -1.5, "zh", False, f"{MINUS}3({MINUS}1.5%)"),
        (-3, -1.5, "en", False, f"{MINUS}3 ({MINUS}1.5%)"),
        (12, 6.25, "zh", False, "+12(+6.3%)"),  # 1 decimal, half up
        (12, 6.3, "zh", True, "约+12(+6.3%)"),
        (12, 6.3, "en", True, "about +12 (+6.3%)"),
        (5, None, "zh", False, "+5"),  # previous value 0: no percent
        (5, None, "en", True, "about +5"),
        (0, 0.0, "en", False, "0 (0%)"),
        (-0.001, -0.01, "zh", False, "0(0%)"),  # never −0
        (1500, 12.0, "en", False, "+1,500 (+12%)"),
        (0.1 + 0.2, None, "en", False, "+0.3"),
    ],
)
def test_format_change(
    delta: float, percent: float | None, lang: str, about: bool, expected: str
) -> None:
    assert format_change(delta, percent, lang=lang, about=about) == expected


@pytest.mark.parametrize(
    ("d", "lang", "expected"),
    [
        (datetime.date(2024, 12, 31), "zh", "2024年12月31日"),
        (datetime.date(2024, 12, 31), "en", "31 December 2024"),
        (datetime.date(2018, 1, 5), "zh", "2018年1月5日"),
        (datetime.date(2018, 1, 5), "en", "5 January 2018"),
        (datetime.datetime(2019, 9, 19, 23, 59), "en", "19 September 2019"),
    ],
)
def test_format_date(d: datetime.date, lang: str, expected: str) -> None:
    assert format_date(d, lang=lang) == expected


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("7万余人次", "7萬餘人次"),
        ("约11300册", "約11300冊"),
        ("3000余场", "3000餘場"),
        ("303.92万元", "303.92萬元"),
        ("2.5亿元", "2.5億元"),
        ("超过303.92万元", "超過303.92萬元"),
        ("约+12(+6.3%)", "約+12(+6.3%)"),
        ("2024年12月31日", "2024年12月31日"),
    ],
)
def test_chinese_output_becomes_traditional_by_page_conversion(
    simplified: str, traditional: str
) -> None:
    assert default_converter().convert(simplified, HANT) == traditional


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: format_value(1, lang="fr"), ValueError),
        (lambda: format_value(1, lang="zh", fmt="ratio"), ValueError),
        (lambda: format_value(1, lang="zh", scale="qian"), ValueError),
        (lambda: format_value(1, lang="zh", qualifier="less_than"), ValueError),
        (lambda: format_value(1, lang="zh", fmt="percent", unit="人"), ValueError),
        (lambda: format_value(float("nan"), lang="en"), ValueError),
        (lambda: format_value(float("inf"), lang="en"), ValueError),
        (lambda: format_value(True, lang="en"), TypeError),
        (lambda: format_value("12", lang="en"), TypeError),
        (lambda: format_number(1, lang="zh-Hans"), ValueError),
        (lambda: format_change(1, None, lang="de"), ValueError),
        (lambda: format_date("2024-12-31", lang="en"), TypeError),
    ],
)
def test_bad_arguments(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


NUMBER_SHAPE = re.compile(
    rf"(?:CNY )?{MINUS}?(?:0|[1-9][\d,]*)(?:\.\d*[1-9])?(?:[万亿]| million| billion)?[%元]?"
)


@pytest.mark.parametrize("value", [0.1 * 3, 1e-7, 123456789.123, 2**60, -1e-9, 5e15 + 0.5, 1e300])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["count", "currency", "percent"])
def test_never_scientific_notation_nor_negative_zero(value: float, lang: str, fmt: str) -> None:
    text = format_value(value, lang=lang, fmt=fmt)
    assert NUMBER_SHAPE.fullmatch(text), text
    assert not re.match(rf"(?:CNY )?{MINUS}0(?![.\d])", text), text
    assert len(text) < 450  # 1e300 written out in full, with separators
