"""Gate 4, cross-checked from outside: the built site served under ``/reports/`` is crawled
from its home page like a link checker would, following every link, stylesheet, script, image
and CSS ``url()``; every one answers 200, every ``#fragment`` names an id on its page, every
sitemap entry is reachable from the home page, and nothing refers to another host but links.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

from site_builder.gates import LOAD, is_external, scan_css, scan_html

MAX_FETCHES = 3000


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def test_crawl_the_served_site(site_server: str, built_site: Path) -> None:
    start = site_server + "index.html"
    queue = deque([(start, "(start)")])
    seen = {start}
    ids: dict[str, frozenset[str]] = {}
    fragments: list[tuple[str, str, str]] = []  # (page, fragment, found on)
    problems: list[str] = []
    fetched = 0
    while queue:
        url, found_on = queue.popleft()
        fetched += 1
        assert fetched <= MAX_FETCHES, "the crawl does not end"
        status, kind, body = fetch(url)
        if status != 200:
            problems.append(f"HTTP {status}: {url} (linked from {found_on})")
            continue
        text = body.decode("utf-8", errors="replace")
        if kind == "text/html":
            scan = scan_html(text)
            ids[url] = scan.ids
            base = next((r.url for r in scan.refs if r.what == "<base href>"), None)
            refs = [(r.kind, r.url) for r in scan.refs if r.what != "<base href>"]
            base_url = urllib.parse.urljoin(url, base) if base else url
        elif kind == "text/css":
            refs = [(r.kind, r.url) for r in scan_css(text)]
            base_url = url
        else:
            continue
        for ref_kind, ref in refs:
            if is_external(ref):
                if ref_kind == LOAD:
                    problems.append(f"load from another host: {ref} (in {url})")
                continue
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref):
                continue  # mailto:, data:, …
            target, _, fragment = urllib.parse.urljoin(base_url, ref).partition("#")
            if not target.startswith(site_server):
                problems.append(f"leaves the site: {ref} (in {url})")
                continue
            if fragment:
                fragments.append((target, urllib.parse.unquote(fragment), url))
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
    for target, fragment, found_on in fragments:
        if target in ids and fragment not in ids[target] and fragment != "top":
            problems.append(f"no #{fragment} on {target} (linked from {found_on})")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])

    pages = {u for u in ids if u.startswith(site_server)}
    assert len(pages) > 100, f"only {len(pages)} pages reached"
    # every page of every sitemap is reachable by following links from the home page
    unreached = []
    for sitemap in sorted(built_site.rglob("sitemap.xml")):
        for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8")):
            path = urllib.parse.urlsplit(loc).path.removeprefix("/reports/")
            url = site_server + (path + "index.html" if path.endswith("/") or not path else path)
            if url not in pages:
                unreached.append(url)
    assert not unreached, "in a sitemap but linked from nowhere:\n" + "\n".join(unreached)
