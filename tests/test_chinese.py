"""Tests for site_builder.chinese: script detection, conversion, phrase overrides and HTML.

The phrase table below is drawn from the seed reports (../shared/seeds): each entry is the
Simplified form, the standard Traditional form (Taiwan standard characters, not Taiwan
vocabulary) and, where the seed is written in Traditional, the seed's own spelling, which is
often non-standard (中層干部, 40余種, 戰斗) and must come out standard. Short excerpts of the
seeds are embedded so these tests need nothing outside the repository; the whole seed files are
tested too when they are present.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import opencc
import pytest

from site_builder.chinese import (
    HANS,
    HANT,
    MIXED,
    NONE,
    Converter,
    Nonconforming,
    Phrase,
    ScriptInfo,
    default_converter,
    default_phrases,
    detect_script,
    nonconforming_chars,
    parse_phrases,
    protect,
)

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = {
    "000": "000_50dd39705e242e82.txt",
    "001": "001_735ef56086fb3785.txt",
    "002": "002_3be8e22a5149781f.txt",
}


def seed(name: str) -> str:
    path = SEED_DIR / SEED_FILES[name]
    if not path.is_file():
        pytest.skip(f"seed report {path} not present")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def conv() -> Converter:
    return Converter(quotes="curly")  # these tests are about characters; quotes: below


SEED_000_EXCERPT = (
    "加強思想政治建設\n"
    "◎ 黨的十八大以來,全國婦聯共舉辦黨組集體學習會、理論中心組(擴大)學習會203"
    "次,全會舉行專題報告會、座談交流會30多次,累計發放《習近平總書記系列重要講話精"
    "神讀本》《習近平談治國理政》等書籍40余種約11300冊。\n"
    "落實從嚴治黨責任\n"
    "◎ 自2014年開始,全國婦聯黨組連續5年開展主體責任約談,推動各部門單位黨組織"
    "主要負責人與中層干部進行約談,把落實全面從嚴治黨主體責任作為發揮領導核心作用的重"
    "要職責,層層傳導壓力,逐級落實全面從嚴治黨責任。并通過召開機關黨的工作會議、全國"
    "婦聯黨風廉政建設工作會議、警示教育大會、機關廉政風險防控工作會,開展黨建工作測評"
    "和黨組織書記述職等,加強對全面從嚴治黨、黨風廉政建設工作的領導和指導,推動全面從"
    "嚴治黨向基層延伸,向縱深發展。\n"
    "為了把全面從嚴治黨落在實處,全國婦聯黨組始終做到堅定履行好全面從嚴治黨主體責任,"
    "采取有力措施,圍繞強“三性”、去“四化”,強力推進全面從嚴治黨向縱深發展、向基層"
    "延伸,更好地發揮黨組的領導核心作用、各級黨組織的戰斗堡壘作用和廣大婦聯黨員的先鋒"
    "模范作用,為婦聯的改革發展提供了堅強保障。"
)

SEED_001_EXCERPT = (
    "一、堅持政治統領,堅決做到“兩個維護”\n"
    "一是堅決貫徹落實習近平總書記重要指示批示精神。市婦聯黨組始終把習近平總書記重要講"
    "話和重要指示批示精神作為“第一議題”“第一遵循”“第一政治要件”,堅持把黨的二十"
    "屆三中全會精神與習近平總書記視察天津重要講話精神、習近平總書記“10˙30”重要"
    "講話精神一體學習、一體貫徹。堅決把黨中央決策部署轉化為婦聯工作的具體任務,制定“"
    "落實習近平總書記10·30重要講話精神”“落實習近平總書記視察天津重要講話精神”"
    "“落實黨的二十屆三中全會精神”等工作臺賬,通過季度督查、年度自查、專項隨機抽查加"
    "強全過程、全閉環管理,確保習近平總書記的殷殷囑托在婦聯系統落地落實。\n"
    "四是持續凈化政治生態。制定市婦聯落實全面從嚴治黨主體責任加強政治生態建設任務安排"
    ",明確要求、壓實責任,扎實開展政治生態分析研判工作,強化黨內監督實效;涵養黨內政"
    "治文化,結合黨紀學習教育,組織黨員干部圍繞黨的政治紀律和組織紀律、廉潔紀律和群眾"
    "紀律、工作紀律和生活紀律開展專題學習研討,增強政治定力、紀律定力、道德定力、抵腐"
    "定力,始終做到忠誠干凈擔當。\n"
    "二、堅持理論武裝,筑牢思想根基\n"
    "二是強化正面宣傳。持續深化“巾幗大宣講”“巾幗大宣傳”,成立三八紅旗手示范宣講團"
    "和最美家庭宣講團,打造“板凳講堂”“墻根宣講”“圍爐夜話”“大槐樹下宣講”“涼亭"
    "課堂”等微講堂,開展“總書記來到我們村”“全民閱讀領讀人計劃”等情景式、沉浸式、"
    "分眾化特色宣講活動,全市累計開展宣講3000余場,覆蓋7萬人次。同時,發揮“1網"
    "+2微+多號+16區”自媒體矩陣作用,打造特色宣傳欄目,講好新時代天津女性和家庭"
    "善作善成的奮斗故事,“善作善成她力量”專欄入圍首屆天津正能量網絡精品“見行見效精"
    "彩綻放”新意作品展。\n"
    "一是抓實基層黨組織建設。扎實開展政治機關建設、模范機關創建和“四強”黨支部創建工"
    "作,2024年評定市婦聯“四強”黨支部2個;成功推薦市級機關“四強”黨支部1個。"
    "持續深化黨建聯建,推動黨建與業務深度融合,形成“五聚焦五建設”“3334”“12"
    "5”等一批務實管用的支部工作法,打造“善作善成她力量”“巾幗維權暖心服務”等黨建"
    "工作品牌,推動各黨支部持續強基提質,進一步發揮堅強戰斗堡壘作用。\n"
    "二是抓好黨員干部教育培訓。制定5年教育培訓規劃,結合婦女工作實際和崗位需要,開展"
    "干部學習大講堂、干部教育大講堂和善作善成大講堂,增強培訓的指導性、針對性、實效性"
    "。堅持“每周集中學習制度”,創新開展“婦聯工作我來講”活動,大力推動黨員干部、先"
    "進典型上講臺,探索理論講授、政策解讀、案例分析、現場教學等多種教學方式精準施訓,"
    "建設高素質專業化婦聯干部隊伍。\n"
    "持續深化政治機關建設和模范機關創建,依托我市紅色教育資源,廣泛開展理想信念教育,"
    "讓黨員干部接受思想淬煉,不斷提高政治判斷力、政治領悟力、政治執行力。"
)

SEED_002_EXCERPT = (
    "根据市委统一部署,2018年9月19日至10月25日,市委第一巡察组对市妇联党组"
    "开展了政治巡察。针对巡察组 反馈的6个方面11项整改任务,市妇联党组高度重视,以"
    "坚定政治态度对待巡察反馈意见,深刻剖析问题原因、以强有力的举措立行立改,制定整改"
    "方案,目前已经完成11项整改任务并长期坚持。根据《中国共产党巡视工作条例》和《中"
    "国共产党党内监督条例》有关规定,现将巡察整改情况通报如下:\n"
    "(一)党的政治建设方面\n"
    "1、“三会一课”制度落实不到位\n"
    "整改情况:完善《市妇联党支部“三会一课”制度》,将制度上墙。制定党建工作计划,完"
    "善各项制度,召开年度党建工作部署会议,履行好党建的主业意识和主责意识。支部党员大"
    "会、支委会每月定期召开一次,明确学习内容,保证学习质量,并使用专门会议记录本,规"
    "范记录内容。2018年度市妇联党支部基层党组织标准化建设顺利达标。市妇联机关在职"
    "党员6人,每月参加支部开展的活动。\n"
    "整改情况:严格党内生活,健全完善《市妇联领导班子民主生活会制度》、《市妇联党支部"
    "组织生活会制度》等。按照上级党组织安排,按时召开高质量民主生活会、组织生活会。严"
    "格执行“三会一课”制度和党员活动日制度,坚持并执行好领导干部双重组织生活制度,开"
    "展党员重温入党誓词等活动,组织妇联党员干部学习规章制度,树牢“四个意识”、坚定“"
    "四个自信”、做到”两个维护”。\n"
    "整改情况:一是提高政治站位。始终以旗帜鲜明的态度,坚定不移的决心,围绕市委市政府"
    "中心工作,谋划做实妇联工作,在服务经济高质量发展、助力文明创建、打赢“三大攻坚战"
    "”、服务民生等方面有所作为。二是勇于担当,持续改进工作作风。加大基层调研力度,加"
    "强对中央、省委关于妇女儿童重要决策部署的学习研究,立足“五项行动、一项建设”,市"
    "妇联实施 “八大巾帼行动”助力于乡村振兴,开展“皖嫂”家政牵手贫困妇女助力精准脱"
    "贫。三是进一步加强服务型妇联组织建设,落实班子成员定期走访和调研制度,长效开展“"
    "下基层 访妇情 办实事”活动,班子成员个人每年深入基层调研和开展工作时间不少于6"
    "0天。\n"
    "整改情况:修订完善《市妇联公务用车管理制度》,严格规范执行《桐城市人民政府办公室"
    "关于印发桐城市公务用车服务中心车辆管理使用办法(试行)的通知》(桐办发[2016"
    "]23号)文件规定,市妇联机关公务车辆使用提前在公务用车管理服务平台提出申请,未"
    "经公车平台批准,不准联系社会车辆。对办公室经办人员进行了谈话提醒,确保不再出现类"
    "似情况。"
)

# (seed, Simplified, standard Traditional, as written in the seed)
PHRASES: list[tuple[str, str, str, str]] = [
    # 000, Traditional with non-standard characters
    ("000", "中层干部进行约谈", "中層幹部進行約談", "中層干部進行約談"),
    ("000", "40余种约11300册", "40餘種約11300冊", "40余種約11300冊"),
    ("000", "战斗堡垒作用", "戰鬥堡壘作用", "戰斗堡壘作用"),
    ("000", "并通过召开", "並通過召開", "并通過召開"),
    ("000", "采取有力措施", "採取有力措施", "采取有力措施"),
    ("000", "筑牢思想之", "築牢思想之", "筑牢思想之"),
    ("000", "先锋模范作用", "先鋒模範作用", "先鋒模范作用"),
    ("000", "党员、干部补足", "黨員、幹部補足", "黨員、干部補足"),
    ("000", "领导干部带头", "領導幹部帶頭", "領導干部帶頭"),
    ("000", "干事创业的劲头", "幹事創業的勁頭", "干事創業的勁頭"),
    ("000", "先后有30余个集体", "先後有30餘個集體", "先后有30余個集體"),
    ("000", "凝聚起筑梦前行", "凝聚起築夢前行", "凝聚起筑夢前行"),
    ("000", "规范党组工作", "規範黨組工作", "規范黨組工作"),
    ("000", "讲党课30余次", "講黨課30餘次", "講黨課30余次"),
    ("000", "及时了解干部的思想", "及時了解幹部的思想", "及時了解干部的思想"),
    ("000", "党组关于落实", "黨組關於落實", "黨組關于落實"),
    ("000", "关系人心向背", "關係人心向背", "關系人心向背"),
    ("000", "密切联系妇女群众", "密切聯繫婦女群眾", "密切聯系婦女群眾"),
    ("000", "深化并举", "深化並舉", "深化并舉"),
    ("000", "常起于毫末之间", "常起於毫末之間", "常起于毫末之間"),
    ("000", "实施细则出台后", "實施細則出臺後", "實施細則出臺后"),
    ("000", "着力改进机关干部工作作风", "著力改進機關幹部工作作風", "著力改進機關干部工作作風"),
    ("000", "下基层工作周", "下基層工作週", "下基層工作周"),
    ("000", "自我净化", "自我淨化", "自我凈化"),
    ("000", "持之以恒的正风肃纪", "持之以恆的正風肅紀", "持之以恒的正風肅紀"),
    ("000", "妇女群众的“娘家”", "婦女群眾的“娘家”", "婦女群眾的“娘家”"),
    ("000", "中央纪委历次全会", "中央紀委歷次全會", "中央紀委歷次全會"),
    ("000", "诫勉谈话、提醒谈话", "誡勉談話、提醒談話", "誡勉談話、提醒談話"),
    ("000", "党政纪处分", "黨政紀處分", "黨政紀處分"),
    ("000", "全面从严治党主体责任", "全面從嚴治黨主體責任", "全面從嚴治黨主體責任"),
    ("000", "党风廉政建设", "黨風廉政建設", "黨風廉政建設"),
    ("000", "中央八项规定精神", "中央八項規定精神", "中央八項規定精神"),
    ("000", "专项巡视整改方案", "專項巡視整改方案", "專項巡視整改方案"),
    ("000", "纪检监察组", "紀檢監察組", "紀檢監察組"),
    # 001, Traditional with non-standard characters
    ("001", "在妇联系统落地落实", "在婦聯系統落地落實", "在婦聯系統落地落實"),
    ("001", "工作台账", "工作臺賬", "工作臺賬"),
    ("001", "持续净化政治生态", "持續淨化政治生態", "持續凈化政治生態"),
    ("001", "扎实开展政治生态分析", "紮實開展政治生態分析", "扎實開展政治生態分析"),
    ("001", "忠诚干净担当", "忠誠乾淨擔當", "忠誠干凈擔當"),
    ("001", "筑牢思想根基", "築牢思想根基", "筑牢思想根基"),
    ("001", "案例征集活动", "案例徵集活動", "案例征集活動"),
    ("001", "“墙根宣讲”", "“牆根宣講”", "“墻根宣講”"),
    ("001", "宣讲3000余场,覆盖7万人次", "宣講3000餘場,覆蓋7萬人次", "宣講3000余場,覆蓋7萬人次"),
    ("001", "奋斗故事", "奮鬥故事", "奮斗故事"),
    ("001", "志愿服务活动", "志願服務活動", "志愿服務活動"),
    ("001", "三八红旗手示范宣讲团", "三八紅旗手示範宣講團", "三八紅旗手示范宣講團"),
    ("001", "建强战斗堡垒", "建強戰鬥堡壘", "建強戰斗堡壘"),
    ("001", "抓好党员干部教育培训", "抓好黨員幹部教育培訓", "抓好黨員干部教育培訓"),
    ("001", "“每周集中学习制度”", "“每週集中學習制度”", "“每周集中學習制度”"),
    ("001", "重复发文", "重複發文", "重復發文"),
    ("001", "发布四大类12个公益项目", "發布四大類12個公益項目", "發布四大類12個公益項目"),
    ("001", "政府采购", "政府採購", "政府采購"),
    ("001", "殷殷嘱托", "殷殷囑託", "殷殷囑托"),
    ("001", "依托我市红色教育资源", "依託我市紅色教育資源", "依托我市紅色教育資源"),
    ("001", "募集款物303.92万元", "募集款物303.92萬元", "募集款物303.92萬元"),
    ("001", "百余人次", "百餘人次", "百余人次"),
    ("001", "以学促干", "以學促幹", "以學促干"),
    ("001", "采取1+16+N的模式", "採取1+16+N的模式", "采取1+16+N的模式"),
    ("001", "“巾帼志愿关爱行”", "“巾幗志願關愛行”", "“巾幗志愿關愛行”"),
    (
        "001",
        "市委关于持续推进整治形式主义为基层减负",
        "市委關於持續推進整治形式主義為基層減負",
        "市委關于持續推進整治形式主義為基層減負",
    ),
    ("001", "党组理论学习中心组", "黨組理論學習中心組", "黨組理論學習中心組"),
    # 002, Simplified
    ("002", "党员活动日制度", "黨員活動日制度", "党员活动日制度"),
    (
        "002",
        "落实班子成员定期走访和调研制度",
        "落實班子成員定期走訪和調研制度",
        "落实班子成员定期走访和调研制度",
    ),
    ("002", "不准联系社会车辆", "不准聯繫社會車輛", "不准联系社会车辆"),
    ("002", "反馈的6个方面11项整改任务", "反饋的6個方面11項整改任務", "反馈的6个方面11项整改任务"),
    ("002", "立行立改", "立行立改", "立行立改"),
    ("002", "民主评议党员流于形式", "民主評議黨員流於形式", "民主评议党员流于形式"),
    ("002", "的批复》", "的批覆》", "的批复》"),
    ("002", "反腐败工作汇报", "反腐敗工作彙報", "反腐败工作汇报"),
    ("002", "廉政风险点台账", "廉政風險點臺賬", "廉政风险点台账"),
    ("002", "工会银行账户", "工會銀行賬戶", "工会银行账户"),
    ("002", "适时组织“回头看”", "適時組織“回頭看”", "适时组织“回头看”"),
    ("002", "打赢“三大攻坚战”", "打贏“三大攻堅戰”", "打赢“三大攻坚战”"),
    ("002", "不贰过", "不貳過", "不贰过"),
    ("002", "毫不松懈抓好后续整改", "毫不鬆懈抓好後續整改", "毫不松懈抓好后续整改"),
    ("002", "持之以恒,盯紧看牢", "持之以恆,盯緊看牢", "持之以恒,盯紧看牢"),
    ("002", "发扬“钉钉子”精神", "發揚“釘釘子”精神", "发扬“钉钉子”精神"),
    ("002", "桥梁和纽带", "橋梁和紐帶", "桥梁和纽带"),
    ("002", "庆祝改革开放40周年大会", "慶祝改革開放40週年大會", "庆祝改革开放40周年大会"),
    ("002", "勇于担当", "勇於擔當", "勇于担当"),
    ("002", "助力于乡村振兴", "助力於鄉村振興", "助力于乡村振兴"),
]

SEED_TEXTS = {"000": SEED_000_EXCERPT, "001": SEED_001_EXCERPT, "002": SEED_002_EXCERPT}


# ---------------------------------------------------------------------------------------------
# The phrase table


def test_phrase_table_is_large_enough() -> None:
    assert len(PHRASES) >= 60
    assert len({(h, t) for _, h, t, _ in PHRASES}) == len(PHRASES)


@pytest.mark.parametrize(("source", "hans", "hant", "written"), PHRASES)
def test_phrase_converts_both_ways(
    conv: Converter, source: str, hans: str, hant: str, written: str
) -> None:
    assert conv.to_hant(hans) == hant
    assert conv.to_hans(hant) == hans


# Spellings of the seeds that are standard Taiwan forms as written (周 beside 週, 復 beside 複):
# a Traditional source keeps them on its zh-Hant page (issue 18), a Simplified one gets `hant`.
KEPT_AS_WRITTEN = {"下基層工作周", "“每周集中學習制度”", "重復發文"}


@pytest.mark.parametrize(("source", "hans", "hant", "written"), PHRASES)
def test_seed_spelling_comes_out_standard(
    conv: Converter, source: str, hans: str, hant: str, written: str
) -> None:
    assert conv.to_hant(written) == (written if written in KEPT_AS_WRITTEN else hant)
    assert conv.to_hans(written) == hans


@pytest.mark.parametrize("source", sorted(SEED_FILES))
def test_phrase_table_is_drawn_from_the_seeds(source: str) -> None:
    text = seed(source)
    missing = [w for s, _, _, w in PHRASES if s == source and w not in text]
    assert missing == []


# Cross-word errors of OpenCC's longest match in the prose of these reports (what plain s2tw /
# tw2s gives is in the comment); the default phrases fix them.
CROSS_WORD = [
    ("妇联系统", "婦聯系統"),  # 婦聯繫統
    ("伟大历程", "偉大歷程"),  # 偉大曆程
    ("党的百年历程", "黨的百年歷程"),  # 百年曆程
    ("百年历史", "百年歷史"),  # 百年曆史
    ("踏上新征程", "踏上新征程"),  # 新徵程
    ("主题党日制度", "主題黨日制度"),  # 日製度
    ("调研制定方案", "調研制定方案"),  # 調研製定
    ("不断发挥作用", "不斷發揮作用"),  # 不斷髮揮
    ("维护发展大局", "維護發展大局"),  # 維護髮展
    ("部长发言", "部長發言"),  # 部長髮言
    ("抓好干部队伍建设", "抓好幹部隊伍建設"),  # 抓好乾部
    ("健全干部考核机制", "健全幹部考核機制"),  # 健全乾部
    ("督查检查干部", "督查檢查幹部"),  # 檢查干部
    ("若干部门", "若干部門"),  # a shield must not break 若干|部门
    ("工作幸福感", "工作幸福感"),  # 工作倖福
    ("这是只有一种可能", "這是只有一種可能"),  # 是隻有
    ("我们党进一步加强", "我們黨進一步加強"),  # 我們党進
    ("更加注重实效", "更加注重實效"),  # 更加註重
    ("服务大局促进发展", "服務大局促進發展"),  # 大侷促進
    ("机关系列活动", "機關系列活動"),  # 機關係列
    ("中心系列讲座", "中心系列講座"),  # 中心繫列
    ("为了解决问题", "為了解決問題"),
    ("扎扎实实", "紮紮實實"),
    ("发挥机制作用", "發揮機制作用"),
    ("抑制作用", "抑制作用"),
    ("不准收受礼金", "不准收受禮金"),  # prohibition: 不準
    ("找不准问题", "找不準問題"),
    ("不准备参加", "不準備參加"),
    ("新闻发布会", "新聞發布會"),  # 發佈會
]


@pytest.mark.parametrize(("hans", "hant"), CROSS_WORD)
def test_cross_word_errors_are_fixed(conv: Converter, hans: str, hant: str) -> None:
    assert conv.to_hant(hans) == hant
    assert conv.to_hans(hant) == hans


def test_known_opencc_flaw_is_real_and_fixed(conv: Converter) -> None:
    # The reason for the phrase overrides: plain OpenCC segments across words.
    assert opencc.OpenCC("s2tw").convert("妇联系统") == "婦聯繫統"
    assert conv.to_hant("妇联系统") == "婦聯系統"


@pytest.mark.parametrize(
    ("hans", "hant"),
    [
        ("熏陶", "薰陶"),  # tw2s leaves 薰陶
        ("复函", "覆函"),
        ("土著居民", "土著居民"),  # tw2s: 土着
        ("成效卓著", "成效卓著"),  # tw2s: 卓着
        ("编著", "編著"),
        ("会签制度", "會簽制度"),
    ],
)
def test_traditional_to_simplified_fixes(conv: Converter, hans: str, hant: str) -> None:
    assert conv.to_hans(hant) == hans
    assert conv.to_hant(hans) == hant


def test_every_default_phrase_converts_to_its_forms(conv: Converter) -> None:
    phrases = default_phrases()
    assert len(phrases) >= 150
    wrong = [
        (p.hans, p.hant, conv.to_hant(p.hans), conv.to_hans(p.hant))
        for p in phrases
        if conv.to_hant(p.hans) != p.hant or conv.to_hans(p.hant) != p.hans
    ]
    assert wrong == []
    assert Phrase("妇联系统", "婦聯系統") in phrases


# ---------------------------------------------------------------------------------------------
# What a Traditional source keeps, what it loses


@pytest.mark.parametrize(
    "text",
    [
        "偉大歷程",  # OpenCC would write 曆 from the Simplified
        "思想淬煉",  # 淬鍊 from the Simplified; 淬煉 is standard too
        "日曆和年曆",
        "乾隆年間",
        "剪頭髮",
        "鐘錶",
        "婦聯系統",
        "了解情況",
        "發布公告",
        "回娘家",
    ],
)
def test_standard_traditional_is_kept(conv: Converter, text: str) -> None:
    assert conv.to_hant(text) == text
    assert nonconforming_chars(text, HANT) == []


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("墻根", "牆根"),
        ("爲人民", "為人民"),
        ("群衆", "群眾"),
        ("心裏", "心裡"),
        ("紅綫", "紅線"),
        ("凈化", "淨化"),
        ("联系群眾", "聯繫群眾"),  # Simplified characters in Traditional text
    ],
)
def test_nonstandard_traditional_is_corrected(conv: Converter, written: str, standard: str) -> None:
    assert conv.to_hant(written) == standard


@pytest.mark.parametrize(
    "text",
    [
        "显著成效",
        "著称于世",
        "土著",
        "乾隆年间",
        "瞭望塔",
        "覆盖全市",
        "什么",
        "伙伴",
        "卓著",
        "名著",
    ],
)
def test_simplified_source_is_not_mangled(conv: Converter, text: str) -> None:
    # tw2s alone reads its input as Taiwan Traditional and writes 显着, 着称, 土着.
    assert conv.to_hans(text) == text
    assert nonconforming_chars(text, HANS) == []


def test_simplified_seed_round_trips(conv: Converter) -> None:
    text = SEED_002_EXCERPT
    assert conv.to_hans(text) == text
    assert conv.to_hans(conv.to_hant(text)) == text
    assert "調研制度" in conv.to_hant(text)
    assert "活動日制度" in conv.to_hant(text)


@pytest.mark.parametrize("source", ["000", "001", "002"])
def test_conversion_is_idempotent_and_standard(conv: Converter, source: str) -> None:
    hant = conv.to_hant(SEED_TEXTS[source])
    hans = conv.to_hans(SEED_TEXTS[source])
    assert conv.to_hant(hant) == hant
    assert conv.to_hans(hans) == hans
    assert nonconforming_chars(hant, HANT) == []
    assert nonconforming_chars(hans, HANS) == []
    assert len(hant) == len(hans) == len(SEED_TEXTS[source])


@pytest.mark.parametrize("source", ["000", "001", "002"])
def test_whole_seeds_convert_to_standard_text(conv: Converter, source: str) -> None:
    text = seed(source)
    hant, hans = conv.to_hant(text), conv.to_hans(text)
    assert nonconforming_chars(hant, HANT) == []
    assert nonconforming_chars(hans, HANS) == []
    assert "中層干部" not in hant and "40余種" not in hant and "戰斗" not in hant
    if source == "002":
        assert hans == text


# ---------------------------------------------------------------------------------------------
# Script detection


@pytest.mark.parametrize(("source", "script"), [("000", HANT), ("001", HANT), ("002", HANS)])
def test_detect_script_of_seed_excerpts(source: str, script: str) -> None:
    info = detect_script(SEED_TEXTS[source])
    assert isinstance(info, ScriptInfo)
    assert info.script == script


@pytest.mark.parametrize(("source", "script"), [("000", HANT), ("001", HANT), ("002", HANS)])
def test_detect_script_of_seed_files(source: str, script: str) -> None:
    assert detect_script(seed(source)).script == script


def test_detect_script_reports_the_stray_characters() -> None:
    info = detect_script(SEED_000_EXCERPT)
    assert info.script == HANT
    # 中層干部, 40余種, 并通過 are written the mainland way in a Traditional text
    assert {"干", "余", "并"} <= set(info.hans_only)
    assert "黨" in info.hant_only and "黨" not in info.hans_only
    assert list(info.hans_only) == sorted(set(info.hans_only))
    assert list(info.hant_only) == sorted(set(info.hant_only))


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("", NONE),
        ("Annual report 2024: 203 sessions.", NONE),
        ("人口", NONE),  # same in both scripts
        ("干部", HANS),
        ("幹部", HANT),
        ("显著成效", HANS),  # 著 is also Simplified
        ("这是简体字。這是繁體字。", MIXED),
        ("黨員幹部堅持學習,黨組織建設不斷加強,干部", HANT),  # one stray 干 is not "mixed"
    ],
)
def test_detect_script_cases(text: str, script: str) -> None:
    assert detect_script(text).script == script


# ---------------------------------------------------------------------------------------------
# Non-conforming characters


def _positions(text: str, needle: str, offset: int) -> list[tuple[int, int]]:
    """(line, col) of `needle[offset]` for each occurrence, counted independently."""
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        for m in re.finditer(re.escape(needle), line):
            out.append((number, m.start() + offset + 1))
    return out


def test_nonconforming_excerpt_000_finds_gan_in_zhongceng_ganbu() -> None:
    found = nonconforming_chars(SEED_000_EXCERPT, HANT)
    (where,) = _positions(SEED_000_EXCERPT, "中層干部", 2)
    assert where[0] == 4
    assert Nonconforming(line=where[0], col=where[1], char="干", expected="幹") in found
    (yu,) = _positions(SEED_000_EXCERPT, "40余種", 2)
    assert Nonconforming(line=yu[0], col=yu[1], char="余", expected="餘") in found
    (dou,) = _positions(SEED_000_EXCERPT, "戰斗堡壘", 1)
    assert Nonconforming(line=dou[0], col=dou[1], char="斗", expected="鬥") in found
    assert Counter((n.char, n.expected) for n in found) == Counter(
        {
            ("干", "幹"): 1,
            ("余", "餘"): 1,
            ("并", "並"): 1,
            ("采", "採"): 1,
            ("斗", "鬥"): 1,
            ("范", "範"): 1,
        }
    )


def test_nonconforming_excerpt_001() -> None:
    found = nonconforming_chars(SEED_001_EXCERPT, HANT)
    for needle, offset, char, expected in [
        ("黨員干部", 2, "干", "幹"),
        ("墻根", 0, "墻", "牆"),
        ("持續凈化", 2, "凈", "淨"),
        ("干凈擔當", 0, "干", "乾"),
        ("扎實開展", 0, "扎", "紮"),
    ]:
        for line, col in _positions(SEED_001_EXCERPT, needle, offset):
            assert Nonconforming(line, col, char, expected) in found, needle
    # 婦聯系統 and 淬煉 are correct Traditional and are not reported
    assert not [n for n in found if n.char in "系煉"]


def test_nonconforming_seed_001_file() -> None:
    text = seed("001")
    found = nonconforming_chars(text, HANT)
    expected_positions = _positions(text, "黨員干部", 2)
    assert len(expected_positions) > 10
    for line, col in expected_positions:
        assert Nonconforming(line, col, "干", "幹") in found
    # Reviewed by hand: every one of these is a non-standard form in Taiwan usage.
    assert Counter((n.char, n.expected) for n in found) == Counter(
        {
            ("干", "幹"): 35,
            ("范", "範"): 10,
            ("愿", "願"): 7,
            ("于", "於"): 6,
            ("扎", "紮"): 3,
            ("余", "餘"): 3,
            ("斗", "鬥"): 3,
            ("系", "繫"): 3,
            ("托", "託"): 2,
            ("凈", "淨"): 2,
            ("筑", "築"): 2,
            ("采", "採"): 2,
            ("干", "乾"): 1,
            ("征", "徵"): 1,
            ("墻", "牆"): 1,
            ("并", "並"): 1,
        }
    )


def test_nonconforming_seed_000_file() -> None:
    text = seed("000")
    found = nonconforming_chars(text, HANT)
    lines = text.split("\n")
    (line_no,) = [i for i, line in enumerate(lines, 1) if line.startswith("◎ 自2014年")]
    col = lines[line_no - 1].index("中層干部") + 3
    assert Nonconforming(line_no, col, "干", "幹") in found
    assert len(found) == 47  # 48 before 周 (基層工作周) was kept as a standard form


def test_nonconforming_simplified_text() -> None:
    text = "整改情况\n保持乾淨的环境"
    assert nonconforming_chars(text, HANS) == [
        Nonconforming(2, 3, "乾", "干"),
        Nonconforming(2, 4, "淨", "净"),
    ]
    assert nonconforming_chars(SEED_002_EXCERPT, HANS) == []


def test_nonconforming_line_and_column_count_characters() -> None:
    text = "第一行\r\n黨員,𠀀干部\n\n中層干部"
    found = nonconforming_chars(text, HANT)
    assert [(n.line, n.col, n.char) for n in found] == [(2, 5, "干"), (4, 3, "干")]


def test_nonconforming_rejects_unknown_script() -> None:
    with pytest.raises(ValueError, match="zh-Hans"):
        nonconforming_chars("干部", "zh-TW")


# ---------------------------------------------------------------------------------------------
# Converter API


def test_convert_dispatches_and_validates(conv: Converter) -> None:
    assert conv.convert("干部", HANT) == "幹部"
    assert conv.convert("幹部", HANS) == "干部"
    with pytest.raises(ValueError, match="unknown target"):
        conv.convert("干部", "zh-TW")


def test_text_without_chinese_is_returned_as_is(conv: Converter) -> None:
    text = "Annual report 2024 & more"
    assert conv.to_hant(text) is text
    assert conv.to_hans("") == ""


def test_site_phrases_win_over_defaults() -> None:
    site = Converter([Phrase("干部", "干部"), Phrase("互联网", "網際網路")])
    assert site.to_hant("村干部") == "村干部"
    # a longer default phrase still wins where it matches
    assert site.to_hant("互联网和党员干部") == "網際網路和黨員幹部"
    assert site.to_hans("網際網路") == "互联网"
    assert Phrase("干部", "幹部") not in site.phrases
    # the default converter is not affected
    assert default_converter().to_hant("村干部") == "村幹部"


def test_converter_takes_any_object_with_the_two_forms() -> None:
    @dataclass(frozen=True)
    class ModelPhrase:
        hans: str
        hant: str

    site = Converter([ModelPhrase("桐城", "桐城")])
    assert Phrase("桐城", "桐城") in site.phrases


def test_phrase_validation() -> None:
    with pytest.raises(ValueError):
        Phrase("", "幹部")
    with pytest.raises(ValueError):
        Phrase(" 干部", "幹部")
    with pytest.raises(ValueError, match="reserved"):
        Phrase("<b>干部", "<b>幹部")  # markup separates text pieces (convert_html)


def test_parse_phrases() -> None:
    assert parse_phrases([{"hans": "干部", "hant": "幹部"}], source="site.yaml") == [
        Phrase("干部", "幹部")
    ]
    assert parse_phrases(None) == []
    for data, message in [
        ({"hans": "x"}, "expected a list"),
        (["干部"], r"site.yaml\[0\]: expected a mapping"),
        ([{"hans": "干部"}], "both 'hans' and 'hant' are required"),
        ([{"hans": "干部", "hant": "幹部", "note": "x"}], "unknown key"),
        ([{"hans": "干部", "hant": ""}], "non-empty"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_phrases(data, source="site.yaml")


def test_convert_many_uses_one_pass_and_keeps_order(conv: Converter) -> None:
    texts = ["干部", "", "Chart", "发展\U0010fffd", "妇联系统"]
    assert conv.convert_many(texts, HANT) == ["幹部", "", "Chart", "發展\U0010fffd", "婦聯系統"]


def test_a_batch_is_projected_to_simplified_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The script evidence of a batch reuses the projection its conversion made (a body
    paragraph, seen once, went through OpenCC's tw2s twice); only pieces the conversion took
    from its caches are projected for the evidence."""
    from site_builder import chinese

    projected: list[str] = []
    tw2s = chinese._tw2s
    monkeypatch.setattr(chinese, "_tw2s", lambda text: projected.append(text) or tw2s(text))
    conv = Converter()
    projected.clear()  # the phrase table's own projection
    # 岩 is kept by the Traditional evidence of the batch: the evidence is needed
    assert conv.convert_many(["紅岩魂", "岩石"], HANT) == ["紅岩魂", "岩石"]
    assert len(projected) == 1
    projected.clear()
    assert conv.convert_many(["紅岩魂", "岩石", "幹部"], HANT) == ["紅岩魂", "岩石", "幹部"]
    assert projected == ["幹部"]  # the new piece; the others' evidence is cached


