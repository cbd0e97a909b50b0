"""Markdown to HTML: CommonMark + tables, CJK-friendly emphasis and line breaks, stable heading
anchors, a table of contents, ``{keep:…}`` spans that script conversion leaves alone, and
```` ```chart ```` blocks left as placeholders for the chart stage to fill per language.

A body is rendered once per source; pages in both Chinese scripts are converted afterwards.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_cjk_friendly import cjk_friendly


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class ChartBlock:
    index: int
    source: str  # the YAML inside the fence
    line: int  # 1-based line of the fence's first content line, in the file


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    html: str
    toc: tuple[TocEntry, ...]
    charts: tuple[ChartBlock, ...]
    # (href or image src, line) of every link and image, for the link check and offline guard
    links: tuple[tuple[str, int], ...]


CHART_PLACEHOLDER = "<!--site-builder:chart:{index}-->"
CHART_PLACEHOLDER_RE = re.compile(r"<!--site-builder:chart:(\d+)-->")

_STRIP_RE = re.compile(r"[^\w\u3400-\u9fff\uf900-\ufaff-]+")


# The ids the default templates give elements of a page (tests/test_ids.py keeps this list in
# step with the templates). A heading's anchor must not take one of them, nor the form of the
# ids made per chart (chart-1, chart-1-caption, chart-trend-…) or per year (y2024).
TEMPLATE_IDS = frozenset(
    {
        *("by-year", "compared", "figures", "glance", "home-charts", "key-figures", "latest"),
        *(
            "main",
            "members",
            "names",
            "metric-table-caption",
            "orgs",
            "profile",
            "reports",
            "rollups",
        ),
        *(
            "search-config",
            "search-form",
            "search-input",
            "search-more",
            "search-org",
            "search-type",
        ),
        *("search-results", "search-status", "search-year", "toc-title", "trends", "top"),
    }
)
_GENERATED_ID_RE = re.compile(r"chart-.*|y\d+")


def is_template_id(anchor: str) -> bool:
    """An id a page's template may give an element of its own."""
    return anchor in TEMPLATE_IDS or _GENERATED_ID_RE.fullmatch(anchor) is not None


def unique_anchor(base: str, taken: set[str]) -> str:
    """``base``, or the first of ``base-2``, ``base-3`` … that no heading of the page took yet
    (a heading "A-2" after two "A" headings gets "a-2-2", not a second "a-2"); a base that is
    a template's id is prefixed ("section-main"). Adds the anchor to ``taken``."""
    if is_template_id(base):
        base = f"section-{base}"
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def heading_slug(text: str, normalize: Callable[[str], str] = lambda s: s) -> str:
    """A readable anchor: the heading's words (Chinese kept), punctuation dropped.

    ``normalize`` maps Chinese to one script so that anchors do not depend on the source's.
    """
    text = normalize(text.strip().lower())
    text = re.sub(r"\s+", "-", text)
    slug = _STRIP_RE.sub("", text).strip("-_")
    return slug[:80] or "section"


def _keep_rule(state: StateInline, silent: bool) -> bool:
    """``{keep:text}``: a span that script conversion must not touch (names, quotations)."""
    src, pos = state.src, state.pos
    if not src.startswith("{keep:", pos):
        return False
    end = src.find("}", pos + 6)
    if end < 0:
        return False
    if not silent:
        token = state.push("keep_span", "span", 0)
        token.content = src[pos + 6 : end]
    state.pos = end + 1
    return True


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "keep_span"):
            parts.append(child.content)
    return "".join(parts)


# markdown-it's "text" rule, skipping the same characters with one regex instead of a Python
# loop over every character (most of a Chinese body is one long run of text).
_TEXT_RUN_RE = re.compile(r"[^\n!#$%&*+\-:<=>@\[\\\]^_`{}~]+")


def _text_rule(state: StateInline, silent: bool) -> bool:
    m = _TEXT_RUN_RE.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        state.pending += m.group()
    state.pos = m.end()
    return True


