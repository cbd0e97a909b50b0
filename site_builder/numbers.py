"""Numbers, amounts, changes and dates written the way each language writes them.

``lang`` is ``"zh"`` or ``"en"``. Chinese output is written in Simplified characters (万, 亿,
约, 余, 超过); a zh-Hant page gets 萬, 億, 約, 餘, 超過 from the page conversion
(:mod:`site_builder.chinese`), like all other text of the page. Digits, signs and 年月日 are the
same in both scripts.

All arithmetic is decimal: a float is read through its shortest representation
(``0.1 + 0.2`` is shown as ``0.3``), results are rounded half up, and neither scientific notation
nor a negative zero is ever produced. Negative numbers use the minus sign U+2212 (``−3``).

=========  ====================================  ==========================================
fmt        zh                                    en
=========  ====================================  ==========================================
count      ``203次``, ``7万人次``, ``约11300册``,  ``203 times``, ``70,000 person-times``,
           ``3000余场``, ``2.5亿``                 ``about 11,300 books``, ``3,000+ sessions``
currency   ``500元``, ``303.92万元``, ``2.5亿元``   ``CNY 5,000``, ``CNY 3.04 million``,
                                                 ``CNY 1.2 billion``
percent    ``12.5%``                             ``12.5%``
=========  ====================================  ==========================================
"""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from site_builder.messages import N_

__all__ = [
    "FORMATS",
    "LANGS",
    "QUALIFIERS",
    "SCALES",
    "format_change",
    "format_date",
    "format_number",
    "format_value",
]

LANGS = ("zh", "en")
FORMATS = ("count", "currency", "percent")
SCALES = ("auto", "wan", "yi", "none")
QUALIFIERS = ("about", "more_than")

MINUS = "\u2212"

_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
_MILLION = Decimal(1_000_000)
_BILLION = Decimal(1_000_000_000)
# Beyond this (万亿 / trillion) numbers are written out in full rather than in a bigger unit.
_TOO_BIG = Decimal(1_000_000_000_000)

# Decimal places shown at most: values as written in reports, amounts after scaling, and the
# mantissa of a count shown exactly in 万/亿 (an integer multiple of 10,000 has at most 4).
_PLACES = 2
_EXACT_PLACES = 4
_CHANGE_PERCENT_PLACES = 1

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Wide enough for any float (up to ~1.8e308) at the precision shown.
_CONTEXT = Context(prec=400, rounding=ROUND_HALF_UP)

# The largest figure a metric or chart value may have: 10^15 (a thousand trillion) is more than
# any budget or count of a report, and below what a browser's numbers hold exactly (2^53); a
# value with hundreds of digits is a typo (it made the decimal formatting raise).
MAX_VALUE = 10**15


def value_problem(value: float) -> str | None:
    """What is wrong with a figure as a number, in words ("not finite", "too large"), or None:
    English, marked for translation where a message shows it."""
    if value != value or value in (float("inf"), float("-inf")):
        return N_("must be a finite number")
    if abs(value) >= MAX_VALUE:
        return N_("is too large (the limit is 10^15; check the digits)")
    return None


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}; expected one of {', '.join(LANGS)}")


def _decimal(value: int | float) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected an int or float, got {type(value).__name__}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot format {value!r}")
        # repr() is the shortest string that reads back as the same float: 0.1 + 0.2 is
        # 0.30000000000000004, which rounds to 0.3 below instead of keeping binary noise.
        return Decimal(repr(value))
    return Decimal(value)


def _plain(number: Decimal, places: int, *, group: bool) -> str:
    """`number` rounded to at most `places` decimals, trailing zeros dropped, no sign for 0."""
    with localcontext(_CONTEXT):
        rounded = number.quantize(Decimal(1).scaleb(-places))
        if rounded == 0:
            rounded = abs(rounded)
        text = format(rounded, ",f" if group else "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-"):
        text = MINUS + text[1:]
    return text


def _rounds_to(number: Decimal, places: int) -> Decimal:
    with localcontext(_CONTEXT):
        return number.quantize(Decimal(1).scaleb(-places))


def _is_whole_multiple(number: Decimal, unit: Decimal) -> bool:
    with localcontext(_CONTEXT):
        return number != 0 and number % unit == 0


