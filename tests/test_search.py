"""The search indexer: folding, tokens, postings encoding, exact-substring queries, ranking, and
the files a build writes (see tests/browser/test_search.py for the page in Chromium)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder.pipeline import BuildOptions, run
from site_builder.search import (
    BODY_END,
    BODY_START,
    Doc,
    build_index,
    decode_postings,
    encode_postings,
    fold,
    fold_pairs,
    html_text,
    index_block,
    join_blocks,
    shard_count,
)
from tests.conftest import REPO, MakeSite


def ids(index_docs: list[Doc], query: str) -> list[int]:
    return [m.doc for m in build_index(index_docs).search(query)]


# --- folding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hans", "hant"),
    [
        ("干部", "幹部"),
        ("干净", "乾淨"),
        ("台风", "颱風"),
        ("以后", "以後"),
        ("系统", "系統"),
        ("发展", "發展"),
        ("头发", "頭髮"),
        ("志愿服务", "志願服務"),
        ("里面", "裡面"),
        ("里面", "裏面"),
        ("为人民", "爲人民"),  # a non-standard Traditional variant
    ],
)
def test_simplified_and_traditional_fold_alike(hans: str, hant: str) -> None:
    assert fold(hans) == fold(hant)


def test_fold_keeps_length_and_folds_case_and_width() -> None:
    text = "Ｅ计划 ABC　２０２４年"
    assert len(fold(text)) == len(text)
    assert fold(text) == "e计划 abc 2024年"


def test_fold_table_for_the_browser_is_the_same_table() -> None:
    keys, values = fold_pairs()
    assert len(keys) == len(values) > 3000
    assert all(ord(c) <= 0xFFFF for c in keys + values)  # one UTF-16 unit each in JavaScript
    assert fold(keys) == values


def test_fold_table_is_up_to_date_with_opencc() -> None:
    import opencc

    table = REPO / "site_builder" / "defaults" / "search_fold.txt"
    made_with = table.read_text(encoding="utf-8").splitlines()[0].split("OpenCC ")[1].split(";")[0]
    if made_with != getattr(opencc, "__version__", "?"):
        pytest.skip(f"table made with OpenCC {made_with}: run scripts/gen_search_fold.py")
    script = REPO / "scripts" / "gen_search_fold.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


# --- encoding --------------------------------------------------------------------------------


@given(st.lists(st.integers(0, 3_000_000), max_size=60, unique=True).map(sorted))
def test_postings_round_trip(positions: list[int]) -> None:
    text = encode_postings(positions)
    assert re.fullmatch(r"[A-Za-z0-9_-]*", text)
    assert decode_postings(text) == positions


_TEXT = st.text(alphabet="干部幹部发展發展学习ab1 \n", max_size=30)


@given(
    st.lists(st.tuples(_TEXT, _TEXT, _TEXT), max_size=12),
    st.integers(1, 5),
    st.booleans(),
)
def test_an_index_joined_from_blocks_is_the_index_built_whole(
    texts: list[tuple[str, str, str]], size: int, cjk: bool
) -> None:
    """The blocks an edit leaves as they were are reused: joined, they give the very postings,
    starts and ends of the index built over all the documents at once."""
    docs = tuple(Doc(*t) for t in texts)
    whole = build_index(docs, cjk)
    blocks = [index_block(docs[i : i + size], cjk) for i in range(0, len(docs), size)]
    encoded, starts, ends = join_blocks(blocks)
    assert encoded == {t: encode_postings(p) for t, p in whole.postings.items()}
    assert list(encoded) == list(whole.postings)  # sorted alike: the shards' bytes too
    assert starts == whole.starts and ends == [list(e) for e in whole.ends]


def test_shard_count_grows_with_the_index() -> None:
    assert shard_count(1_000) == 1
    assert shard_count(10_000_000) > 64
    assert shard_count(10**12) == 256


# --- text ------------------------------------------------------------------------------------


def test_html_text_keeps_words_drops_markup() -> None:
    html = (
        "<h2>一、主要工作</h2><p>巡察<strong>整改</strong>&amp;落实</p>"
        '<script type="application/json">{"title":"不要"}</script><!-- 注释 --><ul><li>甲</li>'
        "<li>乙</li></ul>"
    )
    assert html_text(html) == "一、主要工作\n巡察整改&落实\n甲\n乙"
    assert html_text('<p>见<img src="a.png" alt="示意图">。</p>') == "见 示意图 。"


# --- queries ---------------------------------------------------------------------------------

DOCS = [
    Doc("全年工作总结", "开展宣讲", "巡察反馈意见整改落实。志愿服务。"),
    Doc("巡察整改情况通报", "整改", "巡察整改工作。巡察整改。"),
    Doc("綜述", "", "落實巡察整改任務，開展志願服務活動"),
    Doc("另一篇", "", "巡察组反馈。整改。察整不相连"),
]


def test_exact_substrings_only() -> None:
    # 巡察 and 察整 and 整改 all occur in doc 3, but never as 巡察整改.
    assert sorted(ids(DOCS, "巡察整改")) == [1, 2]
    assert sorted(ids(DOCS, "察整")) == [1, 2, 3]


def test_query_in_either_script_finds_both() -> None:
    assert sorted(ids(DOCS, "志愿服务")) == [0, 2]
    assert sorted(ids(DOCS, "志願服務")) == [0, 2]
    assert ids(DOCS, "落实") == ids(DOCS, "落實")


def test_one_character_and_run_final_characters() -> None:
    assert sorted(ids(DOCS, "务")) == [0, 2]  # 务 ends a run in doc 0 (服务。)
    assert sorted(ids(DOCS, "篇")) == [3]


def test_title_and_summary_rank_above_body_only_and_more_matches_higher() -> None:
    docs = [
        Doc("甲", "", "宣讲宣讲宣讲宣讲宣讲"),
        Doc("乙", "宣讲", ""),
        Doc("宣讲工作", "", "宣讲"),
        Doc("丙", "", "宣讲"),
    ]
    assert ids(docs, "宣讲") == [2, 1, 0, 3]


def test_several_words_must_all_match() -> None:
    assert sorted(ids(DOCS, "巡察 志愿")) == [0, 2]
    assert ids(DOCS, "巡察 宣讲") == [0]
    assert ids(DOCS, "巡察 没有这个词") == []


def test_english_words_and_prefix_of_the_last_word() -> None:
    docs = [
        Doc("Rectification report", "", "The inspection tour."),
        Doc("Annual summary", "Rectified items", "Volunteer services."),
    ]
    assert ids(docs, "rectif") == [0, 1]
    assert ids(docs, "Rectification ") == [0]  # a finished word is matched whole
    assert ids(docs, "INSPECTION tour") == [0]
    assert ids(docs, "tour inspection") == [0]
    assert ids(docs, "volunteers") == []


@pytest.mark.parametrize("query", ["", "   ", '"<', "%", "。，", "<script>"])
def test_queries_without_words_or_hits_find_nothing(query: str) -> None:
    assert ids(DOCS, query) == []


# --- the build's files -----------------------------------------------------------------------


def read_call(path: Path) -> list[Any]:
    """The arguments of a data file's ``__sbSearch.name(...)`` call."""
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(r"__sbSearch\.\w+\((.*)\);\n", text, re.DOTALL)
    assert m, text[:80]
    result: list[Any] = json.loads("[" + m.group(1) + "]")
    return result


