"""Each input format, with its files made here: text in office encodings, Word, a saved web
page, PDF, Markdown; and the formats refused with a clear error."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from site_builder.importer.convert import Imported, Options
from site_builder.importer.run import import_paths, summary_text
from tests.importer.fixtures import (
    FUNDS,
    OPENING,
    PAGE,
    STUDY,
    TITLE,
    add_footnote,
    make_docx,
    make_pdf,
)

GBK_TEXT = """桐城市妇联2024年工作总结
时间：2025-01-08  来源：桐城市妇联
一、加强政治建设
全年召开党组会12次，党组扩大会5次，集中学习党的二十届三中全会精神。坚决做到“两个维护”。
二、服务妇女儿童
1、关爱困难妇女
募集款物二十三万元，为160余人免费实施白内障复明手术。
2、家庭家教家风
开展家庭家教家风宣讲一千二百余场，覆盖约3.2万人次。
上一篇：关于开展“最美家庭”评选的通知
"""

GBK_MARKDOWN = """---
# Imported from report.txt by site-builder import: review every field and figure.
title: 桐城市妇联2024年工作总结  # from the first line
date: 2024  # no date of 2024 in the text: the year only (the publication line says 2025-01-08)
summary: 全年召开党组会12次，党组扩大会5次，集中学习党的二十届三中全会精神。坚决做到“两个维护”。  # the opening of the first paragraph
tags: [宣讲, 家庭家教家风]  # tags the text names
lang: zh-Hans
metrics:
  # line 34: 全年召开党组会12次，党组扩大会5次，集中学习党的二十届三中全会精神…
  - key: party_group_meetings  # 党组会, 次
    value: 12
  # line 34: 全年召开党组会12次，党组扩大会5次，集中学习党的二十届三中全会精神。
  - key: expanded_party_group_meetings  # 党组扩大会, 次
    value: 5
  # line 40: 募集款物二十三万元，为160余人免费实施白内障复明手术。
  - key: funds_raised  # 募集款物, 元
    value: 230000
  # line 40: 募集款物二十三万元，为160余人免费实施白内障复明手术。
  - key: cataract_surgeries  # 免费白内障复明手术, 人
    value: 160
    qualifier: more_than
  # line 44: 开展家庭家教家风宣讲一千二百余场，覆盖约3.2万人次。
  - key: outreach_sessions  # 宣讲场次, 场
    value: 1200
    qualifier: more_than
  # line 44: 开展家庭家教家风宣讲一千二百余场，覆盖约3.2万人次。
  - key: outreach_reach  # 宣讲覆盖人次, 人次
    value: 32000
    qualifier: about
---

## 一、加强政治建设

全年召开党组会12次，党组扩大会5次，集中学习党的二十届三中全会精神。坚决做到“两个维护”。

## 二、服务妇女儿童

### 1、关爱困难妇女

募集款物二十三万元，为160余人免费实施白内障复明手术。

### 2、家庭家教家风