def test_private_use_characters_in_the_input_are_harmless(conv: Converter) -> None:
    text = "\U000f0000干部\U0010fffd发展\ue000"
    assert conv.to_hant(text) == "\U000f0000幹部\U0010fffd發展\ue000"
    assert conv.to_hans("\U000f0000幹部") == "\U000f0000干部"


def test_opencc_converters_are_built_once() -> None:
    from site_builder import chinese

    default_converter().to_hant("干部")
    first = dict(chinese._OPENCC)
    Converter().to_hans("幹部")
    assert {k: id(v) for k, v in chinese._OPENCC.items()} == {k: id(v) for k, v in first.items()}


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_text_and_attributes(conv: Converter) -> None:
    html = (
        '<p class="干部" id="干部" title="干部" data-x="干部">干部 &amp; 发展 &#24178;'
        '<img alt="干部照片" src="/干部.png"><input placeholder="搜索" value="干部">'
        '<a href="/干部/" aria-label="干部页">干部</a><b data-label=\'干部\'>x</b>'
        "<i title=干部>x</i></p>"
    )
    assert conv.convert_html(html, HANT) == (
        '<p class="干部" id="幹部" title="幹部" data-x="干部">幹部 &amp; 發展 &#24178;'
        '<img alt="幹部照片" src="/干部.png"><input placeholder="搜索" value="干部">'
        '<a href="/干部/" aria-label="幹部頁">幹部</a><b data-label=\'幹部\'>x</b>'
        "<i title=幹部>x</i></p>"
    )


