"""A Word ``.docx``, by python-docx, in document order: paragraphs, tables, images, footnotes.

Headings come from Word's heading styles (Heading 1 is ``##``; the Title style is the title)
and, for unstyled paragraphs, from typed numbering like any text. Word's automatic numbering is
not text in the file (mammoth and markitdown drop it): it is rebuilt here from the numbering
definitions (formats decimal, Chinese counting, circled, letters; level texts such as
``%1、`` or ``（%1）``), so ``一、`` typed by Word reads as ``一、`` typed by hand.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.readers import ReadError
from site_builder.messages import _

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_HEADING = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.IGNORECASE)
_CN_DIGITS = "零一二三四五六七八九"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def chinese_counting(n: int) -> str:
    """1 -> 一, 10 -> 十, 23 -> 二十三 (Word's chineseCounting, up to 99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _format(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "chineseLegalSimplified",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return chinese_counting(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman" or fmt == "upperRoman":
        roman = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]
        r = roman[n] if n < len(roman) else str(n)
        return r.upper() if fmt == "upperRoman" else r
    return str(n)


class _Numbering:
    """Word's list numbering, counted as the paragraphs go."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # fmt, text, start
        self.counts: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, AttributeError, NotImplementedError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(_w("abstractNum")):
            levels = {}
            for lvl in an.findall(_w("lvl")):
                ilvl = int(lvl.get(_w("ilvl"), "0"))
                fmt = lvl.find(_w("numFmt"))
                txt = lvl.find(_w("lvlText"))
                start = lvl.find(_w("start"))
                levels[ilvl] = (
                    fmt.get(_w("val"), "decimal") if fmt is not None else "decimal",
                    txt.get(_w("val"), "") if txt is not None else "",
                    int(start.get(_w("val"), "1")) if start is not None else 1,
                )
            abstract[an.get(_w("abstractNumId"), "")] = levels
        for num in root.findall(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = abstract.get(ref.get(_w("val"), "") if ref is not None else "", {})
            for ilvl, spec in levels.items():
                self.levels[(num.get(_w("numId"), ""), ilvl)] = spec

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool]:
        """The paragraph's number as Word shows it, and whether it is a bullet."""
        spec = self.levels.get((num_id, ilvl))
        if spec is None:
            return "", True
        fmt, text, start = spec
        if fmt in ("bullet", "none"):
            return "", fmt == "bullet"
        key = (num_id, ilvl)
        self.counts[key] = self.counts.get(key, start - 1) + 1
        for nid, lvl in list(self.counts):
            if nid == num_id and lvl > ilvl:
                del self.counts[(nid, lvl)]

        def sub(m: re.Match[str]) -> str:
            level = int(m.group(1)) - 1
            lfmt = self.levels.get((num_id, level), ("decimal", "", 1))[0]
            return _format(self.counts.get((num_id, level), 1), lfmt)

        return re.sub(r"%(\d)", sub, text), False


def _footnotes(document: Any) -> dict[str, str]:
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            root = etree.fromstring(rel.target_part.blob)
            notes = {}
            for fn in root.findall(_w("footnote")):
                fid = fn.get(_w("id"), "")
                if fn.get(_w("type")) in ("separator", "continuationSeparator"):
                    continue
                text = "".join(t.text or "" for t in fn.iter(_w("t"))).strip()
                if text:
                    notes[fid] = text
            return notes
    return {}


def read_docx(data: bytes) -> RawDocument:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ReadError(
            _("this is an old Word file (.doc) named .docx"),
            _("open it in Word or LibreOffice, save it as .docx (Word document), and import that"),
        )
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise ReadError(
            _("cannot read the Word file"), _("{exc}; is it a complete .docx?").format(exc=exc)
        ) from None
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering(document)
    footnote_text = _footnotes(document)
    footnotes: list[str] = []
    images: dict[str, bytes] = {}
    blocks: list[Block] = []
    title: str | None = None
    notes: list[str] = []

    for child in document.element.body.iterchildren():
        if child.tag == _w("tbl"):
            table = Table(child, document)
            rows = tuple(
                tuple(cell.text.strip().replace("\n", " ") for cell in row.cells)
                for row in table.rows
            )
            if rows and len(rows[0]) >= 1:
                width = max(len(r) for r in rows)
                rows = tuple(r + ("",) * (width - len(r)) for r in rows)
                blocks.append(Block(Kind.TABLE, rows=rows))
            continue
        if child.tag != _w("p"):
            continue
        para = Paragraph(child, document)
        text = para.text.strip()
        for ref in child.iter(_w("footnoteReference")):
            note = footnote_text.get(ref.get(_w("id"), ""))
            if note:
                footnotes.append(note)
                text += f"[{len(footnotes)}]"
        for blip in child.iter(f"{{{A}}}blip"):
            rid = blip.get(f"{{{R}}}embed")
            part = document.part.related_parts.get(rid) if rid else None
            if part is None:
                continue
            ext = part.partname.ext.lower() if hasattr(part.partname, "ext") else "png"
            name = f"image-{len(images) + 1}.{ext}"
            images[name] = part.blob
            alt = ""
            for pr in child.iter(f"{{{WP}}}docPr"):
                alt = pr.get("descr") or pr.get("title") or ""
            blocks.append(Block(Kind.IMAGE, alt or name, lead=name))
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        if (style.lower() == "title" or style in ("标题", "標題")) and title is None:
            title = text
            continue
        m = _HEADING.match(style)
        num_pr = child.find(f"{_w('pPr')}/{_w('numPr')}")
        label, bullet = "", False
        if num_pr is not None:
            num_id = num_pr.find(_w("numId"))
            ilvl = num_pr.find(_w("ilvl"))
            label, bullet = numbering.label(
                num_id.get(_w("val"), "") if num_id is not None else "",
                int(ilvl.get(_w("val"), "0")) if ilvl is not None else 0,
            )
        if m:
            blocks.append(Block(Kind.LINE, label + text, int(m.group(1)) + 1))
        elif (bullet and num_pr is not None) or style.startswith("List Bullet"):
            blocks.append(Block(Kind.ITEM, text))
        elif style.startswith("List Number"):
            blocks.append(Block(Kind.ITEM, text, ordered=True))
        else:
            blocks.append(Block(Kind.LINE, label + text))
    if not blocks and title is None:
        raise ReadError(_("the Word file holds no text"), _("is it empty, or only images of text?"))
    return RawDocument(blocks, title=title, footnotes=footnotes, images=images, notes=notes)
