"""Ids on a page are unique (issue 16): repeated headings never collide with their own
de-duplicated forms ("A", "A", "A-2"), and no heading takes an id of the template ("main",
"toc-title", "chart-1", …). A property over any list of headings, and a built page."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.load import PACKAGE_DEFAULTS
from site_builder.markdown import TEMPLATE_IDS, is_template_id, render_markdown
from tests.conftest import MINIMAL_SITE, write_site
from tests.util import cli

TEMPLATES = PACKAGE_DEFAULTS / "templates"
ID_RE = re.compile(r"""\bid=(?:"([^"]*)"|'([^']*)')""")

headings = st.lists(
    st.one_of(
        st.sampled_from(
            [
                *("main", "toc-title", "chart-1", "chart-1-caption", "chart-trend-x", "y2024"),
                *("A", "a", "A-2", "a 2", "a-2-2", "section-main", "Main", "一、主要工作"),
                *("一、主要工作-2", "", "!!", "top", "search-input", "section"),
            ]
        ),
        st.text(alphabet="aA -2一、", max_size=6),
    ),
    max_size=12,
)


def ids_of(html: str) -> list[str]:
    return [a or b for a, b in ID_RE.findall(html)]


def test_the_list_of_template_ids_matches_the_templates() -> None:
    """Every literal id of the default templates is one a heading may not take."""
    written = set()
    for template in TEMPLATES.rglob("*.html"):
        for value in ids_of(template.read_text(encoding="utf-8")):
            if "{" not in value:
                written.add(value)
    assert written, "no ids found: the pattern is wrong"
    assert written - TEMPLATE_IDS == set()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headings)
def test_heading_ids_are_unique_and_never_a_template_id(titles: list[str]) -> None:
    text = "\n\n".join(f"## {t}" if t.strip() else "## x" for t in titles)
    rendered = render_markdown(text)
    ids = ids_of(rendered.html)
    assert len(ids) == len(titles)
    assert len(set(ids)) == len(ids), ids
    assert not [i for i in ids if is_template_id(i)], ids
    assert [e.anchor for e in rendered.toc] == ids  # the table of contents links to them


def test_a_built_report_page_has_unique_ids(tmp_path: Path) -> None:
    report = """\
        ---
        title: 重复标题
        date: 2024-12-31
        ---

        ## main

        ## toc-title

        ## chart-1

        ## 一、主要工作

        ## 一、主要工作

        ## 一、主要工作-2

        ```chart
        type: bar
        title: 图
        x: [a, b]
        series:
          - name: s
            data: [1, 2]
        ```
        """
    site = write_site(
        tmp_path / "site", {**MINIMAL_SITE, "content/reports/city/2024-summary.md": report}
    )
    out = tmp_path / "out"
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    for tree in ("", "zh-hant/", "en/"):
        page = (out / tree / "reports/city/2024-summary/index.html").read_text(encoding="utf-8")
        ids = ids_of(page)
        assert "main" in ids and "toc-title" in ids and "chart-1" in ids
        repeated = [i for i, n in Counter(ids).items() if n > 1]
        assert repeated == [], (tree, repeated)
