"""Deterministic generator of synthetic site projects, for benchmarks and tests.

    python bench/generate.py --reports 5000 --seed 1 --out /tmp/site-5k

writes a complete site project (``site.yaml``, ``content/orgs``, ``content/metrics.yaml``,
``content/tags.yaml``, ``content/reports``, ``content/pages``) that ``site-builder build`` accepts:

- N reports over a tree of organizations (national / provincial / municipal / county), about
  eight reports per organization, dated 2015–2025;
- 3–8 metrics each from the registry, also written into the text as the reports do
  (``全年召开集体学习会26次``);
- bodies of 3–12 KB of Chinese built from phrases typical of annual work summaries and
  rectification reports, with headings, lists, tables and, in about one in five, a
  ```` ```chart ```` block; about 40% are written in Traditional script (converted with the
  project's OpenCC ``s2tw`` converter and its phrase overrides);
- about a quarter with an ``.en.md`` translation.

Same arguments, same bytes: everything is drawn from one ``random.Random(seed)`` in a fixed
order, and nothing depends on the clock, the file system or hash ordering. Other tools import
:func:`generate` (and :func:`tree_digest` to compare two trees).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

MARKER = ".bench-generated"
YEARS = tuple(range(2015, 2026))
HANT_SHARE = 0.4
EN_SHARE = 0.25
CHART_SHARE = 0.2
REPORTS_PER_ORG = 8


# --- registries -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricDef:
    key: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    lo: int
    hi: int
    additive: bool = True
    fmt: str = "count"
    verb: str = "开展"  # how the text introduces the figure: 全年开展宣讲660场


METRICS: tuple[MetricDef, ...] = (
    MetricDef(
        "study_sessions",
        "集体学习会",
        "Collective study sessions",
        "次",
        "sessions",
        6,
        220,
        verb="召开",
    ),
    MetricDef(
        "report_meetings",
        "专题报告会和座谈交流会",
        "Lectures and discussion meetings",
        "次",
        "meetings",
        2,
        60,
        verb="举办",
    ),
    MetricDef(
        "party_lectures",
        "党组成员讲党课",
        "Party lectures by leadership group members",
        "次",
        "lectures",
        1,
        40,
        verb="开展",
    ),
    MetricDef(
        "life_meetings",
        "民主生活会和组织生活会",
        "Democratic and organizational life meetings",
        "次",
        "meetings",
        1,
        30,
        verb="召开",
    ),
    MetricDef(
        "party_group_meetings",
        "党组会",
        "Party leadership group meetings",
        "次",
        "meetings",
        8,
        60,
        verb="召开",
    ),
    MetricDef(
        "books_distributed", "发放书籍", "Books distributed", "册", "books", 200, 30000, verb="累计"
    ),
    MetricDef(
        "book_titles",
        "发放书籍种类",
        "Book titles distributed",
        "种",
        "titles",
        3,
        60,
        additive=False,
        verb="累计",
    ),
    MetricDef(
        "outreach_sessions", "宣讲场次", "Outreach talks", "场", "sessions", 20, 4000, verb="开展"
    ),
    MetricDef(
        "outreach_reach",
        "宣讲覆盖人次",
        "People reached by outreach talks",
        "人次",
        "person-times",
        1000,
        900000,
        verb="覆盖",
    ),
    MetricDef(
        "rules_revised",
        "制定修订制度",
        "Rules made or revised",
        "项",
        "rules",
        2,
        90,
        verb="制定修订",
    ),
    MetricDef(
        "conduct_measures",
        "落实中央八项规定精神具体措施",
        "Measures implementing the eight-point rules",
        "条",
        "measures",
        3,
        40,
        verb="制定",
    ),
    MetricDef(
        "admonishment_talks",
        "诫勉谈话和提醒谈话",
        "Admonishment and reminder talks",
        "人次",
        "person-times",
        0,
        60,
        verb="开展",
    ),
    MetricDef(
        "disciplinary_actions",
        "党政纪处分",
        "Disciplinary actions",
        "人",
        "people",
        0,
        15,
        verb="作出",
    ),
    MetricDef(
        "rectification_items",
        "巡察反馈整改任务",
        "Rectification items",
        "项",
        "items",
        3,
        40,
        verb="梳理",
    ),
    MetricDef(
        "rectification_completed",
        "已完成整改任务",
        "Rectification items completed",
        "项",
        "items",
        1,
        40,
        verb="完成",
    ),
    MetricDef(
        "volunteers",
        "巾帼志愿者",
        "Women volunteers",
        "人",
        "people",
        100,
        90000,
        additive=False,
        verb="登记",
    ),
    MetricDef(
        "volunteer_activities",
        "志愿服务活动",
        "Volunteer activities",
        "场",
        "activities",
        10,
        3000,
        verb="开展",
    ),
    MetricDef(
        "public_welfare_projects",
        "公益项目",
        "Public welfare projects",
        "个",
        "projects",
        1,
        60,
        verb="实施",
    ),
    MetricDef(
        "funds_raised",
        "募集款物",
        "Funds and goods raised",
        "元",
        "CNY",
        50000,
        9000000,
        fmt="currency",
        verb="募集",
    ),
    MetricDef(
        "families_visited",
        "走访慰问困难家庭",
        "Families in difficulty visited",
        "户",
        "households",
        20,
        8000,
        verb="走访",
    ),
    MetricDef(
        "training_participants",
        "参加培训人数",
        "Training participants",
        "人次",
        "person-times",
        30,
        20000,
        verb="培训",
    ),
    MetricDef(
        "research_reports", "调研报告", "Research reports", "篇", "reports", 1, 30, verb="形成"
    ),
)

TAGS: tuple[tuple[str, str, str], ...] = (
    ("全面从严治党", "Full and strict governance over the Party", "full-strict-governance"),
    ("党的建设", "Party building", "party-building"),
    ("思想政治建设", "Political and ideological work", "political-work"),
    ("理论学习", "Theoretical study", "theoretical-study"),
    ("党风廉政建设", "Party conduct and integrity", "conduct-integrity"),
    ("中央八项规定", "The eight-point rules on conduct", "eight-point-rules"),
    ("作风建设", "Improving work conduct", "work-conduct"),
    ("为基层减负", "Reducing burdens on the grassroots", "reducing-burdens"),
    ("警示教育", "Cautionary education", "cautionary-education"),
    ("党纪学习教育", "Party discipline education", "discipline-education"),
    ("巡视整改", "Inspection rectification", "inspection-rectification"),
    ("巡察整改", "Inspection tour rectification", "inspection-tour-rectification"),
    ("宣讲", "Outreach talks", "outreach"),
    ("志愿服务", "Volunteer service", "volunteer-service"),
    ("家庭家教家风", "Family values", "family-values"),
    ("统战工作", "United front work", "united-front"),
    ("年度总结", "Annual work summary", "annual-summary"),
    ("调查研究", "Research and investigation", "research"),
    ("基层组织建设", "Grassroots organization building", "grassroots-organizations"),
    ("妇女儿童权益", "Rights of women and children", "women-children-rights"),
    ("乡村振兴", "Rural revitalization", "rural-revitalization"),
    ("巾帼建功", "Women's achievement campaigns", "womens-achievement"),
    ("网上妇联", "Online women's federation", "online-federation"),
    ("作风纪律", "Conduct and discipline", "conduct-discipline"),
)

PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "Beijing"),
    ("天津市", "Tianjin"),
    ("河北省", "Hebei"),
    ("山西省", "Shanxi"),
    ("内蒙古自治区", "Inner Mongolia"),
    ("辽宁省", "Liaoning"),
    ("吉林省", "Jilin"),
    ("黑龙江省", "Heilongjiang"),
    ("上海市", "Shanghai"),
    ("江苏省", "Jiangsu"),
    ("浙江省", "Zhejiang"),
    ("安徽省", "Anhui"),
    ("福建省", "Fujian"),
    ("江西省", "Jiangxi"),
    ("山东省", "Shandong"),
    ("河南省", "Henan"),
    ("湖北省", "Hubei"),
    ("湖南省", "Hunan"),
    ("广东省", "Guangdong"),
    ("广西壮族自治区", "Guangxi"),
    ("海南省", "Hainan"),
    ("重庆市", "Chongqing"),
    ("四川省", "Sichuan"),
    ("贵州省", "Guizhou"),
    ("云南省", "Yunnan"),
    ("西藏自治区", "Tibet"),
    ("陕西省", "Shaanxi"),
    ("甘肃省", "Gansu"),
    ("青海省", "Qinghai"),
    ("宁夏回族自治区", "Ningxia"),
    ("新疆维吾尔自治区", "Xinjiang"),
)

# Syllables for invented place names: (character, pinyin).
PLACE_FIRST = tuple(
    zip(
        "东西南北安康长永新平兴宁华阳临清泰丰和顺",
        [
            "dong",
            "xi",
            "nan",
            "bei",
            "an",
            "kang",
            "chang",
            "yong",
            "xin",
            "ping",
            "xing",
            "ning",
            "hua",
            "yang",
            "lin",
            "qing",
            "tai",
            "feng",
            "he",
            "shun",
        ],
        strict=True,
    )
)
PLACE_SECOND = tuple(
    zip(
        "山川河海江湖城州原林台阳安丰宁泉源桥溪岭",
        [
            "shan",
            "chuan",
            "he",
            "hai",
            "jiang",
            "hu",
            "cheng",
            "zhou",
            "yuan",
            "lin",
            "tai",
            "yang",
            "an",
            "feng",
            "ning",
            "quan",
            "yuan",
            "qiao",
            "xi",
            "ling",
        ],
        strict=True,
    )
)

# --- vocabulary (Simplified; converted for Traditional reports) -------------------------------

HEADINGS = (
    "坚持政治统领，坚决做到“两个维护”",
    "坚持理论武装，筑牢思想根基",
    "加强思想政治引领",
    "压实管党治党政治责任",
    "持续净化政治生态",
    "锲而不舍落实中央八项规定精神",
    "深化巾帼志愿服务",
    "推进家庭家教家风建设",
    "扎实做好巡察整改",
    "加强基层组织建设",
    "持续为基层减负",
    "强化警示教育",
    "加强干部队伍建设",
    "深入开展调查研究",
    "维护妇女儿童合法权益",
    "服务乡村振兴大局",
    "推进网上妇联建设",
    "加强党风廉政建设",
    "党的政治建设方面",
    "党的思想建设方面",
    "党的组织建设方面",
    "党的作风建设方面",
    "党的纪律建设方面",
)
CLOSING_HEADINGS = ("下一步工作打算", "存在的不足和下一步措施", "巩固整改成果，推进长效机制建设")
NUMERALS = "一二三四五六七八九十"
OPENERS = (
    "{year}年，{org}",
    "一年来，{org}",
    "{org}党组",
    "全年",
    "与此同时，",
    "围绕中心工作，",
    "针对巡察反馈意见，",
    "按照上级党组织安排，",
    "在此基础上，",
    "{org}机关",
)
CLAUSES = (
    "坚持以习近平新时代中国特色社会主义思想为指导",
    "深入学习贯彻党的二十大和二十届三中全会精神",
    "紧紧围绕高质量推进党的建设重要要求",
    "切实履行全面从严治党主体责任",
    "推进全面从严治党向纵深发展",
    "把管党治党工作与业务工作同部署、同落实、同检查、同考核",
    "分层级开展履职谈话和廉政谈话",
    "不断强化管党治党的政治自觉、思想自觉和行动自觉",
    "制定政治监督工作方案",
    "健全政治监督具体化、精准化、常态化机制",
    "组织党员干部围绕政治纪律和组织纪律开展专题学习研讨",
    "增强政治定力、纪律定力、道德定力、抵腐定力",
    "始终做到忠诚干净担当",
    "组织巾帼宣讲团深入社区、乡村、企业开展宣讲",
    "广泛凝聚妇女群众听党话、跟党走",
    "持续深化家庭家教家风建设",
    "组织巾帼志愿者开展关爱老人和儿童活动",
    "严格落实“三会一课”制度",
    "规范民主评议党员工作流程",
    "完善各项规章制度",
    "严格执行请示报告制度",
    "加强对权力运行的制约和监督",
    "驰而不息纠治“四风”",
    "精简文件会议，切实为基层减负",
    "深入基层开展调查研究",
    "建立问题清单、任务清单和责任清单",
    "逐项销号、动态管理",
    "推动整改工作落地见效",
    "以高质量政治监督服务发展大局",
    "扎实开展政治生态分析研判工作",
    "强化党内监督实效",
    "及时跟进学习党的创新理论成果",
    "把学习成果转化为推动妇女事业发展的实际成效",
    "充分发挥妇联组织联系妇女群众的桥梁纽带作用",
    "层层传导压力，逐级落实责任",
    "持续开展廉政风险防控工作",
    "用身边事教育身边人",
    "推动全面从严治党向基层延伸",
    "深入开展党纪学习教育",
    "认真落实意识形态工作责任制",
    "加强妇联干部教育培训",
    "提升服务妇女儿童的能力水平",
    "做实做细困难妇女儿童关爱帮扶工作",
    "推动妇联改革向纵深发展",
    "把党的政治建设摆在首位",
    "坚持“第一议题”制度",
    "落实领导干部双重组织生活制度",
    "开展党员重温入党誓词活动",
)
LIST_ITEMS = (
    "召开专题会议研究部署",
    "制定工作方案，明确责任分工和完成时限",
    "建立工作台账，实行清单化管理",
    "开展专项检查，及时发现和纠正问题",
    "加强督促指导，确保各项任务落实到位",
    "总结经验做法，形成长效机制",
    "组织集中学习和专题研讨",
    "开展谈心谈话，了解思想动态",
    "完善考核评价办法，强化结果运用",
    "加强宣传引导，营造良好氛围",
)
QUALIFIER_SUFFIX = {"more_than": "余", "about": ""}

EN_HEADINGS = (
    "Upholding the Party's political leadership",
    "Strengthening theoretical study",
    "Fulfilling the responsibility for full and strict governance",
    "Purifying the political environment",
    "Implementing the eight-point rules",
    "Women volunteers and public service",
    "Family, family education and family values",
    "Rectifying problems raised by the inspection",
    "Strengthening grassroots organizations",
    "Reducing burdens on the grassroots",
)
EN_CLAUSES = (
    "the Party leadership group upheld Xi Jinping Thought on Socialism with Chinese "
    "Characteristics for a New Era as its guide",
    "the Federation studied and applied the guiding principles of the 20th Party Congress",
    "responsibility for full and strict governance over the Party was passed down level by level",
    "talks on duty performance and integrity were held at every level",
    "a plan for political supervision was drawn up and carried out",
    "Party members and cadres held special study sessions on political and organizational "
    "discipline",
    "women's outreach teams went into communities, villages and enterprises",
    "women volunteers cared for elderly people and children",
    "the 'three meetings and one lesson' system was strictly observed",
    "rules and regulations were improved and posted",
    "lists of problems, tasks and responsibilities were drawn up and closed item by item",
    "meetings and documents were cut to reduce burdens on the grassroots",
    "cadres went to the grassroots to investigate and study",
    "the results of study were turned into progress in the work for women and children",
)


# --- the org tree -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgSpec:
    key: str
    zh: str
    short_zh: str
    en: str
    level: str
    parent: str | None


def _org_tree(rng: random.Random, count: int) -> list[OrgSpec]:
    """``count`` organizations (at least 2): one national, provinces, cities, counties."""
    count = max(2, count)
    orgs = [
        OrgSpec(
            "national",
            "全国妇女联合会（示例）",
            "全国妇联",
            "National Women's Federation",
            "national",
            None,
        )
    ]
    n_prov = max(1, min(len(PROVINCES), (count - 1) // 20 or 1))
    provinces = []
    for i in range(n_prov):
        zh, en = PROVINCES[i]
        spec = OrgSpec(
            f"p{i + 1:02d}",
            f"{zh}妇女联合会（示例）",
            f"{zh[:2]}妇联",
            f"{en} Women's Federation (sample)",
            "provincial",
            "national",
        )
        provinces.append(spec)
    orgs += provinces[: count - 1]
    names: set[str] = set()

    def place() -> tuple[str, str]:
        for _ in range(1000):
            a, b = rng.choice(PLACE_FIRST), rng.choice(PLACE_SECOND)
            if a[0] + b[0] not in names:
                break
        names.add(a[0] + b[0])
        return a[0] + b[0], (a[1] + b[1]).capitalize()

    cities: list[OrgSpec] = []
    city_count: dict[str, int] = {}
    county_count: dict[str, int] = {}
    # Fill cities (up to 12 per province), then counties (up to 10 per city), round-robin, so
    # the tree keeps its shape at any size; names may repeat once all pairs are used.
    while len(orgs) < count:
        grown = False
        for prov in provinces:
            if len(orgs) >= count:
                break
            if city_count.get(prov.key, 0) < 12 and (
                len(cities) < 3 * len(provinces) or rng.random() < 0.35
            ):
                n = city_count.get(prov.key, 0) + 1
                city_count[prov.key] = n
                zh, en = place()
                spec = OrgSpec(
                    f"{prov.key}-c{n:02d}",
                    f"{zh}市妇女联合会（示例）",
                    f"{zh}市妇联",
                    f"{en} City Women's Federation (sample)",
                    "municipal",
                    prov.key,
                )
                cities.append(spec)
                orgs.append(spec)
                grown = True
        for city in list(cities):
            if len(orgs) >= count:
                break
            if county_count.get(city.key, 0) < 10 and rng.random() < 0.5:
                n = county_count.get(city.key, 0) + 1
                county_count[city.key] = n
                zh, en = place()
                spec = OrgSpec(
                    f"{city.key}-x{n:02d}",
                    f"{zh}县妇女联合会（示例）",
                    f"{zh}县妇联",
                    f"{en} County Women's Federation (sample)",
                    "county",
                    city.key,
                )
                orgs.append(spec)
                grown = True
        if not grown:  # every slot is full: allow bigger provinces
            for prov in provinces:
                city_count[prov.key] = min(city_count.get(prov.key, 0), 11)
            break
    return orgs


# --- text ---------------------------------------------------------------------------------------


def _zh_number(value: int, unit: str, qualifier: str | None) -> str:
    if unit == "元":
        text = f"{value / 10000:.2f}".rstrip("0").rstrip(".") + "万元"
    elif value >= 100000 and value % 100 == 0:
        text = f"{value / 10000:.2f}".rstrip("0").rstrip(".") + "万" + unit
    else:
        text = f"{value}{unit}"
    if qualifier == "more_than":
        return text[: -len(unit)] + "余" + unit if unit else text + "余"
    if qualifier == "about":
        return "约" + text
    return text


@dataclass(frozen=True, slots=True)
class Figure:
    metric: MetricDef
    value: int
    qualifier: str | None


class _Writer:
    def __init__(self, rng: random.Random, org: str, year: int) -> None:
        self.rng, self.org, self.year = rng, org, year

    def sentence(self, figure: Figure | None = None) -> str:
        rng = self.rng
        opener = rng.choice(OPENERS).format(year=self.year, org=self.org)
        clauses = rng.sample(CLAUSES, rng.randint(2, 4))
        text = opener + "，".join(clauses)
        if figure is not None:
            m = figure.metric
            verb = "" if m.zh.startswith(m.verb) else m.verb
            text += f"，全年{verb}{m.zh}" + _zh_number(figure.value, m.unit_zh, figure.qualifier)
        return text.replace("，，", "，") + "。"

    def paragraph(self, figures: list[Figure]) -> str:
        rng = self.rng
        n = rng.randint(2, 5)
        parts = []
        for i in range(n):
            fig = figures.pop() if figures and (i == 0 or rng.random() < 0.3) else None
            parts.append(self.sentence(fig))
        return "".join(parts)


def _chart_block(rng: random.Random, year: int, metric: MetricDef) -> str:
    values = [rng.randint(max(1, metric.lo // 4), max(2, metric.hi // 4)) for _ in range(4)]
    kind = rng.choice(("bar", "line"))
    return (
        "```chart\n"
        f"type: {kind}\n"
        f'title: {{zh: {year}年各季度{metric.zh}, en: "{metric.en} by quarter, {year}"}}\n'
        "x: [Q1, Q2, Q3, Q4]\n"
        "series:\n"
        f"  - name: {{zh: {metric.zh}, en: {metric.en}}}\n"
        f"    data: [{', '.join(map(str, values))}]\n"
        "```\n"
    )


def _table(figures: list[Figure]) -> str:
    rows = ["| 指标 | 数值 |", "| --- | ---: |"]
    for f in figures:
        rows.append(f"| {f.metric.zh} | {_zh_number(f.value, f.metric.unit_zh, f.qualifier)} |")
    return "\n".join(rows) + "\n"


def _zh_body(
    rng: random.Random, org: str, year: int, figures: list[Figure], target: int, chart: bool
) -> str:
    """A Simplified body of about ``target`` UTF-8 bytes."""
    w = _Writer(rng, org, year)
    pending = list(figures)
    out = [w.paragraph(pending) + "\n"]
    size = len(out[0].encode())
    headings = rng.sample(HEADINGS, min(len(HEADINGS), 9))
    section = 0
    chart_done = not chart
    table_done = False
    while size < target and section < len(headings):
        parts = [f"## {NUMERALS[section]}、{headings[section]}\n"]
        section += 1
        for sub in range(rng.randint(1, 3)):
            if rng.random() < 0.4:
                parts.append(f"### （{NUMERALS[sub]}）{rng.choice(LIST_ITEMS)}\n")
            parts.append(w.paragraph(pending) + "\n")
            if rng.random() < 0.35:
                items = rng.sample(LIST_ITEMS, rng.randint(3, 5))
                parts.append(
                    "".join(f"- {NUMERALS[i]}是{item}。\n" for i, item in enumerate(items))
                )
        if not table_done and section >= 2:
            parts.append(f"{year}年主要工作数据如下：\n\n" + _table(figures))
            table_done = True
        if not chart_done and section >= 2:
            parts.append(f"各季度{figures[0].metric.zh}情况如下：\n\n")
            parts.append(_chart_block(rng, year, figures[0].metric))
            chart_done = True
        block = "\n".join(parts)
        out.append(block)
        size += len(block.encode())
    closing = f"## {NUMERALS[min(section, 9)]}、{rng.choice(CLOSING_HEADINGS)}\n\n"
    closing += f"{year + 1}年，" + w.paragraph([]) + "\n"
    out.append(closing)
    return "\n".join(out)


def _en_body(rng: random.Random, org_en: str, year: int, figures: list[Figure], target: int) -> str:
    out = [f"In {year}, the Party leadership group of the {org_en} did the following work.\n"]
    size = len(out[0])
    heads = rng.sample(EN_HEADINGS, len(EN_HEADINGS))
    i = 0
    while size < target and i < len(heads):
        para = []
        for _ in range(rng.randint(3, 6)):
            c = rng.sample(EN_CLAUSES, 2)
            para.append(f"In this area, {c[0]}, and {c[1]}.")
        block = f"## {i + 1}. {heads[i]}\n\n" + " ".join(para) + "\n"
        if i == 1:
            block += "\n| Figure | Value |\n| --- | ---: |\n" + "".join(
                f"| {f.metric.en} | {f.value:,} {f.metric.unit_en} |\n" for f in figures
            )
        out.append(block)
        size += len(block)
        i += 1
    return "\n".join(out)


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the site ---------------------------------------------------------------------------------

KINDS = (
    ("annual-summary", "{org}{year}年度工作总结", "{org_en}: {year} annual work summary"),
    ("party-building-summary", "{org}{year}年党建工作总结", "{org_en}: Party building in {year}"),
    (
        "rectification-report",
        "{org}党组关于{year}年巡察反馈意见整改情况的通报",
        "{org_en}: rectification of inspection findings, {year}",
    ),
)


def _site_yaml() -> str:
    return (
        "title: {zh: 妇联工作报告（基准测试样本）, en: Women's Federation Reports (benchmark sample)}\n"
        "description:\n"
        "  zh: 由基准测试生成器产生的示例站点，报告和数字均为虚构。\n"
        "  en: A synthetic site made by the benchmark generator; reports and figures are invented.\n"
        "base_url: http://intranet.example/reports/\n"
        "languages: [zh-Hans, zh-Hant, en]\n"
        "default_language: zh-Hans\n"
        "latest_reports: 10\n"
    )


def _metrics_yaml() -> str:
    lines = ["# Synthetic metric registry (bench/generate.py)."]
    for m in METRICS:
        lines.append(f"{m.key}:")
        lines.append(f"  label: {{zh: {m.zh}, en: {_yaml_str(m.en)}}}")
        lines.append(f"  unit: {{zh: {m.unit_zh}, en: {m.unit_en}}}")
        if not m.additive:
            lines.append("  additive: false")
        if m.fmt != "count":
            lines.append(f"  format: {m.fmt}")
    return "\n".join(lines) + "\n"


def _tags_yaml() -> str:
    lines = ["# Synthetic tag registry (bench/generate.py)."]
    lines += [f"{zh}: {{en: {_yaml_str(en)}, slug: {slug}}}" for zh, en, slug in TAGS]
    return "\n".join(lines) + "\n"


def _org_yaml(o: OrgSpec) -> str:
    lines = [
        f"name: {{zh: {o.zh}, en: {_yaml_str(o.en)}}}",
        f"short_name: {{zh: {o.short_zh}, en: {_yaml_str(o.en.replace(' (sample)', ''))}}}",
        f"level: {o.level}",
    ]
    if o.parent:
        lines.append(f"parent: {o.parent}")
    lines.append(f"description: {{zh: 基准测试生成的虚构组织：{o.zh}。, en: {_yaml_str(o.en)}}}")
    lines.append("sample: true")
    return "\n".join(lines) + "\n"


PAGES = {
    "content/pages/about.md": (
        "---\ntitle: {zh: 关于本站, en: About this site}\n---\n\n"
        "本站由基准测试生成器产生，所有组织、报告和数字均为虚构，仅用于测试构建速度。\n"
    ),
    "content/pages/about.en.md": (
        "---\ntitle: About this site\n---\n\n"
        "This site was made by the benchmark generator. Every organization, report and figure "
        "in it is invented, for measuring build speed only.\n"
    ),
}


def _report_files(
    rng: random.Random, org: OrgSpec, year: int, kind: tuple[str, str, str], converter: object
) -> dict[str, str]:
    slug, title_tpl, title_en_tpl = kind
    rel = f"content/reports/{org.key}/{year}-{slug}"
    figures: list[Figure] = []
    for m in rng.sample(METRICS, rng.randint(3, 8)):
        value = rng.randint(m.lo, m.hi)
        if value >= 10000:
            value = round(value, -2)
        q = rng.choices((None, "more_than", "about"), (0.8, 0.12, 0.08))[0]
        figures.append(Figure(m, value, q))
    hant = rng.random() < HANT_SHARE
    with_en = rng.random() < EN_SHARE
    chart = rng.random() < CHART_SHARE
    target = rng.randint(3 * 1024, 12 * 1024)
    if slug == "annual-summary":
        date = f"{year}-12-31"
    else:
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    tags = rng.sample(TAGS, rng.randint(1, 3))
    if slug == "annual-summary" and TAGS[16] not in tags:
        tags.append(TAGS[16])
    title = title_tpl.format(org=org.short_zh, year=year)
    summary = (
        f"{org.short_zh}{year}年工作情况，含"
        + "、".join(f.metric.zh for f in figures[:3])
        + "等主要数据。"
    )
    body = _zh_body(rng, org.short_zh, year, figures, target, chart)
    tag_names = [t[0] for t in tags]
    if hant:
        to_hant = converter.to_hant  # type: ignore[attr-defined]
        title, summary, body = to_hant(title), to_hant(summary), to_hant(body)
        tag_names = [to_hant(t) for t in tag_names]
    en_title = title_en_tpl.format(org_en=org.en.replace(" (sample)", ""), year=year)
    front = ["---"]
    if with_en:
        front.append(f"title: {title}")
    else:
        front.append(f"title: {{zh: {title}, en: {_yaml_str(en_title)}}}")
    front += [
        f"date: {date}",
        f"summary: {summary}",
        f"tags: [{', '.join(tag_names)}]",
        f"lang: {'zh-Hant' if hant else 'zh-Hans'}",
        "metrics:",
    ]
    for f in figures:
        front.append(f"  - key: {f.metric.key}")
        front.append(f"    value: {f.value}")
        if f.qualifier:
            front.append(f"    qualifier: {f.qualifier}")
    front.append("---")
    files = {rel + ".md": "\n".join(front) + "\n\n" + body}
    if with_en:
        en_body = _en_body(rng, org.en, year, figures, rng.randint(2 * 1024, 6 * 1024))
        files[rel + ".en.md"] = (
            f"---\ntitle: {_yaml_str(en_title)}\n"
            f"summary: {_yaml_str(f'Work of the {org.en} in {year}, with its key figures.')}\n"
            f"---\n\n{en_body}"
        )
    return files


def iter_files(reports: int, seed: int = 1) -> list[tuple[str, str]]:
    """Every file of the site as (relative path, text), in a fixed order."""
    try:
        from site_builder.chinese import Converter
    except ImportError:  # run from a checkout without installing the package
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from site_builder.chinese import Converter

    converter = Converter()
    rng = random.Random(seed)
    orgs = _org_tree(rng, -(-reports // REPORTS_PER_ORG) + 1)
    files: list[tuple[str, str]] = [
        ("site.yaml", _site_yaml()),
        ("content/metrics.yaml", _metrics_yaml()),
        ("content/tags.yaml", _tags_yaml()),
    ]
    files += [(f"content/orgs/{o.key}.yaml", _org_yaml(o)) for o in orgs]
    files += sorted(PAGES.items())
    # Slots are (org, year, kind); pick `reports` of them without repeats.
    n_slots = len(orgs) * len(YEARS) * len(KINDS)
    if reports > n_slots:  # pragma: no cover - the tree has ~8 reports per org
        raise ValueError(f"{reports} reports do not fit {len(orgs)} organizations")
    slots = sorted(rng.sample(range(n_slots), reports))
    for slot in slots:
        org_i, rest = divmod(slot, len(YEARS) * len(KINDS))
        year_i, kind_i = divmod(rest, len(KINDS))
        org = orgs[org_i]
        files += sorted(_report_files(rng, org, YEARS[year_i], KINDS[kind_i], converter).items())
    return files


def generate(out: Path, reports: int, seed: int = 1) -> None:
    """Write a site project with ``reports`` reports into ``out``.

    ``out`` must be missing, empty, or an earlier output of this generator (its files are
    replaced). The same ``reports`` and ``seed`` give the same bytes.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ValueError(f"{out} is not empty and was not made by {Path(__file__).name}")
        for name in ("content", "site.yaml", "output"):
            p = out / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(f"reports={reports} seed={seed}\n", encoding="utf-8")
    made: set[Path] = set()
    for rel, text in iter_files(reports, seed):
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(text.encode("utf-8"))


def tree_digest(root: Path) -> str:
    """A sha256 over every file's relative path and bytes under ``root`` (sorted)."""
    h = hashlib.sha256()
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reports", type=int, default=1000, help="number of reports (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the site into")
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error("--reports must be at least 1")
    try:
        generate(args.out, args.reports, args.seed)
    except ValueError as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 2
    print(f"generated {args.reports} reports into {args.out} (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
