"""Numbers as these reports write them: Arabic and Chinese numerals, 万/亿 scaling, qualifiers.

cn2an converts a bare Chinese numeral (一千二百 -> 1200, 两千万 -> 20000000); it leaves
``3.2万`` alone and, given a whole phrase, drops the unit of ``两千万元``. So this module finds
the pieces itself (qualifier, numeral, scale, unit) and hands cn2an only the numeral. Pure.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

CN_NUMERAL_CHARS = "零〇一二两兩三四五六七八九十百千万萬亿億"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"

SCALES = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "千": 1000}

# qualifiers, as the project's metric entries name them
MORE_THAN = "more_than"
ABOUT = "about"
PREFIX_QUALIFIERS = {
    "约": ABOUT,
    "約": ABOUT,
    "大约": ABOUT,
    "大約": ABOUT,
    "近": ABOUT,
    "超过": MORE_THAN,
    "超過": MORE_THAN,
    "逾": MORE_THAN,
}
INFIX_QUALIFIERS = {"余": MORE_THAN, "餘": MORE_THAN, "多": MORE_THAN}
SUFFIX_QUALIFIERS = {"以上": MORE_THAN, "多": MORE_THAN}


def chinese_value(numeral: str) -> Decimal | None:
    """The value of a Chinese numeral such as 二十三, 一千二百, 两千万 or 百; None if not one."""
    if not numeral or any(c not in CN_NUMERAL_CHARS for c in numeral):
        return None
    text = numeral.replace("兩", "两").replace("萬", "万").replace("億", "亿").replace("〇", "零")
    if text[0] in "十百千万亿":
        text = "一" + text  # cn2an wants 一百 for 百 (十 it takes either way)
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def arabic_value(digits: str, scale: str = "") -> Decimal | None:
    """``303.92`` with scale ``万`` -> 3039200; thousands separators are allowed."""
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None
    return value * SCALES[scale] if scale else value


def as_number(value: Decimal) -> int | float:
    """A plain number for YAML and JSON: an int when whole."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


NUMBER_RE = re.compile(
    rf"(?P<arabic>{ARABIC})(?P<scale>[万萬亿億千]?)|(?P<chinese>[{CN_NUMERAL_CHARS}]+)"
)
