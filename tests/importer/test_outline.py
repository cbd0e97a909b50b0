"""Headings from the documents' own outline, clutter, and the seeds' structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.chinese import Converter
from site_builder.importer.clutter import classify
from site_builder.importer.convert import Options
from site_builder.importer.document import Block, Kind
from site_builder.importer.outline import structure
from site_builder.importer.run import import_paths
from tests.importer.conftest import SEEDS

TO_HANS = Converter().to_hans


def lines(*texts: str) -> list[Block]:
    return [Block(Kind.LINE, t) for t in texts]


BODY = "这是一个足够长的正文段落，用来说明标题下面的内容，它以句号结束。"


def test_levels_follow_the_order_of_first_appearance() -> None:
    out = structure(
        lines("（一）总体情况", BODY, "1、学习制度", BODY, "（二）主要做法", "2、整改任务", BODY)
    )
    heads = [(b.level, b.text) for b in out if b.kind is Kind.HEADING]
    assert heads == [
        (2, "（一）总体情况"),
        (3, "1、学习制度"),
        (2, "（二）主要做法"),
        (3, "2、整改任务"),
    ]


@pytest.mark.parametrize(
    "numbered",
    [
        "一、总体情况",
        "（一）总体情况",
        "(一)总体情况",
        "1.总体情况",
        "1、总体情况",
        "1．总体情况",
        "（1）总体情况",
        "①总体情况",
        "第一章 总则",
        "第一节 总体情况",
    ],
)
def test_each_typed_numbering_is_a_heading(numbered: str) -> None:
    (head, para) = structure(lines(numbered, BODY))
    assert (head.kind, head.level, para.kind) == (Kind.HEADING, 2, Kind.PARAGRAPH)


def test_a_numbered_sentence_stays_a_paragraph() -> None:
    (block,) = structure(lines("一、全年开展宣讲3000余场。覆盖7万人次，效果良好。"))
    assert block.kind is Kind.PARAGRAPH
    (block,) = structure(lines("一是坚决贯彻落实重要指示批示精神。"))
    assert block.kind is Kind.PARAGRAPH


def test_short_title_lines_and_highlights() -> None:
    out = structure(
        lines("加强思想政治建设", "◎ 全年开展学习203次。", "牵头抓总，加强思想政治建设", BODY)
    )
    assert [(b.kind, b.lead, b.text) for b in out] == [
        (Kind.ITEM, "加强思想政治建设", "全年开展学习203次。"),
        (Kind.HEADING, "", "牵头抓总，加强思想政治建设"),
        (Kind.PARAGRAPH, "", BODY),
    ]


def test_tabbed_lines_become_a_table() -> None:
    (table,) = structure(lines("项目\t数量", "宣讲\t3000", "培训\t100"))
    assert table.kind is Kind.TABLE and table.rows == (
        ("项目", "数量"),
        ("宣讲", "3000"),
        ("培训", "100"),
    )


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("时间:2022-07-11 来源:天津市妇联", "published"),
        ("發布時間：2022年7月11日", "published"),
        ("来源：中国妇女报", "clutter"),
        ("责任编辑：王某", "clutter"),
        ("上一篇：关于开展……的通知", "clutter"),
        ("下一篇：无", "clutter"),
        ("返回顶部", "clutter"),
        ("分享到：微信 微博", "clutter"),
        ("本文仅代表作者观点，不代表本站观点。", "clutter"),
        ("|", "clutter"),
        ("□ 中國婦女報·中國女網記者 張明芳", "byline"),
        ("导语：全年工作综述。", "lead"),
        ("全市累计开展宣讲3000余场。", "text"),
    ],
)
def test_clutter_lines(line: str, role: str) -> None:
    assert classify(line, TO_HANS).role == role


# The seeds' outline as the documents have it (read from the texts by hand).
SEED_OUTLINES = {
    "000_50dd39705e242e82.txt": [
        (2, "牽頭抓總,加強思想政治建設"),
        (2, "基層延伸,夯實黨建工作基礎"),
        (2, "建章立制,落實從嚴治黨責任"),
        (2, "深化拓展,推進機關作風建設"),
        (2, "自查自糾,做好巡視整改落實"),
    ],
    "001_735ef56086fb3785.txt": [
        (2, "一、堅持政治統領,堅決做到“兩個維護”"),
        (2, "二、堅持理論武裝,筑牢思想根基"),
        (2, "三、堅持強基賦能,建強戰斗堡壘"),
        (2, "四、堅持求真務實,抓實作風建設"),
        (2, "五、堅持嚴的基調,強化正風肅紀"),
        (2, "六、堅持大統戰格局,強化凝心聚力"),
    ],
    "002_3be8e22a5149781f.txt": [
        (2, "(一)党的政治建设方面"),
        (3, "1、“三会一课”制度落实不到位"),
        (3, "2、党内组织生活会未按规定落实"),
        (3, "3、民主评议党员流于形式"),
        (2, "(二)党的思想建设方面"),
        (3, "4、学习党的十九大精神和习近平新时代中国特色社会主义思想不深入"),
        (2, "(三)党的组织建设方面"),
        (3, "5、补选支委委员不规范"),
        (2, "(四)党的作风建设方面"),
        (3, "6、形式主义依然存在"),
        (2, "(五)党的纪律建设方面"),
        (3, "7、监督执纪不严警示教育不够"),
        (2, "(六)夺取反腐败斗争压倒性胜利方面的问题"),
        (3, "8、超范围发放公务交通补贴"),
        (3, "9、公务用车管理制度执行不严"),
        (3, "10、宣传资料和慰问品无发放记录"),
        (3, "11、工会未开设银行账户和独立核算"),
        (2, "(七)巩固整改成果,推进全面从严治党"),
    ],
}


@pytest.mark.parametrize("name", sorted(SEED_OUTLINES))
def test_seed_headings_are_the_documents_outline(registry_site: Path, name: str) -> None:
    result = import_paths([SEEDS / name], registry_site, Options(), dry_run=True)
    (done,) = result.imported
    assert done.outline == SEED_OUTLINES[name]
    body = done.text.split("\n---\n", 1)[1]
    written = [ln for ln in body.split("\n") if ln.startswith("#")]
    assert written == ["#" * level + " " + text for level, text in SEED_OUTLINES[name]]
