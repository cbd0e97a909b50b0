"""Every page kind of the example site, one representative page each (with and without charts,
translated and Chinese-only), and how to wait until a page's charts are drawn."""

from __future__ import annotations

from playwright.sync_api import Page

# Language -> the folder its tree lives in, relative to the output root.
TREES = {"zh-Hans": "", "zh-Hant": "zh-hant/", "en": "en/"}

# Page kind -> a page of that kind, relative to a language tree's root.
KIND_PATHS = {
    "home": "index.html",
    "orgs-index": "orgs/index.html",
    "org-with-charts": "orgs/sample-province/index.html",
    "org-leaf": "orgs/tianjin/index.html",
    "report-with-chart": "reports/tongcheng/2018-inspection-rectification-report/index.html",
    "report-chinese-only": "reports/tianjin/2024-party-building-work-summary/index.html",
    "report-sample": "reports/sample-province/2024-annual-summary/index.html",
    "years-index": "years/index.html",
    "year": "years/2024/index.html",
    "tags-index": "tags/index.html",
    "tag": "tags/xun-cha-zheng-gai/index.html",
    "page": "pages/about/index.html",
    "search": "search/index.html?q=%E5%B7%A1%E5%AF%9F",  # 巡察: results and snippets shown
    "not-found": "404.html",
}

CASES = [(kind, lang) for kind in KIND_PATHS for lang in TREES]
CASE_IDS = [f"{kind}-{lang}" for kind, lang in CASES]

CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart-canvas')]
    .every(el => el.getAttribute('data-rendered') === 'true')"""


def wait_for_charts(page: Page, timeout: float = 15_000) -> int:
    """Wait until charts.js has marked every chart drawn; return how many the page has."""
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout)
    return page.locator(".chart-canvas").count()
