"""Plain text in the encodings offices produce: UTF-8 (with or without BOM), GBK/GB18030, Big5,
UTF-16. The BOM decides when there is one; else strict UTF-8; else charset-normalizer chooses
among the Chinese encodings only (given every codec it finds odd ones for short texts)."""

from __future__ import annotations

import codecs

from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.readers import ReadError
from site_builder.messages import _

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
_CANDIDATES = ("gb18030", "big5", "utf_16_le", "utf_16_be")
_NAMES = {
    "gb18030": "GB18030 (GBK)",
    "big5": "Big5",
    "utf_16_le": "UTF-16 LE",
    "utf_16_be": "UTF-16 BE",
}


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return data.decode(codec), name
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_CANDIDATES)).best()
    if best is None:
        raise ReadError(
            _("cannot tell the text's encoding"),
            _("save it as UTF-8 (in Notepad: Save as, Encoding UTF-8) and import it again"),
        )
    codec = best.encoding
    return str(best), _NAMES.get(codec, codec)


def lines_of(text: str) -> list[Block]:
    """One block per line: pasted reports hold a paragraph per line, or blank-line-separated
    paragraphs wrapped over several lines (those are joined)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    raw = text.split("\n")
    blank_separated = sum(1 for ln in raw if not ln.strip()) >= max(2, len(raw) // 4)
    blocks: list[Block] = []
    if blank_separated:
        chunk: list[str] = []
        for ln in [*raw, ""]:
            if ln.strip():
                chunk.append(ln.strip())
                continue
            if chunk:
                blocks.extend(_join(chunk))
                chunk = []
        return blocks
    return [Block(Kind.LINE, ln.strip()) for ln in raw if ln.strip()]


def _join(chunk: list[str]) -> list[Block]:
    """A paragraph wrapped over lines, joined; lines that read as headings or items stay apart."""
    from site_builder.importer.outline import looks_like_heading, numbering_of

    out: list[str] = []
    for ln in chunk:
        starts_new = not out or looks_like_heading(ln) or numbering_of(ln)[0] or ln[:1] in "◎•·-"
        if starts_new or looks_like_heading(out[-1]):
            out.append(ln)
        else:
            sep = " " if out[-1][-1:].isascii() and ln[:1].isascii() else ""
            out[-1] += sep + ln
    return [Block(Kind.LINE, t) for t in out]


def read_text(data: bytes) -> RawDocument:
    text, encoding = decode(data)
    return RawDocument(lines_of(text), encoding=encoding)
