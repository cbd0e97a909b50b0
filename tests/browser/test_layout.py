"""The reading layout in real Chromium at a desktop width (1280 px) and a phone width (390 px),
and in print: positions and sizes of the parts of a page, never pixels.

Desktop: the contents sit beside the text and stay in view while it scrolls; key figures are a
compact grid; English body text is not justified; a report links to its organization's older
and newer reports. Phone: the header is at most 100 px with the menu and search folded; key
figures are two to a row and folded after eight; the contents are folded; the report's text
starts on the first screen. Print: A4 pages with margins, the contents list in one piece.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

ACWF = "reports/acwf/2018-full-and-strict-party-governance/index.html"  # 13 figures, contents
PROVINCE_2023 = "reports/sample-province/2023-annual-summary/index.html"
ORG = "orgs/sample-province/index.html"
TIANJIN = "reports/tianjin/2024-party-building-work-summary/index.html"
TONGCHENG = "reports/tongcheng/2018-inspection-rectification-report/index.html"
MORE_REPORTS = [
    f"reports/{org}/{year}-annual-summary/index.html"
    for org in ("sample-city-a", "sample-city-b", "sample-province")
    for year in (2022, 2023, 2024)
    if (org, year) != ("sample-province", 2023)
]

BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def box(page: Page, selector: str) -> list[float]:
    return page.locator(selector).first.evaluate(BOX)


def test_desktop_contents_beside_the_text_and_sticky(desktop: Page, site_server: str) -> None:
    desktop.goto(site_server + ACWF)
    toc, body = box(desktop, ".toc"), box(desktop, ".body")
    assert toc[0] >= body[0] + body[2], f"contents {toc} not right of the text {body}"
    assert desktop.locator(".toc ol").is_visible()
    assert 600 <= body[2] <= 800, f"text column {body[2]} px wide"
    desktop.mouse.wheel(0, 2500)
    desktop.wait_for_function("window.scrollY > 2000")
    top = box(desktop, ".toc")[1]
    assert 0 <= top <= 40, f"contents scrolled away (top {top} px after scrolling)"


def test_desktop_key_figures_compact_and_all_shown(desktop: Page, site_server: str) -> None:
    desktop.goto(site_server + ACWF)
    cards = desktop.locator(".key-figures .card")
    assert cards.count() == 13
    tops = [cards.nth(i).evaluate(BOX)[1] for i in range(4)]
    assert len(set(tops)) == 1, f"the first four figures are not on one row: {tops}"
    assert cards.nth(12).is_visible(), "figures after the eighth are folded on a wide screen"
    assert not desktop.locator(".cards-more > summary").is_visible()


def test_desktop_header_is_one_row_with_menu_open(desktop: Page, site_server: str) -> None:
    desktop.goto(site_server + ORG)
    assert box(desktop, ".site-header")[3] <= 70
    assert desktop.locator(".main-nav").is_visible()
    assert desktop.locator(".header-search input").is_visible()
    assert not desktop.locator(".site-menu > summary").is_visible()


def test_english_body_not_justified_chinese_justified(desktop: Page, site_server: str) -> None:
    desktop.goto(site_server + "en/" + ACWF)
    align = desktop.locator(".body p").first.evaluate("el => getComputedStyle(el).textAlign")
    assert align != "justify"
    desktop.goto(site_server + ACWF)
    align = desktop.locator(".body p").first.evaluate("el => getComputedStyle(el).textAlign")
    assert align == "justify"


def test_older_and_newer_report_of_the_same_organization(desktop: Page, site_server: str) -> None:
    desktop.goto(site_server + PROVINCE_2023)
    older = desktop.locator(".neighbours a[rel=prev]")
    newer = desktop.locator(".neighbours a[rel=next]")
    assert "2022" in (older.get_attribute("href") or "")
    assert "2024" in (newer.get_attribute("href") or "")
    newer.click()
    assert desktop.url.endswith("sample-province/2024-annual-summary/index.html")
    assert desktop.locator(".neighbours a[rel=next]").count() == 0  # the newest has none


def test_phone_header_folded(phone: Page, site_server: str) -> None:
    phone.goto(site_server + ACWF)
    header = box(phone, ".site-header")
    assert header[3] <= 100, f"header {header[3]} px high"
    search = phone.locator(".header-search input")
    assert not search.is_visible() and not phone.locator(".main-nav").is_visible()
    phone.locator(".site-menu > summary").click()
    assert search.is_visible() and phone.locator(".main-nav").is_visible()
    assert phone.locator(".lang-switch").is_visible()


def test_phone_key_figures_two_columns_folded_after_eight(phone: Page, site_server: str) -> None:
    phone.goto(site_server + ACWF)
    cards = phone.locator(".key-figures .card")
    first, second, third = (cards.nth(i).evaluate(BOX) for i in range(3))
    assert first[1] == second[1] and second[0] > first[0], "first two figures not side by side"
    assert third[1] > first[1] and abs(third[0] - first[0]) < 1, "third figure not below the first"
    assert all(cards.nth(i).is_visible() for i in range(8))
    assert not cards.nth(8).is_visible(), "the ninth figure is not folded"
    phone.locator(".cards-more > summary").click()
    assert cards.nth(12).is_visible()


TEXT = ".body > :is(p, ul, ol, blockquote)"  # a block of the report's own text


@pytest.mark.parametrize("tree", ["", "zh-hant/", "en/"])
def test_phone_text_starts_on_the_first_screen(phone: Page, site_server: str, tree: str) -> None:
    """Every report page in each language (the English ACWF report has the longest title,
    facts and summary): its contents are folded and the first line of its text is inside the
    first 844 px; its key figures follow that first block of text."""
    root = site_server + tree
    for path in (ACWF, PROVINCE_2023, TIANJIN, TONGCHENG, *MORE_REPORTS):
        phone.goto(root + path)
        if phone.locator(".toc").count():
            assert not phone.locator(".toc ol").is_visible(), f"{path}: contents not folded"
        first = phone.locator(TEXT).first.evaluate(BOX)
        assert first[1] + 24 <= 844, f"{tree}{path}: text starts at {first[1]} px"
        if phone.locator(".key-figures").count():
            figures = box(phone, ".key-figures")
            assert figures[1] >= first[1] + first[3], f"{tree}{path}: figures before the text"


def test_desktop_key_figures_before_the_text(desktop: Page, site_server: str) -> None:
    """The phone's order is the phone's alone: on a wide screen the figures lead."""
    desktop.goto(site_server + "en/" + ACWF)
    assert box(desktop, ".key-figures")[1] < box(desktop, TEXT)[1]


def test_print_a4_margins_running_header_contents_in_one_piece(
    desktop: Page, site_server: str
) -> None:
    pypdf = pytest.importorskip("pypdf")
    desktop.goto(site_server + ACWF)
    desktop.emulate_media(media="print")
    toc = desktop.locator(".toc")
    assert toc.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    assert toc.locator("ol").is_visible(), "contents folded in print"
    assert desktop.locator(".key-figures .card").nth(12).is_visible()
    pdf = desktop.pdf(prefer_css_page_size=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842), "not A4"
    # NFKC: the text layer names some characters by their Kangxi radical forms (⽬ for 目)
    texts = [unicodedata.normalize("NFKC", p.extract_text()).replace(" ", "") for p in reader.pages]
    # the contents list: its title and its entries on one page
    (holder,) = [i for i, t in enumerate(texts) if "目录" in t]
    assert "自查自纠" in texts[holder] and "牵头抓总" in texts[holder]
    # running header (organization · title) and page numbers on every page
    n = len(texts)
    for i, text in enumerate(texts, 1):
        assert "中华全国妇女联合会·全国妇联" in text, f"page {i}: no running header"
        assert re.search(rf"\b{i}/{n}\b", text), f"page {i}: no page number"
    # margins: no text closer than 15 mm (42.5 pt) to the page's left or right edge
    xs: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():  # the text's origin on the page: text matrix times current matrix
            xs.append(cm[0] * tm[4] + cm[2] * tm[5] + cm[4])

    reader.pages[0].extract_text(visitor_text=visit)
    assert xs and min(xs) >= 42.5, f"text at x={min(xs)} pt"


def test_desktop_organization_profile_and_figures_side_by_side(
    desktop: Page, phone: Page, site_server: str
) -> None:
    """At 1280 px an organization page's profile and key figures share the first row (the
    figures fill the rest of the width, three or more to a row) and its charts are two to a
    row; on a phone they stack."""
    desktop.goto(site_server + ORG)
    profile, figures = box(desktop, ".org-profile"), box(desktop, ".org-figures")
    wrap = box(desktop, "main.wrap")
    right = wrap[0] + wrap[2] - 20  # the main column's padding: 1.25rem
    assert abs(profile[1] - figures[1]) < 2, f"profile {profile}, figures {figures}"
    assert profile[0] + profile[2] < figures[0], "figures not right of the profile"
    assert abs(figures[0] + figures[2] - right) < 2, f"figures end at {figures[0] + figures[2]}"
    assert figures[1] + figures[3] < 800, "key figures not on the first screen"
    cards = desktop.locator(".org-figures .card")
    tops = [cards.nth(i).evaluate(BOX)[1] for i in range(3)]
    assert len(set(tops)) == 1, f"the first three figures are not on one row: {tops}"
    charts = desktop.locator(".charts .chart")
    first, second = charts.nth(0).evaluate(BOX), charts.nth(1).evaluate(BOX)
    assert first[1] == second[1] and first[2] >= 500, f"charts {first}, {second}"
    phone.goto(site_server + ORG)
    profile, figures = box(phone, ".org-profile"), box(phone, ".org-figures")
    assert figures[1] >= profile[1] + profile[3], "phone: figures not below the profile"


def test_phone_report_facts_links_are_24_px_apart(phone: Page, site_server: str) -> None:
    """The links among a report's facts (organization, document type) are touch targets: their
    rows are at least 24 px apart (WCAG 2.2 target size, as Lighthouse and axe check it)."""
    phone.goto(site_server + PROVINCE_2023)
    links = phone.locator(".report .facts dd > a")
    assert links.count() >= 2
    tops = [links.nth(i).evaluate(BOX)[1] for i in range(links.count())]
    gaps = [b - a for a, b in itertools.pairwise(tops) if b != a]
    assert gaps and min(gaps) >= 24, f"rows of links {gaps} px apart"
