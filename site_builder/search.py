"""Search: a static, sharded n-gram index that the browser queries without a server.

Chinese has no spaces, so every run of Chinese characters is indexed as overlapping character
bigrams with their positions; a query of n characters is found as n-1 bigrams at consecutive
positions, which is an exact substring match (recall 100% by construction, no false positives).
A run's last character is also indexed on its own, so one-character queries work too. Latin
letters and digits are indexed as lower-case words (an English query's last word is a prefix).

Both sides fold characters first: every character maps to one representative of its
Simplified/Traditional class (``defaults/search_fold.txt``, generated from OpenCC's character
tables by ``scripts/gen_search_fold.py``), full-width forms map to ASCII and letters to lower
case. Folding keeps the text's length, so a Simplified query finds Traditional text and the
reverse, and the browser finds the matches in the text it shows by folding that text the same
way. The same table is shipped to the browser (``assets/search/fold.js``).

Files (all JavaScript that calls ``__sbSearch.*``, so that they load with ``<script src>`` over
HTTP and from ``file://`` alike; Chromium refuses ``fetch()`` of JSON from ``file://``):

- ``assets/search/<key>/index.js``: per index (``zh`` over the Chinese text, shared by both
  Chinese trees; ``en`` over the English text), its shard count, where each report starts and
  where its title and summary end;
- ``assets/search/<key>/<nn>.js``: one shard of postings, chosen by a token's first character,
  so a query loads only the shards its tokens live in;
- ``<tree>/search/docs.js``: each report's title, organization, year and link in the tree's
  language and script; ``<tree>/search/text/<n>.js``: one report's summary and body text, loaded
  only for the results on screen, for the highlighted snippets.

Everything here is pure: it takes the model, the rendered bodies and a reader of the rendered
pages (snippets are cut from them) and returns files.

Long: the index builder, its sharded encoding and the snippet text share the folding and
the position space of the index; the browser side reads what this module writes, byte for
byte.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from array import array
from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import resources
from itertools import chain, count, islice, repeat
from operator import add, sub
from typing import Any, Protocol

from markupsafe import Markup

from site_builder.chinese import Converter
from site_builder.i18n import LANGUAGES
from site_builder.markdown import CHART_PLACEHOLDER_RE, RenderedMarkdown
from site_builder.model import Report, Site
from site_builder.urls import Urls, relative

ReportPage = Callable[[Urls, str, Report], str]
"""(urls, lang, report) -> the report's page: the report page kind's ``page_of`` (kinds.py)."""

__all__ = [
    "BODY_END",
    "BODY_START",
    "CJK_RE",
    "ENCODING_ALPHABET",
    "Doc",
    "Index",
    "Match",
    "build_index",
    "build_search",
    "config_json",
    "decode_postings",
    "encode_postings",
    "fold",
    "fold_pairs",
    "fold_table",
    "html_text",
    "index_keys",
    "mark_body",
    "search",
    "search_files",
]

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Chinese characters as search sees them: the BMP's unified and compatibility ideographs (the
same ranges in ``search.js``)."""
CJK_RE = re.compile(f"[{CJK_CLASS}]+")
WORD_RE = re.compile("[a-z0-9]+")
TOKEN_RE = re.compile(f"[{CJK_CLASS}]+|[a-z0-9]+")

ENCODING_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
"""Postings are varints of 5 bits per character (32 = more follows), in this JSON-safe alphabet."""

# Shards are sized for a few tens of kilobytes: a query's first search loads one per token.
SHARD_TARGET_BYTES = 48_000
MAX_SHARDS = 256

FIELD_WEIGHTS = (4, 2, 1)  # title, summary, body (same in search.js)


# --- folding -----------------------------------------------------------------------------------


@cache
def fold_table() -> dict[int, str]:
    """``str.translate`` table: script classes, full-width ASCII, upper case."""
    table: dict[int, str] = {}
    text = resources.files("site_builder").joinpath("defaults/search_fold.txt").read_text("utf-8")
    for line in text.splitlines():
        if len(line) == 2:
            table[ord(line[0])] = line[1]
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c + 32)
    for c in range(0xFF01, 0xFF5F):  # full-width ！..～ -> ASCII
        table[c] = chr(c - 0xFEE0).lower()
    table[0x3000] = " "
    table[0] = " "  # the index masks with NUL
    return table


def fold(text: str) -> str:
    """The form both the index and the query are matched in; keeps the length of ``text``."""
    return text.translate(fold_table())


