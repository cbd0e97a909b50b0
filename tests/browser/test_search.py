"""Search in real Chromium: typing real queries on the example site, served under ``/reports/``
and opened from ``file://``, in all three trees.

The page contract: ``#search-input``, ``#search-org`` and ``#search-year`` filters,
``#search-status`` (role=status), results ``#search-results > li.search-result`` each with a
title link, ``.result-org``, ``.result-year`` and a ``.snippet`` whose matches are ``<mark>``;
``<html data-search-ready>`` once the index is loaded, ``data-search-done="<query>"`` when the
results of the latest query are on the page.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

TREES = {"zh-Hans": "", "zh-Hant": "zh-hant/", "en": "en/"}
TONGCHENG = "reports/tongcheng/2018-inspection-rectification-report/"
ACWF = "reports/acwf/2018-full-and-strict-party-governance/"
TIANJIN = "reports/tianjin/2024-party-building-work-summary/"


def search_url(base: str, lang: str, query: str | None = None) -> str:
    url = base + TREES[lang] + "search/index.html"
    return url + ("?q=" + urllib.parse.quote(query) if query is not None else "")


def open_search(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-search-ready]")


def type_query(page: Page, query: str) -> None:
    """Types like a person (key by key, so every prefix is searched), then waits for the
    search of the whole query to finish."""
    box = page.locator("#search-input")
    box.fill("")
    box.press_sequentially(query, delay=20)
    page.wait_for_function(
        "q => document.documentElement.getAttribute('data-search-done') === q", arg=query
    )


def results(page: Page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#search-results > li.search-result",
        """items => items.map(li => ({
            href: li.querySelector('h2 a').href,
            title: li.querySelector('h2 a').textContent,
            org: li.querySelector('.result-org').textContent,
            year: li.querySelector('.result-year').textContent,
            snippet: li.querySelector('.snippet').textContent,
            marks: Array.from(li.querySelectorAll('mark')).map(m => m.textContent).join('|'),
        }))""",
    )


def wait_snippets(page: Page) -> None:
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#search-results .snippet'))"
        ".every(p => p.textContent.length > 0)"
    )


# --- served under /reports/ ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", list(TREES))
def test_search_page_in_every_tree(
    page: Page, site_server: str, page_errors: list[str], lang: str
) -> None:
    open_search(page, search_url(site_server, lang))
    assert page.get_attribute("html", "lang") == lang
    expect(page.locator("h1")).to_have_text(
        {"zh-Hans": "搜索", "zh-Hant": "搜索", "en": "Search"}[lang]
    )
    status = page.locator("#search-status").inner_text()
    assert status.startswith({"zh-Hans": "输入", "zh-Hant": "輸入", "en": "Type"}[lang])
    orgs = page.locator("#search-org option").all_inner_texts()
    assert len(orgs) >= 6
    assert page.locator("#search-year option").all_inner_texts()[1:4] == ["2024", "2023", "2022"]
    assert page_errors == []


@pytest.mark.parametrize(
    ("lang", "query", "first", "org", "year", "mark"),
    [
        # as written in the (Simplified) source
        ("zh-Hans", "巡察整改", TONGCHENG, "桐城市妇联", "2018", "巡察整改"),
        # Simplified query, Traditional page: snippet in Traditional
        ("zh-Hant", "回头看", TONGCHENG, "桐城市婦聯", "2018", "回頭看"),
        # Traditional query on the Simplified tree finds a Traditional source, shown Simplified
        ("zh-Hans", "學習會", ACWF, "全国妇联", "2018", "学习会"),
        # English query over English titles, summaries and bodies
        ("en", "rectification", TONGCHENG, "Tongcheng Women's Federation", "2018", "rectification"),
        # Chinese on the English tree (the page shows the Chinese original or a translation)
        ("en", "巡察整改", TONGCHENG, "Tongcheng Women's Federation", "2018", ""),
    ],
)
def test_query_finds_the_expected_report(
    page: Page,
    site_server: str,
    page_errors: list[str],
    lang: str,
    query: str,
    first: str,
    org: str,
    year: str,
    mark: str,
) -> None:
    open_search(page, search_url(site_server, lang))
    type_query(page, query)
    wait_snippets(page)
    found = results(page)
    assert found, f"no results for {query!r} on {lang}"
    top = found[0]
    assert top["href"] == site_server + TREES[lang] + first + "index.html"
    assert (top["org"], top["year"]) == (org, year)
    if mark:
        assert mark.lower() in top["marks"].lower().split("|"), top
    # the result link leads to the report
    page.click("#search-results > li.search-result >> nth=0 >> h2 a")
    page.wait_for_url(re.compile(re.escape(first) + "(index.html)?$"))
    assert page_errors == []


def test_simplified_and_traditional_queries_find_the_same_reports(
    page: Page, site_server: str, page_errors: list[str]
) -> None:
    for lang in ("zh-Hans", "zh-Hant"):
        open_search(page, search_url(site_server, lang))
        type_query(page, "宣讲")
        hans = [r["href"] for r in results(page)]
        type_query(page, "宣講")
        hant = [r["href"] for r in results(page)]
        assert hans == hant and len(hans) >= 10, lang
        assert site_server + TREES[lang] + TIANJIN + "index.html" in hans
    assert page_errors == []


def test_title_matches_rank_first(page: Page, site_server: str, page_errors: list[str]) -> None:
    open_search(page, search_url(site_server, "zh-Hans"))
    type_query(page, "工作总结")
    found = results(page)
    assert len(found) >= 10
    in_title = ["工作总结" in r["title"] for r in found]
    assert in_title == sorted(in_title, reverse=True), "a body-only match outranks a title match"
    assert page_errors == []


@pytest.mark.parametrize(
    ("lang", "query", "status"),
    [
        ("zh-Hans", "没有这样的词语", "没有报告包含“没有这样的词语”。"),
        ("zh-Hant", "沒有這樣的詞語", "沒有報告包含「沒有這樣的詞語」。"),
        ("en", "zzyzx", "No reports contain “zzyzx”."),
        ("zh-Hans", '"<', '没有报告包含“"<”。'),
        ("en", "%", "No reports contain “%”."),
        (
            "en",
            "<img src=x onerror=alert(1)>",
            "No reports contain “<img src=x onerror=alert(1)>”.",
        ),
    ],
)
def test_no_hits_and_special_characters(
    page: Page, site_server: str, page_errors: list[str], lang: str, query: str, status: str
) -> None:
    open_search(page, search_url(site_server, lang))
    type_query(page, query)
    expect(page.locator("#search-status")).to_have_text(status)
    assert results(page) == []
    assert page.locator("#search-results img").count() == 0
    assert page_errors == []


def test_query_in_the_address_and_filters(
    page: Page, site_server: str, page_errors: list[str]
) -> None:
    open_search(page, search_url(site_server, "zh-Hans", "宣讲"))
    page.wait_for_selector("#search-results > li.search-result")
    everything = results(page)
    assert len(everything) >= 10
    page.select_option("#search-org", label="示例甲市妇联")
    filtered = results(page)
    assert 0 < len(filtered) < len(everything)
    assert {r["org"] for r in filtered} == {"示例甲市妇联"}
    page.select_option("#search-year", "2023")
    assert [r["year"] for r in results(page)] == ["2023"]
    assert "org=" in page.url and "year=2023" in page.url
    # a percent sign in the address is a query like any other
    open_search(page, search_url(site_server, "en", "%"))
    expect(page.locator("#search-status")).to_have_text("No reports contain “%”.")
    assert page_errors == []


def test_type_filter_and_former_names(page: Page, site_server: str, page_errors: list[str]) -> None:
    open_search(page, search_url(site_server, "zh-Hans", "妇联"))
    page.wait_for_selector("#search-results > li.search-result")
    everything = results(page)
    page.select_option("#search-type", label="整改情况通报")
    filtered = results(page)
    assert 0 < len(filtered) < len(everything)
    assert all(r["href"].endswith(TONGCHENG + "index.html") for r in filtered), filtered
    assert "type=" in page.url
    # 示例甲县 is sample city A's former name: its later reports, which never write it, are found
    type_query(page, "示例甲县")
    page.select_option("#search-type", "")
    found = {r["href"].rsplit("/", 2)[-2] for r in results(page)}
    assert {"2022-annual-summary", "2023-annual-summary", "2024-annual-summary"} <= found
    assert page_errors == []


@pytest.mark.parametrize("lang", list(TREES))
def test_header_box_submits_to_the_search_page(
    page: Page, site_server: str, page_errors: list[str], lang: str
) -> None:
    page.goto(site_server + TREES[lang] + TONGCHENG)
    box = page.locator("form.header-search input[name=q]")
    box.fill("巡察整改")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/index\.html\?q="))
    assert page.url.startswith(search_url(site_server, lang))
    page.wait_for_selector("#search-results > li.search-result")
    assert results(page)[0]["href"].endswith(TONGCHENG + "index.html")
    assert page_errors == []


# --- opened from disk ---------------------------------------------------------------------------


@pytest.fixture
def file_errors(page: Page) -> Iterator[list[str]]:
    """Like ``page_errors`` for ``file://`` pages: any request off the disk is an error."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console error: {message.text}")

    def on_request(request: Request) -> None:
        if not request.url.startswith(("file://", "data:", "blob:", "about:")):
            errors.append(f"off-disk request: {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught exception: {error}"))
    page.on("request", on_request)

    def on_failed(request: Request) -> None:
        # charts.js starts loading ECharts when the reader types; pressing Enter navigates away
        # and aborts that load (net::ERR_ABORTED). A file missing from disk fails otherwise.
        if request.failure != "net::ERR_ABORTED":
            errors.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_failed)
    page.set_default_timeout(15_000)
    yield errors


@pytest.mark.parametrize(
    ("lang", "query", "first", "mark"),
    [
        ("zh-Hans", "巡察整改", TONGCHENG, "巡察整改"),
        ("zh-Hant", "学习会", ACWF, "學習會"),
        ("en", "inspection tour", TONGCHENG, "inspection"),
    ],
)
def test_search_from_file_urls(
    page: Page,
    built_site: Path,
    file_errors: list[str],
    lang: str,
    query: str,
    first: str,
    mark: str,
) -> None:
    base = built_site.as_uri() + "/"
    open_search(page, search_url(base, lang))
    type_query(page, query)
    wait_snippets(page)
    found = results(page)
    assert found and found[0]["href"] == base + TREES[lang] + first + "index.html"
    assert mark in found[0]["marks"].split("|")
    # the header box works from disk too
    page.goto(base + TREES[lang] + "index.html")
    page.locator("form.header-search input[name=q]").fill(query)
    page.locator("form.header-search input[name=q]").press("Enter")
    page.wait_for_selector("#search-results > li.search-result")
    assert results(page)[0]["href"] == base + TREES[lang] + first + "index.html"
    assert file_errors == []
