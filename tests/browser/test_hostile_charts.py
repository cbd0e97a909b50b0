"""Charts built from hostile ``options:`` in real Chromium (issue 16): the mouse goes over every
part of each chart (tooltips of items, axes and the legend open) and clicks it, and nothing the
options carried runs: no script, no ``window.open`` of a ``javascript:`` link, no request that
leaves the page's own files, no element that the options' text would have made.

The page is opened from disk (``file://``), as readers may: a request to any other place shows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, Request

from tests.conftest import MINIMAL_SITE, REPO, write_site

PWN = "window.__pwned.push"

HOSTILE_BLOCKS = f"""\
```chart
type: bar
title: 条目提示
x: ["<img src=x onerror={PWN}('x-name')>", b]
series:
  - name: "<img src=x onerror={PWN}('series-name')>"
    data: [5, 8]
options:
  tooltip:
    trigger: item
    formatter: "<img src=x onerror={PWN}('item')>{{b}} {{a}}: {{c}}"
  legend:
    show: true
    tooltip: {{show: true}}
  toolbox:
    show: true
    tooltip: {{show: true}}
    feature:
      saveAsImage: {{title: "<img src=x onerror={PWN}('toolbox')>"}}
```

```chart
type: line
title: 坐标轴提示
x: ["2023", "2024"]
series:
  - name: 学习
    data: [3, 9]
options:
  tooltip:
    trigger: axis
    formatter: "<script>{PWN}('axis')</script><b onmouseover={PWN}('b')>{{b}}</b>"
    extraCssText: "color: red"
  legend:
    tooltip: {{show: true, formatter: "<img src=x onerror={PWN}('legend')>{{name}}"}}
  series:
    - tooltip: {{formatter: "<svg onload={PWN}('svg')></svg>{{a}}"}}
```

```chart
type: bar
title: 链接
x: [a, b]
series:
  - name: s
    data: [4, 6]
options:
  title:
    show: true
    left: 0
    top: 0
    link: "../../../index.html"
    sublink: "http://intranet.example/reports/"
    subtext: "Source: office"
```

```chart
type: bar
title: 不画
x: [a, b]
series:
  - name: s
    data: [1, 2]
options:
  title: {{link: "javascript:{PWN}('link')"}}
  tooltip: {{formatter: "<img src=http://other.host/x.png>"}}
```
"""

RECORDER = """
window.__pwned = [];
window.__opened = [];
window.alert = (m) => window.__pwned.push('alert:' + m);
// ECharts opens a link in a new window as window.open() and then sets its location
window.open = (url) => {
    if (url !== undefined) window.__opened.push(String(url));
    return {opener: null, location: {set href(u) { window.__opened.push(String(u)); }}};
};
"""


def build_hostile_site(root: Path) -> Path:
    report = "content/reports/city/2024-summary.md"
    files: dict[str, str | bytes] = dict(MINIMAL_SITE)
    text = (
        "---\ntitle: 恶意图表\ndate: 2024-12-31\n---\n\n## 一、图表\n\n" + HOSTILE_BLOCKS
    ).encode()
    files[report] = text
    site = write_site(root / "site", files)
    out = root / "out"
    done = subprocess.run(
        [sys.executable, "-m", "site_builder", "build", "--source", site, "--out", out],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    # the fourth chart is refused at its lines (a warning each): it is never drawn
    assert "'options.title.link' must be a relative link or an http(s) URL" in done.stderr
    assert "'options.tooltip.formatter' loads 'http://other.host/x.png'" in done.stderr
    return out


def sweep(page: Page, selector: str, click: bool) -> None:
    """The mouse over a grid of points of each element (and a click at each, if asked)."""
    for i in range(page.locator(selector).count()):
        element = page.locator(selector).nth(i)
        element.scroll_into_view_if_needed()  # the mouse reaches only what is on screen
        box = element.bounding_box()
        assert box is not None
        for dx, dy in ((10, 10), (14, 14), (18, 12), (12, 30), (20, 32)):  # the title, sublink
            page.mouse.move(box["x"] + dx, box["y"] + dy)
            if click:
                page.mouse.click(box["x"] + dx, box["y"] + dy)
        for fx in (0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95):
            for fy in (0.03, 0.08, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97):
                x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
                page.mouse.move(x, y)
                if click:
                    page.mouse.click(x, y)
                page.wait_for_timeout(15)


def test_hovering_and_clicking_hostile_charts_runs_nothing(page: Page, tmp_path: Path) -> None:
    out = build_hostile_site(tmp_path)
    requests: list[str] = []
    errors: list[str] = []

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(RECORDER)
    page.set_default_timeout(15_000)
    for tree in ("", "en/"):
        url = (out / tree / "reports/city/2024-summary/index.html").as_uri()
        page.goto(url)
        page.evaluate('document.dispatchEvent(new Event("charts:draw-all"))')  # drawn lazily
        page.wait_for_function(
            "() => [...document.querySelectorAll('.chart-canvas')]"
            ".every(el => el.getAttribute('data-rendered') === 'true')"
        )
        assert page.locator(".chart-canvas").count() == 3  # the refused chart is not drawn
        sweep(page, ".chart-canvas", click=False)
        # the tooltips did open, and show the options' markup as text
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.chart-canvas div')]"
            ".map(d => d.textContent).join('\\n')"
        )
        assert "<img src=x onerror=" in shown, shown[:500]
        sweep(page, ".chart-canvas", click=True)
        made = page.evaluate(
            "() => document.querySelectorAll('.chart-canvas img, .chart-canvas svg[onload],"
            " .chart-canvas script, .chart-canvas [onmouseover], .chart-canvas [onerror]').length"
        )
        assert made == 0
        assert page.evaluate("() => window.__pwned") == []
        opened = page.evaluate("() => window.__opened")
        assert set(opened) <= {"../../../index.html", "http://intranet.example/reports/"}, opened
        assert "../../../index.html" in opened  # the title was clicked, its link is relative
    assert errors == []
    assert all(u.startswith("file://") for u in requests), [
        u for u in requests if not u.startswith("file://")
    ]