def fold_pairs() -> tuple[str, str]:
    """The script-class part of the table as two equal-length strings, for the browser (which
    does upper case and full-width forms itself)."""
    table = fold_table()
    keys = sorted(k for k in table if k > 0x7F and not 0xFF01 <= k <= 0xFF5E and k != 0x3000)
    return "".join(map(chr, keys)), "".join(table[k] for k in keys)


# --- text ---------------------------------------------------------------------------------------

_BLOCK_END_RE = re.compile(
    r"</(?:p|h[1-6]|li|td|th|tr|blockquote|pre|div|figure|figcaption|table|ul|ol|dt|dd|caption)>"
    r"|<br\s*/?>|<hr\s*/?>",
    re.IGNORECASE,
)
_TAG_RE = re.compile(
    r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<img\b[^>]*?\balt=\"([^\"]*)\"[^>]*>|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[ \t\r\f\v]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")


def html_text(html: str) -> str:
    """The readable text of a rendered body: blocks on their own lines, tags dropped (an image
    leaves its ``alt`` text), entities decoded (chart placeholders are comments: they go too)."""
    text = _BLOCK_END_RE.sub("\n", html)
    text = _TAG_RE.sub(lambda m: f" {m.group(2)} " if m.group(2) else "", text)
    text = html_lib.unescape(text)
    text = _SPACES_RE.sub(" ", text)
    return _NEWLINES_RE.sub("\n", text).strip()


# --- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Doc:
    """One report as one index sees it (the three fields are joined by newlines)."""

    title: str
    summary: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.summary}\n{self.body}"

    @property
    def ends(self) -> tuple[int, int]:
        """Where the title and the summary end in ``text``: a position below the first is in
        the title, below the second in the summary, else in the body."""
        return len(self.title), len(self.title) + 1 + len(self.summary)


@dataclass(slots=True)
class Index:
    """Every token's positions, and where each document and its fields lie.

    Positions are global: the documents' folded texts laid end to end, one separator between
    two, so one ascending list per token holds all its occurrences (no entry per document to
    encode or decode), and a match's document is found from ``starts``."""

    postings: dict[str, Sequence[int]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)  # where each document begins
    ends: list[tuple[int, int]] = field(default_factory=list)  # its title's and summary's ends

    @property
    def size(self) -> int:
        return len(self.starts)

    def doc_of(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1

    def search(self, query: str) -> list[Match]:
        """The reference implementation of the browser's query, for tests and benchmarks."""
        return search(self, query)


_consume: Callable[[Iterator[object]], None] = deque[object](maxlen=0).extend
"""Runs an iterator to its end, keeping nothing."""

_PAIR_RE = re.compile(f"[{CJK_CLASS}]{{2}}")
_RUN_END_RE = re.compile(f"[{CJK_CLASS}](?![{CJK_CLASS}])")


def _add_matches(
    postings: defaultdict[str, array[int]], matches: Iterator[re.Match[str]], base: int
) -> None:
    """Append each match's start (plus ``base``) to its text's list."""
    found = list(matches)
    tokens = map(postings.__getitem__, map(re.Match.group, found))
    _consume(map(array.append, tokens, map(add, repeat(base), map(re.Match.start, found))))


def build_index(docs: Sequence[Doc], cjk: bool = True, fold: Callable[[str], str] = fold) -> Index:
    """Chinese bigrams (a run's last character alone) and words of every document
    (``fold``: this module's, or a memo of it)."""
    return _index_docs(docs, cjk, fold)[0]


def _index_docs(docs: Sequence[Doc], cjk: bool, fold: Callable[[str], str]) -> tuple[Index, int]:
    """``build_index`` and the positions the documents span (each with its separator)."""
    # Machine integers, 4 bytes a position, instead of a list of Python ints (about 36): the
    # zh index of 5,000 reports holds some 15 million positions.
    # Every pair of adjacent characters, then only the pairs of two Chinese characters kept:
    # one append per position, run in C by map() (the zh index of 5,000 reports holds some 15
    # million positions; a Python-level step per position took seconds).
    pairs: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    postings: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    append = array.append
    index = Index()
    base = 0
    for doc in docs:
        folded = fold(doc.text)
        index.starts.append(base)
        title_end, summary_end = doc.ends
        index.ends.append((base + title_end, base + summary_end))
        # Documents in order keep every list ascending.
        if cjk:
            bigrams = map(add, folded, folded[1:])
            _consume(map(append, map(pairs.__getitem__, bigrams), count(base)))
            _add_matches(postings, _RUN_END_RE.finditer(folded), base)  # a run's last character
        _add_matches(postings, WORD_RE.finditer(folded), base)
        base += len(folded) + 1
    for pair, positions in pairs.items():
        if _PAIR_RE.fullmatch(pair):
            postings[pair] = positions
    index.postings = dict(sorted(postings.items()))
    return index, base


# --- an index built block by block -------------------------------------------------------------

BLOCK_DOCS = 64
"""Documents per block of an index built piecewise (``index_block``): an edit indexes its block
again, and the blocks are joined. Larger blocks cost more to index again, smaller ones more to
join (one step per token and block)."""


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive documents indexed on their own, positions counted from the block's start:
    each token's first and last position and the varints of the gaps between its positions. The
    gap before a token's first position is all that depends on the blocks before (it is from
    their last position of the token), so the blocks of unchanged documents are reused as they
    are and the index is the same, byte for byte, as one built whole."""

    tokens: dict[str, tuple[int, int, str]]
    starts: tuple[int, ...]
    ends: tuple[tuple[int, int], ...]
    length: int  # the positions the block spans (its documents' separators included)


def index_block(docs: tuple[Doc, ...], cjk: bool, fold: Callable[[str], str] = fold) -> Block:
    """One block of documents as ``build_index`` indexes them (a ``Session`` memo keeps it by
    its documents)."""
    index, length = _index_docs(docs, cjk, fold)
    vget = _varints().__getitem__
    tokens = {
        t: (p[0], p[-1], "".join(map(vget, map(sub, islice(p, 1, None), p))))
        for t, p in index.postings.items()
    }
    return Block(tokens, tuple(index.starts), tuple(index.ends), length)


def join_blocks(blocks: Sequence[Block]) -> tuple[dict[str, str], list[int], list[list[int]]]:
    """The encoded postings (by token, sorted), document starts and field ends of the index of
    the blocks' documents in order: those of ``build_index`` over them all, encoded."""
    vget = _varints().__getitem__
    pieces: defaultdict[str, list[str]] = defaultdict(list)
    last: defaultdict[str, int] = defaultdict(int)
    starts: list[int] = []
    ends: list[list[int]] = []
    base = 0
    for block in blocks:
        for token, (first, final, rest) in block.tokens.items():
            out = pieces[token]
            out.append(vget(base + first - last[token]))
            out.append(rest)
            last[token] = base + final
        starts += [base + s for s in block.starts]
        ends += [[base + a, base + b] for a, b in block.ends]
        base += block.length
    return {t: "".join(pieces[t]) for t in sorted(pieces)}, starts, ends