def test_anchors_and_feed_categories_follow_the_text(conv: Converter) -> None:
    """Heading ids and the links' fragments naming them are converted alike (the id is converted
    on the page the link leads to as well); the rest of a URL is not."""
    html = (
        '<h2 id="一加强干部队伍">一、加强干部队伍</h2><a href="#一加强干部队伍">目录</a>'
        '<a href="../干部/index.html#一加强干部队伍">x</a><category term="党的建设"/>'
    )
    assert conv.convert_html(html, HANT) == (
        '<h2 id="一加強幹部隊伍">一、加強幹部隊伍</h2><a href="#一加強幹部隊伍">目錄</a>'
        '<a href="../干部/index.html#一加強幹部隊伍">x</a><category term="黨的建設"/>'
    )


def test_html_text_converts_piece_by_piece_across_plain_markup(conv: Converter) -> None:
    """The scan passes over plain tags in one step; the text on either side still converts as
    separate pieces (never as 婦聯繫統), and a "<" or ">" that is text changes nothing."""
    html = (
        '<p>妇联<span class="x">系统</span>和<a href="../a/b.html">妇联</a>系统</p>'
        "<p>干部 < 发展 > 历程</p><ul><li>伟大</li><li>历程</li></ul>"
        '<a href="b.html" data-x="1" identity="2">干部</a><br/>发展<hr class="a"/>'
    )
    assert conv.convert_html(html, HANT) == (
        '<p>婦聯<span class="x">系統</span>和<a href="../a/b.html">婦聯</a>系統</p>'
        "<p>幹部 < 發展 > 歷程</p><ul><li>偉大</li><li>歷程</li></ul>"
        '<a href="b.html" data-x="1" identity="2">幹部</a><br/>發展<hr class="a"/>'
    )


