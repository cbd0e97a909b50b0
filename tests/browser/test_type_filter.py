"""An organization page's document-type filter (assets/filter.js), opened from disk: hidden
without JavaScript, shown with it, and choosing a type leaves only that type's reports (and the
year headings that still have one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import MINIMAL_SITE, write_site
from tests.test_content_model import FEATURES
from tests.util import cli


@pytest.fixture(scope="module")
def typed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typed")
    files = {**MINIMAL_SITE, **FEATURES}
    site = write_site(root / "site", {k: v for k, v in files.items() if isinstance(v, str)})
    out = root / "out"
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    return out


def test_type_filter_on_an_organization_page(page: Page, typed_site: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((typed_site / "orgs/city/index.html").as_uri())
    select = page.locator("select[data-filter-type]")
    expect(select).to_be_visible()
    items = page.locator("li.report-item")
    expect(items).to_have_count(2)
    select.select_option("rectification")
    expect(page.locator("li.report-item[data-type='rectification']")).to_be_visible()
    expect(page.locator("li.report-item[data-type='nian-du-gong-zuo-zong-jie']")).to_be_hidden()
    expect(page.locator("h3#y2023")).to_be_hidden()
    expect(page.locator("h3#y2024")).to_be_visible()
    select.select_option("")
    expect(page.locator("li.report-item[data-type='nian-du-gong-zuo-zong-jie']")).to_be_visible()
    assert errors == []