# --- query (reference; search.js does the same) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    doc: int
    title_or_summary: bool
    weight: int  # occurrences weighted by field (title 4, summary 2, body 1)


def _segment_hits(index: Index, segment: str, prefix: bool) -> list[int]:
    """Global start positions of a segment."""
    get = index.postings.get
    if CJK_RE.fullmatch(segment):
        if len(segment) == 1:
            found: set[int] = set()
            for token, positions in index.postings.items():
                if token[0] == segment and CJK_RE.fullmatch(token):
                    found.update(positions)
            return sorted(found)
        starts = set(get(segment[:2], []))
        for k in range(1, len(segment) - 1):
            starts &= {p - k for p in get(segment[k : k + 2], [])}
        return sorted(starts)
    if not prefix:
        return list(get(segment, []))
    merged: set[int] = set()
    for token, positions in index.postings.items():
        if token.startswith(segment) and WORD_RE.fullmatch(token):
            merged.update(positions)
    return sorted(merged)


def search(index: Index, query: str) -> list[Match]:
    """Documents holding every segment of ``query``, best first: any title or summary match
    first, then by weighted occurrences, then in site order. The last segment, when it is a word
    and the query does not end in a space, matches as a prefix (as typed)."""
    folded = fold(query)
    segments = TOKEN_RE.findall(folded)
    if not segments:
        return []
    counts: dict[int, list[int]] | None = None
    for n, segment in enumerate(segments):
        prefix = n == len(segments) - 1 and not folded[-1:].isspace()
        mine: dict[int, list[int]] = {}
        for pos in _segment_hits(index, segment, prefix):
            doc = index.doc_of(pos)
            title_end, summary_end = index.ends[doc]
            field_ = 0 if pos < title_end else 1 if pos < summary_end else 2
            mine.setdefault(doc, [0, 0, 0])[field_] += 1
        if counts is None:
            counts = mine
        else:
            counts = {
                d: [a + b for a, b in zip(c, mine[d], strict=True)]
                for d, c in counts.items()
                if d in mine
            }
        if not counts:
            return []
    assert counts is not None
    matches = [
        Match(doc, bool(c[0] or c[1]), sum(x * w for x, w in zip(c, FIELD_WEIGHTS, strict=True)))
        for doc, c in counts.items()
    ]
    matches.sort(key=lambda m: (not m.title_or_summary, -m.weight, m.doc))
    return matches


