"""Regenerates the README's screenshots in docs/screenshots/ from the example site.

    python scripts/screenshots.py            # builds the example site into a temporary folder

Uses Debian's /usr/bin/chromium through Playwright (never `playwright install`), a 1280 px wide
viewport (and a 390 px phone), and waits until charts.js has marked every chart drawn before
taking each picture. The PDF page is one report printed as `build --pdf` prints it
(site_builder.pdf), drawn by poppler's pdftoppm.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
WIDTH = 1280
DRAWN = """() => [...document.querySelectorAll('.chart-canvas')]
    .every(el => el.getAttribute('data-rendered') === 'true')"""

DRAW_ALL = 'document.dispatchEvent(new Event("charts:draw-all"))'  # charts.js draws lazily
ORG = "orgs/sample-province/index.html"
LAYOUT = "reports/acwf/2018-full-and-strict-party-governance/index.html"
REPORT = "reports/tongcheng/2018-inspection-rectification-report/index.html"


def box(page: Page, selector: str) -> tuple[float, float]:
    """Top and bottom of the first element matching ``selector``, in page coordinates."""
    top, bottom = page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
                  return [r.top + window.scrollY, r.bottom + window.scrollY]; }""",
        selector,
    )
    return float(top), float(bottom)


def shoot(page: Page, name: str, top: float, bottom: float) -> None:
    clip = {"x": 0, "y": top, "width": WIDTH, "height": bottom - top}
    page.screenshot(path=OUT / name, clip=clip, full_page=True)


def org_page(page: Page, name: str) -> None:
    """The top of an organization's summary: profile, key figures and the first trend charts."""
    _, bottom = box(page, "#trends ~ .charts figure:nth-child(2)")
    shoot(page, name, 0, bottom + 16)


def report_page(page: Page, name: str, open_table: bool) -> None:
    """A report's chart block in its context: the paragraph before it, the chart, its table."""
    if open_table:
        page.locator("figure.chart summary").first.click()
    top, bottom = box(page, "figure.chart")
    shoot(page, name, max(0.0, top - 260), bottom + 24)


def desktop_report(page: Page, name: str) -> None:
    """A report at 1280 px scrolled into its text: the contents stay beside it."""
    page.evaluate("window.scrollTo(0, document.querySelector('.body').offsetTop - 16)")
    page.screenshot(path=OUT / name)


def phone_report(page: Page, name: str) -> None:
    """The first screen of a report on a 390 px phone."""
    page.screenshot(path=OUT / name)


def pdf_page(site: Path, tree: str, path: str, name: str) -> None:
    """The first page of a report's PDF, drawn at 60 dpi."""
    import datetime

    from site_builder import pdf

    assets = [
        (f.relative_to(site).as_posix(), f.read_bytes())
        for f in (site / "assets").iterdir()
        if f.is_file()
    ]
    where = tree + path
    job = pdf.PdfJob(name, (where,), "", "", "zh-Hant", datetime.date(2018, 12, 31), "", 0)
    (data,), _root = pdf._print([(job, where, (site / where).read_text(), "")], assets)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "page.pdf"
        file.write_bytes(data)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                file,
                OUT / name[:-4],
            ],
            check=True,
        )


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "output"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "site_builder",
                "build",
                "--source",
                str(REPO),
                "--out",
                str(site),
            ],
            check=True,
            cwd=REPO,
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.emulate_media(reduced_motion="reduce")  # charts drawn without animation
            shots = [
                ("", ORG, "org-zh-Hans.png", org_page),
                ("en/", ORG, "org-en.png", org_page),
                ("", REPORT, "report-zh-Hans.png", lambda pg, n: report_page(pg, n, False)),
                ("en/", REPORT, "report-en.png", lambda pg, n: report_page(pg, n, True)),
            ]
            shots.append(("zh-hant/", LAYOUT, "report-desktop-zh-Hant.png", desktop_report))
            for tree, path, name, take in shots:
                page.goto((site / tree / path).as_uri())
                page.evaluate(DRAW_ALL)
                page.wait_for_function(DRAWN, timeout=15_000)
                take(page, name)
                print(f"wrote {OUT / name}")
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            for tree, name in (("", "report-phone-zh-Hans.png"), ("en/", "report-phone-en.png")):
                phone.goto((site / tree / REPORT).as_uri())
                phone.evaluate(DRAW_ALL)
                phone.wait_for_function(DRAWN, timeout=15_000)
                phone_report(phone, name)
                print(f"wrote {OUT / name}")
            browser.close()
        pdf_page(site, "zh-hant/", REPORT, "pdf-zh-Hant.png")
        print(f"wrote {OUT / 'pdf-zh-Hant.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
