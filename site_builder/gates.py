"""Stage 6b, gates: checks over the rendered output, run before anything is written, so a site
that fails them never replaces the previous output. Pure: files arrive as (path, bytes), or as
(path, ``Unread``) when the caller knows a file's digest and can read it if its scan is not kept.

Offline guard. The intranet's readers have no internet access, so nothing the browser loads by
itself may come from another host: ``src``/``srcset``/``poster``/``data`` of any element,
``<link>`` except navigational relations (stylesheets, icons, preloads, manifests are loads),
``<meta http-equiv=refresh>``, ``<base>``, CSS ``url()`` and ``@import`` (in stylesheets, in
``<style>`` and in ``style=""``), string URLs in chart options, and the loading calls of scripts
(``import``, ``fetch``, ``importScripts``, ``new Worker/WebSocket/EventSource``, ``sendBeacon``,
``XMLHttpRequest.open``, ``el.src =``). Links a reader follows (``<a href>``, ``<area href>``,
``<link rel=alternate|canonical …>``, forms) are navigation, not loads: authors may link to other
sites. The site's own ``base_url`` is not exempt for loads: an absolute URL breaks the site
opened from disk. Sitemaps and feeds are for other programs and carry absolute URLs by design;
only their links into the site are checked.

Link check. Every relative ``href``/``src`` in a page, every ``url()`` in a stylesheet and every
sitemap and feed entry must name a file of the output, and a ``#fragment`` an ``id`` in the
target page. A finding is reported at the source to fix, once (``Output.locate``, origins.py):
a report's or page's Markdown at its ``path:line:col``, a copied asset at its own line, a site
template at the text it writes; only one no source explains (a bug) at the output file.

Long: the offline guard, the link check and their shared scanner of the output's HTML, CSS
and scripts, with the scans kept between builds; the scanner is the part the others share.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html as html_lib
import json
import posixpath
import re
import sys
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from site_builder.errors import Diagnostic, Severity, closest, did_you_mean
from site_builder.markdown import RenderedMarkdown
from site_builder.messages import _
from site_builder.model import Page, Report, Site
from site_builder.urls import Urls

# --- what a file refers to -------------------------------------------------------------------

LOAD = "load"  # fetched by the browser on its own
LINK = "link"  # followed by a reader


@dataclass(frozen=True, slots=True)
class Ref:
    kind: str  # LOAD or LINK
    url: str
    line: int
    col: int
    what: str  # where it was found, for messages: "<img src>", "CSS url()", …


Entry = tuple[str, str, int, int, str]
"""A reference's fields in ``Ref``'s order, as a check reads them without making a ``Ref``."""

# Each (kind, what) pair a scan has met, numbered: a kept reference stores its number. The
# pairs are few (tag and attribute names), however large the site.
_KINDS: dict[tuple[str, str], int] = {}
_KIND_LIST: list[tuple[str, str]] = []


def _kind_code(kind: str, what: str) -> int:
    code = _KINDS.get((kind, what))
    if code is None:
        code = _KINDS[(kind, what)] = len(_KIND_LIST)
        _KIND_LIST.append((sys.intern(kind), sys.intern(what)))
    return code


class Scan:
    """What one file refers to: its references in order, the ids it defines, whether it has a
    ``<base>``. Kept compactly, because the scans of every output file are held from the render
    to the check and between builds (``_SCANS``): a reference is its URL, shared with every
    other file that names the same one (the chrome's links repeat on every page), and three
    numbers in an array (its kind and what, line, column), not an object of its own."""

    __slots__ = ("_nums", "_urls", "has_base", "ids")

    def __init__(
        self,
        refs: Iterable[Ref] = (),
        ids: frozenset[str] = frozenset(),
        has_base: bool = False,
    ) -> None:
        self._pack(((r.kind, r.url, r.line, r.col, r.what) for r in refs), ids, has_base)

    @classmethod
    def of(cls, entries: Iterable[Entry], ids: frozenset[str], has_base: bool) -> Scan:
        """A scan of references given by their fields (a worker's, the saved scans')."""
        scan = cls.__new__(cls)
        scan._pack(entries, ids, has_base)
        return scan

    def _pack(self, entries: Iterable[Entry], ids: frozenset[str], has_base: bool) -> None:
        share = sys.intern
        urls: list[str] = []
        nums = array("I")
        for kind, url, line, col, what in entries:
            urls.append(share(url))
            nums.extend((_kind_code(kind, what), line, col))
        self._urls: tuple[str, ...] = tuple(urls)
        self._nums = nums
        self.ids = ids
        self.has_base = has_base

    def entries(self) -> Iterator[Entry]:
        """Each reference's fields, in order (``Ref(*entry)`` makes it a ``Ref``)."""
        kinds, nums = _KIND_LIST, self._nums
        for url, code, line, col in zip(
            self._urls, nums[0::3], nums[1::3], nums[2::3], strict=True
        ):
            kind, what = kinds[code]
            yield kind, url, line, col, what

    @property
    def refs(self) -> tuple[Ref, ...]:
        return tuple(Ref(*e) for e in self.entries())

    def _key(self) -> tuple[object, ...]:
        return (tuple(self.entries()), self.ids, self.has_base)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scan) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Scan(refs={self.refs!r}, ids={self.ids!r}, has_base={self.has_base!r})"


