"""The build, stage by stage. This is the one place that knows the order:

load -> parse -> validate/model -> derive -> render -> write

``check`` runs every stage but ``write``. Stages are plain functions; this module only wires
them together, times them, and decides whether the result may be written.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.chinese import HANS, HANT, Converter, detect_script, nonconforming_chars
from site_builder.chinese import Phrase as ZhPhrase
from site_builder.deps import stable_orgs
from site_builder.derive.aggregate import Derived, derive
from site_builder.derive.charts import Charts, derive_charts
from site_builder.errors import Diagnostic, Diagnostics, Severity, StateNotSaved
from site_builder.gates import (
    Unread,
    check_site,
    export_scans,
    import_scans,
    prescan,
    remember,
)
from site_builder.installation import installation_problems
from site_builder.kinds import KINDS, PageKind
from site_builder.load import (
    PACKAGE_DEFAULTS,
    Project,
    digest_sources,
    load_project,
    stamp_sources,
)
from site_builder.markdown import ChartBlock, RenderedMarkdown, heading_slug, render_markdown
from site_builder.model import Page, Report, Site
from site_builder.parallel import Inspection, pmap, resolve_jobs
from site_builder.parse import ParsedDoc, ParsedYaml, parse_document, parse_yaml_file
from site_builder.record import Facts
from site_builder.render import Bodies, OutputFile, render_site
from site_builder.search import build_search
from site_builder.state import (
    IncrementalRenderer,
    KeptFile,
    LastBuild,
    RenderPlan,
    Session,
    Snapshot,
    StagedFile,
    generator_digest,
    load_scans,
    save_scans,
    state_path,
    up_to_date,
)
from site_builder.translations import as_diagnostics, translation_gaps
from site_builder.translations import summary as translation_summary
from site_builder.validate import build_site, validate_config
from site_builder.walls import wall_warnings
from site_builder.write import Staging, WriteResult, check_output_dir, write_output
from site_builder.yamlpos import Located, parse_yaml

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
    # The page kinds of the site (kinds.py); tests add their own.
    kinds: tuple[PageKind, ...] = KINDS


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    files: list[OutputFile] = field(default_factory=list)
    written: WriteResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    site: Site | None = None
    translation_summary: str = ""
    rendered: list[str] = field(default_factory=list)  # outputs rendered by this build
    kept: list[str] = field(default_factory=list)  # outputs reused unrendered (not in `files`)
    # True: the sources and output were as the last build left them; nothing ran but `load`
    up_to_date: bool = False

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def pages(self) -> int:
        paths = [f.path for f in self.files] + self.kept
        return sum(1 for p in paths if p.endswith(".html"))

    @property
    def ok(self) -> bool:
        return not self.errors


def _script_of(text: str) -> str:
    info = detect_script(text)
    if info.script in (HANS, HANT):
        return info.script
    return HANT if len(info.hant_only) > len(info.hans_only) else HANS


@dataclass(frozen=True, slots=True)
class Parsed:
    config: ParsedYaml | None
    orgs: tuple[ParsedYaml, ...]
    metrics: ParsedYaml | None
    tags: ParsedYaml | None
    reports: tuple[ParsedDoc, ...]
    pages: tuple[ParsedDoc, ...]
    data: tuple[ParsedYaml, ...]

    def located(self) -> dict[str, Located]:
        """Every parsed file's located YAML, by its path: for messages about any field."""
        out = {p.source.rel: p.data for p in (self.config, self.metrics, self.tags) if p}
        out.update((p.source.rel, p.data) for p in self.orgs)
        out.update((d.source.rel, d.front) for d in (*self.reports, *self.pages))
        return out


def parse_project(
    project: Project,
    diags: Diagnostics,
    parse_yaml: Callable[..., Any] = parse_yaml_file,
    parse_doc: Callable[..., Any] = parse_document,
) -> Parsed:
    """``parse_yaml`` and ``parse_doc`` default to the parse stage's functions; ``serve`` passes
    them memoized by source content."""

    def yaml_one(src: object) -> ParsedYaml | None:
        if src is None:
            return None
        parsed: ParsedYaml | None
        parsed, problems = parse_yaml(src)
        diags.extend(problems)
        return parsed

    def docs(sources: tuple[object, ...]) -> tuple[ParsedDoc, ...]:
        out = []
        for src in sources:
            doc, problems = parse_doc(src)
            diags.extend(problems)
            if doc is not None:
                out.append(doc)
        return tuple(out)

    return Parsed(
        config=yaml_one(project.config),
        orgs=tuple(p for p in map(yaml_one, project.orgs) if p is not None),
        metrics=yaml_one(project.metrics),
        tags=yaml_one(project.tags),
        reports=docs(project.reports),
        pages=docs(project.pages),
        data=tuple(p for p in map(yaml_one, project.data) if p is not None),
    )


