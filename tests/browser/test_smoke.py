"""Smoke test in real Chromium: the home, an organization and a report page open cleanly in all
three languages, served under a sub-path, and the language switcher leads to the same page in
each other language.

The HTML contract checked here: zh-Hans at the output root, zh-Hant under ``zh-hant/``, English
under ``en/``; ``<html lang>``; one ``<h1>``; ``<nav class="lang-switch">`` with one relative
``<a hreflang>`` per language (the current one ``aria-current="page"``); a
``<link rel="alternate" hreflang>`` per language.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

# Language -> the folder its tree lives in, relative to the output root.
TREES = {"zh-Hans": "", "zh-Hant": "zh-hant/", "en": "en/"}
KINDS = ["home", "org", "report"]
ORG = "acwf"


@pytest.fixture(scope="session")
def page_paths(built_site: Path) -> dict[str, str]:
    """Each page kind's folder within a language tree (the same in every tree)."""
    reports = sorted(
        path.parent
        for path in built_site.glob("reports/*/*/index.html")
        if re.fullmatch(r"\d{4}-.+", path.parent.name)
    )
    assert reports, f"no reports/<org>/<year>-<slug>/index.html in {built_site}"
    paths = {
        "home": "",
        "org": f"orgs/{ORG}/",
        "report": reports[0].relative_to(built_site).as_posix() + "/",
    }
    for lang, tree in TREES.items():
        for kind, path in paths.items():
            file = built_site / tree / path / "index.html"
            assert file.is_file(), f"{kind} page for {lang} not built: {file}"
    return paths


def same_page(url: str) -> str:
    """A URL with its query, fragment and trailing ``index.html`` removed."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.removesuffix("index.html")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def url_of(site_server: str, lang: str, path: str) -> str:
    return site_server + TREES[lang] + path


def assert_page_basics(page: Page, lang: str, what: str) -> None:
    assert page.get_attribute("html", "lang") == lang, f"{what}: <html lang> is not {lang!r}"
    h1 = page.locator("h1")
    assert h1.count() == 1, f"{what}: expected one <h1>, found {h1.count()}"
    expect(h1).to_be_visible()
    assert h1.inner_text().strip(), f"{what}: <h1> is empty"


@pytest.mark.parametrize("lang", list(TREES))
@pytest.mark.parametrize("kind", KINDS)
def test_page_opens(
    page: Page,
    page_errors: list[str],
    site_server: str,
    page_paths: dict[str, str],
    kind: str,
    lang: str,
) -> None:
    path = page_paths[kind]
    what = f"{kind} page /{TREES[lang]}{path} ({lang})"
    response = page.goto(url_of(site_server, lang, path))
    assert response is not None and response.status == 200, f"{what}: HTTP status"
    assert_page_basics(page, lang, what)

    switcher = page.locator("nav.lang-switch a[hreflang]")
    found = switcher.evaluate_all("links => links.map(a => a.getAttribute('hreflang'))")
    assert sorted(found) == sorted(TREES), f"{what}: language switcher links {found}"
    for target in TREES:
        link = page.locator(f'nav.lang-switch a[hreflang="{target}"]')
        href = link.get_attribute("href") or ""
        assert href and not urllib.parse.urlsplit(href).scheme and not href.startswith("/"), (
            f"{what}: switcher link to {target} is not a relative URL: {href!r}"
        )
        current = link.get_attribute("aria-current")
        assert current == ("page" if target == lang else None), (
            f"{what}: switcher link to {target} has aria-current={current!r}"
        )
        expected = same_page(url_of(site_server, target, path))
        assert same_page(link.evaluate("a => a.href")) == expected, (
            f"{what}: switcher link to {target} ({href!r}) does not lead to {expected}"
        )
        alternate = page.locator(f'link[rel="alternate"][hreflang="{target}"]')
        assert alternate.count() == 1, f"{what}: expected one <link rel=alternate> for {target}"
        assert same_page(alternate.evaluate("l => l.href")) == expected, (
            f"{what}: <link rel=alternate hreflang={target}> does not lead to {expected}"
        )

    assert not page_errors, f"{what}: problems while loading:\n  " + "\n  ".join(page_errors)


SWITCHES = [(source, target) for source in TREES for target in TREES if source != target]


@pytest.mark.parametrize(
    ("source", "target"), SWITCHES, ids=[f"{source}-to-{target}" for source, target in SWITCHES]
)
@pytest.mark.parametrize("kind", KINDS)
def test_language_switch(
    page: Page,
    page_errors: list[str],
    site_server: str,
    page_paths: dict[str, str],
    kind: str,
    source: str,
    target: str,
) -> None:
    path = page_paths[kind]
    what = f"{kind} page /{TREES[source]}{path}, switching {source} -> {target}"
    page.goto(url_of(site_server, source, path))
    with page.expect_navigation() as navigation:
        page.locator(f'nav.lang-switch a[hreflang="{target}"]').click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{what}: HTTP status"
    expected = same_page(url_of(site_server, target, path))
    assert same_page(page.url) == expected, f"{what}: landed on {page.url}, not {expected}"
    assert_page_basics(page, target, what)
    assert not page_errors, f"{what}: problems while loading:\n  " + "\n  ".join(page_errors)