# <link rel> values that only describe a relation to navigate to; every other rel loads.
NAV_RELS = frozenset(
    [
        "alternate",
        "author",
        "bookmark",
        "canonical",
        "external",
        "help",
        "license",
        "me",
        "next",
        "nofollow",
        "noopener",
        "noreferrer",
        "prev",
        "search",
        "tag",
        "first",
        "last",
        "up",
    ]
)
# Elements whose ``href`` loads something (SVG in HTML).
HREF_LOADS = frozenset({"image", "use", "feimage", "script", "base"})
URL_ATTRS_LOAD = ("src", "poster", "data", "codebase", "background", "manifest", "lowsrc")
_INTERESTING = frozenset(URL_ATTRS_LOAD) | {
    *("id", "name", "srcset", "imagesrcset", "href", "xlink:href"),
    *("action", "formaction", "ping", "content", "style"),
}
FOLLOWED = frozenset({"top", ""})  # fragments a browser resolves without an id

_EXTERNAL_RE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//", re.ASCII)
_SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", re.ASCII)
_LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
_NAV_SCHEMES = frozenset({"mailto", "tel", "sms", "javascript"})


def is_external(url: str) -> bool:
    """A URL that reaches past the output folder: another host, or another file system."""
    if _EXTERNAL_RE.match(url):
        return True
    m = _SCHEME_RE.match(url)
    if m is None:
        return False
    scheme = m.group(1).lower()
    return scheme not in _LOCAL_SCHEMES and scheme not in _NAV_SCHEMES


# Schemes a browser fetches over the network (or from the reader's disk) even without "//".
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss", "file"})


def is_load_url(text: str) -> bool:
    """A chart option string that ECharts would fetch from outside the site when it uses it as
    a URL (``image://…`` symbols, background and graphic images). Text with blanks is a label,
    never a URL ("Study: collective sessions", "Count: items"); a word and a colon alone is
    no URL either ("Count:items"): a URL to another host has "//" or a network scheme."""
    s = text.strip()
    s = s.removeprefix("image://")
    if not s or any(c.isspace() for c in s):
        return False
    if _EXTERNAL_RE.match(s):
        return True
    m = _SCHEME_RE.match(s)
    return m is not None and m.group(1).lower() in _NETWORK_SCHEMES


# Option keys whose strings ECharts shows as text (names, titles, data, templates) and never
# fetches: they are checked as CSS and HTML, but not taken for a URL (a category "file:1", a
# series "http:数量" or "A://B" is a label).
LABEL_OPTION_KEYS = frozenset({"name", "text", "subtext", "data", "formatter"})


def string_loads(text: str, as_url: bool = True) -> list[str]:
    """Every URL outside the site that one chart option string would load: the string as a
    URL (unless it is a label, ``as_url=False``), CSS ``url()``/``@import`` in it
    (``extraCssText``, colours), and the loading attributes of HTML in it (a tooltip
    formatter)."""
    found = [text.strip().removeprefix("image://")] if as_url and is_load_url(text) else []
    low = text.lower()
    if "url(" in low or "@import" in low:
        found += [r.url for r in scan_css(text) if is_external(r.url)]
    if "<" in text:
        found += [
            r.url for r in scan_html_parser(text).refs if r.kind == LOAD and is_external(r.url)
        ]
    return found


# Option keys whose string is a link a reader follows (ECharts opens it on click): navigation,
# not a load; the chart validator allows only relative and http(s) links there.
LINK_OPTION_KEYS = frozenset({"link", "sublink"})


def is_internal(url: str) -> bool:
    """A relative reference into the site (what the link check resolves)."""
    return not _SCHEME_RE.match(url) and not url.strip().startswith("//")


# --- CSS ----------------------------------------------------------------------------------------

_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL_RE = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s"']*))\s*\)"""
    r"""|@import\s+(?:"([^"]*)"|'([^']*)')""",
    re.I,
)


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def _line_col(text: str, offset: int, line0: int = 1, col0: int = 1) -> tuple[int, int]:
    before = text[:offset]
    nl = before.count("\n")
    if nl == 0:
        return line0, col0 + offset
    return line0 + nl, offset - before.rfind("\n")


def scan_css(text: str, line0: int = 1, col0: int = 1, what: str = "CSS") -> list[Ref]:
    """``url()`` and ``@import`` references; all of them load."""
    clean = _CSS_COMMENT_RE.sub(_blank, text)
    out = []
    for m in _CSS_URL_RE.finditer(clean):
        url = next(g for g in m.groups() if g is not None)
        kind = "@import" if m.group(0)[0] == "@" else "url()"
        line, col = _line_col(clean, m.start(), line0, col0)
        out.append(Ref(LOAD, url.strip(), line, col, f"{what} {kind}"))
    return out


# --- scripts ------------------------------------------------------------------------------------