def lint_scripts(
    site: Site, diags: Diagnostics, find: Callable[..., Any] = nonconforming_chars, jobs: int = 1
) -> None:
    """Warn about Chinese bodies that mix scripts (e.g. 中層干部 in Traditional text)."""
    results = pmap(lambda rep: find(rep.body, rep.script), site.reports, jobs)
    for rep, found in zip(site.reports, results, strict=True):
        if not found:
            continue
        first = found[0]
        chars = "".join(sorted({f"{n.char}→{n.expected} " for n in found})).strip()
        diags.warning(
            rep.path,
            first.line + rep.body_line - 1,
            first.col,
            f"text in {rep.script} mixes in {len(found)} character(s) of the other script: {chars}",
            "the site shows standard forms in each script; fix the source to silence this, or "
            "wrap names and quotations in {keep:…}",
            code="mixed-script",
        )


def render_bodies(
    site: Site,
    converter: Converter,
    markdown: Callable[..., RenderedMarkdown] = render_markdown,
    jobs: int = 1,
) -> Bodies:
    """Markdown is parsed once per source file, never once per language."""
    raw = site.config.raw_html
    todo: list[tuple[str, str, int, bool]] = []  # path, text, line offset, normalize
    items: list[Report | Page] = [*site.reports, *site.pages]
    for item in items:
        todo.append((item.path, item.body, item.body_line - 1, True))
        if item.translation is not None:
            tr = item.translation
            todo.append((tr.path, tr.body, tr.body_line - 1, False))

    def one(job: tuple[str, str, int, bool]) -> RenderedMarkdown:
        _path, text, offset, zh = job
        if zh:
            return markdown(text, raw_html=raw, line_offset=offset, normalize=converter.to_hans)
        return markdown(text, raw_html=raw, line_offset=offset)

    return Bodies({job[0]: md for job, md in zip(todo, pmap(one, todo, jobs), strict=True)})


def chart_sources(
    site: Site, bodies: Bodies
) -> list[tuple[str, str | None, tuple[ChartBlock, ...]]]:
    """Every body's chart blocks with the organization a ``metric:`` chart refers to."""
    out: list[tuple[str, str | None, tuple[ChartBlock, ...]]] = []
    items: list[tuple[str | None, Report | Page]] = [(r.org, r) for r in site.reports]
    items += [(None, p) for p in site.pages]
    for org, item in items:
        for path in (item.path, item.translation.path if item.translation else None):
            if path is not None and path in bodies.by_path:
                out.append((path, org, bodies.by_path[path].charts))
    return out


def _gate_inputs(
    options: BuildOptions,
    files: list[OutputFile],
    staging: Staging | None,
    plan: RenderPlan | None,
) -> Iterator[tuple[str, bytes | Unread]]:
    """Every output file for the gates. A page already written to the new tree, and one an
    incremental build kept (on disk as the state recorded it), go by their recorded digest:
    their bytes are read back only if the gates hold no scan of them."""
    for f in files:
        if isinstance(f, StagedFile) and staging is not None:
            yield f.path, Unread(bytes.fromhex(f.digest), functools.partial(staging.read, f.path))
        elif isinstance(f, KeptFile):
            rec = plan.intact(f.path) if plan is not None else None
            read = functools.partial(_read_kept, options.out / f.path)
            yield f.path, Unread(bytes.fromhex(rec.digest), read) if rec else read()
        else:
            yield f.path, f.data


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


def _asset_clashes(files: list[OutputFile], project: Project) -> list[Diagnostic]:
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
                    "this asset has the path of a file the site generates",
                    "rename or move it: assets/search/ holds the site's search index",
                    code="load",
                )
            )
        seen.add(f.path)
    return out


