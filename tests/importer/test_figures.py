"""Figures: numerals, scaling, qualifiers, units, what is not a figure, and key matching."""

from __future__ import annotations

import pytest

from site_builder.chinese import Converter
from site_builder.importer.figures import KnownMetric, find_figures, match_keys
from site_builder.importer.numerals import chinese_value

TO_HANS = Converter().to_hans


def figures(text: str) -> list[tuple[int | float, str | None, str]]:
    return [(f.value, f.qualifier, f.unit) for f in find_figures([(1, text)], TO_HANS)]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("二十三", 23),
        ("一千二百", 1200),
        ("两千万", 20_000_000),
        ("百", 100),
        ("十", 10),
        ("兩萬三千", 23_000),
        ("一百零五", 105),
    ],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_value(numeral) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("共开展活动二十三次。", [(23, None, "次")]),
        ("培训一千二百余人。", [(1200, "more_than", "人")]),
        ("募集资金两千万元。", [(20_000_000, None, "元")]),
        ("投入3.2万元。", [(32_000, None, "元")]),
        ("募集款物303.92萬元。", [(3_039_200, None, "元")]),
        ("覆盖7万人次。", [(70_000, None, "人次")]),
        ("发放书籍40余種約11300冊。", [(40, "more_than", "种"), (11300, "about", "册")]),
        ("座谈交流会30多次。", [(30, "more_than", "次")]),
        ("服务群众近5000人。", [(5000, "about", "人")]),
        ("惠及超过1.2亿人次。", [(120_000_000, "more_than", "人次")]),
        ("组织培训100人以上。", [(100, "more_than", "人")]),
        ("在津培训百余人次。", [(100, "more_than", "人次")]),
        ("满意率达95.5%。", [(95.5, None, "%")]),
        ("覆盖率达到百分之三十。", [(30, None, "%")]),
        ("已派出10批20個小分隊59名干部。", [(10, None, "批"), (20, None, "个"), (59, None, "名")]),
    ],
)
def test_figures_found(text: str, expected: list[tuple[int | float, str | None, str]]) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024年，市妇联党组坚持学习。",
        "学习贯彻党的十九大和二十届三中全会精神。",
        "学习中纪委十九届三次全会精神。",
        "市委第一巡察组开展巡察。",
        "坚决做到“两个维护”，落实“三会一课”。",
        "做到”两个维护”。",
        "落实中央八项规定精神。",
        "发挥“1网+2微+多号+16区”矩阵作用，采取1+16+N的模式。",
        "严格执行《通知》(桐办发[2016]23号)的规定。",
        "围绕反馈的3个方面推进，从八个方面提出，开展五个步骤。",
        "党组每月至少组织2次专题学习，党组成员每人确定2名对象。",
        "连续5年开展约谈，两个月来持续整改，工作时间不少于60天。",
        "形成一批务实管用的工作法。",
        "一是强化政治监督。",
        "学习《习近平新时代中国特色社会主义思想三十讲》。",
    ],
)
def test_not_figures(text: str) -> None:
    assert figures(text) == []


def test_a_repeated_sentence_is_proposed_once_but_two_places_in_one_sentence_twice() -> None:
    text = "针对反馈的11项整改任务，目前已经完成11项整改任务。"
    found = find_figures([(1, text), (5, text)], TO_HANS)
    assert [(f.line, f.value) for f in found] == [(1, 11), (1, 11)]


METRICS = (
    KnownMetric("rectification_items", "巡察反馈整改任务", "项"),
    KnownMetric("rectification_completed", "已完成整改任务", "项"),
    KnownMetric("cadres_promoted", "干部提拔和职级晋升", "人"),
)


def test_keys_by_label_and_unit_one_figure_per_key() -> None:
    text = "针对巡察组反馈的11项整改任务，目前已经完成11项整改任务。完成8名干部提拔工作，另有8名干部提拔。"
    props = match_keys(find_figures([(1, text)], TO_HANS), METRICS, TO_HANS, 0.25)
    assert [(p.key, p.known) for p in props] == [
        ("rectification_items", True),
        ("rectification_completed", True),
        ("cadres_promoted", True),  # 名 counts people like 人
        ("gan_bu", False),  # the key is taken: a report lists a key once
    ]


def test_figures_in_a_table_take_their_unit_from_the_header() -> None:
    from site_builder.importer.convert import render_body
    from site_builder.importer.document import Block, Kind

    table = Block(
        Kind.TABLE,
        rows=(("项目", "场次（场）", "人次"), ("宣讲", "3000余", "7万"), ("培训", "12", "")),
    )
    lines, texts = render_body([table], [])
    assert lines[0] == "| 项目 | 场次（场） | 人次 |"
    found = find_figures(texts, TO_HANS)
    assert [(f.line, f.value, f.qualifier, f.unit) for f in found] == [
        (2, 3000, "more_than", "场"),
        (2, 70000, None, "人次"),
        (3, 12, None, "场"),
    ]
