"""The build, stage by stage. This is the one place that knows the order:

load -> parse -> validate/model -> [source checks] -> derive -> render -> search -> [pdf]
-> gates -> write

``validate`` (load, parse, validate) is an entry point of its own, for whatever needs the
checked sources and not the pages (the importer's registry, tests). Options select stages
(``SOURCE_CHECKS``, and in ``_run``); a stage does not look at the options to decide what to
check. ``check`` runs every stage but ``write`` (and the PDFs): it renders every page because
the gates check the pages as written — the links and loads of the templates, and the
anchors that Markdown links point to, exist only there. Stages are plain functions; this
module only wires them together, times them, and decides whether the result may be written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial

from site_builder.chinese import HANS, Converter
from site_builder.chinese import Phrase as ZhPhrase
from site_builder.errors import Diagnostics
from site_builder.gates import LinkMemo
from site_builder.installation import installation_problems
from site_builder.load import digest_sources, load_project
from site_builder.markdown import heading_slug
from site_builder.parallel import resolve_jobs
from site_builder.parse import parse_document, parse_yaml_file
from site_builder.result import BuildResult
from site_builder.scriptfix import script_issues
from site_builder.sources import lint_scripts, parse_project, script_of
from site_builder.stages import (
    BuildOptions,
    Clock,
    Preview,
    Progress,
    Validated,
    asset_clashes,
    build_result,
    check_up_to_date,
    derive_model,
    gates_stage,
    make_plan,
    make_renderer,
    pdf_stage,
    render_stage,
    search_stage,
    staging_tree,
    write_stage,
)
from site_builder.state import Session
from site_builder.translations import as_diagnostics, translation_gaps
from site_builder.uptodate import Snapshot, check_output
from site_builder.validate import build_site, validate_config
from site_builder.walls import wall_warnings


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
    session = session or Session(one_build=True)
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
    config = validate_config(parsed.config, diags, {a.rel for a in project.assets})
    if config is None:
        return checked
    if options.pdf and not config.pdf:
        config = dataclasses.replace(config, pdf=True)
    if config.pdf and options.in_place:
        config = dataclasses.replace(config, pdf=False)  # `serve` previews pages, not PDFs
    phrases = tuple(ZhPhrase(p.hans, p.hant) for p in config.phrases)
    quotes = config.quotes
    converter = session.converter((phrases, quotes), lambda: Converter(phrases, quotes=quotes))
    site = build_site(
        config,
        parsed.orgs,
        parsed.metrics,
        parsed.tags,
        parsed.reports,
        parsed.pages,
        parsed.data,
        diags,
        to_hans=session.memo("to_hans", converter.to_hans, repeats=True),
        detect=session.memo("detect", script_of),
        drafts=options.drafts,
        memo=session.validated,
        types_file=parsed.types,
        to_hans_lines=lambda lines: converter.convert_many(lines, HANS),
    )
    lint = session.memo("lint", partial(script_issues, converter=converter))
    lint_scripts(site, diags, lint, resolve_jobs(options.jobs))
    checked.site, checked.converter = site, converter
    clock.lap("validate")
    return checked


def missing_translations(checked: Validated) -> None:
    """`check --translations`: the English fields and bodies a site lacks, as warnings."""
    assert checked.site is not None and checked.parsed is not None
    checked.gaps = translation_gaps(checked.site, checked.parsed.located())
    checked.diagnostics.extend(as_diagnostics(checked.gaps))


def pasted_walls(checked: Validated) -> None:
    """`check`: walls of text pasted without paragraphs (reports and pages, not translations)."""
    site = checked.site
    assert site is not None
    bodies = [(r.path, r.body, r.body_line) for r in site.reports]
    bodies += [(p.path, p.body, p.body_line) for p in site.pages]
    checked.diagnostics.extend(wall_warnings(bodies))


SOURCE_CHECKS: tuple[tuple[Callable[[BuildOptions], bool], Callable[[Validated], None]], ...] = (
    (lambda options: options.translations, missing_translations),
    (lambda options: not options.write, pasted_walls),
)
"""Checks of the validated sources that options select (option -> stage), in order."""


def run(
    options: BuildOptions,
    progress: Progress | None = None,
    session: Session | None = None,
    preview: Preview | None = None,
) -> BuildResult:
    """One build. ``session`` carries caches from build to build (``serve`` keeps one);
    ``preview`` (with ``in_place``) gets the pages written before the site-wide stages run."""
    session = session or Session(one_build=True)
    try:
        result = _run(options, Clock(progress), session, preview)
    except BaseException:
        session.end_build()
        raise
    if not result.up_to_date:  # a build that used no memo must not make them forget
        session.end_build()
    return result


def _run(
    options: BuildOptions, clock: Clock, session: Session, preview: Preview | None
) -> BuildResult:
    """The stages in order. Which ones run is decided here, from the options; each stage is a
    function of the values before it."""
    broken = installation_problems()  # said once here, not as a broken link on every page
    if broken:
        return BuildResult(broken, timings=clock.timings)
    if options.write:
        check_output(options.source, options.out, options.overwrite)
    snapshot = None
    if options.write and options.incremental and not options.translations:
        snapshot, unchanged = check_up_to_date(options, session, clock)
        if unchanged is not None:
            return unchanged
    checked = validate(options, session, clock, snapshot)  # load, parse, validate
    if checked.site is None or checked.converter is None:
        return BuildResult(checked.diagnostics.sorted(), timings=clock.timings)
    for wanted, check in SOURCE_CHECKS:
        if wanted(options):
            check(checked)
    checked.release_parsed()
    diags, converter = checked.diagnostics, checked.converter
    model = derive_model(options, session, checked.site, converter, diags, clock)
    plan = (
        make_plan(options, session, checked.project, model)
        if options.write and options.incremental
        else None
    )
    renderer = make_renderer(options, session, checked.project, model, converter, plan, diags)
    with staging_tree(options, plan) as staging:
        files = render_stage(checked.project, renderer, diags, clock, options, staging, plan)
        if preview is not None and plan is not None and options.in_place and not diags.errors:
            # `serve`: the pages go to disk, and to the browser, now; the search files and the
            # checks of the whole output follow, and what they find still fails the build.
            preview(plan.write_early(files))
            clock.lap("preview")
        files += search_stage(options, session, model, converter, files, staging, plan)
        clock.lap("search")
        printed: list[str] = []
        if model.site.config.pdf and options.write and not diags.errors:
            files += pdf_stage(
                options, model, converter, renderer.urls, files, staging, diags, printed
            )
            clock.lap("pdf")
        diags.extend(asset_clashes(files, checked.project))
        links = session.links.setdefault((options.out.absolute(), options.write), LinkMemo())
        kept = gates_stage(
            options, checked.project, model, converter, files, staging, plan, diags, links
        )
        clock.lap("gates")
        result = build_result(options, checked, model, files, kept, plan, clock)
        result.pdf_printed = printed
        if result.errors or (options.strict and bool(diags.warnings)) or not options.write:
            return result
        write_stage(options, session, result, plan, staging, snapshot)
        clock.lap("write")
        return result


__all__ = ["BuildOptions", "BuildResult", "Validated", "heading_slug", "run", "validate"]
