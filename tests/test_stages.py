"""Unit tests of the pure stages: yamlpos, parse, load (decoding), urls, markdown, validate."""

from __future__ import annotations

import pytest

from site_builder.errors import Diagnostics
from site_builder.load import SourceFile, decode
from site_builder.markdown import heading_slug, render_markdown
from site_builder.parse import parse_document, split_front_matter
from site_builder.urls import Urls, absolute, relative
from site_builder.validate import Ctx, local_text, tag_slug
from site_builder.yamlpos import parse_yaml


def src(text: str, rel: str = "content/reports/a/2024-x.md") -> SourceFile:
    return SourceFile(rel, text, "0")


# --- yamlpos ---------------------------------------------------------------------------------


def test_yaml_positions_of_nested_values() -> None:
    loc, errors = parse_yaml("a: 1\nb:\n  - x: 2\n    y: [1, 2]\n", line_offset=1)
    assert errors == []
    assert loc is not None
    assert loc.value == {"a": 1, "b": [{"x": 2, "y": [1, 2]}]}
    assert loc.pos(("b", 0, "y", 1)) == (5, 12)
    assert loc.key_pos(("b", 0, "y")) == (5, 5)
    assert loc.pos(("b", 0, "missing")) == loc.pos(("b", 0))


def test_yaml_duplicate_key_is_an_error() -> None:
    _, errors = parse_yaml("a: 1\na: 2\n")
    assert [(e.line, e.col, e.message) for e in errors] == [(2, 1, "duplicate key 'a'")]


def test_yaml_syntax_error_has_position() -> None:
    loc, errors = parse_yaml("a: [1\nb: 2\n", line_offset=1)
    assert loc is None
    assert (errors[0].line, errors[0].col) == (3, 2)


def test_yaml_dates_and_numbers() -> None:
    loc, _ = parse_yaml("d: 2024-12-31\nn: 303.92\ns: '7'\n")
    assert loc is not None
    assert str(loc.value["d"]) == "2024-12-31"
    assert loc.value["n"] == 303.92
    assert loc.value["s"] == "7"


# --- load: decoding ---------------------------------------------------------------------------


def test_decode_strips_bom_and_crlf() -> None:
    text, problem = decode("x.md", b"\xef\xbb\xbf---\r\ntitle: a\r\n---\r\n")
    assert problem is None
    assert text == "---\ntitle: a\n---\n"


@pytest.mark.parametrize(
    ("raw", "looks_like"),
    [
        ("中文内容".encode("gbk"), "GBK/GB18030"),
        ("中文內容".encode("utf-16"), "UTF-16"),
    ],
)
def test_decode_names_the_encoding(raw: bytes, looks_like: str) -> None:
    text, problem = decode("x.md", raw)
    assert text is None and problem is not None
    assert problem.message == f"file is not UTF-8 (it looks like {looks_like})"
    assert "iconv" in problem.hint


# --- parse ------------------------------------------------------------------------------------


def test_split_front_matter_positions() -> None:
    front, body, body_line, unclosed = split_front_matter("---\na: 1\n---\n# Title\n")
    assert (front, body, body_line, unclosed) == ("a: 1\n", "# Title\n", 4, None)


def test_front_matter_must_be_a_mapping() -> None:
    doc, diags = parse_document(src("---\n- a\n- b\n---\nbody\n"))
    assert doc is None
    assert diags[0].format() == (
        "content/reports/a/2024-x.md:2:1: error: front matter must be a mapping of keys to "
        "values, not a list (write 'key: value' lines)"
    )


def test_missing_front_matter() -> None:
    doc, diags = parse_document(src("# just markdown\n"))
    assert doc is None
    assert diags[0].message == "missing front matter"


# --- urls -------------------------------------------------------------------------------------


def test_urls_default_language_at_root() -> None:
    urls = Urls(("zh-Hans", "zh-Hant", "en"), "zh-Hans")
    assert urls.home("zh-Hans") == "index.html"
    assert urls.org("zh-Hant", "acwf") == "zh-hant/orgs/acwf/index.html"
    assert urls.report("en", "acwf", 2018, "x") == "en/reports/acwf/2018-x/index.html"
    assert urls.tag("en", "xuan-jiang") == "en/tags/xuan-jiang/index.html"
    assert urls.not_found("zh-Hant") == "zh-hant/404.html"
    assert urls.feed("en") == "en/feed.xml"


def test_urls_other_default_language() -> None:
    urls = Urls(("zh-Hans", "en"), "en")
    assert urls.home("en") == "index.html"
    assert urls.home("zh-Hans") == "zh-hans/index.html"


