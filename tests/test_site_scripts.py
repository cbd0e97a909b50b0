"""Issue 3 on the built example site: every page of each Chinese tree is in its own script,
numbers and dates are written the way each language writes them, and the mixed-script
warning points at the seed reports' non-standard characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.chinese import HANS, HANT, nonconforming_chars
from tests.conftest import REPO, MakeSite
from tests.util import cli, error_lines

# Not converted by design: "do not convert" spans, and code samples (literal text).
NOCONVERT_RE = re.compile(r"<(\w+)[^>]*\sdata-noconvert[^>]*>.*?</\1>", re.S)
CODE_RE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.S)
# Escaped text in JSON (chart options) is checked after decoding.
UNICODE_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")


def page_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = UNICODE_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return CODE_RE.sub("", NOCONVERT_RE.sub("", text))


def chinese_pages(out: Path, tree: str) -> list[Path]:
    pages = []
    for p in sorted(out.rglob("*")):
        if p.suffix not in (".html", ".xml"):
            continue
        rel = p.relative_to(out).as_posix()
        top = rel.split("/")[0]
        if (tree == HANT and top == "zh-hant") or (
            tree == HANS and top not in ("zh-hant", "en", "assets")
        ):
            pages.append(p)
    return pages


@pytest.mark.parametrize("tree", [HANS, HANT])
def test_every_page_is_in_its_script(example_out: Path, tree: str) -> None:
    pages = chinese_pages(example_out, tree)
    assert len(pages) > 45  # every page of the tree, with its sitemap and feed
    wrong = {}
    for page in pages:
        # characters that are not the standard form of the tree's script where they stand
        found = nonconforming_chars(page_text(page), tree)
        if found:
            wrong[page.relative_to(example_out).as_posix()] = [
                f"{n.line}:{n.col} {n.char}->{n.expected}" for n in found[:5]
            ]
    assert wrong == {}, f"characters of the other script on {tree} pages: {wrong}"


def test_seed_non_standard_characters_come_out_standard(example_out: Path) -> None:
    acwf = example_out / "zh-hant/reports/acwf/2018-full-and-strict-party-governance/index.html"
    html = acwf.read_text(encoding="utf-8")
    assert "中層幹部" in html and "中層干部" not in html
    assert "40餘種" in html and "40余種" not in html
    hans = example_out / "reports/acwf/2018-full-and-strict-party-governance/index.html"
    assert "中层干部" in hans.read_text(encoding="utf-8")


def test_metric_cards_in_each_language(example_out: Path) -> None:
    report = "reports/tianjin/2024-party-building-work-summary/index.html"
    hans = (example_out / report).read_text(encoding="utf-8")
    hant = (example_out / "zh-hant" / report).read_text(encoding="utf-8")
    en = (example_out / "en" / report).read_text(encoding="utf-8")
    assert "303.92万元" in hans and "3000余场" in hans and "7万人次" in hans
    assert "303.92萬元" in hant and "3000餘場" in hant and "7萬人次" in hant
    assert "CNY 3.04 million" in en and "3,000+ sessions" in en and "70,000 person-times" in en
    acwf = "reports/acwf/2018-full-and-strict-party-governance/index.html"
    assert "约11300册" in (example_out / acwf).read_text(encoding="utf-8")
    assert "about 11,300 books" in (example_out / "en" / acwf).read_text(encoding="utf-8")


def test_dates_in_each_language(example_out: Path) -> None:
    report = "reports/sample-province/2024-annual-summary/index.html"
    assert "2024年12月31日" in (example_out / report).read_text(encoding="utf-8")
    assert "31 December 2024" in (example_out / "en" / report).read_text(encoding="utf-8")
    # the Tianjin summary gives no day: its year alone, in every language
    tianjin = "reports/tianjin/2024-party-building-work-summary/index.html"
    hans = (example_out / tianjin).read_text(encoding="utf-8")
    assert '<time datetime="2024">2024年</time>' in hans and "2024年12月31日" not in hans
    en = (example_out / "en" / tianjin).read_text(encoding="utf-8")
    assert '<time datetime="2024">2024</time>' in en


def test_mixed_script_warnings_on_a_seed_report(make_site: MakeSite) -> None:
    """The Tianjin seed as it came (the example site's copy has been through fix-script): one
    warning per non-standard character, at its own position, saying what the text should read."""
    seed = REPO.parent / "shared" / "seeds" / "001_735ef56086fb3785.txt"
    if not seed.is_file():
        pytest.skip("seed reports not present")
    body = seed.read_text(encoding="utf-8")
    front = "---\ntitle: 天津市婦聯2024年工作總結\ndate: 2024-12-31\ntags: [党的建设]\n---\n"
    site = make_site({"content/reports/city/2024-tianjin.md": front + body})
    run = cli("check", "--source", site)
    assert run.code == 0
    warnings = [w for w in error_lines(run) if "2024-tianjin.md" in w]
    forms = [w for w in warnings if "not the standard zh-Hant form here" in w]
    assert len(forms) == 82  # reviewed: every one a non-standard form in Taiwan usage
    lines = body.split("\n")
    for w in forms:
        m = re.match(r"[^:]+:(\d+):(\d+): warning: .*?: (\S+) should read (\S+) \(", w)
        assert m, w
        line, col = int(m.group(1)) - 5, int(m.group(2))  # 5 lines of front matter
        assert lines[line - 1][col - 1] in m.group(3) and m.group(3) != m.group(4)
    assert any("黨員干部 should read 黨員幹部" in w for w in forms)
    assert any("強戰斗堡 should read 強戰鬥堡" in w for w in forms)
    assert [w for w in warnings if "half-width punctuation" in w]
    # the example site (its seeds fixed) is clean, and --strict makes warnings fail a CI check
    assert cli("check", "--source", REPO, "--strict").code == 0
    assert cli("check", "--source", site, "--strict").code == 1


def test_the_scan_would_catch_an_unconverted_page(example_out: Path, tmp_path: Path) -> None:
    """Control: the same scan flags Simplified text left on a zh-Hant page and the reverse."""
    page = example_out / "zh-hant/index.html"
    broken = tmp_path / "index.html"
    broken.write_text(page.read_text(encoding="utf-8") + "<p>全面从严治党</p>", encoding="utf-8")
    assert [n.char for n in nonconforming_chars(page_text(broken), HANT)] == ["从", "严", "党"]
    broken.write_text("<p>全面從嚴治黨</p>", encoding="utf-8")
    assert [n.char for n in nonconforming_chars(page_text(broken), HANS)] == ["從", "嚴", "黨"]
