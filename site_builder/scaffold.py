"""`init` and `new report`: write starter files that build as they are."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from site_builder.errors import UsageError, did_you_mean
from site_builder.messages import N_, _, current_language

SITE_YAML = """\
# Site settings. Every human-readable text is a plain string or {zh: …, en: …}.
title: {zh: 年度工作报告, en: Annual Work Reports}
description: {zh: 各单位年度工作总结, en: Annual work summaries of our organizations}
# base_url: http://intranet/reports/   # absolute URLs in sitemap.xml and feed.xml
languages: [zh-Hans, zh-Hant, en]
default_language: zh-Hans
markdown:
  raw_html: false
latest_reports: 10
"""

ORG_YAML = """\
name: {zh: 示例市妇女联合会, en: Example City Women's Federation}
short_name: {zh: 示例市妇联, en: Example WF}
level: municipal   # national | provincial | municipal | county | township (more in site.yaml)
kind: federation   # committee | federation | organs | department | party_group | …
description: {zh: 这是一个示例组织，请替换为您的组织。, en: An example organization; replace it with yours.}
sample: true
"""

METRICS_YAML = """\
# The metric registry: reports list {key, value} entries with these keys.
study_sessions:
  label: {zh: 集体学习会, en: Collective study sessions}
  unit: {zh: 次, en: sessions}
outreach_sessions:
  label: {zh: 宣讲场次, en: Outreach talks}
  unit: {zh: 场, en: sessions}
funds_raised:
  label: {zh: 募集资金, en: Funds raised}
  unit: {zh: 元, en: CNY}
  format: currency
"""

TAGS_YAML = """\
# The tag registry: Chinese tag name -> English name (and an optional ASCII slug).
党的建设: {en: Party building}
宣讲: {en: Outreach talks}
"""

REPORT_MD = """\
---
title: {zh: 示例市妇联2024年工作总结, en: Example City Women's Federation 2024 work summary}
date: 2024-12-31
summary: {zh: 这是一份示例报告。, en: This is an example report.}
tags: [党的建设, 宣讲]
metrics:
  - key: study_sessions
    value: 12
  - key: outreach_sessions
    value: 300
    qualifier: more_than
---

## 一、主要工作

全年开展集体学习会12次，组织宣讲300余场。

## 二、下一步打算

继续做好各项工作。
"""

ABOUT_MD = """\
---
title: {zh: 关于本站, en: About this site}
---

本站发布各单位的年度工作总结。
"""

ABOUT_EN_MD = """\
---
title: About this site
---

This site publishes the annual work summaries of our organizations.
"""


# The comments of the starter files, translated into the tool's language when written
_COMMENTS = (
    N_("Site settings. Every human-readable text is a plain string or {zh: …, en: …}."),
    N_("absolute URLs in sitemap.xml and feed.xml"),
    N_("national | provincial | municipal | county | township (more in site.yaml)"),
    N_("committee | federation | organs | department | party_group | …"),
    N_("The metric registry: reports list {key, value} entries with these keys."),
    N_("The tag registry: Chinese tag name -> English name (and an optional ASCII slug)."),
    N_("the year only; write the day (YYYY-MM-DD) or a period if known"),
    N_("one or two sentences; {zh: …, en: …} for both languages"),
    N_("文号, e.g. 津妇党〔2024〕5号"),
    N_("a name from content/types.yaml"),
    N_("names from content/tags.yaml"),
    N_("known keys:"),
    N_("qualifier: more_than | about"),
)


def localized(text: str) -> str:
    """``text`` with each known comment (``# …`` to the end of a line) in the tool's language;
    a zh-Hant user's site also starts with zh-Hant as its default language."""
    for comment in _COMMENTS:
        text = text.replace(f"# {comment}", f"# {_(comment)}")
    if current_language() == "zh-Hant":
        text = text.replace("default_language: zh-Hans", "default_language: zh-Hant")
    return text


PLACEHOLDER = "【待填写】"
"""What ``new report`` writes where text is still to come: the build warns about each one left
in place (``--strict`` fails), so a scaffold is never published as it is."""


def init_site(directory: Path) -> list[Path]:
    """Create a new site project; refuses a folder that already has files."""
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(_("{folder} is not empty; choose a new folder").format(folder=directory))
    files = {
        "site.yaml": SITE_YAML,
        "content/orgs/example-city.yaml": ORG_YAML,
        "content/metrics.yaml": METRICS_YAML,
        "content/tags.yaml": TAGS_YAML,
        "content/reports/example-city/2024-annual-summary.md": REPORT_MD,
        "content/pages/about.md": ABOUT_MD,
        "content/pages/about.en.md": ABOUT_EN_MD,
        "templates/.gitkeep": "",
        "assets/.gitkeep": "",
        ".gitignore": "/output/\n/.site_builder/\n",
    }
    created = []
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(localized(text), encoding="utf-8")
        created.append(path)
    return created


def slug_from_title(title: str) -> str:
    """Pinyin words of the title, cut at a word boundary to at most 60 characters."""
    from site_builder.validate import tag_slug

    slug = ""
    for word in tag_slug(title).split("-"):
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "report"


def new_report(source: Path, org: str, year: int, title: str, slug: str | None) -> Path:
    orgs_dir = source / "content" / "orgs"
    known = sorted(p.stem for p in orgs_dir.glob("*.yaml")) if orgs_dir.is_dir() else []
    if not known:
        raise UsageError(
            _("no organizations in {folder}; is --source a site project?").format(folder=orgs_dir)
        )
    if org not in known:
        raise UsageError(
            _("unknown organization '{org}' ({hint})").format(
                org=org, hint=did_you_mean(org, known)
            )
        )
    slug = slug or slug_from_title(title)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise UsageError(_("slug '{slug}' must use a-z, 0-9 and '-'").format(slug=slug))
    path = source / "content" / "reports" / org / f"{year}-{slug}.md"
    if path.exists():
        raise UsageError(_("{path} already exists").format(path=path))
    metrics_file = source / "content" / "metrics.yaml"
    keys: list[str] = []
    if metrics_file.is_file():
        data = yaml.safe_load(metrics_file.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict):
            keys = sorted(str(k) for k in data)
    has_cjk = re.search(r"[\u3400-\u9fff]", title) is not None
    title_field = {"zh": title} if has_cjk else {"en": title}
    front = yaml.safe_dump(
        {"title": title_field}, allow_unicode=True, default_flow_style=True, width=1000
    ).strip()
    lines = [
        "---",
        front.removeprefix("{").removesuffix("}"),
        f"date: {year}   # the year only; write the day (YYYY-MM-DD) or a period if known",
        f"summary: {PLACEHOLDER}   # one or two sentences; {{zh: …, en: …}} for both languages",
        "# doc_number: …   # 文号, e.g. 津妇党〔2024〕5号",
        "# type: …         # a name from content/types.yaml",
        "tags: []              # names from content/tags.yaml",
        "metrics: []",
    ]
    if keys:
        lines.append("# metrics:   # known keys: " + ", ".join(keys))
        lines.append(f"#   - {{key: {keys[0]}, value: 0}}   # qualifier: more_than | about")
    lines += ["---", "", f"## 一、{PLACEHOLDER}", "", PLACEHOLDER, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(localized("\n".join(lines) + "\n"), encoding="utf-8")
    return path
