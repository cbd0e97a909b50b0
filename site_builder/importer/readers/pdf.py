"""A PDF with a text layer, by pypdf. Its lines are wrapped at the page width; they are joined
back into paragraphs (a line ends its paragraph when it ends a sentence or stops short of the
width), and headings keep their own lines."""

from __future__ import annotations

import io
import logging
import re

from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.readers import ReadError
from site_builder.messages import _

_ENDS = re.compile(r"[。！？!?；;：:”」）)]$")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页|頁)?[-—–\s]*$|^\d+\s*/\s*\d+$")


def read_pdf(data: bytes) -> RawDocument:
    # pypdf logs every repair it makes to a damaged file; the user gets one error or the text
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return _read_pdf(data)
    finally:
        logger.setLevel(level)


def _read_pdf(data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ReadError(
                _("the PDF is password-protected"),
                _("open it, save a copy without a password (or as .docx), and import that"),
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise ReadError(
            _("cannot read the PDF"), _("{exc}; is the file complete?").format(exc=exc)
        ) from None
    lines = [
        ln.strip()
        for page in pages
        for ln in page.replace("\r", "\n").split("\n")
        if ln.strip() and not _PAGE_NUMBER.match(ln.strip())
    ]
    if sum(len(ln) for ln in lines) < 10:
        raise ReadError(
            _("the PDF has no text layer (it is a scanned image)"),
            _("run OCR on it first, or import the original Word or text file"),
        )
    return RawDocument(reflow(lines))


def reflow(lines: list[str]) -> list[Block]:
    from site_builder.importer.outline import looks_like_heading, numbering_of

    width = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    open_para = False
    for ln in lines:
        starts = looks_like_heading(ln) or bool(numbering_of(ln)[0]) or ln[:1] in "◎•·"
        if open_para and not starts:
            out[-1] += ln
        else:
            out.append(ln)
        full = len(ln) >= width * 0.85
        open_para = full and not _ENDS.search(ln) and not looks_like_heading(ln)
    return [Block(Kind.LINE, t) for t in out]