@pytest.mark.parametrize(
    ("src_path", "dst", "expected"),
    [
        ("index.html", "orgs/a/index.html", "orgs/a/index.html"),
        ("orgs/a/index.html", "index.html", "../../index.html"),
        ("en/reports/a/2024-x/index.html", "assets/site.css", "../../../../assets/site.css"),
        ("en/reports/a/2024-x/index.html", "en/reports/a/2024-x/index.html", "index.html"),
        ("orgs/a/index.html", "orgs/a/index.html#x", "index.html#x"),
    ],
)
def test_relative_links(src_path: str, dst: str, expected: str) -> None:
    assert relative(src_path, dst) == expected


def test_absolute_urls_drop_index_html() -> None:
    assert absolute("http://h/r/", "en/orgs/a/index.html") == "http://h/r/en/orgs/a/"


# --- markdown ---------------------------------------------------------------------------------


def test_cjk_emphasis_and_soft_breaks() -> None:
    html = render_markdown("坚决做到**“两个维护”**。\n第二行").html
    assert "<strong>“两个维护”</strong>" in html
    assert "。第二行" in html  # no space inserted at a Chinese line break


def test_heading_anchors_and_toc() -> None:
    r = render_markdown("## 一、坚持政治统领\n\n### （一）学习\n\n## 一、坚持政治统领\n")
    assert [(e.level, e.anchor) for e in r.toc] == [
        (2, "一坚持政治统领"),
        (3, "一学习"),
        (2, "一坚持政治统领-2"),
    ]
    assert '<h2 id="一坚持政治统领">' in r.html


def test_heading_anchor_is_script_independent() -> None:
    def to_hans(s: str) -> str:
        return s.replace("黨", "党").replace("設", "设")

    assert heading_slug("黨的建設", to_hans) == heading_slug("党的建设", to_hans) == "党的建设"


def test_raw_html_is_escaped_unless_enabled() -> None:
    md = "<script>alert(1)</script>\n\n<b>x</b>\n"
    assert "<script>" not in render_markdown(md).html
    assert "&lt;script&gt;" in render_markdown(md).html
    assert "<b>x</b>" in render_markdown(md, raw_html=True).html


def test_javascript_links_are_not_rendered() -> None:
    html = render_markdown("[x](javascript:alert(1)) [y](https://intranet/a)").html
    assert "javascript:" not in html.split("[x]")[0] + html.split("[x]")[-1].split("(")[0]
    assert 'href="javascript' not in html


def test_keep_spans_and_chart_placeholders() -> None:
    r = render_markdown("名称{keep:中層干部}。\n\n```chart\ntype: bar\n```\n", line_offset=10)
    assert "<span data-noconvert>中層干部</span>" in r.html
    assert "<!--site-builder:chart:0-->" in r.html
    assert r.charts[0].source == "type: bar\n"
    assert r.charts[0].line == 14  # body line 4, the body starting at file line 11


# --- validate: localized text and slugs --------------------------------------------------------


def test_local_text_forms() -> None:
    loc, _ = parse_yaml("a: 中文\nb: {zh: 中文, en: Chinese}\nc: ACWF\nd: {fr: x}\n")
    assert loc is not None
    diags = Diagnostics()
    ctx = Ctx("f.yaml", loc, diags)
    a = local_text(ctx, loc.value["a"], ("a",), "a")
    assert (a.zh, a.en) == ("中文", None)
    b = local_text(ctx, loc.value["b"], ("b",), "b")
    assert (b.get("en"), b.get("zh")) == ("Chinese", "中文")
    c = local_text(ctx, loc.value["c"], ("c",), "c")
    assert (c.get("en"), c.get("zh")) == ("ACWF", "ACWF")
    local_text(ctx, loc.value["d"], ("d",), "d", required=True)
    assert [d.format() for d in diags.items] == [
        "f.yaml:4:5: error: unknown key 'fr' in 'd' (expected one of: en, zh)",
        "f.yaml:4:4: error: 'd' needs at least one of 'zh' or 'en'",
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("全面从严治党", "quan-mian-cong-yan-zhi-dang"),
        ("巡察整改", "xun-cha-zheng-gai"),
        ("Party building", "party-building"),
        ("三会一课", "san-hui-yi-ke"),
    ],
)
def test_tag_slugs_are_ascii(name: str, slug: str) -> None:
    assert tag_slug(name) == slug


def test_relative_links_are_what_relpath_gives() -> None:
    import posixpath

    from site_builder.urls import relative

    paths = ["index.html", "a/index.html", "a/b/c.html", "a/x/index.html", "b/../a.html", "./c"]
    for src in paths:
        for dst in [*paths, "a/", "a/b/c.html#frag"]:
            target, hash_, frag = dst.partition("#")
            base = posixpath.dirname(src) or "."
            assert relative(src, dst) == posixpath.relpath(target, base) + hash_ + frag
