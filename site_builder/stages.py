"""The stages as the pipeline runs them (pipeline.py knows their order): each a function of the
values before it, wrapping the stage modules (load, parse, validate, derive, render, search,
gates, write) with what a build needs around them: timing, the incremental plan, the new output
tree, the state beside the output.

Long: one function per stage and the values they pass between them; they share the
build's edges (the new output tree, the state and the scans beside the output).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.chinese import Converter
from site_builder.deps import stable_orgs
from site_builder.derive.aggregate import Derived, derive
from site_builder.derive.charts import Charts, derive_charts
from site_builder.errors import Diagnostic, Diagnostics, StateNotSaved
from site_builder.gates import (
    BodyLinks,
    LinkMemo,
    Packed,
    check_site,
    export_scans,
    import_scans,
    prescan,
    remember,
)
from site_builder.i18n import LANGUAGES
from site_builder.incremental import (
    IncrementalRenderer,
    KeptFile,
    RenderPlan,
    StagedFile,
    gate_inputs,
)
from site_builder.kinds import KINDS, PageKind, named, plan_pages
from site_builder.load import PACKAGE_DEFAULTS, Project
from site_builder.markdown import render_markdown
from site_builder.messages import _
from site_builder.model import Page, Report, Site
from site_builder.origins import Origins
from site_builder.parallel import Inspection, resolve_jobs
from site_builder.record import Facts
from site_builder.render import Bodies, OutputFile, render_site
from site_builder.result import BuildResult
from site_builder.search import build_search
from site_builder.sources import Parsed, chart_sources, render_bodies
from site_builder.state import LastBuild, Session, clear_writing, load_scans, save_scans
from site_builder.translations import summary as translation_summary
from site_builder.uptodate import (
    Snapshot,
    generator_digest,
    keep_quick,
    load_quick,
    settled,
    state_path,
    unchanged_result,
    up_to_date,
)
from site_builder.urls import Urls
from site_builder.write import Staging, WriteResult, write_output
from site_builder.yamlpos import parse_yaml

log = logging.getLogger(__name__)


Progress = Callable[[str, int, int], None]
"""(stage, done, total): called as long stages advance."""


Preview = Callable[[WriteResult], None]
"""`serve`: called once the rendered pages are on disk, before the site-wide files (search) and
checks, with what was written so far."""


@dataclass(frozen=True, slots=True)
class BuildOptions:
    source: Path
    out: Path
    strict: bool = False
    drafts: bool = False
    write: bool = True  # False for `check`
    # Reuse the previous build's state (beside the output) to render only what changed.
    incremental: bool = True
    # Replace changed files one by one instead of swapping in a new tree: `serve`'s own output.
    in_place: bool = False
    translations: bool = False  # report missing English as warnings
    # Worker processes for Markdown, the script lint and rendering (parallel.py); 0: one per
    # core. The output is the same for any number. Library default 1: `serve` keeps its memos.
    jobs: int = 1
    # Replace a non-empty output folder that site-builder did not make (`build --overwrite`).
    overwrite: bool = False
    # Also print PDFs (pdf.py); site.yaml `pdf: true` asks for them too. Not in `serve`.
    pdf: bool = False
    # The page kinds of the site (kinds.py); tests add their own.
    kinds: tuple[PageKind, ...] = KINDS


def _asset_sources(source: Path, project: Project) -> dict[str, str]:
    """Each copied asset's output path -> its source file, as messages name it (the site's own
    relative to the project, a default by its path): the gates' findings in an asset name the
    file to fix, not the copy in the output folder."""
    out = {}
    for a in project.assets:
        own = source / "assets" / a.rel
        out["assets/" + a.rel] = (
            f"assets/{a.rel}" if own.is_file() else str(PACKAGE_DEFAULTS / "assets" / a.rel)
        )
    return out


def asset_clashes(files: list[OutputFile], project: Project) -> list[Diagnostic]:
    """A site asset at the path of a file the generator writes (the search index under
    assets/search/): an error at the asset, as two files cannot share one path (the write
    stage refused it with a ValueError)."""
    assets = {"assets/" + a.rel for a in project.assets}
    seen: set[str] = set()
    out = []
    for f in files:
        if f.path in seen and f.path in assets:
            out.append(
                Diagnostic(
                    f.path,
                    1,
                    1,
                    _("this asset has the path of a file the site generates"),
                    _("rename or move it: assets/search/ holds the site's search index"),
                    code="load",
                )
            )
        seen.add(f.path)
    return out


def _label(options: BuildOptions) -> str:
    """The output folder as messages name it: relative to the project when inside it."""
    out, source = options.out.absolute(), options.source.absolute()
    return out.relative_to(source).as_posix() if out.is_relative_to(source) else out.as_posix()


@contextlib.contextmanager
def staging_tree(options: BuildOptions, plan: RenderPlan | None) -> Iterator[Staging | None]:
    """The new output tree, written while the build runs, for a build that replaces the
    whole output (``serve`` writes in place; ``check`` writes nothing). Removed unless the
    write stage swapped it in."""
    staging = Staging(options.out) if plan is not None and not options.in_place else None
    try:
        yield staging
    finally:
        if staging is not None and staging.root.exists():
            staging.discard()  # the build failed or wrote nothing: the output is as it was


@dataclass(slots=True)
class Clock:
    """Times the stages as they finish and tells ``progress``."""

    progress: Progress | None = None
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.started
        self.started = now
        if self.progress:
            self.progress(stage, 1, 1)


@dataclass(slots=True)
class Validated:
    """Stages load, parse and validate: everything a build knows before it derives anything.
    ``site`` is None when ``site.yaml`` is unusable (the diagnostics say why)."""

    project: Project
    parsed: Parsed | None  # None once the source checks are done (``release_parsed``)
    diagnostics: Diagnostics
    site: Site | None = None
    converter: Converter | None = None
    gaps: list[Any] = field(default_factory=list)  # missing translations (``--translations``)

    def release_parsed(self) -> None:
        """Forget the parsed sources (the YAML with every value's position): the site is
        built from them, and no later stage reads them. Done before the render workers fork,
        each of which would otherwise hold them too."""
        self.parsed = None


@dataclass(frozen=True, slots=True)
class Model:
    """Stage derive: the validated site with its aggregates, Markdown bodies and charts, and
    what the last build in this process made of the same sources (``serve``)."""

    site: Site
    derived: Derived
    bodies: Bodies
    charts: Charts
    last: LastBuild | None
    stable: frozenset[str]


def check_up_to_date(
    options: BuildOptions, session: Session, clock: Clock
) -> tuple[Snapshot, BuildResult | None]:
    """`build`, or `serve`'s rebuild, with nothing changed: the stamps of the sources, not their
    contents, say so. The snapshot the build records for next time, and the result if nothing
    is to do (with the site of the last build this session wrote there, if any). The last
    build is what this process saved, else the quick file beside the output, else its state."""
    now = Snapshot.take(options.source, options.drafts, options.pdf)
    out = options.out.absolute()
    kept = session.states.get(out)
    found = None if kept is not None else load_quick(state_path(out))
    previous = None
    if found is None:
        previous = kept or session.state(out)
        if previous is not None and previous.snapshot is not None:
            found = (previous.snapshot, previous.listing())
    if found is not None and up_to_date(*found, options.source, options.out, now):
        last, files = found
        newer = settled(last, now)
        if newer is not None and kept is not None:
            kept.snapshot = newer
        if newer is not None or (kept is None and previous is not None):  # or no quick file
            keep_quick(state_path(out), newer or last, files)
        clock.lap("load")
        result = unchanged_result(last, files, clock.timings)
        result.site = session.written.get(out)
        return now, result
    return now, None


def _carry_key(options: BuildOptions) -> tuple[Path, Path, bool]:
    return (options.source.absolute(), options.out.absolute(), options.drafts)


def derive_model(
    options: BuildOptions,
    session: Session,
    site: Site,
    converter: Converter,
    diags: Diagnostics,
    clock: Clock,
) -> Model:
    derived = derive(site)
    # `serve`: what the last build in this process made of the same sources, and the
    # organizations whose figures the edits since cannot have changed
    last = session.carried.get(_carry_key(options))
    stable = stable_orgs(last.site if last else None, site)
    clock.lap("derive")

    jobs = resolve_jobs(options.jobs)
    bodies = render_bodies(site, converter, session.memo("markdown", render_markdown), jobs)
    charts = derive_charts(
        site,
        derived,
        chart_sources(site, bodies),
        diags,
        session.memo("chart_yaml", parse_yaml),
        previous=last.charts if last else None,
        stable=stable,
    )
    return Model(site, derived, bodies, charts, last, stable)


def make_plan(
    options: BuildOptions, session: Session, project: Project, model: Model
) -> RenderPlan:
    """What an incremental build may keep of the last one (``incremental.RenderPlan``): the facts
    of this build's model, against which the pages' recorded facts are checked."""
    meta = {
        "generator": generator_digest(),
        "config": project.config.digest if project.config else "",
        "drafts": options.drafts,
        "pdf": model.site.config.pdf,  # the pages link to the PDFs
    }
    roots = {"site": model.site, "derived": model.derived, "charts": model.charts}
    last = model.last.facts if model.last is not None else None
    facts = Facts({**roots, "bodies": model.bodies}, model.site, model.derived, last)
    plan = RenderPlan(options.out, session.state(options.out), meta, facts, project.templates)
    session.carried[_carry_key(options)] = LastBuild(model.site, model.charts, facts.memo)
    return plan


def make_renderer(
    options: BuildOptions,
    session: Session,
    project: Project,
    model: Model,
    converter: Converter,
    plan: RenderPlan | None,
    diags: Diagnostics,
) -> IncrementalRenderer:
    return IncrementalRenderer(
        model.site,
        model.derived,
        model.bodies,
        project.templates,
        converter,
        charts=model.charts,
        kinds=options.kinds,
        plan=plan,
        diags=diags,
        template_paths=template_paths(project),
        bytecode_cache=session.bytecode_cache,
    )


def render_stage(
    project: Project,
    renderer: IncrementalRenderer,
    diags: Diagnostics,
    clock: Clock,
    options: BuildOptions,
    staging: Staging | None,
    plan: RenderPlan | None,
) -> list[OutputFile]:
    """Every page and the assets. The gates' scan of each page is made in the worker that
    renders it (with --jobs > 1). A build that replaces the whole output writes each page to the
    new tree as it comes, keeping only its digest: the pages of a large site do not all sit in
    memory at once."""
    # the digest in a worker's scan is the page's, as the state records it: hashed once
    hashed: dict[str, tuple[OutputFile, bytes]] = {}

    def keep(f: OutputFile, packed: Packed) -> None:
        remember(f.path, packed)
        hashed[f.path] = (f, packed[0])

    def known(f: OutputFile) -> str | None:
        found = hashed.pop(f.path, None)
        return found[1].hex() if found is not None and found[0] is f else None

    scans = Inspection(lambda f: prescan(f.path, f.data), keep)
    sink = plan.stage(staging, known) if plan is not None and staging is not None else None
    jobs = resolve_jobs(options.jobs)
    files = render_site(renderer, diags, clock.progress, jobs, scans, sink)
    files += [OutputFile("assets/" + a.rel, a.data) for a in project.assets]
    clock.lap("render")
    return files


def search_stage(
    options: BuildOptions,
    session: Session,
    model: Model,
    converter: Converter,
    files: list[OutputFile],
    staging: Staging | None,
    plan: RenderPlan | None = None,
) -> list[OutputFile]:
    rendered_pages = {f.path: f for f in files}

    def read_page(path: str) -> bytes | None:
        # Snippets are cut from the pages as rendered; a page an incremental build did not
        # re-render (no bytes) is the previous build's file, unchanged on disk.
        f = rendered_pages.get(path)
        if f is None or f.data or not options.write:
            return f.data if f else None
        if isinstance(f, StagedFile) and staging is not None:
            return staging.read(path)
        kept = options.out / path
        return kept.read_bytes() if kept.is_file() else None

    def page_key(path: str) -> str | None:
        # a kept page is on disk as the last build wrote it: its recorded digest names its bytes
        f = rendered_pages.get(path)
        rec = plan.records.get(path) if plan is not None and isinstance(f, KeptFile) else None
        return rec.digest if rec is not None and rec.digest else None

    def put(path: str, data: bytes) -> OutputFile:
        # Into the new tree as it is made, as the pages went: the search files of a large
        # site are about the size of its report bodies three times over. The gates get the
        # file's scan now, by its digest, and do not read it back.
        if staging is None:
            return OutputFile(path, data)
        packed = prescan(path, data)
        remember(path, packed)
        staging.put(path, data)
        return StagedFile(path, packed[0].hex())

    report_page = named("report", options.kinds).page_of
    found = build_search(
        model.site, model.bodies.by_path, read_page, converter, report_page, session.memo, page_key
    )
    return [put(p, d) for p, d in found]


def pdf_stage(
    options: BuildOptions,
    model: Model,
    converter: Converter,
    urls: Urls,
    files: list[OutputFile],
    staging: Staging | None,
    diags: Diagnostics,
    printed: list[str],
) -> list[OutputFile]:
    """The PDFs (pdf.py) as output files, before the gates: the pages' links to them are
    checked like any other, and the write stage keeps an unchanged one as it is."""
    from site_builder import pdf

    rendered_pages = {f.path: f for f in files}

    def read_page(path: str) -> bytes | None:
        f = rendered_pages.get(path)
        if f is None or f.data:
            return f.data if f else None
        if isinstance(f, StagedFile) and staging is not None:
            return staging.read(path)
        kept = options.out / path
        return kept.read_bytes() if kept.is_file() else None

    site = model.site
    assets = []
    for f in files:
        if f.path.startswith("assets/") and not f.path.startswith("assets/search/"):
            assets.append((f.path, f.data or read_page(f.path) or b""))
    jobs = pdf.plan(site, model.derived, urls, converter.convert)
    try:
        result = pdf.print_pdfs(
            jobs,
            read_page,
            assets,
            lambda lang: site.config.title.get(LANGUAGES[lang].text),
            urls,
            base_url=site.config.base_url,
        )
    except pdf.PdfUnavailable as e:
        diags.error("site.yaml", 1, 1, str(e), _("or build without --pdf and `pdf: true`"), "pdf")
        return []
    printed.extend(result.printed)
    return [OutputFile(path, data) for path, data in result.files]


def gates_stage(
    options: BuildOptions,
    project: Project,
    model: Model,
    converter: Converter,
    files: list[OutputFile],
    staging: Staging | None,
    plan: RenderPlan | None,
    diags: Diagnostics,
    links: LinkMemo | None = None,
) -> list[str]:
    """The checks of the whole output (gates.py); the paths of the files the build kept.
    ``links``: the last link check of this output in this process."""
    kept = [f.path for f in files if isinstance(f, KeptFile)]
    if kept and plan is not None and not options.in_place:
        # `build` again: the files it kept were scanned by the last build (in another
        # process); its saved scans spare reading them for links again
        saved = load_scans(options.out)
        if saved is not None:
            import_scans(saved, set(kept))
    outputs = gate_inputs(options.out, files, staging, plan)
    by_path = model.bodies.by_path
    assets = _asset_sources(options.source, project)

    def locate(links: BodyLinks) -> Origins:
        return Origins(
            {f.rel: f.text for f in project.sources()},
            {page: list(sources) for page, sources in links.items()},
            lambda: _page_templates(options, model),
            project.templates,
            template_paths(project),
            converter.to_hans,
        )

    report_kind, page_kind = named("report", options.kinds), named("page", options.kinds)

    def page_of(urls: Urls, lang: str, item: Report | Page) -> str:
        kind = report_kind if isinstance(item, Report) else page_kind
        return kind.page_of(urls, lang, item)

    label = _label(options)
    diags.extend(
        check_site(
            model.site,
            by_path,
            outputs,
            label,
            converter.to_hans,
            assets,
            locate,
            page_of=page_of,
            memo=links,
        )
    )
    return kept


def _page_templates(options: BuildOptions, model: Model) -> dict[str, str]:
    """Every generated page's output path -> the template that rendered it (its kind's, or the
    sitemap's and the feed's), as the page kinds declare them."""
    site = model.site
    urls = Urls(site.config.languages, site.config.default_language)
    out: dict[str, str] = {}
    specs = plan_pages(site, model.derived, options.kinds)
    for lang in site.config.languages:
        out.update((spec.path(urls, lang), spec.kind.template) for spec in specs)
        out[urls.sitemap(lang)] = "sitemap.xml"
        out[urls.feed(lang)] = "feed.xml"
    return out


def template_paths(project: Project) -> dict[str, str]:
    """Each template's name -> its file as messages name it: the site's own relative to the
    project, the package's by its path."""
    return {
        t.name: f"templates/{t.name}"
        if t.overridden
        else str(PACKAGE_DEFAULTS / "templates" / t.name)
        for t in project.templates
    }