def test_html_head(conv: Converter) -> None:
    html = (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        "<title>妇联系统干部</title>"
        '<meta name="description" content="关于加强干部队伍建设">'
        '<meta property="og:url" content="https://intranet/妇联/">'
        '<meta property="og:image" content="/图/干部.png">'
        '<script>var a = "干部";</script><style>p::after { content: "干部" }</style>'
        "<!-- 干部 --></head></html>"
    )
    assert conv.convert_html(html, HANT) == (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        "<title>婦聯系統幹部</title>"
        '<meta name="description" content="關於加強幹部隊伍建設">'
        '<meta property="og:url" content="https://intranet/妇联/">'
        '<meta property="og:image" content="/图/干部.png">'
        '<script>var a = "干部";</script><style>p::after { content: "干部" }</style>'
        "<!-- 干部 --></head></html>"
    )


def test_html_noconvert_honours_nesting(conv: Converter) -> None:
    html = (
        "<div data-noconvert>干部<div>里面的干部</div>还是干部</div>外面的干部"
        "<span data-noconvert>干<span>部</span>干部<b title='干部'>干部</b></span>干部"
        '<span data-noconvert="">干部</span>干部'
    )
    assert conv.convert_html(html, HANT) == (
        "<div data-noconvert>干部<div>里面的干部</div>还是干部</div>外面的幹部"
        "<span data-noconvert>干<span>部</span>干部<b title='干部'>干部</b></span>幹部"
        '<span data-noconvert="">干部</span>幹部'
    )


