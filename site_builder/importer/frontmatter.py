"""Front matter proposed from a report's text: title, date, organization, tags, summary. Pure.

Each proposal says where it came from, so the summary and the comments in the written file can
tell a reviewer what to check.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import yaml

from site_builder.importer.document import Block, Kind


@dataclass(frozen=True, slots=True)
class OrgInfo:
    key: str
    names: tuple[str, ...]  # zh name, short name and former names, as the registry has them


@dataclass(frozen=True, slots=True)
class Proposed:
    value: str
    why: str  # for the reviewer: where the value came from


_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PERIOD = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:至|到|—|－|-|~|～)\s*"
    r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_BOOK = re.compile(r"《[^》]*》|“[^”]*”")
_TITLE_WORDS = re.compile(
    r"总结|總結|报告|報告|通报|通報|综述|綜述|情况|情況|汇报|匯報|要点|要點|纪实|紀實"
)


def _date(y: int, m: int, d: int) -> datetime.date | None:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


YEAR_ONLY = ("no date of", "no full date")
"""How ``propose_date``'s reason starts when the text gives a year but no day: the report is
then dated by its year alone (``date: 2024``), never by an invented day."""


def propose_date(
    paragraphs: Sequence[str], published: str | None, year: int | None
) -> tuple[datetime.date, str]:
    """The report's date and why: a publication line; a date line at the end (the document's
    own date); the first date or period the opening paragraph names (a period gives its end);
    else the year the opening names or the latest year the text names, as a year only (the
    date returned is then that year's last day, for ordering; ``YEAR_ONLY`` marks the reason)."""
    candidates: list[tuple[datetime.date, str]] = []
    if published:
        candidates.append(
            (datetime.date.fromisoformat(published), "from the page's publication line")
        )
    for text in paragraphs[-3:]:
        m = _FULL_DATE.fullmatch(text.strip())
        if m:
            d = _date(*(int(g) for g in m.groups()))
            if d:
                candidates.append((d, "from the date line at the end of the document"))
    opening = _BOOK.sub("", paragraphs[0]) if paragraphs else ""
    m = _PERIOD.search(opening)
    if m:
        y1, _m1, _d1, y2, m2, d2 = m.groups()
        end = _date(int(y2 or y1), int(m2), int(d2))
        if end:
            candidates.append(
                (end, f"the end of the period '{m.group()}' in the opening paragraph")
            )
    m = _FULL_DATE.search(opening)
    if m:
        d = _date(*(int(g) for g in m.groups()))
        if d:
            candidates.append((d, f"the date '{m.group()}' in the opening paragraph"))
    for d, why in candidates:
        if year is None or d.year == year:
            return d, why
    if year is not None:
        return datetime.date(year, 12, 31), f"no date of {year} in the text: the year only"
    m = _YEAR.match(opening.strip())
    if m and 1949 <= int(m[1]) <= 2100:
        y = int(m[1])
        return datetime.date(
            y, 12, 31
        ), f"no full date in the text: the year only, {y}, the year it opens with"
    years = [
        int(y)
        for text in paragraphs
        for y in _YEAR.findall(_BOOK.sub("", text))
        if 1949 <= int(y) <= 2100
    ]
    if years:
        # the latest year named, ignoring an obvious slip more than a decade beyond the rest
        years.sort()
        y = years[-1]
        if len(years) > 1 and y - years[-2] > 10:
            y = years[-2]
        return datetime.date(
            y, 12, 31
        ), f"no full date in the text: the year only, {y}, the latest year it names"
    return datetime.date(2000, 1, 1), "no date or year in the text: set the date"


def propose_org(
    text_head: str, text_all: str, orgs: Sequence[OrgInfo], to_hans: Callable[[str], str]
) -> tuple[str | None, str]:
    """The organization whose names the text holds most (the title and opening count double),
    with why; a name the text holds for a place (桐城市 in 桐城市妇联 …) counts too."""
    head, body = to_hans(text_head), to_hans(text_all)
    scores: list[tuple[float, str]] = []
    for org in orgs:
        names = {to_hans(n) for n in org.names if n}
        stems = set()
        for n in names:
            for suffix in ("妇女联合会", "妇联"):
                if n.endswith(suffix) and len(n) > len(suffix) + 1:
                    stems.add(n[: -len(suffix)])
        score = 0.0
        for n in names:
            score += 2 * head.count(n) + body.count(n)
        if "妇联" in body:
            for s in stems - names:
                if len(s) >= 2 and s not in ("中华全国",):
                    score += 0.5 * (head.count(s) + body.count(s))
        if score:
            scores.append((score, org.key))
    if not scores:
        return None, ""
    scores.sort(key=lambda s: (-s[0], s[1]))
    if len(scores) > 1 and scores[1][0] == scores[0][0]:
        return None, f"the text names {scores[0][1]} and {scores[1][1]} as often"
    return scores[0][1], "by the names of organizations the text holds"


def org_did_you_mean(text: str, orgs: Sequence[OrgInfo], to_hans: Callable[[str], str]) -> str:
    """A hint for a text that names no known organization: the closest known name to one the
    text holds, or the keys to pass with --org."""
    hans = to_hans(text)
    found = re.findall(r"[\u4e00-\u9fff]{2,8}(?:妇女联合会|妇联|政协|委员会)", hans)
    by_name = {to_hans(n): o.key for o in orgs for n in o.names if n}
    for name in found:
        name = re.sub(r"^.*?年度?", "", name) or name  # 2018年度市妇联 names 市妇联
        close = difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.5)
        if close:
            return f"the text names '{name}': did you mean --org {by_name[close[0]]} ({close[0]})?"
    keys = ", ".join(sorted(o.key for o in orgs)) or "none are defined"
    return f"pass --org with one of: {keys}"


