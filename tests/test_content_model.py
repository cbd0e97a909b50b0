"""Issue 17: organization trees of any shape, renamed organizations, document metadata and
types, dates as documents have them, translation status, scaffolds without placeholders."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path

import pytest

from site_builder import numbers
from site_builder.importer.frontmatter import propose_org
from site_builder.importer.run import load_registry
from site_builder.model import FormerName, LocalText, Org, Site, SiteConfig
from site_builder.search import org_names_text
from tests.conftest import MINIMAL_SITE, MakeSite, write_site
from tests.util import cli, error_lines

SNAPSHOT = Path(__file__).parent / "snapshots" / "old-format-site.json"

# 全国政协机关 under 全国政协: both national. Refused before issue 17 ("parent 'nat' is
# national, not above this national organization").
FEATURES: dict[str, str | bytes | None] = {
    "site.yaml": """\
        title: {zh: 测试站点, en: Test site}
        levels:
          district: {zh: 区级, en: District}
        """,
    "content/orgs/nat.yaml": """\
        name: {zh: 全国测试委员会, en: National Test Committee}
        level: national
        kind: committee
        """,
    "content/orgs/organs.yaml": """\
        name: {zh: 全国测试委员会机关, en: General Office of the Test Committee}
        level: national
        kind: organs
        parent: nat
        """,
    "content/orgs/city.yaml": """\
        name: {zh: 测试市妇联, en: Test City Federation}
        level: municipal
        kind: federation
        parent: nat
        former_names:
          - name: {zh: 测试县妇联, en: Test County Federation}
            until: 2023
        """,
    "content/orgs/dist.yaml": """\
        name: {zh: 测试区妇联, en: Test District Federation}
        level: district
        parent: city
        """,
    "content/types.yaml": """\
        年度工作总结: {en: Annual work summary}
        整改情况通报: {en: Report on rectification, slug: rectification}
        """,
    "content/reports/city/2023-old.md": """\
        ---
        title: {zh: 测试县妇联2023年工作总结, en: Test County 2023 summary}
        date: 2023
        type: 年度工作总结
        doc_number: 测妇党〔2023〕5号
        issuer: {zh: 测试县妇联党组, en: Party leadership group of the Test County Federation}
        author: {zh: 办公室, en: The office}
        source: {name: {zh: 测试日报, en: Test Daily}, url: "https://news.example/a"}
        metrics:
          - key: study_sessions
            value: 5
        ---

        正文。
        """,
    "content/reports/city/2024-summary.md": """\
        ---
        title: {zh: 测试市妇联2024年整改情况通报, en: Test City 2024 rectification}
        period: {from: 2024-09-19, to: 2024-10-25}
        type: 整改情况通报
        metrics:
          - key: study_sessions
            value: 12
        ---

        正文。
        """,
    "content/reports/city/2024-summary.en.md": """\
        ---
        title: Test City 2024 rectification
        status: partial
        ---

        Only the first part.
        """,
    "content/reports/organs/2024-organs.md": """\
        ---
        title: 机关2024年总结
        date: 2024-06-30
        metrics:
          - key: study_sessions
            value: 100
        ---

        正文。
        """,
    "content/reports/nat/2023-review.md": None,
}


@pytest.fixture
def features(make_site: MakeSite, tmp_path: Path) -> Path:
    site = make_site(FEATURES)
    out = tmp_path / "out"
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    assert not error_lines(run), run.err
    return out


def page(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_same_level_child_and_site_levels_build_with_level_and_kind_apart(features: Path) -> None:
    organs = page(features, "orgs/organs/index.html")
    assert "<dt>层级</dt><dd>全国</dd>" in organs
    assert "<dt>类别</dt><dd>机关</dd>" in organs
    en = page(features, "en/orgs/organs/index.html")
    assert "<dt>Level</dt><dd>National</dd>" in en and "<dt>Kind</dt><dd>Organs</dd>" in en
    assert "<dt>層級</dt><dd>全國</dd>" in page(features, "zh-hant/orgs/organs/index.html")
    assert "<dt>Level</dt><dd>District</dd>" in page(features, "en/orgs/dist/index.html")
    # the index is the tree by parentage: nat holds organs and city, city holds dist
    index = page(features, "orgs/index.html")
    nat = index.index('href="nat/index.html"')
    organs_at, city, dist = (
        index.index(f'href="{k}/index.html"') for k in ("organs", "city", "dist")
    )
    assert nat < city < dist and nat < organs_at
    assert index.count('<ul class="org-tree">') == 3  # roots, nat's children, city's children


def test_rollups_follow_parentage_through_kinds_that_add_up_and_say_so(features: Path) -> None:
    nat = page(features, "orgs/nat/index.html")
    rollups = nat[nat.index('id="rollups"') :]
    # city's 12 adds up into nat (2024); organs' 100 is the organ's own work and does not
    row = re.search(r"<tr><th scope=\"row\">集体学习会</th><td>[^<]*</td><td>([^<]*)</td>", rollups)
    assert row is not None and row.group(1) == "12次", rollups[:600]
    assert "rollup-rule" in rollups and "机关" in rollups.split("rollup-rule")[1][:300]
    en = page(features, "en/orgs/nat/index.html")
    assert "Internal units (Organs," in en


def test_former_names_per_year_history_search_and_import(
    features: Path, make_site: MakeSite
) -> None:
    old = page(features, "reports/city/2023-old/index.html")
    assert '<a href="../../../orgs/city/index.html">测试县妇联</a>' in old
    assert "现名：测试市妇联" in old
    new = page(features, "reports/city/2024-summary/index.html")
    assert '<a href="../../../orgs/city/index.html">测试市妇联</a></dd>' in new
    assert "现名" not in new  # (its neighbour link may still show the older title)
    history = page(features, "en/orgs/city/index.html")
    assert "<td>Test County Federation</td><td>–2023</td>" in history
    assert "<td>Test City Federation</td><td>2024–</td>" in history
    # search: a report's indexed text carries its organization's former names
    org = Org(
        "city",
        LocalText("测试市妇联", "Test City"),
        LocalText(),
        "municipal",
        None,
        LocalText(),
        False,
        "content/orgs/city.yaml",
        former_names=(FormerName(LocalText("测试县妇联", "Test County"), LocalText(), None, 2023),),
    )
    site = Site(
        SiteConfig(LocalText("t"), LocalText(), None, ("zh-Hans",), "zh-Hans", False, 10),
        {"city": org},
        {},
        {},
        (),
        (),
    )
    assert org_names_text(site, "city", "zh") == "测试县妇联"
    assert org_names_text(site, "city", "en") == "Test County"
    # import: a text naming the organization by its former name is matched to it
    src = make_site(FEATURES)
    registry = load_registry(src)
    key, _why = propose_org("测试县妇联2023年工作总结", "测试县妇联全年……", registry.orgs, str)
    assert key == "city"


def test_document_metadata_in_three_languages(features: Path) -> None:
    zh = page(features, "reports/city/2023-old/index.html")
    assert (
        '<dt>文件类型</dt><dd><a href="../../../types/nian-du-gong-zuo-zong-jie/index.html">年度工作总结</a></dd>'
        in zh
    )
    assert "<dt>文号</dt><dd>测妇党〔2023〕5号</dd>" in zh
    assert "<dt>发文机关</dt><dd>测试县妇联党组</dd>" in zh
    assert "<dt>作者</dt><dd>办公室</dd>" in zh
    assert '<a href="https://news.example/a" rel="external">测试日报</a>' in zh
    hant = page(features, "zh-hant/reports/city/2023-old/index.html")
    assert "<dt>文號</dt><dd>測婦黨〔2023〕5號</dd>" in hant and "<dt>發文機關</dt>" in hant
    en = page(features, "en/reports/city/2023-old/index.html")
    assert "<dt>Document number</dt><dd>测妇党〔2023〕5号</dd>" in en
    assert "<dt>Issued by</dt><dd>Party leadership group of the Test County Federation</dd>" in en
    assert ">Annual work summary</a></dd>" in en and ">Test Daily</a>" in en
    # no issuer given: the organization (as named that year) issues it
    assert "<dt>发文机关</dt><dd>测试市妇联</dd>" in page(
        features, "reports/city/2024-summary/index.html"
    )


def test_type_pages_and_filters(features: Path) -> None:
    listing = page(features, "types/rectification/index.html")
    assert "文件类型：整改情况通报" in listing and "2024-summary/index.html" in listing
    assert "2023-old" not in listing
    assert "Document type: Annual work summary" in page(
        features, "en/types/nian-du-gong-zuo-zong-jie/index.html"
    )
    search = page(features, "search/index.html")
    assert '<select id="search-type" name="type">' in search
    docs = page(features, "search/docs.js")
    assert '"types":["年度工作总结","整改情况通报"]' in docs
    org = page(features, "orgs/city/index.html")
    assert '<option value="rectification">整改情况通报 (1)</option>' in org
    assert 'data-type="rectification"' in org and "assets/filter.js" in org
    assert "assets/filter.js" not in page(features, "orgs/nat/index.html")  # nothing to filter


def test_dates_as_documents_have_them(features: Path) -> None:
    d = datetime.date
    assert numbers.format_doc_date("year", d(2019, 1, 1), d(2019, 12, 31), lang="zh") == "2019年"
    assert numbers.format_doc_date("year", d(2019, 1, 1), d(2019, 12, 31), lang="en") == "2019"
    period = (d(2018, 9, 19), d(2018, 10, 25))
    assert numbers.format_doc_date("period", *period, lang="zh") == "2018年9月19日至10月25日"
    assert numbers.format_doc_date("period", *period, lang="en") == "19 September – 25 October 2018"
    across = (d(2018, 12, 19), d(2019, 1, 5))
    assert numbers.format_doc_date("period", *across, lang="zh") == "2018年12月19日至2019年1月5日"
    assert (
        numbers.format_doc_date("period", *across, lang="en") == "19 December 2018 – 5 January 2019"
    )
    assert (
        numbers.format_doc_date("period", d(2018, 9, 1), d(2018, 9, 5), lang="en")
        == "1–5 September 2018"
    )
    year_only = page(features, "reports/city/2023-old/index.html")
    assert '<time datetime="2023">2023年</time>' in year_only
    assert "12月31日" not in year_only  # no invented day
    assert '<time datetime="2023">2023</time>' in page(
        features, "en/reports/city/2023-old/index.html"
    )
    assert "2024年9月19日至10月25日" in page(features, "reports/city/2024-summary/index.html")
    assert "19 September – 25 October 2024" in page(
        features, "en/reports/city/2024-summary/index.html"
    )
    # newest first: the period (ends 25 October) before the organ's report of 30 June
    year = page(features, "years/2024/index.html")
    assert year.index("2024-summary/index.html") < year.index("2024-organs/index.html")
    assert "<lastmod>2023</lastmod>" in page(features, "sitemap.xml")


def test_translation_status_is_shown_and_counted(features: Path, make_site: MakeSite) -> None:
    en = page(features, "en/reports/city/2024-summary/index.html")
    assert "Partial translation: parts of this report are not yet in English." in en
    assert "Partial translation" not in page(features, "reports/city/2024-summary/index.html")
    run = cli("check", "--source", make_site(FEATURES), "--translations")
    assert (
        "Report translations by status: 1 partial, 0 machine, 0 reviewed, 0 with no status."
        in run.out
    )


def test_tree_and_date_errors_are_reported_at_their_lines(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/orgs/self.yaml": "name: 自己\nlevel: county\nparent: self\n",
            "content/orgs/a.yaml": "name: 甲\nlevel: county\nparent: b\n",
            "content/orgs/b.yaml": "name: 乙\nlevel: county\nkind: office\nparent: a\n",
            "content/reports/city/2024-summary.md": (
                "---\ntitle: 总结\ndate: 2024-01-01\nperiod: {from: 2024-01-01, to: 2024-02-01}\n"
                "---\nbody\n"
            ),
            "content/reports/city/2023-p.md": (
                "---\ntitle: 总结\nperiod: {from: 2023-05-01, to: 2023-02-01}\ntype: 述职报告\n---\nbody\n"
            ),
            "content/reports/city/2022-ok.md": "---\ntitle: 总结\ndate: 2022\n---\nbody\n",
            "content/reports/city/2022-ok.en.md": "---\ntitle: T\nstatus: draft\n---\nx\n",
        }
    )
    run = cli("check", "--source", site)
    assert run.code == 1 and "Traceback" not in run.err
    lines = error_lines(run)
    expected = [
        "content/orgs/a.yaml:3:9: error: organization parents form a cycle: a → b → a",
        "content/orgs/b.yaml:3:7: error: unknown kind 'office'",
        "content/orgs/b.yaml:4:9: error: organization parents form a cycle: b → a → b",
        "content/orgs/self.yaml:3:9: error: organization 'self' names itself as its parent",
        "content/reports/city/2022-ok.en.md:3:9: error: unknown translation status 'draft'",
        "content/reports/city/2023-p.md:3:32: error: the period ends (2023-02-01) before it starts",
        "content/reports/city/2023-p.md:4:7: error: unknown document type '述职报告'",
        "content/reports/city/2024-summary.md:4:1: error: a report has either 'date' or 'period'",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in lines), (want, lines)


def test_deep_chains_build_and_an_over_deep_tree_is_an_error(make_site: MakeSite) -> None:
    chain = {
        f"content/orgs/o{i}.yaml": f"name: 组织{i}\nlevel: county\n"
        + (f"parent: o{i - 1}\n" if i else "")
        for i in range(50)
    }
    run = cli("check", "--source", make_site(chain))
    assert run.code == 0, run.err
    chain["content/orgs/o50.yaml"] = "name: 组织50\nlevel: county\nparent: o49\n"
    run = cli("check", "--source", make_site(chain))
    assert run.code == 1 and "RecursionError" not in run.err
    assert (
        "content/orgs/o50.yaml:3:9: error: the organization tree is more than 50 levels deep"
        in run.err
    )


def test_new_report_publishes_no_placeholder(make_site: MakeSite) -> None:
    site = make_site()
    made = cli(
        "new", "report", "--source", site, "--org", "city", "--year", "2025", "--title", "测试"
    )
    assert made.code == 0, made.err
    path = site / "content/reports/city/2025-ce-shi.md"
    text = path.read_text(encoding="utf-8")
    assert "summary: {zh: '', en: ''}" not in text and "\n## 一、\n" not in text
    strict = cli("check", "--source", site, "--strict")
    assert strict.code == 1
    warned = [line for line in error_lines(strict) if "2025-ce-shi.md" in line]
    assert any("placeholder left in 'summary'" in line for line in warned), warned
    assert any("placeholder left in the text" in line for line in warned), warned
    filled = re.sub(r"【待填写】", "实际内容", text)
    path.write_text(filled, encoding="utf-8")
    assert cli("check", "--source", site, "--strict").code == 0
    path.write_text(filled.replace("## 一、实际内容", "## 一、"), encoding="utf-8")
    assert any("empty heading" in line for line in error_lines(cli("check", "--source", site)))


def test_init_says_how_to_run_the_command(tmp_path: Path) -> None:
    run = cli("init", tmp_path / "new")
    assert run.code == 0
    assert re.search(r"next: cd .*new && (site-builder|\S+ -m site_builder) build", run.out), (
        run.out
    )


def test_an_old_format_site_builds_unchanged(tmp_path: Path) -> None:
    """The minimal fixture site (no kinds, types, former names; full dates) gives the same
    pages and search files as before issue 17: the snapshot was made by main at 06d86db (its
    14 zh-hant pages remade for issue 18's interface wording: 搜索, 菜單, 主導航 differ only)."""
    root = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    run = cli("build", "--source", root, "--out", out)
    assert run.code == 0 and not error_lines(run), run.err
    built = {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and (not p.relative_to(out).as_posix().startswith("assets/") or "/search/" in p.as_posix())
    }
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert built == before