# --- encoding -----------------------------------------------------------------------------------


def _varint(v: int) -> str:
    chars = []
    while True:
        low = v & 31
        v >>= 5
        if v:
            chars.append(ENCODING_ALPHABET[low | 32])
        else:
            chars.append(ENCODING_ALPHABET[low])
            return "".join(chars)


class _Varints(dict[int, str]):
    """Encodings of small values, computed once; a larger value is encoded when met."""

    def __missing__(self, v: int) -> str:
        return _varint(v)


@cache
def _varints() -> _Varints:
    return _Varints((v, _varint(v)) for v in range(1 << 15))


def encode_postings(positions: Sequence[int]) -> str:
    """The gaps between ascending positions (the first from 0), as varints."""
    gaps = map(sub, positions, chain((0,), positions))
    return "".join(map(_varints().__getitem__, gaps))


def decode_postings(text: str) -> list[int]:
    out: list[int] = []
    v = shift = 0
    last = 0
    for ch in text:
        n = ENCODING_ALPHABET.index(ch)
        v |= (n & 31) << shift
        if n & 32:
            shift += 5
        else:
            last += v
            out.append(last)
            v = shift = 0
    return out


def shard_of(token: str, shards: int) -> int:
    return ord(token[0]) % shards


def shard_count(encoded_bytes: int) -> int:
    n = 1
    while n < MAX_SHARDS and encoded_bytes / n > SHARD_TARGET_BYTES:
        n *= 2
    return n


def _js_call(function: str, *args: object) -> bytes:
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    # Keep the file one line of plain JavaScript: U+2028/9 are line ends in older engines.
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"__sbSearch.{function}({body});\n".encode()


def index_files(key: str, index: Index, urls: Urls) -> list[tuple[str, bytes]]:
    """An index as files: its header and its shards."""
    encoded = {token: encode_postings(p) for token, p in index.postings.items()}
    return encoded_files(key, encoded, index.starts, index.ends, urls)


def encoded_files(
    key: str,
    encoded: dict[str, str],
    starts: Sequence[int],
    ends: Sequence[Sequence[int]],
    urls: Urls,
) -> list[tuple[str, bytes]]:
    """An index as files from its encoded postings (sorted by token) and its documents'
    starts and field ends."""
    total = sum(len(t.encode()) + len(e) + 6 for t, e in encoded.items())
    shards = shard_count(total)
    by_shard: list[dict[str, str]] = [{} for _ in range(shards)]
    for token, text in encoded.items():
        by_shard[shard_of(token, shards)][token] = text
    header = {"shards": shards, "starts": starts, "ends": ends}
    out = [(urls.search_index(key), _js_call("index", key, header))]
    out += [
        (urls.search_shard(key, n), _js_call("shard", key, n, s)) for n, s in enumerate(by_shard)
    ]
    return out


# --- the site's search files -------------------------------------------------------------------


def report_docs(
    site: Site,
    bodies: Mapping[str, RenderedMarkdown],
    text_lang: str,
    text: Callable[[str], str] = html_text,
) -> list[Doc]:
    """Each report's text as the ``zh`` or ``en`` index sees it (pages show the same text;
    ``text``: ``html_text`` or a memo of it)."""
    out = []
    for rep in site.reports:
        names = org_names_text(site, rep.org, text_lang)
        if text_lang == "en" and rep.translation is not None:
            tr = rep.translation
            summary = tr.summary if tr.summary is not None else rep.summary.get("en")
            en_body = body_text(bodies.get(tr.path), text)
            out.append(Doc(tr.title, summary, "\n".join([en_body, names]) if names else en_body))
            continue
        body = body_text(bodies.get(rep.path), text)
        if text_lang == "zh":
            # Chart blocks are part of the source's text (titles, labels); the page shows
            # them as drawings and tables, so they are searchable too.
            rendered = bodies.get(rep.path)
            charts = (
                [" ".join(CJK_RE.findall(c.source)) for c in rendered.charts] if rendered else []
            )
            body = "\n".join([body, *charts])
        if names:
            body = "\n".join([body, names])
        out.append(Doc(rep.title.get(text_lang), rep.summary.get(text_lang), body))
    return out