def propose_tags(text: str, tags: Sequence[str], to_hans: Callable[[str], str]) -> list[str]:
    """The registry's tags that occur in the text, in the registry's order."""
    hans = to_hans(text)
    return [t for t in tags if to_hans(t) in hans]


def title_of(given: str | None, blocks: Sequence[Block]) -> tuple[str | None, str]:
    """The document's title and where it came from: the format's own (Word's Title style, a
    page's ``<title>`` without the site's name after ``_`` or ``|``), else a first line that
    reads as a title (short, no sentence end, a word such as 总结/报告/通报 in it)."""
    if given:
        title = re.split(r"\s*[_|｜]\s*|\s+-\s+", given.strip())[0].strip()
        if title:
            return title, "from the document's own title"
    first = next((b for b in blocks if b.kind is not Kind.IMAGE), None)
    if (
        first is not None
        and first.kind is Kind.LINE
        and len(first.text) <= 60
        and _TITLE_WORDS.search(first.text)
        and not re.search(r"[。；;]", first.text)
        and not first.text.startswith("◎")
    ):
        return first.text.strip(), "from the first line"
    return None, ""


def slug_from_title(title: str) -> str:
    """An ASCII slug from the title's pinyin: the one ``new report`` makes, so an imported
    report and a scaffolded one of the same title get the same file name."""
    from site_builder.scaffold import slug_from_title as scaffold_slug

    return scaffold_slug(title)


def propose_summary(lead: str | None, paragraphs: Sequence[str]) -> tuple[str, str]:
    if lead:
        return lead, "from the lead (导语/内容提要)"
    for text in paragraphs:
        if len(text) >= 30:
            sentences = re.split(r"(?<=[。！？])", text)
            out = ""
            for s in sentences:
                if out and len(out) + len(s) > 160:
                    break
                out += s
            return out.strip(), "the opening of the first paragraph"
    return "", ""


def scalar(value: object) -> str:
    """One YAML scalar on one line (quoted when YAML needs it)."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9)
    return text.removesuffix("\n").removesuffix("\n...").strip()
