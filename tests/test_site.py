"""The built example site: three language trees with the same pages, language switching,
relative links only, sitemap and feeds, safe escaping, determinism and the golden copy."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO, MakeSite
from tests.util import cli, tree_digest

TREES = {"zh-Hans": "", "zh-Hant": "zh-hant/", "en": "en/"}
GOLDEN = Path(__file__).parent / "golden" / "example-site"
# Vendored third-party files are pinned by package-lock.json, and packaged assets are copied
# verbatim (checked byte for byte below), so neither is duplicated in the golden copy.
PACKAGED_ASSETS = REPO / "assets"
NOT_GOLDEN = {"assets/echarts.min.js"} | {
    "assets/" + p.relative_to(PACKAGED_ASSETS).as_posix()
    for p in PACKAGED_ASSETS.rglob("*")
    if p.is_file()
}


def pages_of(out: Path, lang: str) -> set[str]:
    base = out / TREES[lang]
    found = set()
    for p in base.rglob("*.html"):
        rel = p.relative_to(base).as_posix()
        if lang == "zh-Hans" and rel.split("/")[0] in ("zh-hant", "en"):
            continue
        found.add(rel)
    return found


def test_three_trees_have_the_same_pages(example_out: Path) -> None:
    hans = pages_of(example_out, "zh-Hans")
    assert pages_of(example_out, "zh-Hant") == hans
    assert pages_of(example_out, "en") == hans
    for required in (
        "index.html",
        "orgs/index.html",
        "orgs/acwf/index.html",
        "orgs/tianjin/index.html",
        "orgs/tongcheng/index.html",
        "reports/tongcheng/2018-inspection-rectification-report/index.html",
        "years/2018/index.html",
        "years/2024/index.html",
        "tags/xun-cha-zheng-gai/index.html",
        "pages/about/index.html",
        "404.html",
    ):
        assert required in hans, required
    for lang, tree in TREES.items():
        assert (example_out / tree / "sitemap.xml").is_file(), lang
        assert (example_out / tree / "feed.xml").is_file(), lang


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_has_lang_alternates_and_switcher(example_out: Path) -> None:
    for page in html_files(example_out):
        rel = page.relative_to(example_out).as_posix()
        lang = (
            "zh-Hant"
            if rel.startswith("zh-hant/")
            else "en"
            if rel.startswith("en/")
            else "zh-Hans"
        )
        html = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html, rel
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html)
        )
        assert set(alternates) == set(TREES), rel
        switch = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S)
        assert switch, rel
        links = dict(re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', switch.group(0)))
        assert sorted(links.values()) == sorted(TREES), rel
        if rel.endswith("404.html"):
            continue
        # the switcher stays on the page: each link resolves to the same path in the other tree
        here = Path(rel).parent
        for href, other in links.items():
            target = os.path.normpath(here / href).replace(os.sep, "/")
            own = rel.removeprefix(TREES[lang]) if TREES[lang] else rel
            assert target == TREES[other] + own, (rel, href)


def test_all_internal_links_are_relative_and_resolve(example_out: Path) -> None:
    for page in html_files(example_out):
        rel = page.relative_to(example_out)
        html = page.read_text(encoding="utf-8")
        if rel.name == "404.html":
            continue
        for attr, url in re.findall(r'\s(href|src)="([^"]*)"', html):
            assert not url.startswith("/"), (rel, url)
            if url.startswith(("http:", "https:", "mailto:")):
                continue
            path = url.split("#")[0]
            if not path:
                continue
            target = (page.parent / path).resolve()
            assert target.is_file(), f"{rel}: {attr}={url} does not resolve"


def test_chinese_trees_are_in_their_script(example_out: Path) -> None:
    home_hant = (example_out / "zh-hant/index.html").read_text(encoding="utf-8")
    home_hans = (example_out / "index.html").read_text(encoding="utf-8")
    assert "婦聯" in home_hant and "妇联" not in home_hant
    assert "妇联" in home_hans and "婦聯" not in home_hans
    # the Traditional seed report is shown in Simplified on the zh-Hans tree
    acwf = next((example_out / "reports/acwf").glob("*/index.html")).read_text(encoding="utf-8")
    assert "全国妇联" in acwf and "全國婦聯" not in acwf
    # the language switcher's labels are not converted
    assert ">简体</a><a" in home_hant and ">繁體</a>" in home_hans


def test_english_pages(example_out: Path) -> None:
    translated = (
        example_out / "en/reports/tongcheng/2018-inspection-rectification-report/index.html"
    )
    html = translated.read_text(encoding="utf-8")
    assert "This report is available in Chinese only." not in html
    assert "Rectification" in html
    untranslated = example_out / "en/reports/tianjin"
    page = next(untranslated.glob("*/index.html")).read_text(encoding="utf-8")
    assert (
        '<p class="notice translation-notice" role="note">This report is available in Chinese only.</p>'
        in page
    )
    assert re.search(r'<div class="body" lang="zh-Hant">', page)
    assert "Tianjin Women&#39;s Federation" in page  # chrome and names stay English
    assert "Key figures" in page


def test_sitemap_has_hreflang_alternates(example_out: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    for lang, tree in TREES.items():
        root = ET.parse(example_out / tree / "sitemap.xml").getroot()
        urls = root.findall("s:url", ns)
        assert len(urls) == len(pages_of(example_out, lang)) - 1  # all but 404.html
        for url in urls:
            loc = url.find("s:loc", ns)
            assert loc is not None and loc.text is not None
            assert loc.text.startswith("http://intranet.example/reports/" + tree)
            alts = {a.get("hreflang") for a in url.findall("x:link", ns)}
            assert alts == set(TREES)


def test_feeds_are_atom(example_out: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for tree in TREES.values():
        root = ET.parse(example_out / tree / "feed.xml").getroot()
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        entries = root.findall("a:entry", ns)
        assert entries
        dates = [e.findtext("a:updated", namespaces=ns) for e in entries]
        assert dates == sorted(dates, reverse=True)
        assert root.findtext("a:updated", namespaces=ns) == dates[0]


def test_content_cannot_inject_script(make_site: MakeSite, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    site = make_site(
        {
            "content/reports/city/2024-summary.md": f"""\
                ---
                title: {{zh: "标题{evil}", en: "T</title><script>x</script>"}}
                date: 2024-12-31
                summary: '"><img src=x onerror=alert(1)>'
                ---

                {evil}

                [click](javascript:alert(1))
                """
        }
    )
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<script>x" not in html, page
        assert "<img src=x" not in html, page
        assert 'href="javascript:' not in html, page


def test_same_input_same_bytes(make_site: MakeSite, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("build", "--source", REPO, "--out", a).code == 0
    assert cli("build", "--source", REPO, "--out", b).code == 0
    assert tree_digest(a) == tree_digest(b)


def test_second_build_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--source", REPO, "--out", out).code == 0
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    run = cli("build", "--source", REPO, "--out", out)
    assert run.code == 0
    # sources edited in the last seconds are read again (0 rendered), older ones only stamped
    assert re.search(
        r": 0 rendered, 0 written, \d+ unchanged, 0 removed|is up to date \(165 pages\)", run.err
    ), run.err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes


def test_golden_example_site(example_out: Path) -> None:
    """The example site's output, byte for byte. Regenerate after an intended change with
    ``UPDATE_GOLDEN=1 python -m pytest tests/test_site.py -k golden`` and review the diff."""
    built = {k: v for k, v in tree_digest(example_out).items() if k not in NOT_GOLDEN}
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel in built:
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(example_out / rel, target)
    golden = tree_digest(GOLDEN) if GOLDEN.is_dir() else {}
    missing = sorted(set(golden) - set(built))
    extra = sorted(set(built) - set(golden))
    changed = sorted(k for k in set(built) & set(golden) if built[k] != golden[k])
    assert not (missing or extra or changed), (
        f"output differs from {GOLDEN}: missing {missing[:5]}, extra {extra[:5]}, "
        f"changed {changed[:5]} (set UPDATE_GOLDEN=1 to accept an intended change)"
    )


def test_two_pages_claiming_one_path_is_an_error(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder import render

    original = render.plan_pages

    def doubled(site, derived, kinds):  # type: ignore[no-untyped-def]
        specs = original(site, derived, kinds)
        return [*specs, specs[0]]

    monkeypatch.setattr(render, "plan_pages", doubled)
    site = make_site()
    run = cli("build", "--source", site, "--out", tmp_path / "out")
    assert run.code == 1
    assert (
        "site.yaml:1:1: error: 2 pages would be written to the same file 'index.html' "
        "(rename one of the sources so that their output paths differ)" in run.err
    )
    assert not (tmp_path / "out").exists()


def test_raw_html_only_when_the_site_enables_it(make_site: MakeSite, tmp_path: Path) -> None:
    body = "---\ntitle: 总结\ndate: 2024-12-31\n---\n\n<mark>重点</mark>\n"
    report = "content/reports/city/2024-summary.md"
    off = make_site({report: body})
    assert cli("build", "--source", off, "--out", tmp_path / "off").code == 0
    page = (tmp_path / "off/reports/city/2024-summary/index.html").read_text(encoding="utf-8")
    assert "&lt;mark&gt;重点&lt;/mark&gt;" in page
    on = make_site({report: body, "site.yaml": "title: 站点\nmarkdown:\n  raw_html: true\n"})
    assert cli("build", "--source", on, "--out", tmp_path / "on").code == 0
    page = (tmp_path / "on/reports/city/2024-summary/index.html").read_text(encoding="utf-8")
    assert "<mark>重点</mark>" in page


def test_packaged_assets_are_copied_verbatim(example_out: Path) -> None:
    assert len(NOT_GOLDEN) > 3
    for rel in sorted(NOT_GOLDEN - {"assets/echarts.min.js"}):
        source = PACKAGED_ASSETS / rel.removeprefix("assets/")
        assert (example_out / rel).read_bytes() == source.read_bytes(), rel
    vendored = REPO / "site_builder" / "vendor" / "echarts.min.js"
    assert (example_out / "assets/echarts.min.js").read_bytes() == vendored.read_bytes()