def test_html_noconvert_on_void_and_self_closing_elements(conv: Converter) -> None:
    html = '<img data-noconvert alt="干部">干部<svg><g data-noconvert title="干部"/>干部</svg>'
    assert conv.convert_html(html, HANT) == (
        '<img data-noconvert alt="干部">幹部<svg><g data-noconvert title="干部"/>幹部</svg>'
    )


def test_html_slash_of_an_unquoted_value_does_not_close_the_element(conv: Converter) -> None:
    html = "<span data-noconvert class=a/b/>干部</span>干部<br/>干部"
    assert conv.convert_html(html, HANT) == (
        "<span data-noconvert class=a/b/>干部</span>幹部<br/>幹部"
    )


def test_html_code_and_pre(conv: Converter) -> None:
    html = (
        '<pre title="干部">干部<pre>干部</pre>干部</pre>干部<code>干部<code>干</code>部</code>干部'
        "<PRE>干部</PRE>干部"
    )
    assert conv.convert_html(html, HANT) == (
        '<pre title="幹部">干部<pre>干部</pre>干部</pre>幹部<code>干部<code>干</code>部</code>幹部'
        "<PRE>干部</PRE>幹部"
    )


def test_html_raw_text_is_not_parsed_for_tags(conv: Converter) -> None:
    html = '<pre>干部<script>var s = "</pre>干部";</script>干部</pre>干部'
    assert conv.convert_html(html, HANT) == (
        '<pre>干部<script>var s = "</pre>干部";</script>干部</pre>幹部'
    )


