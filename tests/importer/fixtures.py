"""Input files made in the tests: a Word file, a PDF, a saved web page."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

TITLE = "桐城市妇联2024年工作总结"
OPENING = "2024年，市妇联党组坚持以习近平新时代中国特色社会主义思想为指导，推进全面从严治党。"
STUDY = "全年召开党组会12次，开展宣讲3000余场，覆盖7万人次。"
FUNDS = "募集款物303.92万元，为160余人免费实施白内障复明手术。"


def png() -> bytes:
    """A 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_docx(path: Path) -> Path:
    """Title style, a heading style, typed numbering, Word's own numbering (a Chinese-counting
    list), a bullet list, a table and an image."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(OPENING)
    document.add_paragraph("一、加强政治建设", style="Heading 1")
    document.add_paragraph(STUDY)
    document.add_paragraph("（一）强化理论武装")  # typed numbering, no style
    document.add_paragraph("深入学习党的二十届三中全会精神，组织专题研讨，推动学习走深走实。")
    # Word's automatic numbering: "%1、" in Chinese counting, on two paragraphs
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0">'
            '<w:start w:val="2"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'
            "</w:lvl></w:abstractNum>"
        )
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    for text in ("服务妇女儿童", "加强自身建设"):
        p = document.add_paragraph(text, style="Heading 1")
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>')
        )
        document.add_paragraph(
            FUNDS if text == "服务妇女儿童" else "完善制度，规范管理，提高服务水平。"
        )
    document.add_paragraph("开展家庭家教家风宣传", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate((("项目", "数量"), ("宣讲", "3000"), ("培训", "100"))):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_picture(io.BytesIO(png()))
    document.save(path)
    return path


def make_pdf(path: Path, lines: list[str] | None = None) -> Path:
    """A PDF with a text layer, in Chinese (reportlab's built-in STSong-Light CID font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont("STSong-Light", 11)
    y = 780
    for line in lines if lines is not None else [TITLE, OPENING, "一、加强政治建设", STUDY]:
        c.drawString(60, y, line)
        y -= 18
    if lines == []:
        c.rect(60, 600, 200, 100, fill=1)  # an image-only page: what a scan looks like
    c.save()
    return path


PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}_工作动态_桐城妇联网</title></head>
<body>
<div class="nav"><a href="/">首页</a> <a href="/news">工作动态</a> <a href="/about">关于我们</a></div>
<div class="crumbs">当前位置：首页 &gt; 工作动态</div>
<div class="article">
<h1>{TITLE}</h1>
<p>时间：2025-01-10 来源：桐城市妇联 编辑：王某</p>
<p>导语：桐城市妇联2024年工作总结，回顾全年工作。</p>
<p>{OPENING}</p>
<p>一、加强政治建设</p>
<p>{STUDY}同时发挥自媒体矩阵作用，讲好新时代女性和家庭的奋斗故事。</p>
<p>二、服务妇女儿童</p>
<p>{FUNDS}把党的关怀和温暖送到妇女儿童身边。</p>
<p>分享到：微信 微博</p>
<p>上一篇：关于开展评选活动的通知</p>
<p>下一篇：无</p>
</div>
<div class="footer">版权所有 桐城市妇女联合会 皖ICP备00000000号</div>
</body></html>
"""


def add_footnote(path: Path, after: str, note: str) -> Path:
    """Adds a footnote (python-docx writes none) to the paragraph whose text ends with
    ``after``: the footnotes part, its relationship and content type, and the reference run."""
    import zipfile

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["word/footnotes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    ).encode()
    rels = files["word/_rels/document.xml.rels"].decode()
    files["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    ).encode()
    types = files["[Content_Types].xml"].decode()
    files["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footnotes+xml"/></Types>',
    ).encode()
    doc = files["word/document.xml"].decode()
    marker = f"{after}</w:t></w:r>"
    assert marker in doc
    files["word/document.xml"] = doc.replace(
        marker, marker + '<w:r><w:footnoteReference w:id="1"/></w:r>', 1
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path
