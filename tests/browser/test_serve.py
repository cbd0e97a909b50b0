"""`site-builder serve` in Chromium: an edit shows up in the open page, stylesheets swap without
a reload (livereload.js), build errors show over the last good page and go away, every tab
follows, edits closer than livereload's 3 s window each reload.

Every wait has a bound; none of these tests asserts a duration (bench/serve_latency.py measures).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from site_builder.serve import DevServer, ServeOptions
from tests.conftest import MakeSite

REPORT = "content/reports/city/2024-summary.md"
REPORT_URL = "reports/city/2024-summary/index.html"
BOUND_MS = 20_000  # generous: the machine may be busy; bench/ measures the real latency


@dataclass
class Live:
    root: Path
    url: str
    server: DevServer
    lines: list[str] = field(default_factory=list)

    def edit_report(self, old: str, new: str) -> None:
        path = self.root / REPORT
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def live(make_site: MakeSite, tmp_path: Path) -> Iterator[Live]:
    root = make_site()
    lines: list[str] = []
    server = DevServer(ServeOptions(source=root, out=tmp_path / "preview", port=0), lines.append)
    url = server.start()
    try:
        yield Live(root, url, server, lines)
    finally:
        server.stop()


def console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def loads(page: Page) -> list[str]:
    """The generation each load of ``page`` was served at (its token is ``server:generation``)."""
    seen: list[str] = []
    script = "document.getElementById('site-builder-live')?.dataset.generation ?? ''"
    page.on("load", lambda: seen.append(page.evaluate(script).rpartition(":")[2]))
    return seen


def test_a_saved_edit_shows_in_the_open_page(live: Live, page: Page) -> None:
    errors = console_errors(page)
    page.goto(live.url + REPORT_URL)
    expect(page.locator("main")).to_contain_text("开展学习12次")
    live.edit_report("开展学习12次。", "开展学习12次，新增一段话。")
    expect(page.locator("main")).to_contain_text("新增一段话", timeout=BOUND_MS)
    assert errors == []


def test_edits_half_a_second_apart_each_reload(live: Live, page: Page) -> None:
    page.goto(live.url + REPORT_URL)
    generations = loads(page)
    previous = "12"
    for n in (21, 22, 23, 24):
        started = time.monotonic()
        live.edit_report(f"开展学习{previous}次", f"开展学习{n}次")
        previous = str(n)
        # each edit's own text appears: each edit produced its own reload
        expect(page.locator("main")).to_contain_text(f"开展学习{n}次", timeout=BOUND_MS)
        time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
    deadline = time.monotonic() + BOUND_MS / 1000
    while len(generations) < 4 and time.monotonic() < deadline:  # the last load event
        page.wait_for_timeout(20)
    # at least one load per edit, each at a newer build: a tab whose load overlapped the next
    # build is reloaded again at its handshake (a catch-up, never a repeat of the same build)
    assert len(generations) >= 4 and generations == sorted(set(generations), key=int), generations


def test_every_open_tab_reloads(live: Live, context: BrowserContext) -> None:
    """Eight tabs: more than the six connections a browser opens to one server, which a
    stream per tab over HTTP would exhaust (livereload's WebSockets are not counted)."""
    urls = [REPORT_URL, "en/" + REPORT_URL, "orgs/city/index.html"]
    urls += [REPORT_URL, "en/" + REPORT_URL, "zh-hant/" + REPORT_URL, REPORT_URL, REPORT_URL]
    tabs = [context.new_page() for _ in urls]
    for tab, url in zip(tabs, urls, strict=True):
        tab.goto(live.url + url)
        tab.wait_for_function("window.LiveReload && window.LiveReload.connector.protocol === 7")
    live.edit_report(
        "title: {zh: 测试市妇联2024年工作总结", "title: {zh: 测试市妇联2024年度工作汇报"
    )
    live.edit_report("开展学习12次。", "开展学习12次。Every tab.")
    for tab, url in zip(tabs, urls, strict=True):
        if url.startswith("en/"):
            expect(tab.locator("main")).to_contain_text("Every tab.", timeout=BOUND_MS)
        elif url.startswith("zh-hant/"):
            expect(tab.locator("h1")).to_contain_text("年度工作彙報", timeout=BOUND_MS)
        else:
            expect(tab.locator("main")).to_contain_text("年度工作汇报", timeout=BOUND_MS)


def test_stylesheet_edit_swaps_without_a_reload(live: Live, page: Page) -> None:
    page.goto(live.url + REPORT_URL)
    page.evaluate("window.__notReloaded = 'still here'")
    css = live.root / "assets/site.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    default = (Path(__file__).parents[2] / "assets/site.css").read_text()
    css.write_text(default + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n", encoding="utf-8")
    page.wait_for_function(
        "getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=BOUND_MS
    )
    assert page.evaluate("window.__notReloaded") == "still here"
    # livereload.js removes the old link once the new one has loaded: one is left
    expect(page.locator('link[rel="stylesheet"][href*="site.css"]')).to_have_count(1)


def test_broken_yaml_shows_an_overlay_until_fixed(
    live: Live, page: Page, context: BrowserContext
) -> None:
    page.goto(live.url + REPORT_URL)
    overlay = page.locator("#site-builder-overlay")
    expect(overlay).to_have_count(0)
    broken = live.root / "content/orgs/city.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("level: municipal", "level: [municipal"), encoding="utf-8")
    expect(overlay).to_be_visible(timeout=BOUND_MS)
    expect(overlay).to_contain_text("content/orgs/city.yaml:")
    expect(overlay.locator(".site-builder-error").first).to_contain_text("YAML")
    # the last good page stays under it
    expect(page.locator("main")).to_contain_text("开展学习12次")
    # a tab opened while the build is broken shows it too
    other = context.new_page()
    other.goto(live.url + "orgs/city/index.html")
    expect(other.locator("#site-builder-overlay")).to_be_visible(timeout=BOUND_MS)
    broken.write_text(good, encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=BOUND_MS)
    expect(other.locator("#site-builder-overlay")).to_have_count(0, timeout=BOUND_MS)
    printed = [line for line in live.lines if line.startswith("content/orgs/city.yaml:")]
    assert len(printed) == 1, live.lines


def test_the_overlay_speaks_the_tools_language(
    make_site: MakeSite, tmp_path: Path, page: Page
) -> None:
    """Started in zh-Hans (as `serve --lang zh-Hans` does), the overlay, its diagnostic and the
    terminal lines are Chinese."""
    from site_builder.messages import set_language

    set_language("zh-Hans")
    root = make_site()
    lines: list[str] = []
    server = DevServer(ServeOptions(source=root, out=tmp_path / "preview", port=0), lines.append)
    try:
        url = server.start()
        page.goto(url + REPORT_URL)
        broken = root / "content/orgs/city.yaml"
        text = broken.read_text(encoding="utf-8")
        broken.write_text(text.replace("level: municipal", "level: village"), encoding="utf-8")
        overlay = page.locator("#site-builder-overlay")
        expect(overlay).to_be_visible(timeout=BOUND_MS)
        expect(overlay).to_have_attribute("lang", "zh-Hans")
        expect(overlay).to_have_attribute("aria-label", "生成失败")
        expect(overlay).to_contain_text("生成失败：这是页面上一次成功生成的版本。")
        expect(overlay.locator(".site-builder-error").first).to_contain_text("未知的级别“village”")
        expect(overlay.locator(".site-builder-error").first).to_contain_text("提示：应为以下之一")
        assert any(line.startswith("预览地址 http://") for line in lines), lines
        assert any(line.startswith("生成失败（1 个错误）") for line in lines), lines
    finally:
        server.stop()
        set_language("en")


def test_fixing_with_a_content_change_reloads_and_clears(live: Live, page: Page) -> None:
    page.goto(live.url + REPORT_URL)
    path = live.root / REPORT
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("date: 2024-12-31", "date: 2024-13-31"), encoding="utf-8")
    expect(page.locator("#site-builder-overlay")).to_contain_text(REPORT, timeout=BOUND_MS)
    path.write_text(good.replace("开展学习12次", "开展学习30次"), encoding="utf-8")
    expect(page.locator("main")).to_contain_text("开展学习30次", timeout=BOUND_MS)
    expect(page.locator("#site-builder-overlay")).to_have_count(0)


def test_a_tab_still_loading_when_a_build_ends_reloads_once_it_connects(
    live: Live, page: Page
) -> None:
    """The reload message goes out while this tab has no connection yet (livereload.js is held
    back); at its handshake it says which build it shows and is told to reload."""
    from playwright.sync_api import Route

    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/livereload.js?*", hold)
    page.goto(live.url + REPORT_URL, wait_until="domcontentloaded")
    page.wait_for_function("document.querySelector('script[src*=\"livereload.js\"]')")
    deadline = time.monotonic() + BOUND_MS / 1000
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert held, "livereload.js was not requested"
    before = live.server.hub.status
    live.edit_report("开展学习12次。", "开展学习12次，加载时的修改。")
    # the whole build, search index included: no message is left to come
    while live.server.hub.status.builds == before.builds and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert live.server.hub.status.generation > before.generation, "the edit was not built"
    expect(page.locator("main")).not_to_contain_text("加载时的修改")  # this tab missed it
    for route in held:
        route.continue_()
    page.unroute("**/livereload.js?*")
    expect(page.locator("main")).to_contain_text("加载时的修改", timeout=BOUND_MS)
