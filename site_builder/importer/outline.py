"""Structure from a document's own outline: headings from typed numbering, lists, tables. Pure.

Government documents type their numbering by hand: 一、 / （一） / 1. 1、 1． / （1） / ① /
第一章 第一节, and short standalone title lines. Each kind of numbering gets a heading level by
order of first appearance (the first kind seen is ``##``, the next ``###`` …), the same level
for the same kind throughout a document. A numbered line is a heading only when it reads as one
(short, no sentence end inside); otherwise it stays a paragraph. ``◎ …`` lines are highlights:
list items, with the short title line above them as their bold lead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from site_builder.importer.document import Block, Kind

_CN = "一二三四五六七八九十百零〇"
NUMBERING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"^第[{_CN}\d]+章\s*")),
    ("section", re.compile(rf"^第[{_CN}\d]+节\s*|^第[{_CN}\d]+節\s*")),
    ("cn", re.compile(rf"^[{_CN}]+\s*、\s*")),
    ("cn_paren", re.compile(rf"^[（(]\s*[{_CN}]+\s*[）)]\s*")),
    ("num_paren", re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*")),
    ("num", re.compile(r"^\d{1,2}\s*[、．.](?!\d)\s*")),
    ("circled", re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
)
HEADING_MAX = 40  # characters: a numbered line longer than this is a numbered paragraph
TITLE_MAX = 30  # a short standalone title line
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_ENDS_LIKE_TEXT = re.compile(r"[。！？!?；;：:，,、…”\"）)]$")
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*$")
_BULLET = re.compile(r"^(?:[•·●○▪■◆◇▶►\-*+]|\u25a1)\s+")
_HIGHLIGHT = re.compile(r"^[◎]\s*")
_TABLE_SPLIT = re.compile(r"\t+|\s*[|｜]\s*")


def numbering_of(text: str) -> tuple[str, str]:
    """The numbering kind of a line and the numbering as typed, or ("", "")."""
    for kind, pattern in NUMBERING:
        m = pattern.match(text)
        if m:
            return kind, m.group()
    return "", ""


def looks_like_heading(text: str) -> bool:
    """A numbered line that reads as a heading: short, and no sentence ends inside it."""
    kind, prefix = numbering_of(text)
    if not kind:
        return False
    rest = text[len(prefix) :].strip()
    if not rest or len(text) > HEADING_MAX:
        return False
    return not _SENTENCE_END.search(rest.removesuffix("。"))


def _is_title_line(text: str) -> bool:
    t = text.strip()
    if not 4 <= len(t) <= TITLE_MAX or _ENDS_LIKE_TEXT.search(t) or _DATE_LINE.match(t):
        return False
    if t[0] in '“"《（(【[' or numbering_of(t)[0]:
        return False
    cjk = sum(1 for c in t if "\u3400" <= c <= "\u9fff")
    return cjk >= len(t) * 0.6


def _is_body_text(block: Block) -> bool:
    """A block that reads as running text (what follows a title line)."""
    return block.kind is Kind.LINE and (
        len(block.text) > TITLE_MAX or bool(_SENTENCE_END.search(block.text))
    )


def _table_rows(lines: Sequence[str]) -> tuple[tuple[str, ...], ...] | None:
    rows = []
    for line in lines:
        cells = [c.strip() for c in _TABLE_SPLIT.split(line.strip().strip("|｜"))]
        rows.append(tuple(cells))
    widths = {len(r) for r in rows}
    if len(rows) < 2 or len(widths) != 1 or widths.pop() < 2:
        return None
    return tuple(rows)


def _tabular(text: str) -> bool:
    return "\t" in text.strip() or text.strip().count("|") >= 2


def _tidy_numbering(text: str) -> str:
    """``2、 党内…`` -> ``2、党内…``: the space some typists put after the numbering."""
    kind, prefix = numbering_of(text)
    return prefix.rstrip() + text[len(prefix) :] if kind and prefix != prefix.rstrip() else text


def structure(blocks: Sequence[Block]) -> list[Block]:
    """Lines into paragraphs, headings, lists and tables; other blocks pass through.

    A LINE carrying a level (from a Word heading style) is a heading at that level, and its
    numbering kind is tied to that level for the rest of the document."""
    levels: dict[str, int] = {}
    styled = [b.level for b in blocks if b.kind is Kind.LINE and b.level]
    next_level = max(styled, default=1) + 1 if styled else 2
    out: list[Block] = []
    i = 0
    n = len(blocks)

    def level_for(kind: str) -> int:
        nonlocal next_level
        if kind not in levels:
            levels[kind] = min(next_level, 6)
            next_level += 1
        return levels[kind]

    while i < n:
        b = blocks[i]
        if b.kind is not Kind.LINE:
            out.append(b)
            i += 1
            continue
        text = _tidy_numbering(b.text.strip())
        if b.level:  # a Word heading style
            kind = numbering_of(text)[0] or "style"
            levels.setdefault(kind, b.level)
            out.append(Block(Kind.HEADING, text, b.level, kind))
            i += 1
            continue
        if _tabular(text):
            j = i
            while j < n and blocks[j].kind is Kind.LINE and _tabular(blocks[j].text):
                j += 1
            rows = _table_rows([blk.text for blk in blocks[i:j]])
            if rows is not None:
                out.append(Block(Kind.TABLE, rows=rows))
                i = j
                continue
        m = _HIGHLIGHT.match(text)
        if m:
            out.append(Block(Kind.ITEM, text[m.end() :].strip()))
            i += 1
            continue
        m = _BULLET.match(text)
        if m:
            out.append(Block(Kind.ITEM, text[m.end() :].strip()))
            i += 1
            continue
        nxt = blocks[i + 1] if i + 1 < n else None
        if _is_title_line(text) and nxt is not None and nxt.kind is Kind.LINE:
            if _HIGHLIGHT.match(nxt.text.strip()):
                lead_text = _HIGHLIGHT.sub("", nxt.text.strip())
                out.append(Block(Kind.ITEM, lead_text, lead=text))
                i += 2
                continue
            if _is_body_text(nxt):
                out.append(Block(Kind.HEADING, text, level_for("title"), "title"))
                i += 1
                continue
        if looks_like_heading(text):
            kind = numbering_of(text)[0]
            out.append(Block(Kind.HEADING, text, level_for(kind), kind))
            i += 1
            continue
        out.append(Block(Kind.PARAGRAPH, text))
        i += 1
    return out


def headings(blocks: Sequence[Block]) -> list[tuple[int, str]]:
    return [(b.level, b.text) for b in blocks if b.kind is Kind.HEADING]