def test_build_writes_search_files_in_every_tree(make_site: MakeSite, tmp_path: Path) -> None:
    source = make_site(
        {
            "content/reports/city/2024-summary.en.md": """\
                ---
                title: Test City 2024 summary
                summary: The whole year's rectification work.
                ---

                We held 12 study sessions.
                """
        }
    )
    out = tmp_path / "out"
    result = run(BuildOptions(source=source, out=out))
    assert result.ok, result.errors
    assert "search" in result.timings
    for tree in ("", "zh-hant/", "en/"):
        page = (out / tree / "search" / "index.html").read_text(encoding="utf-8")
        assert 'id="search-config"' in page
        found = re.search(r'id="search-config">(.*?)</script>', page)
        assert found
        config = json.loads(found.group(1))
        assert config["indexes"]["zh"].endswith("assets/search/zh/index.js")
        assert (out / tree / "search" / "docs.js").is_file()
    docs_hant = read_call(out / "zh-hant" / "search" / "docs.js")[0]
    titles = [d[0] for d in docs_hant["docs"]]  # type: ignore[index]
    assert "測試市婦聯2024年工作總結" in titles  # converted to the tree's script
    docs_en = read_call(out / "en" / "search" / "docs.js")[0]
    assert "Test City 2024 summary" in [d[0] for d in docs_en["docs"]]  # type: ignore[index]
    n = titles.index("測試市婦聯2024年工作總結")
    _, (summary, body) = read_call(out / "zh-hant" / "search" / "text" / f"{n}.js")
    assert summary == "全年工作總結。"
    assert "開展學習12次。" in str(body)
    _, (summary, body) = read_call(out / "en" / "search" / "text" / f"{n}.js")
    assert body == "We held 12 study sessions."
    # every report page carries the body markers the snippets are cut from
    report = (out / "reports" / "city" / "2024-summary" / "index.html").read_text("utf-8")
    assert BODY_START in report and BODY_END in report
    # the header box on an ordinary page submits to the tree's search page
    home = (out / "zh-hant" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<form class="header-search" role="search" action="search/index.html"', home)
    assert "搜索" in home  # the zh-Hant interface: Simplified wording, Taiwan forms


def test_search_files_are_deterministic(make_site: MakeSite, tmp_path: Path) -> None:
    source = make_site()
    a = run(BuildOptions(source=source, out=tmp_path / "a"))
    b = run(BuildOptions(source=source, out=tmp_path / "b"))
    files_a = {f.path: f.data for f in a.files if "search" in f.path}
    files_b = {f.path: f.data for f in b.files if "search" in f.path}
    assert files_a == files_b and len(files_a) > 8


def test_incremental_rebuild_keeps_snippet_texts(make_site: MakeSite, tmp_path: Path) -> None:
    """Pages an incremental build does not re-render are read back from the previous output."""
    source = make_site()
    out = tmp_path / "out"
    assert run(BuildOptions(source=source, out=out)).ok
    texts = {p: p.read_bytes() for p in (out / "zh-hant" / "search" / "text").glob("*.js")}
    assert len(texts) == 2 and all(
        "開展學習12次" in t.decode() or "內容" in t.decode() for t in texts.values()
    )
    report = source / "content" / "reports" / "nat" / "2023-review.md"
    report.write_text(report.read_text("utf-8").replace("內容。", "新的內容。"), "utf-8")
    second = run(BuildOptions(source=source, out=out))
    assert second.ok and second.kept  # some pages were not rendered again
    after = {p: p.read_bytes() for p in (out / "zh-hant" / "search" / "text").glob("*.js")}
    changed = [p for p in texts if texts[p] != after[p]]
    assert len(changed) == 1 and "新的內容" in after[changed[0]].decode()