def test_html_json_script_is_converted_and_stays_valid(conv: Converter) -> None:
    data = {"title": {"text": "干部人数"}, "series": [{"name": "发放", "data": [1, 2.5]}]}
    source = json.dumps(data, ensure_ascii=False, indent=2)
    html = f'<script type="application/json" id="c1">{source}</script>'
    out = conv.convert_html(html, HANT)
    body = out.removeprefix('<script type="application/json" id="c1">').removesuffix("</script>")
    assert json.loads(body) == {
        "title": {"text": "幹部人數"},
        "series": [{"name": "發放", "data": [1, 2.5]}],
    }
    assert body == source.replace("干部人数", "幹部人數").replace("发放", "發放")  # layout kept


def test_html_json_goes_to_the_converter_as_the_runs_of_its_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A chart's options are long and seen once, their strings short and repeated: the JSON is
    # converted string run by string run (which the caches keep), with the same result as one
    # piece, in both directions and whatever the script evidence of the rest of the page.
    data = {
        "title": {"text": "干部人数（人）"},
        "series": [{"name": "發放", "data": [{"value": 3, "label": {"formatter": "3000余"}}]}],
        "x": ["显著", "著名", 'a"b干部'],
    }
    source = json.dumps(data, ensure_ascii=False)
    html = f'<p>歷史發展</p><script type="application/json">{source}</script><p>干部</p>'
    seen: list[str] = []
    real = Converter.convert_many

    def spy(self: Converter, texts: list[str], target: str) -> list[str]:
        seen.extend(texts)
        return real(self, texts, target)

    assert not Converter([Phrase('干部"', '幹部"')])._json_runs  # a quote in a phrase: one piece
    whole = Converter()
    whole._json_runs = False  # the document as one piece, as a phrase with a quote has it
    for target in (HANS, HANT):
        expected = whole.convert_html(html, target)
        monkeypatch.setattr(Converter, "convert_many", spy)
        seen.clear()
        got = Converter().convert_html(html, target)
        monkeypatch.setattr(Converter, "convert_many", real)
        assert got == expected
        assert max(map(len, seen)) <= len("干部人数（人）")
        assert "干部人数（人）" in seen and "3000余" not in seen  # runs start at Chinese
        body = got.split('json">')[1].split("</script>")[0]
        assert json.loads(body)["x"][2].startswith('a"b')


