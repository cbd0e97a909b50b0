"""TrueType subsets of Debian's Noto Sans CJK for the PDFs, so that their CJK text is embedded
as real fonts (CID TrueType subsets named NotoSansCJKsc-… / NotoSansCJKtc-…), not as Type3
glyph drawings.

Why: Chromium's PDF writer (Skia) embeds a font with TrueType outlines as a CIDFontType2
subset but draws a CFF-outline font (Debian's ``NotoSansCJK-*.ttc``) as Type3 glyph procedures,
which lose hinting, and which some archive checkers and PDF editors refuse as "no real font".
So, before printing a page, the Noto CJK face of its script (SC for zh-Hans and for the Chinese
in English pages, TC for zh-Hant) in regular and bold is cut down to the characters of that page
(``fontTools.subset``), its CFF outlines converted to quadratic TrueType ones (``cu2qu``, the
recipe of fontTools' ``otf2ttf`` snippet), and the result handed to the print page as an
``@font-face`` of the same family name, which shadows the installed font.

Same input, same bytes: the subset depends only on the characters, the face and the fontTools
version; the font's own timestamps are kept. Subsets are kept in a cache folder by that key, so
a re-print of an unchanged page costs nothing here.
"""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FONT_DIR = Path(os.environ.get("SITE_BUILDER_CJK_FONT_DIR", "/usr/share/fonts/opentype/noto"))
# the face of each language's CJK text: English pages set their Chinese (a Chinese-only body,
# names) in the Simplified face, as site.css's :lang(en) font list does
FAMILIES = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC", "en": "Noto Sans CJK SC"}
WEIGHTS = ((400, "NotoSansCJK-Regular.ttc"), (700, "NotoSansCJK-Bold.ttc"))
VERSION = "1"  # part of the cache key: a change to how subsets are made makes them again
# characters that the stylesheet writes itself (generated content, separators) in print
STYLE_TEXT = "·…—–“”‘’ /()0123456789"


@dataclass(frozen=True, slots=True)
class PrintFont:
    """One subset: the CSS family and weight it stands for, its bytes, and its content key."""

    family: str
    weight: int
    data: bytes
    key: str


def page_characters(page_html: str, extra: str = "") -> str:
    """The characters a printed page may set, sorted: its source with character references
    decoded (markup and scripts add only ASCII, which is in the subset anyway), ``extra`` (the
    running header's text, which the page holds as CSS escapes) and the stylesheet's own."""
    chars = set(htmllib.unescape(page_html)) | set(extra) | set(STYLE_TEXT)
    chars |= {chr(c) for c in range(0x20, 0x7F)}
    return "".join(sorted(c for c in chars if c.isprintable()))


def font_face_css(faces: list[tuple[PrintFont, str]]) -> str:
    """``@font-face`` rules for (font, URL) pairs: each shadows the installed face of its name."""
    rules = [
        f'@font-face {{ font-family: "{font.family}"; font-weight: {font.weight}; '
        f'font-style: normal; src: url("{url}") format("truetype"); }}'
        for font, url in faces
    ]
    return "<style>" + " ".join(rules) + "</style>"


def available() -> bool:
    """Whether the subsets can be made here (fontTools and Debian's Noto CJK collections)."""
    try:
        import fontTools  # noqa: F401
    except ImportError:
        return False
    return all((FONT_DIR / file).is_file() for _w, file in WEIGHTS)


def fonts_for(lang: str, text: str, cache_root: Path) -> list[PrintFont]:
    """The print subsets (regular, bold) of ``lang``'s CJK face for ``text``; none when the
    faces or fontTools are missing (then Chromium uses the installed fonts, as Type3)."""
    family = FAMILIES.get(lang)
    if family is None:
        return []
    try:
        import fontTools
    except ImportError:
        _warn("fontTools is not installed (pip install 'site_builder[pdf]')")
        return []
    out = []
    for weight, file in WEIGHTS:
        path = FONT_DIR / file
        if not path.is_file():
            _warn(f"{path} not found (apt-get install fonts-noto-cjk)")
            return []
        stat = path.stat()
        key = hashlib.sha256(
            repr((VERSION, fontTools.version, file, stat.st_size, family, text)).encode()
        ).hexdigest()[:32]
        cached = cache_root / f"{key}.ttf"
        try:
            data = cached.read_bytes()
        except OSError:
            data = subset_truetype(path, family, text)
            _store(cached, data)
        out.append(PrintFont(family, weight, data, key))
    return out


@functools.cache
def _warn(message: str) -> None:
    log.warning("PDF fonts: %s; CJK text is embedded as Type3 glyphs", message)


def _store(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:  # a cache that cannot be written only costs time
        log.warning("PDF font cache not written: %s", e)


@functools.cache
def _face_index(path: Path, family: str) -> int:
    """Which face of the collection ``path`` is ``family`` (its name table's family name)."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    for i, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == family:
            return i
    raise LookupError(f"{family} is not in {path}")


def subset_truetype(path: Path, family: str, text: str) -> bytes:
    """The face ``family`` of the collection ``path`` cut down to ``text``'s characters, with
    TrueType (quadratic) outlines instead of CFF ones; names, metrics and layout kept."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(path), fontNumber=_face_index(path, family), recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]  # the family and PostScript names the PDF shows
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyph_set)
            # max error 1 unit of 1000 per em, the otf2ttf default; PostScript contours run
            # the other way round from TrueType ones
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyphs[name] = pen.glyph()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = glyphs
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        del font["CFF "]
        if "VORG" in font:  # CFF-only table
            del font["VORG"]
        maxp = newTable("maxp")
        maxp.tableVersion = 0x00010000
        for attr in (
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
        ):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["maxp"] = maxp
        font["head"].glyphDataFormat = 0
        post = font["post"]
        post.formatType = 3.0  # no glyph names: the CID names say nothing
        font.sfntVersion = "\0\1\0\0"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
