"""Gate 2, accessible: axe-core (npm ``axe-core``, pinned; copied to tests/vendor/ by setup.sh)
reports no violation on any page kind in any language, with every chart drawn and every chart's
data table opened; charts have text alternatives; keyboard focus is always visible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.kinds import CASE_IDS, CASES, KIND_PATHS, TREES, wait_for_charts

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"


def run_axe(page: Page) -> list[dict[str, Any]]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} not found: run scripts/setup.sh (copies it from node_modules)")
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']!r}")
    return "\n".join(lines)


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=CASE_IDS)
def test_no_axe_violations(
    page: Page, page_errors: list[str], site_server: str, kind: str, lang: str
) -> None:
    url = site_server + TREES[lang] + KIND_PATHS[kind]
    page.emulate_media(reduced_motion="reduce")
    page.goto(url)
    wait_for_charts(page)
    # the chart data tables and anything else folded away are checked too
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = run_axe(page)
    assert not violations, f"{url}: {len(violations)} axe violation(s):\n{describe(violations)}"
    assert not page_errors, f"{url}:\n  " + "\n  ".join(page_errors)


NARROW = [
    (kind, lang)
    for kind in ("home", "org-with-charts", "report-with-chart", "report-sample", "page")
    for lang in ("zh-Hans", "en")
]


@pytest.mark.parametrize(("kind", "lang"), NARROW, ids=[f"{k}-{lang}" for k, lang in NARROW])
def test_no_axe_violations_on_a_phone(
    page: Page, page_errors: list[str], site_server: str, kind: str, lang: str
) -> None:
    """At a phone's width wide tables scroll: they must still be reachable by keyboard."""
    page.set_viewport_size({"width": 360, "height": 740})
    test_no_axe_violations(page, page_errors, site_server, kind, lang)


def test_axe_is_live(page: Page) -> None:
    """The same injection reports what it should: a missing alt and low contrast."""
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:,"><p style="color:#ccc;background:#fff">faint</p></main></body></html>'
    )
    found = {v["id"] for v in run_axe(page)}
    assert {"image-alt", "color-contrast"} <= found, found


@pytest.mark.parametrize("lang", list(TREES))
def test_charts_have_text_alternatives(
    page: Page, page_errors: list[str], site_server: str, lang: str
) -> None:
    """Every drawn chart is an image with a name that carries its numbers, captioned, with a
    data table beside it holding a row per category."""
    url = site_server + TREES[lang] + KIND_PATHS["org-with-charts"]
    page.goto(url)
    assert wait_for_charts(page) > 0
    figures = page.locator("figure.chart")
    assert figures.count() == page.locator(".chart-canvas").count()
    for i in range(figures.count()):
        figure = figures.nth(i)
        canvas = figure.locator(".chart-canvas")
        assert canvas.get_attribute("role") == "img"
        label = canvas.get_attribute("aria-label") or ""
        assert any(ch.isdigit() for ch in label), f"chart {i + 1}: aria-label without figures"
        assert figure.locator("figcaption").inner_text().strip()
        rows = figure.locator("details.chart-data table tbody tr")
        assert rows.count() > 0, f"chart {i + 1}: no data table rows"
    assert not page_errors, "\n".join(page_errors)


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
        tag: el.tagName, text: (el.textContent || '').trim().slice(0, 40),
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
        shadow: s.boxShadow !== 'none',
        inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
            && r.top < innerHeight && r.left < innerWidth,
    };
}"""


@pytest.mark.parametrize("kind", ["home", "report-with-chart"])
def test_keyboard_focus_is_visible(
    page: Page, page_errors: list[str], site_server: str, kind: str
) -> None:
    """Tabbing through the page, each focused control shows a focus ring and is on screen; the
    first Tab reveals the skip link."""
    page.goto(site_server + KIND_PATHS[kind])
    wait_for_charts(page)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    seen = 0
    for _ in range(40):
        state = page.evaluate(FOCUS_STYLE)
        if state["tag"] == "BODY":
            break
        assert state["outline"] or state["shadow"], f"no visible focus ring on {state}"
        assert state["inView"], f"focused element is off screen: {state}"
        seen += 1
        page.keyboard.press("Tab")
    assert seen >= 10, f"only {seen} focusable elements reached"
    assert not page_errors, "\n".join(page_errors)