def _zh_scaled(number: Decimal, fmt: str, scale: str) -> tuple[Decimal, str, int]:
    """(mantissa, 万/亿/"", decimal places) for a Chinese count or amount."""
    magnitude = abs(number)
    if scale == "none" or (scale == "auto" and magnitude >= _TOO_BIG):
        return number, "", _PLACES
    if scale == "wan":
        return number / _WAN, "万", _PLACES
    if scale == "yi":
        return number / _YI, "亿", _PLACES
    if fmt == "currency":
        # Amounts always read in 万/亿 from 10,000 up; a mantissa that rounds up to 10000万
        # is written as 1亿.
        if magnitude >= _YI or abs(_rounds_to(number / _WAN, _PLACES)) >= _WAN:
            return number / _YI, "亿", _PLACES
        if magnitude >= _WAN:
            return number / _WAN, "万", _PLACES
        return number, "", _PLACES
    # Counts: only round numbers are abbreviated, and exactly (70000 -> 7万, 11300 stays).
    if magnitude >= _YI and _is_whole_multiple(number, _WAN):
        return number / _YI, "亿", _EXACT_PLACES
    if magnitude >= _WAN and _is_whole_multiple(number, _WAN):
        return number / _WAN, "万", _EXACT_PLACES
    return number, "", _PLACES


def _en_scaled(number: Decimal, fmt: str, scale: str) -> tuple[Decimal, str, int]:
    """(mantissa, " million"/" billion"/"", decimal places) for an English count or amount."""
    magnitude = abs(number)
    if scale == "none" or magnitude >= _TOO_BIG:
        return number, "", _PLACES
    if fmt == "currency":
        if magnitude >= _BILLION or abs(_rounds_to(number / _MILLION, _PLACES)) >= 1000:
            return number / _BILLION, " billion", _PLACES
        if magnitude >= _MILLION:
            return number / _MILLION, " million", _PLACES
        return number, "", _PLACES
    # Counts: like Chinese, only round numbers are abbreviated (250,000,000 -> 250 million).
    if magnitude >= _BILLION and _is_whole_multiple(number, _MILLION * 10):
        return number / _BILLION, " billion", _EXACT_PLACES
    if magnitude >= _MILLION and _is_whole_multiple(number, _WAN):
        return number / _MILLION, " million", _EXACT_PLACES
    return number, "", _PLACES


def _en_unit(unit: str, mantissa: Decimal, scaled: bool) -> str:
    """``"book|books"`` picks the singular for exactly 1; any other unit is used as given."""
    if "|" not in unit:
        return unit
    singular, _, plural = unit.partition("|")
    return singular if mantissa == 1 and not scaled else plural


