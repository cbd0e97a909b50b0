"""Figures of work done, found in a report's text and proposed as metrics for review. Pure.

A figure is a number (Arabic or Chinese, with 万/亿 scaling) followed by a unit of count or
money (次, 场, 人次, 项, 元 …) or a percent sign, with its qualifier (余/多/以上 -> more_than,
约/近 -> about). What these reports also write with numbers and an editor never records is left
out, each by a rule named below: dates and durations (年, 月, 日, 天), ordinals (第一, 十九大,
十九届三次全会, 一是), document numbers (〔2017〕47号), counts inside quotation marks, book
titles and fixed slogans (“两个维护”, 三会一课, “1+5+2”), categories (6个方面, 五个步骤) and norms
(每月至少2次, 每人2名).

Long: one exclusion rule per kind of number that is no figure, each beside the patterns it
shares with the others; they run as one pass over the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from site_builder.importer.numerals import (
    INFIX_QUALIFIERS,
    NUMBER_RE,
    PREFIX_QUALIFIERS,
    SUFFIX_QUALIFIERS,
    arabic_value,
    as_number,
    chinese_value,
)

# Units of count and money, Simplified and Traditional, longest first so 人次 wins over 人.
_UNITS_HANS = [
    "人次",
    "场次",
    "批次",
    "万元",
    "亿元",
    "元",
    "次",
    "场",
    "人",
    "名",
    "位",
    "个",
    "项",
    "条",
    "种",
    "册",
    "本",
    "篇",
    "批",
    "期",
    "家",
    "所",
    "户",
    "件",
    "份",
    "处",
    "支",
    "座",
    "台",
    "辆",
    "套",
    "部",
    "堂",
    "节",
    "门",
    "首",
    "幅",
    "册次",
    "课时",
    "学时",
    "户次",
    "件次",
]
_HANT = str.maketrans("场万亿个项条种册户处辆门节", "場萬億個項條種冊戶處輛門節")
UNITS: dict[str, str] = {}  # as written -> Simplified
for _u in _UNITS_HANS:
    UNITS[_u] = _u
    UNITS[_u.translate(_HANT)] = _u
_UNIT_RE = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))

_FIGURE_RE = re.compile(
    r"(?P<pre>大约|大約|超过|超過|约|約|近|逾)?"
    + f"(?:{NUMBER_RE.pattern})"
    + rf"(?P<infix>[余餘多])?(?P<unit>{_UNIT_RE}|[%％])(?P<suffix>以上|多)?"
)
_PERCENT_CN_RE = re.compile(r"百分之(?P<num>[零〇一二两兩三四五六七八九十百点點]+)")

# Fixed expressions that hold a numeral and a unit but count nothing (Simplified; matched on
# the Simplified form of the text). Quoted ones are caught by the quotation rule anyway.
SLOGANS = [
    "八项规定",
    "三会一课",
    "两学一做",
    "四个意识",
    "四个自信",
    "两个维护",
    "两个确立",
    "四风",
    "三重一大",
    "两个责任",
    "一岗双责",
    "三严三实",
    "四下基层",
    "两个务必",
    "三个代表",
    "五位一体",
    "四个全面",
    "两个一百年",
    "三大攻坚战",
    "两个大局",
]

# Text right after the unit that makes the figure a category, a duration or an ordinal.
_NOT_A_COUNT_AFTER = [
    "方面",
    "步骤",
    "步驟",
    "环节",
    "環節",
    "阶段",
    "階段",
    "层面",
    "層面",
    "维度",
    "維度",
    "方向",
    "月",
    "小时",
    "小時",
    "星期",
    "年",
    "全会",
    "全會",
    "中全会",
    "中全會",
    "届",
    "屆",
    "大类",
    "大類",
    "类",
    "類",
]
# Text before the number, in its clause, that makes it a norm rather than a count.
_NORM_BEFORE = re.compile(
    r"每月|每周|每週|每年|每季|每人|每天|每次|至少|不少于|不少於|不低于|不低於|不超过|不超過|每个|每個"
)
_ORDINAL_BEFORE = "第届屆"
_FORMULA_CHARS = "+＋˙·•/／-—–:：．"
_CLAUSE_BREAK = "，,；;。！!？?：:\n"
_SENTENCE_END = "。！!？?；;\n"
_QUOTES_OPEN = {
    "“": "”",
    "「": "」",
    "『": "』",
    "《": "》",
    "〔": "〕",
    "［": "］",
    "[": "]",
    "‘": "’",
}
_QUOTE_CLOSERS = set(_QUOTES_OPEN.values())


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as found: where it is, what it says, and the sentence for a reviewer."""

    value: int | float
    qualifier: str | None  # "more_than", "about" or None
    unit: str  # Simplified: 次, 人次, 元, % …
    line: int  # the line of the paragraph that holds it (numbering given by the caller)
    start: int  # offset in that paragraph's text
    end: int
    sentence: str  # the sentence it came from, as written
    before: str  # its clause before the number (for labels and key matching)
    after: str  # its clause after the unit
    raw: str  # the figure as written: 3000余场
    at: int = 0  # where ``raw`` starts in ``sentence``