def org_names_text(site: Site, key: str, text_lang: str) -> str:
    """The former names (full and short) of the report's organization: indexed with the
    report, so that a search for a name no longer in use finds its reports."""
    org = site.orgs.get(key)
    if org is None:
        return ""
    texts = []
    for f in org.former_names:
        texts += [f.name, f.short_name]
    seen: list[str] = []
    for t in texts:
        value = t.get(text_lang)
        if value and value not in seen:
            seen.append(value)
    return "\n".join(seen)


def body_text(rendered: RenderedMarkdown | None, text: Callable[[str], str] = html_text) -> str:
    if rendered is None:
        return ""
    return text(CHART_PLACEHOLDER_RE.sub("", rendered.html))


BODY_START = "<!--search:body-->"
BODY_END = "<!--/search:body-->"
"""Markers around a report page's body: snippets are cut from the page as the tree shows it
(already converted to its script), so search converts no body text of its own."""


def mark_body(html: Markup) -> Markup:
    return Markup(BODY_START) + html + Markup(BODY_END)


def page_body_text(page: bytes | None, text: Callable[[str], str] = html_text) -> str:
    if page is None:
        return ""
    page_html = page.decode("utf-8")
    start = page_html.find(BODY_START)
    end = page_html.find(BODY_END, start + 1)
    if start < 0 or end < 0:
        return ""
    return text(page_html[start + len(BODY_START) : end])


Convert = Callable[[Sequence[str]], list[str]]
PageReader = Callable[[str], bytes | None]
PageKey = Callable[[str], str | None]
"""A page's output path -> the digest of its bytes when known without reading it (a page an
incremental build kept), else None."""
TextFile = Callable[[int, str, str], bytes]
"""(report number, summary, its page) -> the report's snippet text file."""


class Memo(Protocol):
    """(name, pure function) -> the function remembered by its arguments (``state.Session.memo``;
    ``repeats``: one build asks it the same more than once)."""

    def __call__(
        self, name: str, fn: Callable[..., Any], repeats: bool = False
    ) -> Callable[..., Any]: ...


def unmemoized(name: str, fn: Callable[..., Any], repeats: bool = False) -> Callable[..., Any]:
    return fn


def tree_files(
    site: Site,
    docs: Sequence[Doc],
    lang: str,
    convert: Convert,
    org_name: Callable[[str], str],
    report_page: ReportPage,
    text_file: TextFile,
) -> Iterator[tuple[str, bytes]]:
    """One language tree's result list and snippet texts, in its language and script
    (``text_file``: the snippet text file of a report, from its page), made one by one: the
    caller may write each away before the next is made."""
    urls = Urls(site.config.languages, site.config.default_language)
    search_page = urls.search(lang)
    orgs = sorted({r.org for r in site.reports}, key=list(site.orgs).index)
    org_number = {key: n for n, key in enumerate(orgs)}
    names = convert([org_name(k) for k in orgs])
    type_slugs = list(site.types)
    text_lang = LANGUAGES[lang].text
    type_names = convert([site.types[t].name.get(text_lang) for t in type_slugs])
    titles = convert([d.title for d in docs])
    summaries = convert([d.summary for d in docs])
    entries: list[list[object]] = []
    targets: list[str] = []
    for rep, title in zip(site.reports, titles, strict=True):
        target = report_page(urls, lang, rep)
        targets.append(target)
        entry: list[object] = [
            title,
            org_number[rep.org],
            rep.year,
            relative(search_page, target),
            rep.dated.iso,
        ]
        if type_slugs:  # the type filter's field; a site without types has no such field
            entry.append(type_slugs.index(rep.meta.type) if rep.meta.type in site.types else -1)
        entries.append(entry)
    docs_list: dict[str, object] = {"orgs": names, "docs": entries}
    if type_names:
        docs_list["types"] = type_names
    yield urls.search_docs(lang), _js_call("docs", docs_list)
    for n, (summary, target) in enumerate(zip(summaries, targets, strict=True)):
        yield urls.search_text(lang, n), text_file(n, summary, target)


def fold_file(urls: Urls) -> tuple[str, bytes]:
    keys, values = fold_pairs()
    return urls.search_fold(), _js_call("fold", keys, values)


