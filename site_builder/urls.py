"""Every output path, in one place: one function per page kind and language.

Paths are POSIX, relative to the output root, and always name a file (``…/index.html``) so that
links work from a web server's root, under a sub-path, and from ``file://`` alike.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Urls:
    languages: tuple[str, ...]
    default_language: str

    def prefix(self, lang: str) -> str:
        """The folder of a language tree: the default language sits at the root."""
        return "" if lang == self.default_language else lang.lower() + "/"

    def home(self, lang: str) -> str:
        return self.prefix(lang) + "index.html"

    def orgs_index(self, lang: str) -> str:
        return self.prefix(lang) + "orgs/index.html"

    def org(self, lang: str, key: str) -> str:
        return f"{self.prefix(lang)}orgs/{key}/index.html"

    def report(self, lang: str, org: str, year: int, slug: str) -> str:
        return f"{self.prefix(lang)}reports/{org}/{year}-{slug}/index.html"

    def year(self, lang: str, year: int) -> str:
        return f"{self.prefix(lang)}years/{year}/index.html"

    def year_page(self, lang: str, year: int, page: int) -> str:
        """Page 2, 3, … of a year's reports (page 1 is ``year``)."""
        return self.year(lang, year).removesuffix("index.html") + f"page/{page}/index.html"

    def tag_page(self, lang: str, slug: str, page: int) -> str:
        return self.tag(lang, slug).removesuffix("index.html") + f"page/{page}/index.html"

    def org_page(self, lang: str, key: str, page: int) -> str:
        """Page 2, 3, … of an organization's reports (page 1 is on the organization's page)."""
        return self.org(lang, key).removesuffix("index.html") + f"page/{page}/index.html"

    def orgs_index_page(self, lang: str, page: int) -> str:
        return self.orgs_index(lang).removesuffix("index.html") + f"page/{page}/index.html"

    def tag(self, lang: str, slug: str) -> str:
        return f"{self.prefix(lang)}tags/{slug}/index.html"

    def doc_type(self, lang: str, slug: str) -> str:
        """The reports of one document type (content/types.yaml)."""
        return f"{self.prefix(lang)}types/{slug}/index.html"

    def doc_type_page(self, lang: str, slug: str, page: int) -> str:
        return self.doc_type(lang, slug).removesuffix("index.html") + f"page/{page}/index.html"

    def tags_index(self, lang: str) -> str:
        return self.prefix(lang) + "tags/index.html"

    def years_index(self, lang: str) -> str:
        return self.prefix(lang) + "years/index.html"

    def page(self, lang: str, name: str) -> str:
        return f"{self.prefix(lang)}pages/{name}/index.html"

    def search(self, lang: str) -> str:
        return self.prefix(lang) + "search/index.html"

    def search_docs(self, lang: str) -> str:
        """A tree's search results list: titles, organizations, years, links."""
        return self.prefix(lang) + "search/docs.js"

    def search_text(self, lang: str, number: int) -> str:
        """One report's summary and body text in a tree, for search snippets."""
        return f"{self.prefix(lang)}search/text/{number}.js"

    @staticmethod
    def search_index(key: str) -> str:
        """A search index's header (``zh`` is shared by both Chinese trees)."""
        return f"assets/search/{key}/index.js"

    @staticmethod
    def search_shard(key: str, number: int) -> str:
        return f"assets/search/{key}/{number:02x}.js"

    @staticmethod
    def search_fold() -> str:
        return "assets/search/fold.js"

    def not_found(self, lang: str) -> str:
        return self.prefix(lang) + "404.html"

    def sitemap(self, lang: str) -> str:
        return self.prefix(lang) + "sitemap.xml"

    def feed(self, lang: str) -> str:
        return self.prefix(lang) + "feed.xml"

    @staticmethod
    def asset(name: str) -> str:
        return "assets/" + name


def relative(from_path: str, to_path: str) -> str:
    """The link from the page at ``from_path`` to ``to_path`` (both output-root relative)."""
    to_path, hash_, frag = to_path.partition("#")
    base = posixpath.dirname(from_path) or "."
    return _relpath(to_path, base) + hash_ + frag


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)`` for output paths, without its two ``abspath`` calls
    (a page has dozens of links); anything but plain segments goes to ``relpath`` itself."""
    path_parts = path.split("/")
    start_parts = [] if start == "." else start.split("/")
    if _ODD_SEGMENTS.intersection(path_parts) or _ODD_SEGMENTS.intersection(start_parts):
        return posixpath.relpath(path, start)
    i = 0
    for a, b in zip(start_parts, path_parts, strict=False):
        if a != b:
            break
        i += 1
    rel = [".."] * (len(start_parts) - i) + path_parts[i:]
    return "/".join(rel) if rel else "."


_ODD_SEGMENTS = frozenset({"", ".", ".."})


def absolute(base_url: str, path: str) -> str:
    """An absolute URL for sitemaps and feeds; ``index.html`` becomes the folder URL."""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return base_url + path