def test_html_json_with_escapes(conv: Converter) -> None:
    # \u escapes hide the characters from a text conversion: the JSON is re-serialised, and a
    # "</script>" that was escaped must not appear in the page unescaped.
    source = '{"t": "\\u5e72\\u90e8\\u003c/script>", "n": null, "c": "\\u003c!--"}'
    html = f"<script type='application/json'>{source}</script>"
    out = conv.convert_html(html, HANT)
    body = out.removeprefix("<script type='application/json'>").removesuffix("</script>")
    assert "<" not in body
    assert json.loads(body) == {"t": "幹部</script>", "n": None, "c": "<!--"}


def test_html_invalid_json_is_left_alone(conv: Converter) -> None:
    html = '<script type="application/json">{"t": "干部",}</script>'
    assert conv.convert_html(html, HANT) == html


def test_html_to_simplified_and_odd_markup(conv: Converter) -> None:
    html = "<P>幹部 a < b <3 發展</P><br/>婦聯系統<!-- 幹部 -->&lt;幹部&gt;<unclosed"
    assert conv.convert_html(html, HANS) == (
        "<P>干部 a < b <3 发展</P><br/>妇联系统<!-- 幹部 -->&lt;干部&gt;<unclosed"
    )


def test_html_textarea_converted(conv: Converter) -> None:
    html = "<textarea placeholder='干部'>干部<b>干部</b></textarea>干部"
    assert conv.convert_html(html, HANT) == (
        "<textarea placeholder='幹部'>幹部<b>幹部</b></textarea>幹部"
    )