@functools.cache
def _parser(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(cjk_friendly)
    md.inline.ruler.before("emphasis", "keep_span", _keep_rule)
    md.inline.ruler.at("text", _text_rule)

    def render_keep(
        self: object, tokens: list[Token], idx: int, options: object, env: object
    ) -> str:
        from html import escape

        return f"<span data-noconvert>{escape(tokens[idx].content, quote=False)}</span>"

    def render_fence(
        self: object, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]
    ) -> str:
        token = tokens[idx]
        info = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
        if info == "chart":
            index = len(env["charts"])
            line = (token.map[0] + 2 if token.map else 1) + env["line_offset"]
            env["charts"].append(ChartBlock(index, token.content, line))
            return CHART_PLACEHOLDER.format(index=index) + "\n"
        return str(default_fence(tokens, idx, options, env))

    renderer = cast(RendererHTML, md.renderer)
    default_fence = renderer.rules["fence"]
    md.add_render_rule("keep_span", render_keep)
    md.add_render_rule("fence", render_fence)

    def render_table_open(
        self: object, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return '<div class="table-scroll">' + renderer.renderToken(tokens, idx, options, env)

    def render_table_close(
        self: object, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return renderer.renderToken(tokens, idx, options, env) + "</div>\n"

    md.add_render_rule("table_open", render_table_open)
    md.add_render_rule("table_close", render_table_close)
    return md


_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
_UNSAFE_IN_FRAGMENT = re.compile(r"[\x00-\x20\x7f\"<>`{}|\\^%]")


def _anchor_href(href: str, normalize: Callable[[str], str]) -> str:
    """A link to a heading names its anchor the way heading ids are made: the fragment is
    written out (not percent-encoded) and in the script heading ids use, so that converting a
    page to the other script converts the link along with the id it points to."""
    path, _, frag = href.partition("#")
    if not frag or _SCHEME_RE.match(href):
        return href
    text = unquote(frag)
    if text.isascii() or _UNSAFE_IN_FRAGMENT.search(text):
        return href
    return path + "#" + normalize(text)


def render_markdown(
    text: str,
    *,
    raw_html: bool = False,
    line_offset: int = 0,
    normalize: Callable[[str], str] = lambda s: s,
) -> RenderedMarkdown:
    """Render a body. ``line_offset`` is the body's first line in its file, minus one."""
    md = _parser(raw_html)
    env: dict[str, object] = {"charts": [], "line_offset": line_offset}
    tokens = md.parse(text, env)
    toc: list[TocEntry] = []
    taken: set[str] = set()
    links: list[tuple[str, int]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            inline = tokens[i + 1]
            title = _inline_text(inline)
            anchor = unique_anchor(heading_slug(title, normalize), taken)
            tok.attrSet("id", anchor)
            level = int(tok.tag[1])
            if 2 <= level <= 3:
                toc.append(TocEntry(level, anchor, title))
        elif tok.type == "inline":
            line = (tok.map[0] + 1 if tok.map else 1) + line_offset
            cursor = 0  # in a paragraph of several lines, the line the link is written on
            written = unquote(tok.content)
            for child in tok.children or []:
                if child.type not in ("link_open", "image"):
                    continue
                attr = "href" if child.type == "link_open" else "src"
                raw = child.attrGet(attr)
                if not isinstance(raw, str):
                    continue
                href = _anchor_href(raw, normalize) if attr == "href" else raw
                child.attrSet(attr, href)
                # the source holds the URL as written, percent-encoded or not
                at = written.find(unquote(raw), cursor)
                cursor = at + 1 if at >= 0 else cursor
                links.append((href, line + written.count("\n", 0, max(at, 0))))
    html = md.renderer.render(tokens, md.options, env)
    charts = env["charts"]
    assert isinstance(charts, list)
    return RenderedMarkdown(html, tuple(toc), tuple(charts), tuple(links))