def _read_kept(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _label(options: BuildOptions) -> str:
    """The output folder as messages name it: relative to the project when inside it."""
    out, source = options.out.absolute(), options.source.absolute()
    return out.relative_to(source).as_posix() if out.is_relative_to(source) else out.as_posix()


@contextlib.contextmanager
def _staging(options: BuildOptions, plan: RenderPlan | None) -> Iterator[Staging | None]:
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
    parsed: Parsed
    diagnostics: Diagnostics
    site: Site | None = None
    converter: Converter | None = None
    gaps: list[Any] = field(default_factory=list)  # missing translations (``--translations``)


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


def validate(
    options: BuildOptions,
    session: Session | None = None,
    clock: Clock | None = None,
    snapshot: Snapshot | None = None,
) -> Validated:
    """Load, parse and validate the project at ``options.source``, reading nothing else: the
    entry point of every command that needs the checked sources and not the pages. With a
    ``snapshot``, the digests of files edited within a clock tick of their stamps are noted in
    it."""
    session = session or Session()
    clock = clock or Clock()
    project, load_diags = load_project(options.source, session.files)
    diags = Diagnostics()
    diags.extend(load_diags)
    if snapshot is not None:
        # files edited within a clock tick of the stamps: their content decides next time
        read = {f.rel: f.digest for f in project.sources()}
        snapshot.digests = digest_sources(options.source, snapshot.racy(), read)
    clock.lap("load")

    parsed = parse_project(
        project,
        diags,
        session.memo("parse_yaml", parse_yaml_file),
        session.memo("parse_doc", parse_document),
    )
    clock.lap("parse")

    checked = Validated(project, parsed, diags)
    config = validate_config(parsed.config, diags)
    if config is None:
        return checked
    phrases = tuple(ZhPhrase(p.hans, p.hant) for p in config.phrases)
    converter = session.converter(phrases, lambda: Converter(phrases))
    site = build_site(
        config,
        parsed.orgs,
        parsed.metrics,
        parsed.tags,
        parsed.reports,
        parsed.pages,
        parsed.data,
        diags,
        to_hans=session.memo("to_hans", converter.to_hans),
        detect=session.memo("detect", _script_of),
        drafts=options.drafts,
        memo=session.validated,
    )
    lint_scripts(site, diags, session.memo("lint", nonconforming_chars), resolve_jobs(options.jobs))
    if options.translations:
        checked.gaps = translation_gaps(site, parsed.located())
        diags.extend(as_diagnostics(checked.gaps))
    if not options.write:  # `check`: pasted walls of text (reports and pages, not translations)
        bodies_of = [(r.path, r.body, r.body_line) for r in site.reports]
        diags.extend(
            wall_warnings([*bodies_of, *((p.path, p.body, p.body_line) for p in site.pages)])
        )
    checked.site, checked.converter = site, converter
    clock.lap("validate")
    return checked


def run(
    options: BuildOptions,
    progress: Progress | None = None,
    session: Session | None = None,
    preview: Preview | None = None,
) -> BuildResult:
    """One build. ``session`` carries caches from build to build (``serve`` keeps one);
    ``preview`` (with ``in_place``) gets the pages written before the site-wide stages run."""
    session = session or Session()
    try:
        return _run(options, Clock(progress), session, preview)
    finally:
        session.end_build()


def _run(
    options: BuildOptions, clock: Clock, session: Session, preview: Preview | None
) -> BuildResult:
    """The stages in order. Which ones run is decided here, from the options; each stage is a
    function of the values before it."""
    broken = installation_problems()  # said once here, not as a broken link on every page
    if broken:
        return BuildResult(broken, timings=clock.timings)
    if options.write:
        # built by a version without the marker: its state, where this version or the ones
        # before the cache folder kept it (.site_builder_state-<name>.json beside the output)
        out = options.out.absolute()
        built_before = (
            state_path(out).is_file()
            or (out.parent / f".site_builder_state-{out.name}.json").is_file()
        )
        check_output_dir(options.source, options.out, options.overwrite, built_before)
    snapshot = None
    if options.write and options.incremental and not options.in_place and not options.translations:
        snapshot, unchanged = _up_to_date(options, session, clock)
        if unchanged is not None:
            return unchanged
    checked = validate(options, session, clock, snapshot)  # load, parse, validate
    if checked.site is None or checked.converter is None:
        return BuildResult(checked.diagnostics.sorted(), timings=clock.timings)
    diags, converter = checked.diagnostics, checked.converter
    model = _derive(options, session, checked.site, converter, diags, clock)
    plan = _plan(options, session, checked.project, model) if _incremental(options) else None
    renderer = _renderer(options, session, checked.project, model, converter, plan, diags)
    with _staging(options, plan) as staging:
        files = _render(checked.project, renderer, diags, clock, options, staging, plan)
        if preview is not None and plan is not None and options.in_place and not diags.errors:
            # `serve`: the pages go to disk, and to the browser, now; the search files and the
            # checks of the whole output follow, and what they find still fails the build.
            preview(plan.write_early(files))
            clock.lap("preview")
        files += _search(options, model, converter, files, staging)
        clock.lap("search")
        diags.extend(_asset_clashes(files, checked.project))
        kept = _gates(options, checked.project, model, converter, files, staging, plan, diags)
        clock.lap("gates")
        result = _result(options, checked, model, files, kept, plan, clock)
        if result.errors or (options.strict and bool(diags.warnings)) or not options.write:
            return result
        _write(options, session, result, plan, staging, snapshot)
        clock.lap("write")
        return result


def _incremental(options: BuildOptions) -> bool:
    return options.write and options.incremental


def _up_to_date(
    options: BuildOptions, session: Session, clock: Clock
) -> tuple[Snapshot, BuildResult | None]:
    """`build` again with nothing changed: the stamps of the sources, not their contents, say
    so. The snapshot the build records for next time, and the result if nothing is to do."""
    taken_at = time.time_ns()
    stamps = stamp_sources(options.source)
    quick = {"generator": generator_digest(), "drafts": options.drafts}
    previous = session.state(options.out)
    if up_to_date(previous, options.source, options.out, quick, stamps):
        assert previous is not None and previous.snapshot is not None
        clock.lap("load")
        result = BuildResult(sorted(previous.snapshot.diagnostics), timings=clock.timings)
        result.kept = sorted(previous.outputs)
        result.written = WriteResult(0, len(result.kept), 0)
        result.up_to_date = True
        return Snapshot(taken_at, quick, stamps, []), result
    return Snapshot(taken_at, quick, stamps, []), None


def _carry_key(options: BuildOptions) -> tuple[Path, Path, bool]:
    return (options.source.absolute(), options.out.absolute(), options.drafts)


def _derive(
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


def _plan(options: BuildOptions, session: Session, project: Project, model: Model) -> RenderPlan:
    """What an incremental build may keep of the last one (``state.RenderPlan``): the facts
    of this build's model, against which the pages' recorded facts are checked."""
    meta = {
        "generator": generator_digest(),
        "config": project.config.digest if project.config else "",
        "drafts": options.drafts,
    }
    roots = {"site": model.site, "derived": model.derived, "charts": model.charts}
    facts = Facts({**roots, "bodies": model.bodies}, model.site, model.derived)
    plan = RenderPlan(options.out, session.state(options.out), meta, facts, project.templates)
    session.carried[_carry_key(options)] = LastBuild(model.site, model.charts)
    return plan


def _renderer(
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
        template_paths={
            t.name: f"templates/{t.name}"
            if t.overridden
            else str(PACKAGE_DEFAULTS / "templates" / t.name)
            for t in project.templates
        },
        bytecode_cache=session.bytecode_cache,
    )


def _render(
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
    scans = Inspection(lambda f: prescan(f.path, f.data), lambda f, p: remember(f.path, p))
    sink = plan.stage(staging) if plan is not None and staging is not None else None
    jobs = resolve_jobs(options.jobs)
    files = render_site(renderer, diags, clock.progress, jobs, scans, sink)
    files += [OutputFile("assets/" + a.rel, a.data) for a in project.assets]
    clock.lap("render")
    return files


def _search(
    options: BuildOptions,
    model: Model,
    converter: Converter,
    files: list[OutputFile],
    staging: Staging | None,
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

    found = build_search(model.site, model.bodies.by_path, read_page, converter)
    return [OutputFile(p, d) for p, d in found]


def _gates(
    options: BuildOptions,
    project: Project,
    model: Model,
    converter: Converter,
    files: list[OutputFile],
    staging: Staging | None,
    plan: RenderPlan | None,
    diags: Diagnostics,
) -> list[str]:
    """The checks of the whole output (gates.py); the paths of the files the build kept."""
    kept = [f.path for f in files if isinstance(f, KeptFile)]
    if kept and plan is not None and not options.in_place:
        # `build` again: the files it kept were scanned by the last build (in another
        # process); its saved scans spare reading them for links again
        saved = load_scans(options.out)
        if saved is not None:
            import_scans(saved, set(kept))
    outputs = _gate_inputs(options, files, staging, plan)
    by_path = model.bodies.by_path
    assets = _asset_sources(options.source, project)
    diags.extend(
        check_site(model.site, by_path, outputs, _label(options), converter.to_hans, assets)
    )
    return kept


def _result(
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


def _write(
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
        session.states[options.out.absolute()] = state
        if not options.in_place:
            save_scans(options.out, export_scans())
    except OSError as exc:
        session.states.pop(options.out.absolute(), None)
        with contextlib.suppress(OSError):  # a stale state would describe the old output
            state_path(options.out).unlink(missing_ok=True)
        raise StateNotSaved(exc) from exc


__all__ = ["BuildOptions", "BuildResult", "Validated", "heading_slug", "run", "validate"]