def _shielded(text: str) -> list[bool]:
    """Marks characters inside quotation marks, book-title marks and brackets.

    A closing mark with nothing open (``做到”两个维护”``, a common typing slip) opens a span,
    so the next one closes it."""
    mask = [False] * len(text)
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == stack[-1][0]:
            _, start = stack.pop()
            for j in range(start, i + 1):
                mask[j] = True
        elif ch in _QUOTES_OPEN:
            stack.append((_QUOTES_OPEN[ch], i))
        elif ch in _QUOTE_CLOSERS and not stack:
            stack.append((ch, i))
        elif ch == '"':
            stack.append(('"', i))
    # an unclosed mark shields nothing: it was most likely a stray
    return mask


def _slogan_mask(text: str, to_hans: Callable[[str], str]) -> list[bool]:
    mask = [False] * len(text)
    hans = to_hans(text)
    if len(hans) != len(text):  # phrase conversion changed the length: match per script
        hans = text
    for slogan in SLOGANS:
        for m in re.finditer(re.escape(slogan), hans):
            for j in range(m.start(), m.end()):
                mask[j] = True
    return mask


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = start
    while left > 0 and text[left - 1] not in _CLAUSE_BREAK:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _CLAUSE_BREAK:
        right += 1
    return left, right


def _sentence(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence around ``text[start:end]`` and where ``start`` falls in it."""
    left = start
    while left > 0 and text[left - 1] not in _SENTENCE_END:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _SENTENCE_END:
        right += 1
    if right < len(text) and text[right] in "。！!？?":
        right += 1
    raw = text[left:right]
    stripped = raw.lstrip()
    return stripped.rstrip(), start - left - (len(raw) - len(stripped))


def _value(m: re.Match[str]) -> Decimal | None:
    if m["arabic"]:
        return arabic_value(m["arabic"], m["scale"] or "")
    numeral = m["chinese"]
    # 一 alone reads "a/one" (一批, 一次): real counts of one are written 1
    if numeral in ("一", "二") or len(numeral) > 12:
        return None
    return chinese_value(numeral)


def find_figures(
    paragraphs: Iterable[tuple[int, str]], to_hans: Callable[[str], str]
) -> list[Figure]:
    """Every figure of work done in the paragraphs ``(line, text)``, in order, each once.

    A figure repeated word for word (a lead paragraph that a later section repeats) is kept at
    its first place only."""
    out: list[Figure] = []
    seen: set[tuple[object, ...]] = set()
    for line, text in paragraphs:
        matches = list(_FIGURE_RE.finditer(text))
        if not matches and "百分之" not in text:
            continue
        shield = _shielded(text)
        slogans = _slogan_mask(text, to_hans) if matches else []
        for m in matches:
            num_start = m.start("arabic") if m["arabic"] else m.start("chinese")
            unit_end = m.end("unit")
            if any(shield[num_start:unit_end]) or any(slogans[num_start:unit_end]):
                continue
            before_char = text[num_start - 1] if num_start > 0 else ""
            if before_char in _ORDINAL_BEFORE or before_char in _FORMULA_CHARS:
                continue
            if m["arabic"] and before_char.isdigit():
                continue
            after_all = text[m.end() :]
            if after_all[:1] in _FORMULA_CHARS and after_all[1:2].isdigit():
                continue
            if m["unit"] in "%％":
                unit = "%"
            else:
                unit = UNITS[m["unit"]]
                if any(after_all.startswith(w) for w in _NOT_A_COUNT_AFTER):
                    continue
                if m["chinese"] and after_all[:1] == "是":
                    continue
            left, right = _clause_bounds(text, m.start(), m.end())
            before = text[left : m.start()]
            if _NORM_BEFORE.search(before):
                continue
            value = _value(m)
            if value is None or value <= 0:
                continue
            if unit in ("万元", "亿元"):
                value *= 10_000 if unit == "万元" else 100_000_000
                unit = "元"
            qualifier = None
            for table, part in (
                (PREFIX_QUALIFIERS, m["pre"]),
                (INFIX_QUALIFIERS, m["infix"]),
                (SUFFIX_QUALIFIERS, m["suffix"]),
            ):
                if part:
                    qualifier = table[part]
            sentence, at = _sentence(text, m.start(), m.end())
            fig = Figure(
                as_number(value),
                qualifier,
                unit,
                line,
                m.start(),
                m.end(),
                sentence,
                before,
                text[m.end() : right],
                m.group(),
                at,
            )
            ident = (fig.value, fig.qualifier, fig.unit, sentence, before)
            if ident in seen:
                continue
            seen.add(ident)
            out.append(fig)
        for m in _PERCENT_CN_RE.finditer(text):
            if any(shield[m.start() : m.end()]):
                continue
            cn = chinese_value(m["num"].replace("点", "").replace("點", ""))
            if cn is None or "点" in m["num"] or "點" in m["num"]:
                continue
            sentence, at = _sentence(text, m.start(), m.end())
            left, right = _clause_bounds(text, m.start(), m.end())
            ident = (as_number(cn), None, "%", sentence, text[left : m.start()])
            if ident not in seen:
                seen.add(ident)
                out.append(
                    Figure(
                        as_number(cn),
                        None,
                        "%",
                        line,
                        m.start(),
                        m.end(),
                        sentence,
                        text[left : m.start()],
                        text[m.end() : right],
                        m.group(),
                        at,
                    )
                )
    out.sort(key=lambda f: (f.line, f.start))
    return out


# --- matching figures to the metric registry ---------------------------------------------------

_SAME_UNIT = ({"人", "名", "位"}, {"次", "场次"}, {"元"})


@dataclass(frozen=True, slots=True)
class KnownMetric:
    """What the importer needs of a registry entry: its key, zh label and zh unit (Simplified)."""

    key: str
    label: str
    unit: str
    additive: bool = True


@dataclass(frozen=True, slots=True)
class Proposal:
    """A figure with the key it is proposed under: a known key, or a new one to define."""

    figure: Figure
    key: str
    known: bool
    label: str  # the known metric's label, or the proposed label of a new one
    score: float  # how much of the known label the sentence holds (0 for a new key)


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u3400-\u9fff]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _units_fit(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _SAME_UNIT)


def _score(fig: Figure, metric: KnownMetric, to_hans: Callable[[str], str]) -> float:
    label = _bigrams(to_hans(metric.label))
    if not label:
        return 0.0
    # the number itself removed and its unit kept, so 书籍40余种 reads 书籍种 (发放书籍种类)
    clause = _bigrams(to_hans(fig.before + fig.unit + fig.after))
    raw_at = fig.at
    sentence = fig.sentence[:raw_at] + fig.unit + fig.sentence[raw_at + len(fig.raw) :]
    whole = _bigrams(to_hans(sentence))
    return (2 * len(label & clause) + len(label & whole)) / (3 * len(label))


# the work words that open a clause and name no metric (stripped from proposed labels)
_LEAD_WORDS = re.compile(
    r"^(?:全市|全区|全县|全年|今年以来|目前|先后|累计|累計|共计|共計|共有|共|已经|已經|已|先後|"
    r"开展|開展|组织|組織|召开|召開|举办|舉辦|完成|发放|發放|深入|推荐|推薦|报送|報送|评定|評定|"
    r"派出|发布|發布|提出|制定|修订|修訂|实施|實施|为|為|对|對|在|有)+"
)
_LABEL_STOP = re.compile(r"[，,、；;。：:（()）“”\"《》\s的等\d]")


_VERBS = "听聽入获獲作参參开開进進实實提完被受得在对對向为為与與和及并並已将將由从從到"


def _noun_after(text: str) -> str:
    """The noun a measure word counts: what follows it, up to a delimiter or a verb."""
    run = _LABEL_STOP.split(re.sub(r"^(?:以上|多)", "", text), maxsplit=1)[0]
    for i, ch in enumerate(run):
        if ch in _VERBS and i > 0:
            return run[:i][:8]
    return run[:8]


def proposed_label(fig: Figure) -> str:
    """A zh label for a figure no key fits: the noun after a measure word (8个区 -> 区), else
    the clause before the number without its opening work words (召开党组会3次 -> 党组会).
    A figure another one follows (4批次8名干部) is labelled by that one's noun (干部批次)."""
    chain = re.match(r"^(?:\d+(?:\.\d+)?[^\d，,、；;。]{1,2}?)+(?=[^\d])", fig.after)
    if chain and fig.after[:1].isdigit():
        rest = fig.after[chain.end() :]
        noun = _noun_after(rest)
        if noun:
            return noun + fig.unit
    after = _noun_after(fig.after)
    if after and fig.unit not in ("次", "场", "人次", "元", "%"):
        return after
    before = re.split(r"[，,、；;。：:（()）“”\"《》\s]", fig.before)[-1]
    before = before.rsplit("等", 1)[0] if before.endswith("等") else before
    trimmed = _LEAD_WORDS.sub("", before)
    return (trimmed or before or after or fig.unit)[-10:]


def new_key(label: str, taken: set[str]) -> str:
    """An ASCII metric key from a zh label by its pinyin, unique among ``taken``."""
    from pypinyin import lazy_pinyin

    words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in lazy_pinyin(label)]
    base = "_".join(w for w in words if w)[:40].strip("_") or "figure"
    if not base[0].isalpha():
        base = "m_" + base
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def match_keys(
    figures: Sequence[Figure],
    metrics: Sequence[KnownMetric],
    to_hans: Callable[[str], str],
    threshold: float = 0.4,
) -> list[Proposal]:
    """Each figure under the registry key whose label its clause holds best, with a fitting
    unit; a report lists a key once, so a key goes to its best figure and the others get new
    keys. Ties go to the earlier figure and the key first in the registry."""
    pairs: list[tuple[float, int, int]] = []
    for i, fig in enumerate(figures):
        for j, metric in enumerate(metrics):
            if not _units_fit(fig.unit, to_hans(metric.unit)):
                continue
            score = _score(fig, metric, to_hans)
            if score >= threshold:
                pairs.append((score, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    chosen: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for score, i, j in pairs:
        if i in chosen or j in used:
            continue
        chosen[i] = (j, score)
        used.add(j)
    taken = {m.key for m in metrics}
    out: list[Proposal] = []
    for i, fig in enumerate(figures):
        if i in chosen:
            j, score = chosen[i]
            m = metrics[j]
            out.append(Proposal(fig, m.key, True, m.label, round(score, 3)))
        else:
            label = proposed_label(fig)
            out.append(Proposal(fig, new_key(to_hans(label), taken), False, label, 0.0))
    return out