# A quoted URL that reaches another host, then what stands before it: only a loading call
# makes it a load (a two-step search: the first regex is cheap on a megabyte of minified code).
_JS_URL_RE = re.compile(r"""["'`]((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^"'`\s]+)""")
_JS_LOADER_RE = re.compile(
    r"(?:\bimport\s*\(?|\bfrom|\bimportScripts\s*\(|\bfetch\s*\("
    r"|\bnew\s+(?:WebSocket|EventSource|Worker|SharedWorker)\s*\(|\bsendBeacon\s*\("
    r"|\.src\s*=|\bsetAttribute\s*\(\s*[\"'](?:src|href)[\"']\s*,"
    r"|\.open\s*\(\s*[\"'][A-Za-z]+[\"']\s*,|\burl\()\s*$"
)


def scan_js(text: str, line0: int = 1, col0: int = 1, what: str = "script") -> list[Ref]:
    """External URLs in a script's loading calls. Other strings are data (XML namespaces,
    licence links in comments, search text) and are left alone."""
    out = []
    for m in _JS_URL_RE.finditer(text):
        url = m.group(1)
        if is_external(url) and _JS_LOADER_RE.search(text, max(0, m.start() - 80), m.start()):
            line, col = _line_col(text, m.start(1), line0, col0)
            out.append(Ref(LOAD, url, line, col, what))
    return out


def _json_urls(value: Any, label: bool = False) -> Iterable[str]:
    """What the strings of chart options load from outside the site (every string is checked;
    links a reader clicks are not loads; a label's text is no URL)."""
    if isinstance(value, str):
        yield from string_loads(value, as_url=not label)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in LINK_OPTION_KEYS:
                yield from _json_urls(v, k in LABEL_OPTION_KEYS)
    elif isinstance(value, list):
        for v in value:
            yield from _json_urls(v, label)


# --- HTML ---------------------------------------------------------------------------------------