def format_value(
    value: int | float,
    *,
    lang: str,
    unit: str = "",
    fmt: str = "count",
    scale: str = "auto",
    qualifier: str | None = None,
) -> str:
    """A metric value with its unit, e.g. ``7万人次`` / ``70,000 person-times``.

    `unit` is in the language of `lang` (zh ``人次``, en ``person-times``; an English unit may
    be ``"singular|plural"``). For ``currency`` it defaults to 元 / CNY. `scale` applies to
    Chinese: ``auto`` writes whole multiples of 10,000 as 万 and of 100,000,000 as 亿 (amounts
    always from 10,000 up, to 2 decimals), ``wan``/``yi`` force that unit (to 2 decimals),
    ``none`` never abbreviates. English has no 万: it abbreviates round counts and all amounts
    from a million up (``million``/``billion``) unless `scale` is ``none``.
    `qualifier` is ``about`` (约 / about) or ``more_than`` (余 / ``+``, ``more than`` for amounts).
    """
    _check_lang(lang)
    if fmt not in FORMATS:
        raise ValueError(f"unknown fmt {fmt!r}; expected one of {', '.join(FORMATS)}")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise ValueError(
            f"unknown qualifier {qualifier!r}; expected one of {', '.join(QUALIFIERS)} or None"
        )
    number = _decimal(value)

    if fmt == "percent":
        if unit not in ("", "%"):
            raise ValueError(f"a percent value takes no unit, got {unit!r}")
        text = _plain(number, _PLACES, group=lang == "en") + "%"
        if qualifier == "about":
            return ("约" if lang == "zh" else "about ") + text
        if qualifier == "more_than":
            return ("超过" if lang == "zh" else "more than ") + text
        return text

    if lang == "zh":
        mantissa, suffix, places = _zh_scaled(number, fmt, scale)
        digits = _plain(mantissa, places, group=False)
        unit_text = unit or ("元" if fmt == "currency" else "")
        if qualifier == "about":
            return f"约{digits}{suffix}{unit_text}"
        if qualifier == "more_than":
            # 余 follows a whole number (3000余场, 7万余人次); after decimals it would read
            # oddly (303.92万余元), so those say 超过 instead.
            if "." in digits:
                return f"超过{digits}{suffix}{unit_text}"
            return f"{digits}{suffix}余{unit_text}"
        return f"{digits}{suffix}{unit_text}"

    mantissa, suffix, places = _en_scaled(number, fmt, scale)
    digits = _plain(mantissa, places, group=True)
    if fmt == "currency":
        text = f"{unit or 'CNY'} {digits}{suffix}"
        if qualifier == "about":
            return f"about {text}"
        if qualifier == "more_than":
            return f"more than {text}"
        return text
    if qualifier == "more_than":
        digits += "+"
    unit_text = _en_unit(unit, _rounds_to(mantissa, places), bool(suffix))
    text = f"{digits}{suffix} {unit_text}" if unit_text else f"{digits}{suffix}"
    return f"about {text}" if qualifier == "about" else text


def format_number(value: int | float, *, lang: str) -> str:
    """A bare number for tables and axis labels: zh ``11300``, en ``11,300``; 2 decimals at most."""
    _check_lang(lang)
    return _plain(_decimal(value), _PLACES, group=lang == "en")


def _signed(text: str) -> str:
    if text == "0" or text.startswith(MINUS):
        return text
    return "+" + text


def format_change(delta: float, percent: float | None, *, lang: str, about: bool = False) -> str:
    """A change on the previous value: ``+12(+6.3%)`` (zh), ``+12 (+6.3%)`` (en), ``−3``.

    `percent` is None when there is no meaningful ratio (the previous value was 0); it is
    shown to 1 decimal. `about` prefixes 约 / ``about``.
    """
    _check_lang(lang)
    text = _signed(_plain(_decimal(delta), _PLACES, group=lang == "en"))
    if percent is not None:
        pct = _signed(_plain(_decimal(percent), _CHANGE_PERCENT_PLACES, group=lang == "en"))
        text += f"({pct}%)" if lang == "zh" else f" ({pct}%)"
    if about:
        return f"约{text}" if lang == "zh" else f"about {text}"
    return text


def format_date(d: datetime.date, *, lang: str) -> str:
    """zh ``2024年12月31日``, en ``31 December 2024``."""
    _check_lang(lang)
    if not isinstance(d, datetime.date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}")
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def format_doc_date(kind: str, start: datetime.date, end: datetime.date, *, lang: str) -> str:
    """A document's date as it has it: a day (``format_date``), a year only (zh ``2019年``,
    en ``2019``), or a period (zh ``2018年9月19日至10月25日``, en
    ``19 September – 25 October 2018``); the end repeats only what differs."""
    _check_lang(lang)
    if kind == "year":
        return f"{start.year}年" if lang == "zh" else str(start.year)
    if kind != "period" or start == end:
        return format_date(start, lang=lang)
    if lang == "zh":
        if start.year != end.year:
            tail = f"{end.year}年{end.month}月{end.day}日"
        elif start.month != end.month:
            tail = f"{end.month}月{end.day}日"
        else:
            tail = f"{end.day}日"
        return f"{format_date(start, lang=lang)}至{tail}"
    if start.year != end.year:
        return f"{format_date(start, lang=lang)} – {format_date(end, lang=lang)}"
    if start.month != end.month:
        head = f"{start.day} {_EN_MONTHS[start.month - 1]}"
        return f"{head} – {format_date(end, lang=lang)}"
    return f"{start.day}–{format_date(end, lang=lang)}"
