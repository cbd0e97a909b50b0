"""PDFs of the reports: one per report and language, and a yearly compendium per organization
(cover, contents, all its reports of that year), printed from the site's own pages.

Engine: headless Chromium (Debian's /usr/bin/chromium) through Playwright. Chosen over
WeasyPrint because the charts are drawn by ECharts in the browser: WeasyPrint runs no script,
so every chart would print as an empty box; Chromium prints the same canvas the reader sees,
lays out CJK text with Noto CJK (SC for zh-Hans, TC for ``:lang(zh-Hant)``), embedded as
TrueType subsets that print_fonts.py makes from Debian's fonts for each page (Skia would draw the
installed CFF fonts as Type3 glyphs), supports the stylesheet's ``@page`` margin boxes (running header,
page numbers, Chromium 131+), and writes bookmarks from headings (``outline``) and the page's
``lang``. Nothing is fetched: pages are opened from a local folder and other hosts are refused.

Long: the print folder, the browser session, the compendium pages and the byte-stable rewrite of
Chromium's PDF (ids, dates, links) are one job with one cache; split only if another engine comes.

Same input, same bytes: Chromium stamps the print time and its user agent, and links to other
pages carry the temporary folder's file:// address; ``finish`` rewrites the document
information (title, author, language, a creation date taken from the report), points those
links at ``base_url`` (or drops them), and sets the file identifier to a digest of the page
content, so two builds of the same sources give identical files. Printing is slow (seconds per PDF), so a PDF is made again
only when what it prints changed: ``PdfCache`` keeps finished PDFs by a digest of the page's
HTML, the stylesheet and scripts, and the metadata.

Layout of this module: ``plan`` (pure) lists the PDFs of a site; ``compendium_html`` (pure)
builds a compendium page from rendered report pages; ``print_pdfs`` is the I/O edge.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from site_builder import print_fonts
from site_builder.derive.aggregate import Derived
from site_builder.i18n import LANGUAGES, Translator
from site_builder.messages import _
from site_builder.model import Site
from site_builder.urls import Urls

log = logging.getLogger(__name__)

CHROMIUM = os.environ.get("SITE_BUILDER_CHROMIUM", "/usr/bin/chromium")
ENGINE_VERSION = "3"  # part of every cache key: a change to how PDFs are made re-prints them


@dataclass(frozen=True, slots=True)
class PdfJob:
    """One PDF: where it goes, the pages it prints (output paths; one for a report, a
    compendium's reports in order), and its document information."""

    path: str
    pages: tuple[str, ...]
    title: str
    author: str
    lang: str
    date: datetime.date
    org: str
    year: int
    compendium: bool = False


def report_pdf_path(urls: Urls, lang: str, org: str, year: int, slug: str) -> str:
    """``reports/<org>/<year>-<slug>/<year>-<slug>.pdf`` beside the report page."""
    page = urls.report(lang, org, year, slug)
    return page.rsplit("/", 1)[0] + f"/{year}-{slug}.pdf"


def compendium_pdf_path(urls: Urls, lang: str, org: str, year: int) -> str:
    """``orgs/<org>/<org>-<year>.pdf`` beside the organization page."""
    page = urls.org(lang, org)
    return page.rsplit("/", 1)[0] + f"/{org}-{year}.pdf"


def compendium_page_path(urls: Urls, lang: str, org: str, year: int) -> str:
    """Where the compendium's HTML sits in the print folder: at a report page's depth, so the
    reports' relative links and assets resolve as on their own pages."""
    return compendium_pdf_path(urls, lang, org, year).replace("orgs/", "reports/", 1)[:-4] + (
        "-compendium/index.html"
    )


def plan(
    site: Site, derived: Derived, urls: Urls, convert: Callable[[str, str], str]
) -> list[PdfJob]:
    """Every PDF of the site, in a fixed order: per language, each report, then each
    organization's compendium per year (newest first). ``convert(text, lang)`` writes Chinese
    text in the tree's script (the metadata and the cover are not converted with the pages)."""
    jobs: list[PdfJob] = []
    for lang in site.config.languages:
        text = LANGUAGES[lang].text
        t = Translator(lang)

        def cv(s: str, lang: str = lang) -> str:
            return convert(s, lang) if LANGUAGES[lang].text == "zh" else s

        for r in site.reports:
            title = r.title.get(text)
            if text == "en" and r.translation is not None:
                title = r.translation.title
            jobs.append(
                PdfJob(
                    report_pdf_path(urls, lang, r.org, r.year, r.slug),
                    (urls.report(lang, r.org, r.year, r.slug),),
                    cv(title),
                    cv(site.orgs[r.org].name.get(text)),
                    lang,
                    r.date,
                    r.org,
                    r.year,
                )
            )
        for key, facts in derived.orgs.items():
            org_name = cv(site.orgs[key].name.get(text))
            for year in sorted({r.year for r in facts.reports}, reverse=True):
                reports = sorted(
                    (r for r in facts.reports if r.year == year), key=lambda r: (r.date, r.slug)
                )
                jobs.append(
                    PdfJob(
                        compendium_pdf_path(urls, lang, key, year),
                        tuple(urls.report(lang, r.org, r.year, r.slug) for r in reports),
                        cv(t("pdf_compendium_title", org=org_name, year=year)),
                        org_name,
                        lang,
                        max(r.date for r in reports),
                        key,
                        year,
                        compendium=True,
                    )
                )
    return jobs


_ARTICLE_RE = re.compile(r'<article class="report[^"]*">(.*?)</article>', re.S)
_HEAD_RE = re.compile(r"(.*?</head>)", re.S)
_H1_RE = re.compile(r"<h1>(.*?)</h1>", re.S)
_ID_ATTR_RE = re.compile(r'(?<=\s)(id|href|data-options|aria-labelledby)="#?([^"]+)"')


def compendium_html(
    job: PdfJob, page_path: str, pages: list[str], site_title: str, t: Translator
) -> str:
    """A compendium as one HTML page: a cover (organization, year, site), the contents (each
    report's title), then every report's article, each starting on a new page. ``pages`` are
    the rendered report pages of ``job.pages``, in order; the head (stylesheet, scripts) is the
    first one's, so the compendium prints with the site's own print styles."""
    head_match = _HEAD_RE.match(pages[0])
    head = head_match.group(1) if head_match else "<!DOCTYPE html><html><head></head>"
    head = re.sub(r"<title>.*?</title>", f"<title>{escape(job.title)}</title>", head, flags=re.S)
    # the running header of a compendium names it, not its first report
    head = re.sub(
        r"<style>@page \{ @top-center.*?</style>",
        lambda _m: "<style>@page { @top-center { content: " + _css(job.title) + "; } }</style>",
        head,
        flags=re.S,
    )
    articles, contents = [], []
    for i, (page, source) in enumerate(zip(pages, job.pages, strict=True), 1):
        m = _ARTICLE_RE.search(page)
        body = m.group(1) if m else ""
        body = _rebase(body, source, page_path)
        h1 = _H1_RE.search(body)
        title = Markup(h1.group(1)) if h1 else Markup("")
        # heading ids must stay unique across the reports: prefix them, and links to them
        body = _ID_ATTR_RE.sub(functools.partial(_prefix, i=i), body)
        contents.append(Markup('<li><a href="#r{}">{}</a></li>').format(i, title))
        articles.append(f'<article class="report compendium-report" id="r{i}">{body}</article>')
    cover = Markup(
        '<section class="compendium-cover"><p class="compendium-site">{}</p>'
        '<h1>{}</h1><p class="compendium-count">{}</p></section>'
        '<nav class="toc compendium-toc" aria-labelledby="compendium-contents">'
        '<h2 id="compendium-contents">{}</h2><ol>{}</ol></nav>'
    ).format(
        site_title,
        job.title,
        t("reports_count", n=len(pages)) if len(pages) != 1 else t("report_count_one"),
        t("contents"),
        Markup("").join(contents),
    )
    return f'{head}\n<body class="page-compendium">\n<main class="wrap">{cover}{"".join(articles)}</main>\n</body>\n</html>\n'


def _prefix(m: re.Match[str], i: int) -> str:
    attr, value = m.group(1), m.group(2)
    if attr in ("id", "data-options", "aria-labelledby"):
        return f'{attr}="r{i}-{value}"'
    if m.group(0).startswith('href="#'):
        return f'href="#r{i}-{value}"'
    return m.group(0)


def _rebase(html: str, source: str, target: str) -> str:
    """Relative links of a report page made relative to the compendium page instead."""
    if source.rsplit("/", 1)[0].count("/") == target.rsplit("/", 1)[0].count("/"):
        return html  # same depth (compendium_page_path makes sure): links stay valid
    raise ValueError(f"{target} is not at the depth of {source}")


def _css(text: str) -> str:
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_()'!?")
    return '"' + "".join(c if c in safe else f"\\{ord(c):06x}" for c in text) + '"'


def finish(
    data: bytes, job: PdfJob, digest: str, root_uri: str = "", base_url: str | None = None
) -> bytes:
    """Chromium's PDF with fixed document information and identifier (see the module
    docstring): the same page content gives the same bytes. Links into the print folder
    (``root_uri``, a temporary ``file://`` folder) point to the site at ``base_url`` instead,
    or are removed when the site has none (a PDF has no address to be relative to)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    if root_uri:
        for page in writer.pages:
            annots = page.get("/Annots")
            if annots is None:
                continue
            kept = ArrayObject()
            for ref in annots.get_object():
                annot = ref.get_object()
                action = annot.get("/A")
                uri = action.get_object().get("/URI") if action is not None else None
                if isinstance(uri, str) and uri.startswith(root_uri):
                    if not base_url:
                        continue
                    action.get_object()[NameObject("/URI")] = TextStringObject(
                        base_url + uri[len(root_uri) :]
                    )
                kept.append(ref)
            page[NameObject("/Annots")] = kept
    stamp = job.date.strftime("D:%Y%m%d000000Z")
    writer.metadata = {
        "/Title": job.title,
        "/Author": job.author,
        "/Creator": "site_builder",
        "/Producer": "site_builder (Chromium, pypdf)",
        "/CreationDate": stamp,
        "/ModDate": stamp,
    }
    writer._root_object[NameObject("/Lang")] = TextStringObject(job.lang)
    ident = ByteStringObject(bytes.fromhex(digest)[:16])
    writer._ID = ArrayObject([ident, ident])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class PdfCache:
    """Finished PDFs by content digest, in a folder of the user's cache: a rebuild prints only
    the reports whose page (or stylesheet, scripts, metadata) changed."""

    def __init__(self, root: Path | None = None) -> None:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        self.root = root or Path(base) / "site-builder" / "pdf"

    def get(self, digest: str) -> bytes | None:
        path = self.root / f"{digest}.pdf"
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, digest: str, data: bytes) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, self.root / f"{digest}.pdf")
        except OSError as e:  # a cache that cannot be written only costs time
            log.warning("PDF cache not written: %s", e)


@dataclass(slots=True)
class PdfResult:
    files: list[tuple[str, bytes]]
    printed: list[str]  # the PDFs printed by this build (the others came from the cache)


def print_pdfs(
    jobs: Iterable[PdfJob],
    read: Callable[[str], bytes | None],
    assets: Iterable[tuple[str, bytes]],
    site_title: Callable[[str], str],
    urls: Urls,
    cache: PdfCache | None = None,
    base_url: str | None = None,
) -> PdfResult:
    """Print ``jobs`` from the rendered pages (``read(path)``) and assets; the PDFs as
    (output path, bytes). Opens Chromium only if some PDF is not in the cache."""
    cache = cache or PdfCache()
    assets = list(assets)
    asset_digest = hashlib.sha256()
    for path, data in sorted(assets):
        asset_digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    fonts_key = f"{print_fonts.VERSION}:{print_fonts.available()}".encode()
    todo: list[tuple[PdfJob, str, str, str]] = []  # job, print path, html, digest
    result = PdfResult([], [])
    for job in jobs:
        pages = []
        for p in job.pages:
            page = read(p)
            if page is None:
                raise FileNotFoundError(p)
            pages.append(page.decode("utf-8"))
        if job.compendium:
            where = compendium_page_path(urls, job.lang, job.org, job.year)
            html = compendium_html(job, where, pages, site_title(job.lang), Translator(job.lang))
        else:
            where, html = job.pages[0], pages[0]
        h = hashlib.sha256(ENGINE_VERSION.encode())
        h.update(fonts_key)
        h.update(asset_digest.digest())
        h.update(repr((job.path, job.title, job.author, job.lang, job.date, base_url)).encode())
        h.update(html.encode("utf-8"))
        digest = h.hexdigest()
        cached = cache.get(digest)
        if cached is not None:
            result.files.append((job.path, cached))
        else:
            todo.append((job, where, html, digest))
            result.files.append((job.path, b""))  # filled in below, in the same order
    if todo:
        todo, font_files = _with_fonts(todo, cache.root / "fonts")
        printed, root_uri = _print(todo, assets + font_files)
        index = {path: i for i, (path, _d) in enumerate(result.files)}
        for (job, _w, _h, digest), data in zip(todo, printed, strict=True):
            final = finish(data, job, digest, root_uri, base_url)
            cache.put(digest, final)
            result.files[index[job.path]] = (job.path, final)
            result.printed.append(job.path)
    return result


def _with_fonts(
    todo: list[tuple[PdfJob, str, str, str]], cache_root: Path
) -> tuple[list[tuple[PdfJob, str, str, str]], list[tuple[str, bytes]]]:
    """Each page to print with ``@font-face`` rules for TrueType subsets of its script's Noto
    CJK face (print_fonts.py), and those subsets as files of the print folder."""
    pages, files = [], {}
    for job, where, html, digest in todo:
        fonts = print_fonts.fonts_for(
            job.lang, print_fonts.page_characters(html, job.title), cache_root
        )
        up = "../" * where.count("/")
        faces = []
        for font in fonts:
            path = f"_print-fonts/{font.key}.ttf"
            files[path] = font.data
            faces.append((font, up + path))
        if faces:
            html = html.replace("</head>", print_fonts.font_face_css(faces) + "</head>", 1)
        pages.append((job, where, html, digest))
    return pages, sorted(files.items())


CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart-canvas')]
    .every(el => el.getAttribute('data-rendered') === 'true')"""


def _print(
    todo: list[tuple[PdfJob, str, str, str]], assets: list[tuple[str, bytes]]
) -> tuple[list[bytes], str]:
    """Chromium's PDFs of the pages, printed in a thread of their own: Playwright's sync API
    refuses to start in a thread that runs an asyncio loop (a caller's server, a test session
    that already drives a browser), and a fresh thread never has one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="site-builder-pdf") as pool:
        return pool.submit(_print_here, todo, assets).result()


def _print_here(
    todo: list[tuple[PdfJob, str, str, str]], assets: list[tuple[str, bytes]]
) -> tuple[list[bytes], str]:
    """Chromium's PDFs of the pages, each opened from a temporary folder holding it and the
    site's assets (file:// URLs: nothing is served, nothing fetched)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise PdfUnavailable(
            _("building PDFs needs Playwright: pip install 'site_builder[pdf]'")
        ) from e
    if not os.access(CHROMIUM, os.X_OK):
        raise PdfUnavailable(
            _("building PDFs needs Chromium at {path} (apt-get install chromium)").format(
                path=CHROMIUM
            )
        )
    out: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="site-builder-pdf-") as tmp:
        root = Path(tmp)
        for path, data in assets:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for _job, where, html, _d in todo:
            target = root / where
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                ],
            )
            try:
                context = browser.new_context()
                # offline: anything but the print folder is refused
                context.route(
                    re.compile(r"^(?!file:|data:|blob:|about:).*"), lambda route: route.abort()
                )
                page = context.new_page()
                page.emulate_media(media="print")
                for job, where, _html, _d in todo:
                    try:
                        page.goto((root / where).as_uri())
                        # charts.js draws charts as they near the screen: all of them, now
                        page.evaluate('document.dispatchEvent(new Event("charts:draw-all"))')
                        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
                        page.evaluate("document.fonts.ready")
                        data = page.pdf(
                            prefer_css_page_size=True,
                            print_background=True,
                            outline=True,
                            tagged=True,
                        )
                    except PlaywrightError as e:
                        raise PdfUnavailable(
                            _("printing {path} failed: {message}").format(
                                path=job.path, message=e.message
                            )
                        ) from e
                    out.append(data)
            finally:
                browser.close()
    return out, root.as_uri() + "/"


class PdfUnavailable(RuntimeError):
    """PDFs were asked for but this machine cannot print them (no Playwright or Chromium)."""