class _HtmlScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[Ref] = []
        self.ids: set[str] = set()
        self.has_base = False
        self._raw: tuple[str, str, int, int] | None = None  # (tag, type, line, col) of <script>

    def _add(self, kind: str, url: str | None, what: str) -> None:
        if url is None:
            return
        line, off = self.getpos()
        self.refs.append(Ref(kind, url.strip(), line, off + 1, what))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            kind = next((v or "" for k, v in attrs if k == "type"), "").lower()
            line, off = self.getpos()
            self._raw = (tag, kind, line, off + 1)
        for name, value in attrs:
            if name not in _INTERESTING:
                continue
            value = value or ""
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in URL_ATTRS_LOAD:
                self._add(LOAD, value, f"<{tag} {name}>")
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self._add(LOAD, candidate.split()[0], f"<{tag} {name}>")
            elif name in ("href", "xlink:href"):
                if tag == "link":
                    rel = next((v or "" for k, v in attrs if k == "rel"), "")
                    rels = set(rel.lower().split())
                    kind = LINK if rels and rels <= NAV_RELS else LOAD
                    self._add(kind, value, f'<link rel="{rel}">')
                elif tag in HREF_LOADS:
                    self._add(LOAD, value, f"<{tag} {name}>")
                    self.has_base = self.has_base or tag == "base"
                else:
                    self._add(LINK, value, f"<{tag} {name}>")
            elif name in ("action", "formaction"):
                self._add(LINK, value, f"<{tag} {name}>")
            elif name == "ping":
                for url in value.split():
                    self._add(LOAD, url, f"<{tag} ping>")
            elif name == "content" and tag == "meta":
                equiv = next((v or "" for k, v in attrs if k == "http-equiv"), "")
                m = re.search(r"url\s*=\s*['\"]?([^'\"\s;]+)", value, re.I)
                if m and equiv.lower() == "refresh":
                    self._add(LOAD, m.group(1), '<meta http-equiv="refresh">')
            elif name == "style":
                line, off = self.getpos()
                self.refs += scan_css(value, line, off + 1, f"<{tag} style>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._raw = None

    def handle_endtag(self, tag: str) -> None:
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is None:
            return
        tag, kind = self._raw[:2]
        line, off = self.getpos()
        if tag == "style":
            self.refs += scan_css(data, line, off + 1, "<style>")
        elif kind == "application/json":
            try:
                value = json.loads(data)
            except ValueError:
                return
            for url in _json_urls(value):
                self.refs.append(Ref(LOAD, url, line, off + 1, "chart options"))
        elif kind in ("", "module", "text/javascript", "application/javascript"):
            self.refs += scan_js(data, line, off + 1, "<script>")


def scan_html_parser(text: str) -> Scan:
    """The reference scanner: Python's HTML parser, tag by tag (slow on a large site)."""
    p = _HtmlScanner()
    p.feed(text)
    p.close()
    return Scan(tuple(p.refs), frozenset(p.ids), p.has_base)


# The fast scanner looks only at start tags with attributes, and in them only at the
# attributes that matter; and at the raw text of scripts and styles (comments are skipped).
# (?=[a-z]): under re.I it matches exactly the characters any name's first letter may match
# (ASCII letters, İ ı ſ K), so it changes no match; it only fails fast after most blanks.
# A quoted value is consumed whole (the first two alternatives), so that text inside another
# attribute's value (aria-label="… &lt;img src=x&gt; …") is never read as an attribute.
_ATTR_RE = re.compile(
    r""""[^"]*"|'[^']*'"""
    r"""|(?<=[\s"'])(?=[a-z])(id|name|src|href|xlink:href|srcset|imagesrcset|poster|data|codebase"""
    r"""|background|manifest|lowsrc|action|formaction|ping|content|style|rel|http-equiv|type)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
    re.I,
)
# Attributes that refer to nothing themselves; _attribute_ref reads them (of <link> and
# <meta> only) beside the attribute that does.
_CONTEXT_ONLY = frozenset({"rel", "http-equiv", "type"})


class _Lines:
    """Line and column of increasing offsets in one text, counting newlines once: linear in
    the text for offsets in order (a sitemap has tens of thousands of entries)."""

    def __init__(self, text: str) -> None:
        self.text, self.at, self.line, self.line_start = text, 0, 1, 0

    def __call__(self, offset: int) -> tuple[int, int]:
        text = self.text
        if offset < self.at:
            self.line -= text.count("\n", offset, self.at)
            self.line_start = text.rfind("\n", 0, offset) + 1
        else:
            newlines = text.count("\n", self.at, offset)
            if newlines:
                self.line += newlines
                self.line_start = text.rfind("\n", self.at, offset) + 1
        self.at = offset
        return self.line, offset - self.line_start + 1


# One pass over the page, left to right: a comment, a script or style element (its start tag's
# attributes and its raw text), or a start tag with attributes (quoted values may hold ">").
_VALUES = r"""(?:[^>"']+|"[^"]*"|'[^']*')*"""
_SCAN_RE = re.compile(
    r"<!--.*?-->"
    rf"|<(script|style)\b({_VALUES})>(.*?)</\1\s*>"
    rf"|<([a-zA-Z][a-zA-Z0-9:-]*)(\s{_VALUES})>",
    re.S | re.I,
)


def scan_html(text: str) -> Scan:
    refs: list[Ref] = []
    ids: set[str] = set()
    has_base = False
    lines = _Lines(text)
    find_attrs = _ATTR_RE.findall
    for m in _SCAN_RE.finditer(text):
        last = m.lastindex
        if last is None:
            continue  # a comment
        tag, attrs_text = m.group(4, 5) if last == 5 else m.group(1, 2)
        found = [a for a in find_attrs(attrs_text) if a[0]]
        if not found and last == 5:
            continue  # most tags: only attributes that refer to nothing
        tag = tag.lower()
        context: dict[str, str] = {}
        if tag in ("link", "meta"):
            context = {a[0].lower(): _found_value(a) for a in found}
        at = None
        for a in found:
            name = a[0].lower()
            if name in _CONTEXT_ONLY:
                continue  # read from the tag's attributes where another attribute needs it
            value = _found_value(a)
            if name == "id" or (name == "name" and tag == "a"):
                ids.add(value)
                continue
            if at is None:
                at = lines(m.start())
            line, col = at
            for kind, url, what in _attribute_ref(tag, name, value, context):
                refs.append(Ref(kind, url.strip(), line, col, what))
            if name == "style":
                refs += scan_css(value, line, col, f"<{tag} style>")
            has_base = has_base or (tag == "base" and name == "href")
        if last == 5:
            continue
        kind = (_attr(attrs_text, "type") or "").lower()
        line, col = lines(m.start(3))
        body = m.group(3)
        if tag == "style":
            refs += scan_css(body, line, col, "<style>")
        elif kind == "application/json":
            if _MAYBE_URL_RE.search(body):
                try:
                    value = json.loads(body)
                except ValueError:
                    continue
                refs += [Ref(LOAD, url, line, col, "chart options") for url in _json_urls(value)]
        elif kind in ("", "module", "text/javascript", "application/javascript"):
            refs += scan_js(body, line, col, "<script>")
    return Scan(tuple(sorted(refs, key=lambda x: (x.line, x.col))), frozenset(ids), has_base)


def _found_value(found: tuple[str, str, str, str]) -> str:
    """An attribute's value from ``_ATTR_RE.findall`` (the one quoting that matched)."""
    value = found[1] or found[2] or found[3]
    return html_lib.unescape(value) if "&" in value else value


_MAYBE_URL_RE = re.compile(r"\"\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|\\/\\/)|url\s*\(|@import|<", re.I)


def _value(m: re.Match[str]) -> str:
    value = (
        m.group(2)
        if m.group(2) is not None
        else m.group(3)
        if m.group(3) is not None
        else m.group(4)
    )
    return html_lib.unescape(value) if "&" in value else value


def _attr(tag_text: str, name: str) -> str | None:
    for a in _ATTR_RE.finditer(tag_text):
        if a.group(1) and a.group(1).lower() == name:
            return _value(a)
    return None


def _attribute_ref(
    tag: str, name: str, value: str, attrs: dict[str, str]
) -> list[tuple[str, str, str]]:
    """What one attribute of a start tag refers to: (LOAD or LINK, url, where)."""
    if name in URL_ATTRS_LOAD:
        return [(LOAD, value, f"<{tag} {name}>")]
    if name in ("srcset", "imagesrcset"):
        return [(LOAD, c.split()[0], f"<{tag} {name}>") for c in value.split(",") if c.strip()]
    if name in ("href", "xlink:href"):
        if tag == "link":
            rel = attrs.get("rel", "")
            rels = set(rel.lower().split())
            return [(LINK if rels and rels <= NAV_RELS else LOAD, value, f'<link rel="{rel}">')]
        if tag in HREF_LOADS:
            return [(LOAD, value, f"<{tag} {name}>")]
        return [(LINK, value, f"<{tag} {name}>")]
    if name in ("action", "formaction"):
        return [(LINK, value, f"<{tag} {name}>")]
    if name == "ping":
        return [(LOAD, url, f"<{tag} ping>") for url in value.split()]
    if name == "content" and tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
        m = re.search(r"url\s*=\s*['\"]?([^'\"\s;]+)", value, re.I)
        if m:
            return [(LOAD, m.group(1), '<meta http-equiv="refresh">')]
    return []


_XML_LOC_RE = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>|\shref=\"([^\"]*)\"")


def scan_xml(text: str) -> Scan:
    """Sitemap and feed entries: links only (these files are read by programs, not browsers)."""
    out = []
    lines = _Lines(text)
    for m in _XML_LOC_RE.finditer(text):
        url = (m.group(1) or m.group(2) or "").replace("&amp;", "&")
        line, col = lines(m.start())
        out.append(Ref(LINK, url, line, col, "sitemap <loc>" if m.group(1) else "feed <link>"))
    return Scan(tuple(out))


# The scans of the files the last check saw, by path and content: ``serve`` re-checks every
# file on each rebuild, and most of them have not changed. Holding one check's scans costs no
# more than the check itself holds while it runs (a fixed cap smaller than the site, as before,
# emptied the memo on every rebuild of a large site).
_SCANS: dict[tuple[str, bytes], Scan] = {}


def scan_file(path: str, data: bytes) -> Scan:
    """What one output file refers to (memoized with the last check's files)."""
    key = (path, content_digest(data))
    scan = _SCANS.get(key)
    if scan is None:
        scan = _SCANS[key] = _scan_file(path, data)
    return scan


Packed = tuple[bytes, tuple[tuple[str, str, int, int, str], ...], tuple[str, ...], bool]
"""A scan with its file's digest as plain tuples: what a render worker sends back (pickling
the dataclasses cost several times more than the tuples)."""


def content_digest(data: bytes) -> bytes:
    """What the scans are kept by, beside a file's path (the build state records the same
    digest of every output file, in hex)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def prescan(path: str, data: bytes) -> Packed:
    """A file's scan where it is rendered (in a worker); ``remember`` takes it in."""
    scan = _scan_file(path, data)
    refs = tuple(scan.entries())
    return content_digest(data), refs, tuple(sorted(scan.ids)), scan.has_base


def remember(path: str, packed: Packed) -> None:
    """Keep a worker's scan for the next check (which finds it by the file's digest)."""
    digest, refs, ids, has_base = packed
    # (Unpickled strings are new objects each time: the scan shares the repeated URLs.)
    _SCANS[(path, digest)] = Scan.of(refs, frozenset(ids), has_base)


def export_scans() -> dict[str, Any]:
    """The scans of the files the last check saw, as JSON data, for a build in another process
    (``import_scans``): a CLI rebuild then scans only the files that changed. Strings are
    numbered once (every page repeats the navigation's links)."""
    strings: dict[str, int] = {}
    number = strings.setdefault
    files = []
    for (path, digest), scan in sorted(_SCANS.items()):
        refs: list[int] = []
        for kind, url, line, col, what in scan.entries():
            refs += (number(kind, len(strings)), number(url, len(strings)), line, col)
            refs.append(number(what, len(strings)))
        ids = [number(i, len(strings)) for i in sorted(scan.ids)]
        files.append([path, digest.hex(), refs, ids, scan.has_base])
    return {"strings": list(strings), "files": files}


def import_scans(data: Any, paths: Collection[str]) -> int:
    """Take in the ``export_scans`` data of ``paths`` (each scan is used only for a file with
    the same path and bytes); returns how many. Data of any other shape is ignored."""
    try:
        strings = data["strings"]
        found: dict[tuple[str, bytes], Scan] = {}
        for path, digest, refs, ids, has_base in data["files"]:
            if path not in paths:
                continue
            kept = (
                (strings[k], strings[u], line, col, strings[w])
                for k, u, line, col, w in zip(*[iter(refs)] * 5, strict=True)
            )
            key = (str(path), bytes.fromhex(digest))
            found[key] = Scan.of(kept, frozenset(strings[i] for i in ids), bool(has_base))
    except (KeyError, IndexError, TypeError, ValueError):
        return 0
    _SCANS.update(found)
    return len(found)


@dataclass(frozen=True, slots=True)
class Unread:
    """A file the gates know by its ``content_digest``, read only if no scan of it is kept."""

    digest: bytes
    read: Callable[[], bytes]


def _scan_all(files: Iterable[tuple[str, bytes | Unread]]) -> dict[str, Scan]:
    """Every file's scan; afterwards the memo holds exactly these files' scans."""
    seen: dict[tuple[str, bytes], Scan] = {}
    scans: dict[str, Scan] = {}
    for path, data in files:
        key = (path, data.digest if isinstance(data, Unread) else content_digest(data))
        scan = seen.get(key) or _SCANS.get(key)
        if scan is None:
            scan = _scan_file(path, data.read() if isinstance(data, Unread) else data)
        seen[key] = scans[path] = scan
    _SCANS.clear()
    _SCANS.update(seen)
    return scans


def _scan_file(path: str, data: bytes) -> Scan:
    ext = posixpath.splitext(path)[1].lower()
    if ext not in (".html", ".htm", ".svg", ".css", ".js", ".mjs", ".xml"):
        return Scan()
    text = data.decode("utf-8", errors="replace")
    if ext in (".html", ".htm", ".svg"):
        return scan_html(text)
    if ext == ".css":
        return Scan(tuple(scan_css(text)))
    if ext == ".xml":
        return scan_xml(text)
    return Scan(tuple(scan_js(text)))


# --- the gates ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where in the sources a finding in a generated page is to be fixed (origins.py)."""

    path: str
    line: int
    col: int
    # Written by a template: the same finding stands on every page made from it, and is said
    # once, with how many pages show it.
    template: bool = False
    exact: bool = True  # False: only the file is known (line 1)


Locate = Callable[[str, Ref, "tuple[str, int] | None"], "Place | None"]
BodyLinks = Mapping[str, Mapping[str, tuple[tuple[str, int], ...]]]
"""Output page -> the Markdown sources whose body it may show -> their (link, line)s."""
"""(page, reference, the Markdown source and line its link matched, if any) -> its source."""


@dataclass(slots=True)
class Output:
    """The whole output as the gates see it."""

    scans: dict[str, Scan]
    label: str = "output"  # how messages name the output folder
    base_url: str | None = None
    # output page -> the Markdown sources whose body it may show, with their links
    body_links: Mapping[str, Mapping[str, tuple[tuple[str, int], ...]]] = field(
        default_factory=dict
    )
    normalize: Callable[[str], str] = str  # Chinese text to one script
    # output file -> the source file it is a copy of (an asset), as messages name it: the file
    # to fix, at the same line and column
    sources: Mapping[str, str] = field(default_factory=dict)
    locate: Locate | None = None  # the source of a finding in a generated page
    # the findings placed in a source, with the page each was found on
    placed: list[tuple[Diagnostic, str, Place]] = field(default_factory=list)

    def where(self, path: str) -> str:
        if path in self.sources:
            return self.sources[path]
        return f"{self.label}/{path}" if self.label else path


def _source_of(out: Output, page: str, url: str) -> tuple[str, int] | None:
    """The Markdown file and line a page's reference comes from, if a body holds it (in a
    converted page, a link's fragment is in the page's script: compare in one script)."""
    wanted = out.normalize(url)
    for source, links in sorted(out.body_links.get(page, {}).items()):
        for href, line in links:
            if href == url or out.normalize(href) == wanted:
                return source, line
    return None


def _diag(out: Output, page: str, ref: Ref, message: str, hint: str, code: str) -> Diagnostic:
    place = None
    if page not in out.sources:  # a copied asset is its own source, at the same place
        src = _source_of(out, page, ref.url)
        if out.locate is not None:
            place = out.locate(page, ref, src)
        elif src is not None:
            place = Place(src[0], src[1], 1)
    if place is None:
        return Diagnostic(out.where(page), ref.line, ref.col, message, hint, Severity.ERROR, code)
    # One message for the same link in every language tree: in the source's terms.
    message, hint = out.normalize(message), out.normalize(hint)
    found = Diagnostic(place.path, place.line, place.col, message, hint, Severity.ERROR, code)
    out.placed.append((found, page, place))
    return found


def _nearest_root(found: tuple[Diagnostic, str, Place]) -> tuple[int, bool, str]:
    """The page nearest the tree's root, a folder's index.html first (not the 404 page)."""
    page = found[1]
    return page.count("/"), not page.endswith("index.html"), page


def _once_per_place(out: Output, diags: list[Diagnostic]) -> list[Diagnostic]:
    """A finding placed in a source is said once, not once per page that shows it (each
    language tree; every page of a template): as found on the page nearest the tree's root
    (its hint, e.g. 'did you mean', is in that page's terms), with the number of pages for a
    template's."""
    groups: dict[tuple[object, ...], list[tuple[Diagnostic, str, Place]]] = {}
    for found, page, place in out.placed:
        key = (place.path, place.line, place.col, found.code, place.exact or found.message)
        groups.setdefault(key, []).append((found, page, place))
    said: dict[Diagnostic, Diagnostic] = {}  # each placed finding -> what is said for it
    for group in groups.values():
        first, page, place = min(group, key=_nearest_root)
        pages = {p for _, p, _ in group}
        if place.template and len(pages) > 1:
            more = f"on {len(pages)} pages, e.g. {page}"
            first = dataclasses.replace(first, hint=f"{first.hint}; {more}" if first.hint else more)
        said.update((found, first) for found, _, _ in group)
    kept: list[Diagnostic] = []
    seen: set[Diagnostic] = set()
    for d in diags:
        d = said.get(d, d)
        if d not in seen:
            seen.add(d)
            kept.append(d)
    return kept


def check_offline(out: Output) -> list[Diagnostic]:
    diags = []
    for page, scan in sorted(out.scans.items()):
        for entry in scan.entries():
            if entry[0] != LOAD or not is_external(entry[1]):
                continue
            ref = Ref(*entry)
            own = bool(out.base_url) and ref.url.startswith(out.base_url or "")
            hint = (
                _(
                    "the site's own base_url is absolute: refer to the file relatively so the site also works opened from disk"
                )
                if own
                else _(
                    "the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path"
                )
            )
            host = urlsplit(ref.url.strip()).netloc
            what, short = ref.what, _short(ref.url)
            if own:
                message = _("{what} loads '{url}' by the site's own absolute URL")
            elif host:
                message = _("{what} loads '{url}' from another host ({host})")
            else:
                message = _("{what} loads '{url}' from outside the site")
            message = message.format(what=what, url=short, host=host)
            diags.append(_diag(out, page, ref, message, hint, "offline"))
    return diags


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


# A relative reference urlsplit and unquote would return unchanged, in parts: no spaces or
# control characters (urlsplit drops some), no escapes, no scheme (callers checked).
_PLAIN_REF_RE = re.compile(r"[^\x00-\x20%\x7f]*")


def _resolve(page: str, url: str, page_dir: str | None = None) -> tuple[str, str]:
    """(output path, fragment) a relative reference from ``page`` leads to (``page_dir``: its
    folder, if the caller has it)."""
    url = url.strip()
    if _PLAIN_REF_RE.fullmatch(url):
        raw_path, _sep, frag = url.partition("#")
        path = raw_path = raw_path.partition("?")[0]
    else:
        parts = urlsplit(url)
        raw_path, path, frag = parts.path, unquote(parts.path), unquote(parts.fragment)
    if not raw_path:
        return page, frag
    if page_dir is None:
        page_dir = posixpath.dirname(page)
    target = posixpath.normpath(posixpath.join(page_dir, path))
    if raw_path.endswith("/") or target == ".":
        target = posixpath.join(target, "index.html") if target != "." else "index.html"
    return target, frag


def _relative(page: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _is_page(path: str) -> bool:
    return path.endswith((".html", ".htm"))


@dataclass(slots=True)
class LinkMemo:
    """The pages whose links the last check of one output found sound, with what that depends
    on: the page's scan, and the files its links lead to (that they exist, and their ids). A
    check in the same process (``serve``) re-checks only the pages that changed or lead to a
    file that changed; every other page's links would resolve as before, to the same files."""

    base_url: str | None = None
    ids: dict[str, frozenset[str]] = field(default_factory=dict)  # every file -> its ids
    sound: dict[str, tuple[Scan, tuple[str, ...]]] = field(default_factory=dict)
    checked: int = 0  # pages whose links the last check resolved (for tests)

    def changed(self, out: Output) -> set[str]:
        """The files that appeared or disappeared since the last check, and "#" + each file
        whose ids changed (what a link with a fragment depends on)."""
        now = {p: s.ids for p, s in out.scans.items()}
        before, self.ids = self.ids, now
        if self.base_url != out.base_url:
            self.base_url, self.sound = out.base_url, {}
        found = set(now.keys() ^ before.keys())
        for path, ids in now.items():
            old = before.get(path)
            if old is not None and old is not ids and old != ids:
                found.add("#" + path)
        return found


def check_links(out: Output, memo: LinkMemo | None = None) -> list[Diagnostic]:
    """The links of every page: each leads to a file of the site, and its fragment to an id
    there. With ``memo``, pages found sound last time, unchanged and leading to no changed file,
    are not resolved again."""
    diags: list[Diagnostic] = []
    memo = memo if memo is not None else LinkMemo()
    changed = memo.changed(out)
    pages: list[str] = []  # every page, sorted, for suggestions (made when first needed)
    nearest: dict[str, str | None] = {}  # missing target -> the page most like it, if any
    sound: dict[str, tuple[Scan, tuple[str, ...]]] = {}
    memo.checked = 0
    for page, scan in sorted(out.scans.items()):
        last = memo.sound.get(page)
        if last is not None and last[0] is scan and not changed.intersection(last[1]):
            sound[page] = last
            continue
        memo.checked += 1
        found: list[Diagnostic] = []
        targets: set[str] = set()
        _page_links(out, page, scan, pages, nearest, found, targets)
        if found:
            diags += found
        else:
            sound[page] = (scan, tuple(sys.intern(t) for t in targets))
    memo.sound = sound
    return diags


def _page_links(
    out: Output,
    page: str,
    scan: Scan,
    pages: list[str],
    nearest: dict[str, str | None],
    diags: list[Diagnostic],
    targets: set[str],
) -> None:
    """The findings of one page's links, into ``diags``; into ``targets``, the files they lead
    to (or would lead to, for a folder) and "#" + each file whose ids they need."""
    base = out.base_url
    page_dir = posixpath.dirname(page)
    for entry in scan.entries():
        url = entry[1]
        if entry[4].startswith("<base"):
            # The 404 page's <base> names its tree's root by absolute path, so that the
            # page works at any depth; its links are checked from where the file sits.
            continue
        if page.endswith(".xml") and base and url.startswith(base):
            url = url[len(base) :] or "index.html"
            if url.endswith("/"):
                url += "index.html"
            origin = ""  # the sitemap's own folder is not the base for absolute entries
            target, frag = posixpath.normpath(unquote(url.split("#")[0])), ""
        elif not url or not is_internal(url):
            continue
        elif url.startswith("/"):
            diags.append(
                _diag(
                    out,
                    page,
                    Ref(*entry),
                    _(
                        "link '{short}' starts with '/': it breaks when the site is served under a sub-path or opened from disk"
                    ).format(short=_short(url)),
                    _("write it relative to the page, e.g. '../../pages/about/index.html'"),
                    "link",
                )
            )
            continue
        else:
            origin = page
            target, frag = _resolve(page, url, page_dir)
        if target.startswith("../") or target == "..":
            diags.append(
                _diag(
                    out,
                    page,
                    Ref(*entry),
                    _("link '{short}' leads outside the site").format(short=_short(url)),
                    _("links are relative to the page's own address"),
                    "link",
                )
            )
            continue
        targets.add(target)
        if target not in out.scans:
            folder = posixpath.join(target, "index.html")
            targets.add(folder)
            if folder in out.scans:
                target = folder
        if target not in out.scans:
            # one guess per missing file: a broken template link fails on every page
            if target not in nearest:
                if not pages:
                    pages += sorted(p for p in out.scans if _is_page(p))
                nearest[target] = closest(target, pages)
            suggestion = nearest[target]
            if not origin:
                near = _("the sitemap or feed lists a page that was not built")
            elif suggestion is not None:
                near = _("did you mean '{name}'?").format(name=_relative(origin, suggestion))
            else:
                near = _("links are relative to the page's own address, e.g. ../about/index.html")
            diags.append(
                _diag(
                    out,
                    page,
                    Ref(*entry),
                    _("link '{short}' leads to no file of the site").format(short=_short(url)),
                    near,
                    "link",
                )
            )
            continue
        if not frag or frag in FOLLOWED or not _is_page(target):
            continue
        targets.add("#" + target)
        ids = out.scans[target].ids
        if frag in ids:
            continue
        on = _("this page") if target == page else f"'{_short(url.split('#')[0])}'"
        diags.append(
            _diag(
                out,
                page,
                Ref(*entry),
                _("link '{short}' leads to no anchor '#{frag}' on {on}").format(
                    short=_short(url), frag=frag, on=on
                ),
                did_you_mean(frag, ids) if ids else _("the page has no anchors"),
                "link",
            )
        )


def check_output(
    files: Iterable[tuple[str, bytes | Unread]],
    *,
    label: str = "output",
    base_url: str | None = None,
    body_links: Mapping[str, Mapping[str, tuple[tuple[str, int], ...]]] | None = None,
    normalize: Callable[[str], str] = str,
    sources: Mapping[str, str] | None = None,
    locate: Locate | None = None,
    links: LinkMemo | None = None,
) -> list[Diagnostic]:
    """Both gates over every output file (``links``: what the last check of the same output
    in this process found, see ``check_links``)."""
    out = Output(
        _scan_all(files),
        label,
        base_url,
        body_links or {},
        normalize,
        sources or {},
        locate,
    )
    return _once_per_place(out, check_offline(out) + check_links(out, links))


ItemPage = Callable[[Urls, str, "Report | Page"], str]
"""(urls, lang, report or page) -> its output page, as its page kind declares it (kinds.py)."""


def body_links(
    site: Site, bodies: Mapping[str, RenderedMarkdown], page_of: ItemPage
) -> dict[str, dict[str, tuple[tuple[str, int], ...]]]:
    """Output page -> {Markdown source -> its links}: every body a page of any language may
    show (the English tree shows the Chinese original where there is no translation).
    ``page_of``: where a report's or page's page is, as its page kind declares it."""
    urls = Urls(site.config.languages, site.config.default_language)
    langs = site.config.languages
    out: dict[str, dict[str, tuple[tuple[str, int], ...]]] = {}
    items: list[tuple[list[str], Report | Page]] = []
    items += [([page_of(urls, g, r) for g in langs], r) for r in site.reports]
    items += [([page_of(urls, g, p) for g in langs], p) for p in site.pages]
    for paths, item in items:
        sources = [item.path] + ([item.translation.path] if item.translation else [])
        links = {s: bodies[s].links for s in sources if s in bodies}
        for path in paths:
            out[path] = links
    return out


def check_site(
    site: Site,
    bodies: Mapping[str, RenderedMarkdown],
    files: Iterable[tuple[str, bytes | Unread]],
    label: str = "output",
    normalize: Callable[[str], str] = str,
    sources: Mapping[str, str] | None = None,
    locate: Callable[[BodyLinks], Locate] | None = None,
    *,
    page_of: ItemPage,
    memo: LinkMemo | None = None,
) -> list[Diagnostic]:
    """The gates over a site's rendered files (the pipeline's entry point). ``normalize`` maps
    Chinese to the script of heading ids, to tie a converted page's links to their source;
    ``sources`` names the source of each output that is a copy of one (assets); ``locate``,
    given the pages' Markdown sources, places a finding in a generated page (origins.py);
    ``page_of`` finds a report's or page's page (``body_links``); ``memo``: the last check of
    this output in this process (``check_links``)."""
    links = body_links(site, bodies, page_of)
    return check_output(
        files,
        label=label,
        base_url=site.config.base_url,
        body_links=links,
        normalize=normalize,
        sources=sources,
        locate=locate(links) if locate is not None else None,
        links=memo,
    )
