"""A Markdown file without front matter: Markdown lines are kept; lines of plain pasted text
go through the outline pass like a ``.txt``."""

from __future__ import annotations

import re

from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.readers import ReadError
from site_builder.importer.readers.text import decode, lines_of

_MARKDOWN_LINE = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```|!\[|<)")


def read_markdown(data: bytes) -> RawDocument:
    text, encoding = decode(data)
    if text.lstrip("\ufeff").startswith("---\n") or text.startswith("---\r\n"):
        raise ReadError(
            "the file already has front matter",
            "it is a report already: copy it into content/reports/<org>/, or remove the front "
            "matter to import its text",
        )
    blocks: list[Block] = []
    fenced = False
    for block in (
        lines_of(text)
        if "```" not in text
        else [Block(Kind.LINE, ln) for ln in text.replace("\r\n", "\n").split("\n")]
    ):
        line = block.text
        if line.strip().startswith("```"):
            fenced = not fenced
            blocks.append(Block(Kind.MARKDOWN, line))
        elif fenced or _MARKDOWN_LINE.match(line):
            m = re.match(r"^(#{1,6})\s+(.*)$", line.strip()) if not fenced else None
            if m:
                blocks.append(
                    Block(Kind.LINE, m.group(2).strip(), len(m.group(1)) + (len(m.group(1)) == 1))
                )
            else:
                blocks.append(Block(Kind.MARKDOWN, line))
        elif line.strip():
            blocks.append(Block(Kind.LINE, line.strip()))
    return RawDocument(blocks, encoding=encoding)