开展家庭家教家风宣讲一千二百余场，覆盖约3.2万人次。
"""

GBK_SUMMARY = [
    "{path}: would write content/reports/tongcheng/2024-gong-zuo-zong-jie.md (GB18030 (GBK), zh-Hans)",
    "  headings: ## 2, ### 2; paragraphs: 3; clutter lines removed: 2",
    "  figures proposed: 6 (6 matched to known metrics, 0 new)",
    "  title: 桐城市妇联2024年工作总结 (from the first line)",
    "  date: 2024 (no date of 2024 in the text: the year only (the publication line says 2025-01-08))",
    "  org: tongcheng (by the names of organizations the text holds)",
]


def one(site: Path, path: Path, **options: object) -> Imported:
    result = import_paths([path], site, Options(**options), dry_run=True)  # type: ignore[arg-type]
    assert not result.errors, [d.format() for d in result.errors]
    (done,) = result.imported
    return done


def body(done: Imported) -> str:
    return done.text.split("\n---\n", 1)[1]


def test_gbk_text_pinned_markdown_and_summary(registry_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(GBK_TEXT.encode("gbk"))
    done = one(registry_site, path)
    assert done.text == GBK_MARKDOWN
    assert summary_text(done, dry_run=True) == [line.format(path=path) for line in GBK_SUMMARY]
    # every figure's line in the file holds the figure
    lines = done.text.split("\n")
    for line, proposal in done.proposals:
        assert proposal.figure.raw in lines[line - 1]


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda t: t.encode("utf-8"), "UTF-8"),
        (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "UTF-8 with BOM"),
        (lambda t: t.encode("utf-16"), "UTF-16 LE"),
        (lambda t: t.encode("gb18030"), "GB18030 (GBK)"),
        (lambda t: t.encode("big5"), "Big5"),
    ],
)
def test_office_encodings_are_detected_and_named(
    registry_site: Path, tmp_path: Path, encode: object, name: str
) -> None:
    text = "臺北市婦女聯合會2024年工作總結\n全年開展宣講3000餘場，覆蓋7萬人次，舉辦學習會203次。\n"
    path = tmp_path / "report.txt"
    path.write_bytes(encode(text))  # type: ignore[operator]
    done = one(registry_site, path, org="tianjin")
    assert done.encoding == name
    assert "全年開展宣講3000餘場，覆蓋7萬人次，舉辦學習會203次。" in body(done)
    assert done.script == "zh-Hant"


def test_blank_line_paragraphs_wrapped_over_lines_are_joined(
    registry_site: Path, tmp_path: Path
) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "一、主要工作\n\n全年开展宣讲3000余场，\n覆盖7万人次。\n\n二、下一步打算\n\n持续深化宣讲工作，\n扩大覆盖面。\n",
        encoding="utf-8",
    )
    done = one(registry_site, path, org="tongcheng", year=2024)
    assert body(done) == (
        "\n## 一、主要工作\n\n全年开展宣讲3000余场，覆盖7万人次。\n\n"
        "## 二、下一步打算\n\n持续深化宣讲工作，扩大覆盖面。\n"
    )


def test_docx_headings_numbering_lists_tables_images(registry_site: Path, tmp_path: Path) -> None:
    done = one(registry_site, make_docx(tmp_path / "report.docx"))
    assert done.fields["title"] == (TITLE, "from the document's own title")
    assert body(done) == (
        f"\n{OPENING}\n\n## 一、加强政治建设\n\n{STUDY}\n\n### （一）强化理论武装\n\n"
        "深入学习党的二十届三中全会精神，组织专题研讨，推动学习走深走实。\n\n"
        f"## 二、服务妇女儿童\n\n{FUNDS}\n\n## 三、加强自身建设\n\n"
        "完善制度，规范管理，提高服务水平。\n\n- 开展家庭家教家风宣传\n\n"
        "| 项目 | 数量 |\n| --- | --- |\n| 宣讲 | 3000 |\n| 培训 | 100 |\n\n"
        "〔图片：image-1.png，assets/reports/tongcheng/2024-gong-zuo-zong-jie/image-1.png〕\n"
    )
    assert list(done.images) == ["assets/reports/tongcheng/2024-gong-zuo-zong-jie/image-1.png"]
    assert [p.key for _, p in done.proposals] == [
        "party_group_meetings",
        "outreach_sessions",
        "outreach_reach",
        "funds_raised",
        "cataract_surgeries",
    ]


def test_saved_web_page_keeps_the_article_only(registry_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    done = one(registry_site, path)
    text = body(done)
    for clutter in (
        "首页",
        "当前位置",
        "时间：",
        "来源",
        "分享到",
        "上一篇",
        "下一篇",
        "版权所有",
        "导语",
    ):
        assert clutter not in text
    assert text.startswith(f"\n{OPENING}\n\n## 一、加强政治建设\n\n{STUDY}")
    assert done.fields["title"][0] == TITLE
    assert done.fields["summary"] == (
        "桐城市妇联2024年工作总结，回顾全年工作。",
        "from the lead (导语/内容提要)",
    )
    assert done.fields["date"][0] == "2024"  # the title's year, though published in 2025
    assert done.clutter >= 4


def test_pdf_with_a_text_layer(registry_site: Path, tmp_path: Path) -> None:
    done = one(registry_site, make_pdf(tmp_path / "report.pdf"))
    assert done.fields["title"] == (TITLE, "from the first line")
    assert body(done) == f"\n{OPENING}\n\n## 一、加强政治建设\n\n{STUDY}\n"


def test_markdown_without_front_matter_gets_it(registry_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text(
        f"{OPENING}\n\n## 一、加强政治建设\n\n- 召开党组会12次\n- 开展宣讲3000余场\n\n二、服务妇女儿童\n{FUNDS}\n",
        encoding="utf-8",
    )
    done = one(registry_site, path, org="tongcheng")
    assert done.text.startswith("---\n")
    assert body(done) == (
        f"\n{OPENING}\n\n## 一、加强政治建设\n\n- 召开党组会12次\n- 开展宣讲3000余场\n\n"
        f"## 二、服务妇女儿童\n\n{FUNDS}\n"
    )
    assert [p.figure.raw for _, p in done.proposals] == [
        "12次",
        "3000余场",
        "303.92万元",
        "160余人",
    ]


@pytest.mark.parametrize(
    ("name", "data", "message", "hint"),
    [
        (
            "old.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
            "old Word files (.doc) cannot be read",
            "save it as .docx",
        ),
        (
            "renamed.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
            "this is an old Word file (.doc) named .docx",
            "save it as .docx",
        ),
        (
            "broken.docx",
            b"PK\x03\x04 not really",
            "cannot read the Word file",
            "is it a complete .docx?",
        ),
        ("report.rtf", b"{\\rtf1}", "cannot import '.rtf' files", "import .txt, .docx"),
        (
            "report.md",
            "---\ntitle: x\n---\n正文。\n".encode(),
            "the file already has front matter",
            "it is a report already",
        ),
    ],
)
def test_files_refused_with_a_clear_error(
    registry_site: Path, tmp_path: Path, name: str, data: bytes, message: str, hint: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = import_paths([path], registry_site, Options(org="tongcheng"), dry_run=True)
    (error,) = result.errors
    assert error.path == str(path) and error.message == message and hint in error.hint
    assert error.format().startswith(f"{path}:1:1: error: {message} (")


def test_scanned_pdf_is_refused(registry_site: Path, tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", lines=[])
    result = import_paths([path], registry_site, Options(org="tongcheng"), dry_run=True)
    (error,) = result.errors
    assert error.message == "the PDF has no text layer (it is a scanned image)"
    assert "OCR" in error.hint


def test_same_input_same_bytes(registry_site: Path, tmp_path: Path) -> None:
    docx_path = make_docx(tmp_path / "a.docx")
    first = one(registry_site, docx_path)
    again = one(registry_site, make_docx(tmp_path / "b.docx"))
    assert first.text.replace("a.docx", "b.docx") == again.text
    assert first.images == again.images


def test_docx_footnotes(registry_site: Path, tmp_path: Path) -> None:
    path = add_footnote(make_docx(tmp_path / "report.docx"), "推进全面从严治党。", "据市妇联统计。")
    text = body(one(registry_site, path))
    assert f"\n{OPENING}[1]\n" in text
    assert text.endswith("\n**注释**\n\n1. 据市妇联统计。\n")


def test_saved_web_page_in_gbk_without_a_charset(registry_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(PAGE.replace('<meta charset="utf-8">', "").encode("gbk"))
    done = one(registry_site, path)
    assert done.fields["title"][0] == TITLE
    assert body(done).startswith(f"\n{OPENING}\n\n## 一、加强政治建设\n\n{STUDY}")


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "utf-16-le", "utf-16", "big5"])
@pytest.mark.parametrize("seed", ["000_50dd39705e242e82.txt", "002_3be8e22a5149781f.txt"])
def test_whole_seeds_decode_in_each_encoding(seed: str, codec: str) -> None:
    from site_builder.importer.readers.text import decode
    from tests.importer.conftest import SEEDS

    text = (SEEDS / seed).read_text(encoding="utf-8")
    data = text.encode(codec, errors="replace")  # Big5 lacks a few of their characters
    decoded, name = decode(data)
    assert name == {"gbk": "GB18030 (GBK)", "gb18030": "GB18030 (GBK)", "big5": "Big5"}.get(
        codec, "UTF-16 LE"
    )
    assert decoded == data.decode(codec)
