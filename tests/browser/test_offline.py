"""Gate 3 in a real browser: visiting every page kind in every language (charts drawn, search
run, the page scrolled to its end), every request the page makes goes to the local server that
serves the site. Requests to anywhere else are recorded and aborted, so a failing page never
reaches the network either.
"""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import Page, Route

from tests.browser.kinds import CASE_IDS, CASES, KIND_PATHS, TREES, wait_for_charts

LOCAL_SCHEMES = ("data:", "blob:", "about:")


def record(page: Page, site_server: str) -> list[str]:
    """Every request URL the page makes; any that leaves the local server is aborted."""
    origin = "{0.scheme}://{0.netloc}/".format(urllib.parse.urlsplit(site_server))
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))

    def abort(route: Route) -> None:
        route.abort("blockedbyclient")

    page.route(lambda url: not url.startswith((origin, *LOCAL_SCHEMES)), abort)
    return seen


def off_host(urls: list[str], site_server: str) -> list[str]:
    origin = "{0.scheme}://{0.netloc}/".format(urllib.parse.urlsplit(site_server))
    return [u for u in urls if not u.startswith((origin, *LOCAL_SCHEMES))]


def visit(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_charts(page)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=CASE_IDS)
def test_every_request_stays_local(
    page: Page, page_errors: list[str], site_server: str, kind: str, lang: str
) -> None:
    requests = record(page, site_server)
    url = site_server + TREES[lang] + KIND_PATHS[kind]
    visit(page, url)
    assert not off_host(requests, site_server), f"{url}: requests to other hosts"
    names = {urllib.parse.urlsplit(u).path.rsplit("/", 1)[-1] for u in requests}
    assert "site.css" in names, f"{url}: the recorder saw no stylesheet: {requests}"
    if page.locator(".chart-canvas").count():
        assert {"echarts.min.js", "charts.js"} <= names, f"{url}: charts without their scripts"
    assert not page_errors, f"{url}:\n  " + "\n  ".join(page_errors)


def test_not_found_page_at_any_depth_loads_only_local_files(page: Page, site_server: str) -> None:
    """The server answers a missing URL deep in the tree with 404.html; its <base> makes its
    stylesheet and links resolve from the tree's root."""
    requests = record(page, site_server)
    url = site_server + "en/orgs/no-such-org/2099/"
    response = page.goto(url)
    assert response is not None and response.status == 404
    page.wait_for_load_state("networkidle")
    assert not off_host(requests, site_server)
    css = [u for u in requests if u.endswith("/assets/site.css")]
    assert css == [site_server + "assets/site.css"], requests
    # the server sends the root tree's 404.html for every miss, as one ErrorDocument would
    home = page.locator("main a").first.evaluate("a => a.href")
    assert home == site_server + "index.html"


def test_the_recorder_catches_a_load_from_another_host(page: Page, site_server: str) -> None:
    requests = record(page, site_server)
    visit(page, site_server + KIND_PATHS["home"])
    page.evaluate(
        """() => new Promise(done => {
            const img = new Image();
            img.onerror = img.onload = done;
            img.src = 'https://cdn.example.invalid/tracker.png';
            document.body.append(img);
        })"""
    )
    assert off_host(requests, site_server) == ["https://cdn.example.invalid/tracker.png"]
