"""A Markdown file without front matter: its Markdown (headings, lists, tables, quotes, fenced
blocks) is kept as written; its plain text, often pasted one paragraph per line, goes through
the outline pass like a ``.txt``."""

from __future__ import annotations

import re

from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.readers import ReadError
from site_builder.importer.readers.text import decode, lines_of
from site_builder.messages import _

_MARKDOWN_LINE = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|>|\||!\[|<)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def read_markdown(data: bytes) -> RawDocument:
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("---\n"):
        raise ReadError(
            _("the file already has front matter"),
            _(
                "it is a report already: copy it into content/reports/<org>/, or remove the front matter to import its text"
            ),
        )
    blocks: list[Block] = []
    plain: list[str] = []  # plain text lines waiting for the outline pass

    def flush() -> None:
        if plain:
            blocks.extend(lines_of("\n".join(plain)))
            plain.clear()

    fence: str | None = None
    for line in text.split("\n"):
        if fence is not None:
            blocks.append(Block(Kind.MARKDOWN, line))
            if line.strip().startswith(fence):
                fence = None
            continue
        m = _FENCE.match(line)
        if m:
            flush()
            fence = m.group(1)
            blocks.append(Block(Kind.MARKDOWN, line))
            continue
        m = _HEADING.match(line)
        if m:
            flush()
            # the body's headings start at ##: the report's title is in the front matter
            blocks.append(Block(Kind.LINE, m.group(2), max(2, len(m.group(1)))))
            continue
        if _MARKDOWN_LINE.match(line):
            flush()
            blocks.append(Block(Kind.MARKDOWN, line))
            continue
        if not line.strip() and not plain and blocks and blocks[-1].kind is Kind.MARKDOWN:
            blocks.append(Block(Kind.MARKDOWN, ""))  # ends a list or table before what follows
            continue
        plain.append(line)
    flush()
    return RawDocument(blocks, encoding=encoding)