def search_files(
    site: Site,
    bodies: Mapping[str, RenderedMarkdown],
    read_page: PageReader,
    converters: Mapping[str, Convert],
    org_names: Mapping[str, Callable[[str], str]],
    report_page: ReportPage,
    memo: Memo = unmemoized,
    page_key: PageKey = lambda path: None,
) -> Iterator[tuple[str, bytes]]:
    """Every search file of the site: the fold table, the shared indexes, and each tree's
    result list and texts. ``read_page`` gives a rendered page by output path; ``converters`` and
    ``org_names`` are per language; ``report_page`` is the report page kind's ``page_of``. The
    files come one by one, so that the caller need not hold them all (a tree's snippet texts
    are about the size of its report pages' bodies).

    ``memo`` (``serve``'s session keeps one) remembers the pure steps by their input: the text
    of each body and each page, each document's folding, each block of an index's documents
    indexed (``index_block``) and an index's files by its documents: a build whose edit left an
    index's documents as they were encodes none of it, and one that edited a report indexes that
    report's block alone. A report's snippet text file is remembered by the digest of a page
    that was kept (``page_key``): the kept pages are not read again. Within one build only the
    bodies' text is asked twice (the ``en`` index reads an untranslated report's Chinese body):
    a session that keeps nothing for a next build remembers that alone, and only while the
    files are made (``Session.one_build``)."""
    urls = Urls(site.config.languages, site.config.default_language)
    text = memo("search_text", html_text, repeats=True)
    page_text = memo("search_page_text", html_text)
    folding = memo("search_fold", fold)

    block = memo("search_block", partial(index_block, fold=folding))

    def encode(key: str, docs: tuple[Doc, ...], cjk: bool, urls: Urls) -> list[tuple[str, bytes]]:
        # block by block: an edit indexes the block of the edited document again, no other
        n = BLOCK_DOCS
        blocks = [block(docs[i : i + n], cjk) for i in range(0, len(docs), n)]
        return encoded_files(key, *join_blocks(blocks), urls)

    encoded = memo("search_index", encode)
    yield fold_file(urls)
    # The result lists need each document's title and summary, not its body: the bodies go as
    # soon as their index is made.
    heads: dict[str, list[Doc]] = {}
    indexes = [("zh", True)] + ([("en", False)] if "en" in site.config.languages else [])
    for key, cjk in indexes:
        docs = report_docs(site, bodies, key, text)
        yield from encoded(key, tuple(docs), cjk, urls)
        heads[key] = [Doc(d.title, d.summary, "") for d in docs]
        del docs
    del text

    def snippets(n: int, summary: str, target: str, key: str | None = None) -> bytes:
        return _js_call("text", n, [summary, page_body_text(read_page(target), page_text)])

    known = memo("search_text_file", snippets)

    def text_file(n: int, summary: str, target: str) -> bytes:
        key = page_key(target)
        return snippets(n, summary, target) if key is None else known(n, summary, target, key)

    for lang in site.config.languages:
        text_lang = LANGUAGES[lang].text
        yield from tree_files(
            site,
            heads[text_lang],
            lang,
            converters[lang],
            org_names[lang],
            report_page,
            text_file,
        )


def build_search(
    site: Site,
    bodies: Mapping[str, RenderedMarkdown],
    read_page: PageReader,
    converter: Converter,
    report_page: ReportPage,
    memo: Memo = unmemoized,
    page_key: PageKey = lambda path: None,
) -> Iterator[tuple[str, bytes]]:
    """``search_files`` with the site's script converter and its organizations' short names."""

    def converting(lang: str) -> Convert:
        if LANGUAGES[lang].text == "en":
            return list
        return lambda texts: converter.convert_many(texts, lang)

    def org_name(lang: str) -> Callable[[str], str]:
        text_lang = LANGUAGES[lang].text

        def name(key: str) -> str:
            org = site.orgs[key]
            return (org.short_name or org.name).get(text_lang)

        return name

    langs = site.config.languages
    converters = {k: converting(k) for k in langs}
    names = {k: org_name(k) for k in langs}
    return search_files(site, bodies, read_page, converters, names, report_page, memo, page_key)


def config_json(config: Mapping[str, object]) -> Markup:
    """The search page's settings, for ``<script type="application/json">``."""
    text = json.dumps(config, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Markup(text.replace("<", "\\u003c"))


def index_keys(lang: str) -> tuple[str, ...]:
    """The indexes a tree's search page loads: Chinese text always; English words on ``en``."""
    return ("zh", "en") if lang == "en" else ("zh",)