def test_html_rejects_unknown_target(conv: Converter) -> None:
    with pytest.raises(ValueError):
        conv.convert_html("<p>干部</p>", "zh")


def test_protect_marks_text_for_convert_html(conv: Converter) -> None:
    marked = protect("干部 <b>")
    assert marked == "<span data-noconvert>干部 &lt;b&gt;</span>"
    assert conv.convert_html(f"干部{marked}干部", HANT) == f"幹部{marked}幹部"
    assert protect("<b>干部</b>", escape=False) == "<span data-noconvert><b>干部</b></span>"


def test_convert_html_matches_text_conversion_on_a_page(conv: Converter) -> None:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in SEED_000_EXCERPT.split("\n"))
    out = conv.convert_html(f"<main>{paragraphs}</main>", HANT)
    expected = "".join(f"<p>{line}</p>\n" for line in conv.to_hant(SEED_000_EXCERPT).split("\n"))
    assert out == f"<main>{expected}</main>"


def test_a_full_cache_emptied_mid_batch_loses_no_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch whose new pieces overflow a cache empties it; the pieces of the same batch that
    were found there before must still be converted (a KeyError, met building 5,000 reports
    with the cache capped at 30,000 entries)."""
    from site_builder import chinese

    monkeypatch.setattr(chinese, "_CACHE_ENTRIES", 3)
    sep = "\U0010fffd"
    cached, reference = Converter(), Converter()
    batches = [["干部", "发展"], ["干部", "显著", "著作", "历程"], ["发展", "顯著", "干部", "了解"]]
    for batch in batches * 2:
        for target in (HANS, HANT):
            expected = reference.convert(sep.join(batch), target).split(sep)
            assert cached.convert_many(batch, target) == expected


def test_cached_batches_convert_as_one_joined_text() -> None:
    """convert_many remembers pieces; each batch must still convert exactly as the joined text
    would in one pass (to Simplified, valid forms such as 著 are kept only when the whole batch
    reads as Simplified), whatever the pieces seen before."""
    import random

    sep = "\U0010fffd"
    texts = [seed(name) for name in SEED_FILES]
    pieces = [p for t in texts for p in re.split(r"(?<=[。；\n])", t) if p.strip()]
    pieces += ["显著", "著作", "卓著成效", "顯著", "中層干部", "乾隆", "了解", "妇联系统", "Chart"]
    rng = random.Random(7)
    cached, reference = Converter(), Converter()
    for _ in range(300):
        batch = rng.sample(pieces, rng.randint(1, 12))
        batch += rng.sample(["显著", "著作", "顯著的", "卓著"], rng.randint(0, 2))
        rng.shuffle(batch)
        for target in (HANS, HANT):
            expected = reference.convert(sep.join(batch), target).split(sep)
            assert cached.convert_many(batch, target) == expected
