"""Bounded listings: every list page shows at most a fixed number of items, so the work and the
output of a build grow linearly with the number of reports (a year or tag page that listed every
report would make the site quadratic). Pure.

Year, tag and organization report listings are split into pages of ``PAGE_SIZE`` reports (page 1
keeps its usual path; later pages are ``…/page/2/index.html``, see ``urls.py``); the organization
index is split into pages of ``ORG_PAGE_SIZE`` organizations in tree order, each page showing the
ancestors of its first organization for context. A site small enough for one page renders exactly
as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from site_builder.derive.aggregate import Derived
from site_builder.views import Link, OrgNode, PageContext, org_tree

PAGE_SIZE = 50
"""Reports per listing page (year, tag, an organization's reports)."""

ORG_PAGE_SIZE = 100
"""Organizations per page of the organization index, and at most on the home page."""

PAGER_WINDOW = 2
"""Page links shown on each side of the current page (plus the first and the last)."""


def page_count(items: int, size: int | None = None) -> int:
    size = size or PAGE_SIZE  # read at call time, so tests can shrink it
    return max(1, -(-items // size))


def page_slice(page: int, size: int | None = None) -> slice:
    size = size or PAGE_SIZE
    return slice((page - 1) * size, page * size)


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Pager:
    """A listing's page navigation: previous/next and a window of numbered pages."""

    current: int
    total: int
    previous: str | None  # href
    next: str | None
    links: tuple[PageLink | None, ...]  # None marks a gap (…)
    label: str  # e.g. "Page 2 of 7"


def pager(
    ctx: PageContext, current: int, total: int, path_of: Callable[[int], str]
) -> Pager | None:
    """The navigation of page ``current`` of ``total``; None when there is one page."""
    if total <= 1:
        return None
    shown = sorted(
        {1, total}
        | set(range(max(1, current - PAGER_WINDOW), min(total, current + PAGER_WINDOW) + 1))
    )
    links: list[PageLink | None] = []
    for i, n in enumerate(shown):
        if i and n != shown[i - 1] + 1:
            links.append(None)
        links.append(PageLink(n, ctx.href(path_of(n)), n == current))
    return Pager(
        current,
        total,
        ctx.href(path_of(current - 1)) if current > 1 else None,
        ctx.href(path_of(current + 1)) if current < total else None,
        tuple(links),
        ctx.t("page_of", n=current, total=total),
    )


def org_order(derived: Derived) -> list[str]:
    """Every organization in tree order (pre-order from the roots), as the index lists them."""
    out: list[str] = []
    seen: set[str] = set()

    def walk(key: str) -> None:
        if key in seen:  # a cycle is reported by validation; never loop on one
            return
        seen.add(key)
        out.append(key)
        for child in derived.orgs[key].children:
            walk(child)

    for root in derived.roots:
        walk(root)
    return out


def org_forest(ctx: PageContext, shown: Collection[str]) -> tuple[OrgNode, ...]:
    """The organization tree restricted to ``shown`` and their ancestors (for context)."""
    keep = set(shown)
    for key in shown:
        keep.update(ctx.derived.orgs[key].ancestors)

    return org_tree(ctx, keep)


def home_orgs(derived: Derived, limit: int | None = None) -> list[str] | None:
    """The organizations the home page lists when there are more than ``limit``: the top two
    levels of the tree, at most ``limit``. None: list them all."""
    limit = limit or ORG_PAGE_SIZE
    if len(derived.orgs) <= limit:
        return None
    top = [k for k in derived.roots]
    for root in derived.roots:
        top += derived.orgs[root].children
    return top[:limit]


def more_link(ctx: PageContext, text: str, href_path: str) -> Link:
    from markupsafe import escape

    return Link(escape(text), ctx.href(href_path))
