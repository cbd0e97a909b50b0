"""The importer's document model: what a reader gives and what the outline pass returns. Pure.

Readers turn a file into blocks; the clutter and outline passes turn plain lines into headings,
lists and tables; the Markdown writer turns blocks into a report body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    LINE = "line"  # a line of text whose role is not known yet (plain text, web pages, PDF)
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    ITEM = "item"  # a list item
    TABLE = "table"
    IMAGE = "image"
    MARKDOWN = "markdown"  # a line of Markdown kept as written (.md input)


@dataclass(frozen=True, slots=True)
class Block:
    kind: Kind
    text: str = ""
    level: int = 0  # a heading's level (2 = ##); for LINE from a Word heading style, its level
    numbering: str = ""  # a heading's numbering kind (cn, cn_paren, num …), "" if none
    ordered: bool = False  # an ITEM of a numbered list
    lead: str = ""  # an ITEM's bold lead (a highlight's title line)
    rows: tuple[tuple[str, ...], ...] = ()  # a TABLE's rows, the first being its header


@dataclass(slots=True)
class RawDocument:
    """What a reader found in a file, before clutter and outline."""

    blocks: list[Block]
    encoding: str | None = None  # for text files: the detected encoding, as named to users
    title: str | None = None  # a title the format itself carries (Word's Title style, <title>)
    date: str | None = None  # a publication date the format itself carries (ISO)
    footnotes: list[str] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes (docx)
    notes: list[str] = field(default_factory=list)  # what the reader could not keep