def build_result(
    options: BuildOptions,
    checked: Validated,
    model: Model,
    files: list[OutputFile],
    kept: list[str],
    plan: RenderPlan | None,
    clock: Clock,
) -> BuildResult:
    files = [f for f in files if not isinstance(f, KeptFile)]
    result = BuildResult(checked.diagnostics.sorted(), files, None, clock.timings, model.site)
    result.kept = kept
    result.rendered = plan.counts.rendered if plan else [f.path for f in files]
    if options.translations:
        result.translation_summary = translation_summary(checked.gaps, model.site)
    return result


def write_stage(
    options: BuildOptions,
    session: Session,
    result: BuildResult,
    plan: RenderPlan | None,
    staging: Staging | None,
    snapshot: Snapshot | None,
) -> None:
    if plan is None:
        result.written = write_output(options.out, ((f.path, f.data) for f in result.files))
        return
    outputs = [*result.files, *(KeptFile(p, b"") for p in result.kept)]
    result.written, state = plan.finish(outputs, options.in_place, staging)
    if snapshot is not None:
        snapshot.diagnostics = result.diagnostics
        state.snapshot = snapshot
    # the output has changed by now: a failure here must not be told as "unchanged"
    try:
        state.save(state_path(options.out))
        clear_writing(options.out)
        session.states[options.out.absolute()] = state
        if result.site is not None:
            session.written[options.out.absolute()] = result.site
        if not options.in_place:
            save_scans(options.out, export_scans())
    except OSError as exc:
        session.states.pop(options.out.absolute(), None)
        session.written.pop(options.out.absolute(), None)
        with contextlib.suppress(OSError):  # a stale state would describe the old output
            state_path(options.out).unlink(missing_ok=True)
        raise StateNotSaved(exc) from exc
