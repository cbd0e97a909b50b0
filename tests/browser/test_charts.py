"""Charts in real Chromium: every page kind that has charts, in all three languages, draws each
chart from the site's own ECharts (no request leaves the local server, no console error), in
English on English pages, resizes with the window, and shows its data table in print.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, Request

TREES = {"zh-Hans": "", "zh-Hant": "zh-hant/", "en": "en/"}

# Every page kind that has charts: one page each, with how many charts it must have at least.
CHART_PAGES = {
    "home": ("index.html", 2),
    "org-trends-and-comparisons": ("orgs/sample-province/index.html", 6),
    "org-comparisons": ("orgs/acwf/index.html", 1),
    "report-chart-block": ("reports/tongcheng/2018-inspection-rectification-report/index.html", 1),
    "report-sample-chart-block": ("reports/sample-province/2024-annual-summary/index.html", 1),
}
CASES = [(kind, lang) for kind in CHART_PAGES for lang in TREES]

DRAWN = """() => [...document.querySelectorAll('.chart-canvas')]
    .every(el => el.getAttribute('data-rendered') === 'true')"""

# For each container: its canvas size and how many of its pixels are painted.
CANVASES = """() => [...document.querySelectorAll('.chart-canvas')].map(el => {
    const canvas = el.querySelector('canvas');
    if (!canvas) return {id: el.id, canvas: false};
    const ctx = canvas.getContext('2d');
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return {id: el.id, canvas: true, width: canvas.clientWidth, height: canvas.clientHeight,
            container: el.clientWidth, painted};
})"""

CJK = re.compile(r"[\u3400-\u9fff]")


def open_with_charts(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.evaluate('document.dispatchEvent(new Event("charts:draw-all"))')
    page.wait_for_function(DRAWN, timeout=15_000)
    return page.locator(".chart-canvas").count()


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=[f"{k}-{lang}" for k, lang in CASES])
def test_every_chart_is_drawn(
    page: Page, page_errors: list[str], site_server: str, kind: str, lang: str
) -> None:
    path, at_least = CHART_PAGES[kind]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    count = open_with_charts(page, site_server + TREES[lang] + path)
    assert count >= at_least, f"{kind} ({lang}): {count} charts"
    for c in page.evaluate(CANVASES):
        assert c["canvas"], f"{c['id']}: no canvas"
        assert c["width"] > 200 and c["height"] > 200, c
        assert c["painted"] > 2000, f"{c['id']}: the canvas is blank ({c})"
    # ECharts comes from the site itself, once, and the page's JSON is English on English pages
    assert sum(u.endswith("/assets/echarts.min.js") for u in requested) == 1
    assert all(u.startswith(site_server) for u in requested), requested
    figures = page.locator("figure.chart")
    assert figures.count() == count
    for i in range(count):
        figure = figures.nth(i)
        assert figure.locator("figcaption").inner_text().strip()
        assert figure.locator("details.chart-data table tbody tr").count() >= 1
        options = json.loads(figure.locator("script[type='application/json']").text_content() or "")
        if lang == "en":
            assert not CJK.search(json.dumps(options, ensure_ascii=False)), options["title"]
            assert not CJK.search(figure.locator("figcaption").inner_text())
        else:
            assert CJK.search(options["title"][0]["text"])
    assert page_errors == []


def test_english_charts_use_the_english_locale_and_number_labels(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    open_with_charts(page, site_server + "en/orgs/sample-province/index.html")
    # the value labels are the site's own (3,000+, CNY 1.52 million), not ECharts' defaults
    labels = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('chart-trend-funds-raised'))
            .getOption().series[0].data.map(d => d.label.formatter)"""
    )
    assert labels == ["1.25 million", "1.39 million", "1.52 million"]
    # the axis ticks are formatted by charts.js with English separators
    tick = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('chart-trend-outreach-reach'))
            .getOption().yAxis[0].axisLabel.formatter(48200)"""
    )
    assert tick == "48,200"
    assert page_errors == []


@pytest.mark.parametrize(("lang", "wan"), [("zh-Hans", "5万"), ("zh-Hant", "5萬")])
def test_chinese_axis_ticks_count_in_wan(
    page: Page, page_errors: list[str], site_server: str, lang: str, wan: str
) -> None:
    open_with_charts(page, site_server + TREES[lang] + "orgs/sample-province/index.html")
    tick = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('chart-trend-outreach-reach'))
            .getOption().yAxis[0].axisLabel.formatter(50000)"""
    )
    assert tick == wan
    if lang == "zh-Hant":  # the value labels were converted with the page
        labels = page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById('chart-trend-funds-raised'))
                .getOption().series[0].data.map(d => d.label.formatter)"""
        )
        assert labels == ["125萬", "138.6萬", "152.45萬"]
    assert page_errors == []


def test_charts_resize_with_the_window(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    open_with_charts(page, site_server + "reports/tongcheng/2018-inspection-rectification-report/")
    before = page.evaluate(CANVASES)[0]["width"]
    page.set_viewport_size({"width": 600, "height": 900})
    page.wait_for_function(
        "w => document.querySelector('.chart-canvas canvas').clientWidth < w", arg=before
    )
    after = page.evaluate(CANVASES)[0]
    assert after["width"] <= after["container"] < before
    assert page_errors == []


def test_data_tables_are_one_click_away_and_shown_in_print(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    open_with_charts(
        page, site_server + "en/reports/tongcheng/2018-inspection-rectification-report/"
    )
    table = page.locator("figure.chart details.chart-data table").first
    assert not table.is_visible()
    page.locator("figure.chart details.chart-data summary").first.click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 6
    page.locator("figure.chart details.chart-data summary").first.click()
    assert not table.is_visible()
    page.emulate_media(media="print")
    assert table.is_visible()
    assert page.locator(".chart-canvas canvas").first.is_visible()
    assert page_errors == []


def test_pages_without_charts_do_not_load_echarts(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    requested: list[str] = []

    def on_request(request: Request) -> None:
        requested.append(request.url)

    page.on("request", on_request)
    for path in (
        "tags/index.html",
        "orgs/index.html",
        "en/reports/tianjin/2024-party-building-work-summary/",
    ):
        page.goto(site_server + path)
        assert page.locator(".chart-canvas").count() == 0
    assert not [u for u in requested if "echarts" in u or "charts.js" in u]
    assert page_errors == []


# Each chart container right after "beforeprint" returns, in the same task: whether it holds a
# painted canvas, and whether its chart animates (a chart printed mid-animation prints empty bars).
PRINT_STATE = """() => {
    window.dispatchEvent(new Event("beforeprint"));
    return [...document.querySelectorAll('.chart-canvas')].map(el => {
        const canvas = el.querySelector('canvas');
        if (!canvas) return {id: el.id, painted: 0};
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
        const chart = window.echarts.getInstanceByDom(el);
        return {id: el.id, painted, animation: chart.getOption().animation};
    });
}"""

UNDRAWN = "() => document.querySelectorAll('.chart-canvas:not([data-rendered])').length"


def test_printing_before_scrolling_draws_every_chart_still(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    """Ctrl+P on a page just opened: the charts below the first screen are not drawn yet (nor
    ECharts loaded); "beforeprint" draws every one of them at once, without animation."""
    page.set_viewport_size({"width": 1280, "height": 800})
    path, at_least = CHART_PAGES["org-trends-and-comparisons"]
    page.goto(site_server + path)
    page.wait_for_load_state("load")
    total = page.locator(".chart-canvas").count()
    assert total >= at_least
    assert page.evaluate(UNDRAWN) >= 2, "every chart was drawn on opening: nothing to test"
    page.emulate_media(media="print")
    state = page.evaluate(PRINT_STATE)
    assert len(state) == total
    assert all(s["painted"] > 1000 for s in state), state
    assert all(s["animation"] is False for s in state), state
    assert page.locator("details.chart-data[open]").count() == total  # and every data table
    assert page_errors == []


def test_pdf_of_an_untouched_page_prints_every_chart(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    """The browser's own print of a page nobody scrolled is the print of the page with every
    chart drawn. Chromium prints a chart's canvas as vector drawing and text, so its axis
    labels are in the PDF's text: a print with ECharts refused (tables only) has fewer."""
    pypdf = pytest.importorskip("pypdf")
    import io

    path, _n = CHART_PAGES["org-trends-and-comparisons"]
    url = site_server + path

    def printed(prepare: str) -> str:
        context = page.context.browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[union-attr]
        try:
            tab = context.new_page()
            if prepare == "refused":
                tab.route("**/echarts.min.js", lambda route: route.abort())
            tab.goto(url)
            tab.wait_for_load_state("load")
            if prepare == "untouched":
                assert tab.evaluate(UNDRAWN) >= 2, "every chart was drawn on opening"
            if prepare == "drawn":
                tab.evaluate('document.dispatchEvent(new Event("charts:draw-all"))')
                tab.wait_for_function(DRAWN, timeout=15_000)
            reader = pypdf.PdfReader(io.BytesIO(tab.pdf()))
            return "".join(p.extract_text() for p in reader.pages)
        finally:
            context.close()

    untouched, drawn, refused = printed("untouched"), printed("drawn"), printed("refused")
    assert untouched == drawn
    assert len(untouched) > len(refused) + 500, (len(untouched), len(refused))
    assert page_errors == []


def test_a_chart_just_below_the_first_screen_loads_no_echarts_on_opening(
    page: Page, page_errors: list[str], site_server: str
) -> None:
    """Lighthouse's phone (412x823): the Tongcheng report's chart starts within 100 px below the
    first screen; ECharts (the page's heaviest task) waits until the reader scrolls."""
    page.set_viewport_size({"width": 412, "height": 823})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    path, _n = CHART_PAGES["report-chart-block"]
    page.goto(site_server + path)
    page.wait_for_load_state("load")
    top = page.locator(".chart-canvas").first.evaluate("el => el.getBoundingClientRect().top")
    assert 823 <= top <= 923, f"the chart starts at {top} px: the test's premise is gone"
    page.wait_for_timeout(500)
    assert not any(u.endswith("echarts.min.js") for u in requested)
    page.mouse.wheel(0, 300)
    page.wait_for_function(DRAWN, timeout=15_000)
    assert page_errors == []
