"""Gate 5, works opened from disk: ``index.html`` opened with a ``file://`` URL, a reader goes
home -> organizations -> an organization -> one of its reports -> the English version ->
繁體, by clicking links as a person would; every page loads only files of the output folder,
has no script error, and draws its charts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

from tests.browser.kinds import wait_for_charts


@pytest.fixture
def disk_errors(page: Page, built_site: Path) -> Iterator[list[str]]:
    root = built_site.as_uri() + "/"
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console error: {message.text}")

    def on_request(request: Request) -> None:
        if not request.url.startswith((root, "data:", "blob:", "about:")):
            errors.append(f"request outside the output folder: {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught exception: {error}"))
    page.on("request", on_request)
    # as in page_errors: leaving a page aborts what it still had in flight, harmlessly
    page.on(
        "requestfailed",
        lambda r: (
            None
            if r.failure == "net::ERR_ABORTED"
            else errors.append(f"request failed: {r.url} ({r.failure})")
        ),
    )
    page.set_default_timeout(15_000)
    yield errors


def arrive(page: Page, lang: str, path: str, built_site: Path, charts: bool) -> None:
    """The page at ``path`` (relative to the output folder) is shown, in ``lang``, styled, with
    its charts drawn."""
    assert page.url == (built_site / path).as_uri(), page.url
    assert page.get_attribute("html", "lang") == lang
    expect(page.locator("h1")).to_be_visible()
    # the stylesheet applied: the skip link is moved off screen by site.css
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, "site.css did not apply"
    drawn = wait_for_charts(page)
    assert (drawn > 0) == charts, f"{path}: {drawn} chart(s)"
    if charts:
        # ECharts drew into the container: a canvas with pixels of its own size
        canvas = page.locator(".chart-canvas canvas").first
        expect(canvas).to_be_visible()
        size = canvas.evaluate("c => [c.width, c.height]")
        assert size[0] > 100 and size[1] > 100, size


def test_navigation_and_charts_from_disk(
    page: Page, disk_errors: list[str], built_site: Path
) -> None:
    page.goto((built_site / "index.html").as_uri())
    arrive(page, "zh-Hans", "index.html", built_site, charts=True)

    page.locator("nav.main-nav a").nth(1).click()
    arrive(page, "zh-Hans", "orgs/index.html", built_site, charts=False)

    page.locator('main a[href$="sample-province/index.html"]').click()
    arrive(page, "zh-Hans", "orgs/sample-province/index.html", built_site, charts=True)

    page.locator('main a[href*="2024-annual-summary/index.html"]').first.click()
    report = "reports/sample-province/2024-annual-summary/index.html"
    arrive(page, "zh-Hans", report, built_site, charts=True)

    page.locator('nav.lang-switch a[hreflang="en"]').click()
    arrive(page, "en", "en/" + report, built_site, charts=True)
    # English charts in English: the options hold no Chinese
    options = page.locator('script[type="application/json"][id$="-options"]').first
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in options.inner_text())

    page.locator('nav.lang-switch a[hreflang="zh-Hant"]').click()
    arrive(page, "zh-Hant", "zh-hant/" + report, built_site, charts=True)

    page.go_back()
    arrive(page, "en", "en/" + report, built_site, charts=True)
    assert not disk_errors, "\n".join(disk_errors)
