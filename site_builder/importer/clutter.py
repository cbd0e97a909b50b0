"""Web-page and copy-paste clutter: lines to drop, and the few that carry front matter. Pure.

Pages copied from a website bring their publication line (时间:… 来源:… 编辑:…), sharing and
navigation (上一篇, 下一篇, 返回顶部, 分享到), disclaimers (不代表本站观点 …) and a byline
(``□ 中国妇女报记者 张明芳``). Lines are classified on their Simplified form, so either script
matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_DATE = r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
_PUBLISHED = re.compile(
    r"^(?:发布|發佈|发稿|更新)?(?:时间|日期)\s*[:：]\s*" + _DATE,
)
_META_LINE = re.compile(
    r"^(?:(?:发布|更新)?(?:时间|日期)|来源|作者|编辑|责任编辑|责编|审核|审校|校对|撰稿|供稿|摄影|"
    r"浏览(?:次数)?|阅读(?:次数|量)?|点击(?:数|量|率)?|访问量|字号|信息来源|文章来源|稿件来源)\s*[:：]"
)
_NAVIGATION = re.compile(
    r"^(?:【?(?:上一篇|下一篇|上一条|下一条|返回顶部|返回列表|返回首页|分享到|打印本页|打印|关闭窗口|关闭|"
    r"收藏|扫一扫|相关阅读|相关文章|相关新闻|推荐阅读|热点推荐|责任编辑|网站地图|联系我们|当前位置|"
    r"您的位置|首页)】?)"
)
_DISCLAIMER = re.compile(
    r"不代表本(?:站|网|网站)(?:的)?(?:观点|立场)|免责声明|版权所有|版权声明|转载请注明|未经授权|"
    r"如有侵权|ICP备|公网安备|技术支持[:：]"
)
_BYLINE = re.compile(r"^(?:□|■|◇|文\s*[/／|]|本报记者|本刊记者|记者|通讯员)\s*(?P<who>.+)$")
_LEAD = re.compile(r"^【?(?:导语|导读|内容提要|内容摘要|摘要|提要)】?\s*[:：]?\s*(?P<text>.+)$")
_ONLY_PUNCT = re.compile(r"^[\s|｜\-—_=*·•>#]*$")


@dataclass(frozen=True, slots=True)
class LineRole:
    """What a line is: ``text`` (kept), ``clutter`` (dropped), ``byline``, ``lead`` (the
    summary) or ``published`` (a publication date); ``value`` carries what the line gives."""

    role: str
    value: str = ""


def classify(line: str, to_hans: Callable[[str], str]) -> LineRole:
    text = line.strip()
    if not text or _ONLY_PUNCT.match(text):
        return LineRole("clutter")
    if len(text) > 600:  # running text: no clutter line is this long
        return LineRole("text")
    hans = to_hans(text)
    m = _PUBLISHED.match(hans)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return LineRole("published", f"{y:04d}-{mo:02d}-{d:02d}")
    if len(hans) <= 120 and (_META_LINE.match(hans) or _NAVIGATION.match(hans)):
        return LineRole("clutter")
    if len(hans) <= 200 and _DISCLAIMER.search(hans):
        return LineRole("clutter")
    m = _BYLINE.match(text) if len(text) <= 40 else None
    if m and not re.search(r"[。！？]", text):
        who = m["who"].strip()
        if text[0] in "□■◇" or who:
            return LineRole("byline", text.lstrip("□■◇ ").strip())
    m = _LEAD.match(hans) if len(text) <= 600 else None
    if m:
        offset = len(text) - len(m["text"])
        return LineRole("lead", text[offset:].strip())
    return LineRole("text")


def clean_line(line: str) -> str:
    """A line with copy-paste leftovers cut: trailing table separators (``… |``) and spaces."""
    return re.sub(r"\s+[|｜]\s*$", "", line).strip()
