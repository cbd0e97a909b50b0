"""Every page kind of the example site (as kinds.py declares them), one representative page each (with and without charts,
translated and Chinese-only), and how to wait until a page's charts are drawn."""

from __future__ import annotations

from playwright.sync_api import Page

# Language -> the folder its tree lives in, relative to the output root.
TREES = {"zh-Hans": "", "zh-Hant": "zh-hant/", "en": "en/"}

# Pages worth a case of their own, by page kind (kinds.py): a kind's variants (with and without
# charts, translated or not) or a page chosen for what it shows. Paths are relative to a
# language tree's root.
VARIANTS: dict[str, dict[str, str]] = {
    "home": {"home": "index.html"},
    "orgs_index": {"orgs-index": "orgs/index.html"},
    "org": {
        "org-with-charts": "orgs/sample-province/index.html",
        "org-leaf": "orgs/tianjin/index.html",
    },
    "report": {
        "report-with-chart": "reports/tongcheng/2018-inspection-rectification-report/index.html",
        "report-chinese-only": "reports/tianjin/2024-party-building-work-summary/index.html",
        "report-sample": "reports/sample-province/2024-annual-summary/index.html",
    },
    "years_index": {"years-index": "years/index.html"},
    "year": {"year": "years/2024/index.html"},
    "tags_index": {"tags-index": "tags/index.html"},
    "tag": {"tag": "tags/xun-cha-zheng-gai/index.html"},
    "page": {"page": "pages/about/index.html"},
    "search": {"search": "search/index.html?q=%E5%B7%A1%E5%AF%9F"},  # 巡察: results and snippets
    "not_found": {"not-found": "404.html"},
}


def kind_paths() -> dict[str, str]:
    """Case name -> page: the variants above, and for every other page kind the example site
    has (a kind declared later, say), its first page. Kinds the example site has no page of
    (later pages of short listings) have no case."""
    from site_builder.derive.aggregate import derive
    from site_builder.kinds import KINDS, plan_pages
    from site_builder.pipeline import BuildOptions, validate
    from site_builder.urls import Urls
    from tests.conftest import REPO

    out: dict[str, str] = {}
    site = validate(BuildOptions(source=REPO, out=REPO / "output")).site
    assert site is not None, "the example site does not validate"
    specs = plan_pages(site, derive(site), KINDS)
    urls = Urls(site.config.languages, site.config.default_language)
    root = urls.home(site.config.default_language).removesuffix("index.html")
    for kind in KINDS:
        if kind.name in VARIANTS:
            out.update(VARIANTS[kind.name])
            continue
        first = next((s for s in specs if s.kind is kind), None)
        if first is not None:
            path = first.path(urls, site.config.default_language)
            out[kind.name.replace("_", "-")] = path.removeprefix(root)
    return out


# Case name -> a page of that kind, relative to a language tree's root.
KIND_PATHS = kind_paths()

CASES = [(kind, lang) for kind in KIND_PATHS for lang in TREES]
CASE_IDS = [f"{kind}-{lang}" for kind, lang in CASES]

CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart-canvas')]
    .every(el => el.getAttribute('data-rendered') === 'true')"""


def wait_for_charts(page: Page, timeout: float = 15_000) -> int:
    """Have charts.js draw every chart and wait until it has marked them drawn; return how
    many the page has."""
    # charts.js draws a chart when it nears the screen; this draws every one now
    page.evaluate('document.dispatchEvent(new Event("charts:draw-all"))')
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout)
    return page.locator(".chart-canvas").count()
