"""Every page kind, declared once: its URL, the view its template is given, the template, and
which pages of it a site has.

Rendering (``render.py``), the sitemap, the feed, the search index, the gates' map of report
and page bodies (through ``PageKind.page_of``), the incremental plan (``incremental.RenderPlan``)
and the browser tests' page list (``tests/browser/kinds.py``) read these declarations; nothing
else names a page kind. Adding one takes a declaration here (or in a caller's own tuple of kinds,
``BuildOptions.kinds``), a view function, a template, and its tests.

What a page depends on is not declared: it is recorded while its view reads the model
(``record.py``).

The order of ``KINDS`` is the order of the pages in every language tree and in the sitemap.
A kind with ``follows`` is a paginated listing's later pages (2, 3, …): they come right after
the page of the kind they follow, with its arguments and the page number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from site_builder import paginate
from site_builder.derive.aggregate import Derived
from site_builder.model import Page, Report, Site
from site_builder.pages import PageViews, View
from site_builder.urls import Urls
from site_builder.views import PageContext

if TYPE_CHECKING:
    from site_builder.render import Renderer

Args = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class PageKind:
    """One kind of page; the same pages exist in every language tree."""

    name: str
    url: Callable[..., str]
    """(urls, lang, *args) -> the page's output path (one of ``Urls``' methods, as a rule)."""
    view: Callable[..., View]
    """(renderer, page context, *args) -> what the template is given besides the frame."""
    template: str
    pages: Callable[[Site, Derived], Iterable[Args]] = lambda site, derived: [()]
    """The arguments of every page of the kind (one page without arguments by default)."""
    follows: str = ""
    """For later pages of a listing: the kind of its first page."""
    page_count: Callable[..., int] = lambda site, derived, *args: 1
    """For ``follows``: (site, derived, *the first page's args) -> how many pages the listing
    has, the first included (``paginate.page_count``)."""
    in_sitemap: bool = True
    lastmod: Callable[..., str] | None = None
    """(renderer, *args) -> the sitemap's ``lastmod`` date; None: no date."""
    frame_at_root: bool = False
    """With a ``base_url``, the page's links resolve against a ``<base>`` at the tree root
    (a 404 page is served at any depth)."""
    item: Callable[[Any], Args] | None = None
    """For a kind with a page per item of the model (a report, a page of content/pages/): the
    item's page arguments. Feeds, search and the gates find an item's page through it."""

    def page_of(self, urls: Urls, lang: str, item: Any) -> str:
        """The output path of ``item``'s page of this kind in ``lang``'s tree."""
        assert self.item is not None, f"page kind {self.name} has no page per item"
        return str(self.url(urls, lang, *self.item(item)))


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page of a language tree: its kind and arguments."""

    kind: PageKind
    args: Args = ()

    @property
    def in_sitemap(self) -> bool:
        return self.kind.in_sitemap

    def path(self, urls: Urls, lang: str) -> str:
        return self.kind.url(urls, lang, *self.args)

    def view(self, renderer: Renderer, ctx: PageContext) -> View:
        return self.kind.view(renderer, ctx, *self.args)


def plan_pages(site: Site, derived: Derived, kinds: Sequence[PageKind]) -> list[PageSpec]:
    """Every HTML page of one language tree, in the order of ``kinds``; the same list serves
    every language."""
    later = {k.follows: k for k in kinds if k.follows}
    specs: list[PageSpec] = []
    for kind in kinds:
        if kind.follows:
            continue
        more = later.get(kind.name)
        for args in kind.pages(site, derived):
            specs.append(PageSpec(kind, args))
            if more is not None:
                n = more.page_count(site, derived, *args)
                specs += [PageSpec(more, (*args, page)) for page in range(2, n + 1)]
    return specs


def named(name: str, kinds: Sequence[PageKind] | None = None) -> PageKind:
    """The kind called ``name`` (of ``KINDS`` by default)."""
    return next(k for k in (KINDS if kinds is None else kinds) if k.name == name)


def _report_date(r: Renderer, org: str, year: int, slug: str) -> str:
    return r.reports[(org, year, slug)].dated.lastmod


def _report_args(report: Report) -> Args:
    return (report.org, report.year, report.slug)


def _page_args(page: Page) -> Args:
    return (page.name,)


KINDS: tuple[PageKind, ...] = (
    PageKind("home", Urls.home, PageViews._home, "home.html"),
    PageKind("orgs_index", Urls.orgs_index, PageViews._orgs_index, "orgs.html"),
    PageKind(
        "orgs_index_page",
        Urls.orgs_index_page,
        PageViews._orgs_index,
        "orgs.html",
        follows="orgs_index",
        page_count=lambda site, derived: paginate.page_count(
            len(paginate.org_order(derived)), paginate.ORG_PAGE_SIZE
        ),
    ),
    PageKind(
        "org",
        Urls.org,
        PageViews._org,
        "org.html",
        pages=lambda site, derived: [(k,) for k in site.orgs],
    ),
    PageKind(
        "org_page",
        Urls.org_page,
        PageViews._org_page,
        "list.html",
        follows="org",
        page_count=lambda site, derived, key: paginate.page_count(len(derived.orgs[key].reports)),
    ),
    PageKind(
        "report",
        Urls.report,
        PageViews._report,
        "report.html",
        pages=lambda site, derived: [_report_args(r) for r in site.reports],
        lastmod=_report_date,
        item=_report_args,
    ),
    PageKind(
        "years_index",
        Urls.years_index,
        PageViews._years_index,
        "list.html",
    ),
    PageKind(
        "year",
        Urls.year,
        PageViews._year,
        "list.html",
        pages=lambda site, derived: [(y,) for y in sorted(derived.reports_by_year)],
    ),
    PageKind(
        "year_page",
        Urls.year_page,
        PageViews._year,
        "list.html",
        follows="year",
        page_count=lambda site, derived, year: paginate.page_count(
            len(derived.reports_by_year[year])
        ),
    ),
    PageKind(
        "doc_type",
        Urls.doc_type,
        PageViews._doc_type,
        "list.html",
        pages=lambda site, derived: [(t,) for t in sorted(derived.reports_by_type)],
    ),
    PageKind(
        "doc_type_page",
        Urls.doc_type_page,
        PageViews._doc_type,
        "list.html",
        follows="doc_type",
        page_count=lambda site, derived, slug: paginate.page_count(
            len(derived.reports_by_type[slug])
        ),
    ),
    PageKind("tags_index", Urls.tags_index, PageViews._tags_index, "list.html"),
    PageKind(
        "tag",
        Urls.tag,
        PageViews._tag,
        "list.html",
        pages=lambda site, derived: [(s,) for s in sorted(derived.reports_by_tag)],
    ),
    PageKind(
        "tag_page",
        Urls.tag_page,
        PageViews._tag,
        "list.html",
        follows="tag",
        page_count=lambda site, derived, slug: paginate.page_count(
            len(derived.reports_by_tag[slug])
        ),
    ),
    PageKind(
        "page",
        Urls.page,
        PageViews._page,
        "page.html",
        pages=lambda site, derived: [_page_args(p) for p in site.pages],
        item=_page_args,
    ),
    PageKind("search", Urls.search, PageViews._search, "search.html"),
    PageKind(
        "not_found",
        Urls.not_found,
        PageViews._not_found,
        "404.html",
        in_sitemap=False,
        frame_at_root=True,
    ),
)
"""The site's page kinds, in page order."""
