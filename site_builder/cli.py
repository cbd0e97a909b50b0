"""Command line: argument parsing, console output and exit codes only.

Exit codes: 0 ok, 1 content errors, 2 usage errors. Diagnostics go to stderr, one per line,
``path:line:col: severity: message (hint)``; never a traceback for anything a user can cause.

Long: one command per verb, each only parsing its options and printing its result; the
console output they share (progress, diagnostics, exit codes) is the rest.
"""

from __future__ import annotations

import errno
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from site_builder import __version__
from site_builder.errors import BuildFailed, Diagnostic, StateNotSaved, UsageError
from site_builder.messages import LANGUAGES, N_, _, choose_language, set_language

if TYPE_CHECKING:
    from site_builder.result import BuildResult

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _print_diagnostics(
    diags: list[Diagnostic], fmt: str, command: str = "build", strict: bool = False
) -> None:
    """Every problem on standard error (a JSON object a line with ``json``); the report
    formats also print their document on standard output."""
    for d in diags:
        click.echo(d.to_json() if fmt == "json" else d.format(), err=True)
    if fmt in ("junit", "codequality", "github"):
        from site_builder.reports import report

        text = report(fmt, diags, command, strict)
        if text:
            click.echo(text, nl=False)


def _progress_enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


# The pipeline's stages as the progress bar names them
_STAGES = {
    "load": N_("load"),
    "parse": N_("parse"),
    "validate": N_("validate"),
    "derive": N_("derive"),
    "render": N_("render"),
    "preview": N_("preview"),
    "search": N_("search"),
    "pdf": N_("pdf"),
    "gates": N_("gates"),
    "write": N_("write"),
}


class _Progress:
    """A rich progress bar with counts on a terminal; silent in CI logs and pipes."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = _progress_enabled() if enabled is None else enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description:<8}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(_(_STAGES["load"]), total=None)
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Called by the pipeline: a stage finished (done == total) or advanced."""
        if self._bar is not None:
            name = _(_STAGES[stage]) if stage in _STAGES else stage
            self._bar.update(self._task, description=name, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _os_error(exc: OSError, out_dir: Path) -> Diagnostic:
    """A file-system failure as one diagnostic: the output folder (not the temporary file the
    error came from), what went wrong, and what to do."""
    reason = exc.strerror or str(exc)
    name = Path(exc.filename) if isinstance(exc.filename, str) else None
    # the output, its temporary siblings and its build state all sit in the output's parent
    if name is None or name.absolute().is_relative_to(out_dir.parent):
        where, message = out_dir, _("cannot write the site: {reason}").format(reason=reason)
    else:
        where, message = name, reason
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = _("the disk is full: free some space and build again")
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = _("the folder is not writable: fix its permissions, or choose another with --out")
    else:
        hint = _("check the folder's permissions and free space")
    return Diagnostic(str(where), 1, 1, message, hint, code="write")


def _unchanged(
    source: Path, out: Path, drafts: bool, overwrite: bool, pdf: bool
) -> BuildResult | None:
    """`build` with nothing to do, from the quick file beside the output, with the checks the
    pipeline makes first (the installation, the output folder); None: run the pipeline."""
    from site_builder.installation import installation_problems
    from site_builder.uptodate import check_output, unchanged

    if installation_problems():  # the pipeline reports them
        return None
    check_output(source, out, overwrite)
    return unchanged(source, out, drafts, pdf)


def _run_build(
    source: Path,
    out: Path | None,
    strict: bool,
    drafts: bool,
    write: bool,
    fmt: str,
    translations: bool = False,
    jobs: int = 0,
    overwrite: bool = False,
    pdf: bool = False,
) -> int:
    command = "build" if write else "check"
    source = source.absolute()
    out_dir = (out or source / "output").absolute()
    try:
        result = None
        if write and not translations:  # nothing to do? asked before the pipeline is imported
            result = _unchanged(source, out_dir, drafts, overwrite, pdf)
        if result is None:
            from site_builder.pipeline import BuildOptions, run

            options = BuildOptions(
                source=source,
                out=out_dir,
                strict=strict,
                drafts=drafts,
                write=write,
                translations=translations,
                jobs=jobs,
                overwrite=overwrite,
                pdf=pdf,
            )
            with _Progress() as progress:
                result = run(options, progress)
    except UsageError as exc:
        click.echo(_("error: {problem}").format(problem=exc), err=True)
        return EXIT_USAGE
    except BuildFailed as exc:
        _print_diagnostics(exc.diagnostics, fmt, command, strict)
        return EXIT_CONTENT
    except StateNotSaved as exc:
        problem = _os_error(exc.error, out_dir)
        if fmt == "json":
            click.echo(problem.to_json(), err=True)
        else:
            click.echo(
                _(
                    "{out}: error: the site was written, but its build state was not saved: "
                    "{reason} ({hint}); the next build renders every page again"
                ).format(out=out_dir, reason=exc.error.strerror or exc.error, hint=problem.hint),
                err=True,
            )
        return EXIT_CONTENT
    except OSError as exc:
        problem = _os_error(exc, out_dir)
        if fmt == "json":
            click.echo(problem.to_json(), err=True)
        else:
            line = _("{path}: error: {message} ({hint}); the previous output is unchanged").format(
                path=problem.path, message=problem.message, hint=problem.hint
            )
            click.echo(line, err=True)
            if fmt in ("junit", "codequality", "github"):
                from site_builder.reports import report

                click.echo(report(fmt, [problem], command, strict) or "", nl=False)
        return EXIT_CONTENT
    _print_diagnostics(result.diagnostics, fmt, command, strict)
    if result.translation_summary and fmt == "text":
        click.echo(result.translation_summary)
    errors = len(result.errors)
    warnings = len(result.diagnostics) - errors
    failed = errors or (strict and warnings)
    if failed:
        why = _("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings)
        if strict and warnings and not errors:
            why += _(" (--strict turns warnings into errors)")
        if fmt != "json":  # every line of JSON output is a diagnostic; the exit code says it
            if write:
                click.echo(
                    _("build failed: {why}; output left unchanged").format(why=why), err=True
                )
            else:  # `check` writes nothing: there is no output to speak of
                click.echo(_("check failed: {why}").format(why=why), err=True)
        return EXIT_CONTENT
    if fmt == "json":
        return EXIT_OK
    total = f"{sum(result.timings.values()):.2f}"
    if write and result.up_to_date:
        click.echo(
            _(
                "{out} is up to date ({pages} pages): no source changed since the last build, "
                "checked in {seconds}s"
            ).format(out=out_dir, pages=result.pages, seconds=total)
            + (_("; {warnings} warning(s)").format(warnings=warnings) if warnings else ""),
            err=True,
        )
    elif write and result.written is not None:
        w = result.written
        files = len(result.files) + len(result.kept)
        click.echo(
            _(
                "built {pages} pages ({files} files) into {out} in {seconds}s: {rendered} "
                "rendered, {written} written, {unchanged} unchanged, {removed} removed"
            ).format(
                pages=result.pages,
                files=files,
                out=out_dir,
                seconds=total,
                rendered=len(result.rendered),
                written=w.written,
                unchanged=w.unchanged,
                removed=w.removed,
            )
            + (
                _(", {count} PDF(s) printed").format(count=len(result.pdf_printed))
                if result.pdf_printed
                else ""
            )
            + (_("; {warnings} warning(s)").format(warnings=warnings) if warnings else ""),
            err=True,
        )
    else:
        click.echo(
            _("checked {pages} pages ({files} files) in {seconds}s: no errors").format(
                pages=result.pages, files=len(result.files), seconds=total
            )
            + (_(", {warnings} warning(s)").format(warnings=warnings) if warnings else ""),
            err=True,
        )
    return EXIT_OK


class _Option(click.Option):
    """An option whose help text (marked with ``N_`` at import) is translated when shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        original = self.help
        self.help = _(original) if original else original
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = original


class _Command(click.Command):
    """A command whose docstring is translated when ``--help`` or the command list shows it."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        original = self.help
        self.help = _(original.strip()) if original else original
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # Click makes the option once and keeps it: its text is set in today's language
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def get_short_help_str(self, limit: int = 45) -> str:
        original = self.help
        self.help = _(original.strip()) if original else original
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help = original


def _lang_given(args: list[str]) -> str | None:
    """The value of ``--lang`` wherever it stands among ``args`` (the last one wins), read
    before Click parses them, so that its own messages and ``--help`` speak it too."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found


class _Group(_Command, click.Group):
    """The command group: picks the language before anything is parsed or printed."""

    command_class = _Command
    group_class = type

    def main(self, args: Any = None, *posargs: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        set_language(choose_language(_lang_given(argv)))
        return super().main(argv, *posargs, **kwargs)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        set_language(choose_language(value))


_F = TypeVar("_F", bound=Callable[..., Any])


def _option(*decls: str, **attrs: Any) -> Callable[[_F], _F]:
    return click.option(*decls, cls=_Option, **attrs)


def _lang_option(f: _F) -> _F:
    """``--lang`` on every command (read early by :class:`_Group`; here for ``--help``)."""
    return _option(
        "--lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        metavar="[en|zh-Hans|zh-Hant]",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_set_lang,
        help=N_(
            "Language of the tool's messages: en, zh-Hans or zh-Hant (default: "
            "SITE_BUILDER_LANG, else the locale, else English)."
        ),
    )(f)


_source_option = _option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help=N_("The site project folder (holds site.yaml and content/)."),
)
_format_option = _option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "codequality", "github"]),
    default="text",
    show_default=True,
    help=N_(
        "How to print problems: text lines, or JSON lines, on standard error; junit (JUnit "
        "XML), codequality (GitLab Code Quality JSON) or github (Actions annotations) also print "
        "that report on standard output, for CI to show each problem at its file and line."
    ),
)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Build bilingual (简体 / 繁體 / English) report sites from Markdown reports."),
)
@click.version_option(
    __version__, prog_name="site-builder", cls=_Option, help=N_("Show the version and exit.")
)
@_lang_option
def main() -> None:
    """The ``site-builder`` command (its help text, translated, is above)."""


@main.command(help=N_("Build the site into the output folder (all or nothing)."))
@_lang_option
@_source_option
@_option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_("Where to write the site (default: output/ in the source folder)."),
)
@_option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
@_option("--drafts", is_flag=True, help=N_("Include reports marked draft: true."))
@_format_option
@_option(
    "--jobs",
    "-j",
    type=click.IntRange(0),
    default=0,
    help=N_("Processes for parsing and rendering (default 0: one per core); same output for any."),
)
@_option(
    "--overwrite",
    is_flag=True,
    help=N_(
        "Build into a non-empty --out folder that site-builder did not make, deleting what it "
        "holds (without this, such a folder is refused)."
    ),
)
@_option(
    "--pdf",
    is_flag=True,
    help=N_(
        "Also print a PDF of every report and a yearly compendium per organization (needs "
        "Chromium; same as `pdf: true` in site.yaml)."
    ),
)
def build(
    source: Path,
    out: Path | None,
    strict: bool,
    drafts: bool,
    fmt: str,
    jobs: int,
    overwrite: bool,
    pdf: bool,
) -> None:
    sys.exit(
        _run_build(source, out, strict, drafts, True, fmt, jobs=jobs, overwrite=overwrite, pdf=pdf)
    )


@main.command(
    help=N_("Validate content, references and pages without writing anything (but --fix).")
)
@_lang_option
@_source_option
@_option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
@_option("--drafts", is_flag=True, help=N_("Include reports marked draft: true."))
@_option(
    "--translations",
    is_flag=True,
    help=N_("List missing English fields and bodies (as warnings: with --strict they fail)."),
)
@_option(
    "--fix",
    is_flag=True,
    help=N_("First rewrite the sources in their own script's standard forms (as fix-script does)."),
)
@_format_option
def check(
    source: Path, strict: bool, drafts: bool, translations: bool, fix: bool, fmt: str
) -> None:
    if fix:
        _fix_scripts(source, (), dry_run=False)
    sys.exit(_run_build(source, None, strict, drafts, False, fmt, translations))


@main.command(
    help=N_("Build, serve on 127.0.0.1, rebuild what each edit touches and reload the browser.")
)
@_lang_option
@_source_option
@_option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help=N_("TCP port (0: any free port)."),
)
@_option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=N_("Address to listen on; anything but loopback lets other machines read the preview."),
)
@_option("--open", "open_browser", is_flag=True, help=N_("Open the site in a browser."))
@_option("--drafts", is_flag=True, help=N_("Include reports marked draft: true."))
@_option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_("Where the preview is built (default: a folder in the user's cache, never output/)."),
)
@_option(
    "--overwrite",
    is_flag=True,
    help=N_(
        "Preview into a non-empty --out folder that site-builder did not make, deleting what "
        "it holds (without this, such a folder is refused)."
    ),
)
def serve(
    source: Path,
    port: int,
    host: str,
    open_browser: bool,
    drafts: bool,
    out: Path | None,
    overwrite: bool,
) -> None:
    from site_builder.serve import ServeOptions
    from site_builder.serve import serve as run_server

    options = ServeOptions(
        source=source,
        out=out,
        host=host,
        port=port,
        open_browser=open_browser,
        drafts=drafts,
        overwrite=overwrite,
    )
    sys.exit(run_server(options, lambda line: click.echo(line, err=True)))


@main.command(help=N_("Create a new, buildable site project in DIRECTORY."))
@_lang_option
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    from site_builder.scaffold import init_site

    try:
        created = init_site(directory)
    except UsageError as exc:
        click.echo(_("error: {problem}").format(problem=exc), err=True)
        sys.exit(EXIT_USAGE)
    for path in created:
        click.echo(_("created {path}").format(path=path))
    command = installed_command()
    click.echo(
        _("next: cd {folder} && {command} build     (then '{command} serve' to preview)").format(
            folder=directory, command=command
        )
    )


def installed_command() -> str:
    """How to run this tool from a shell: ``site-builder`` when the installed command is on
    PATH, else this interpreter's ``-m site_builder`` (a virtual environment not activated)."""
    import shutil

    if shutil.which("site-builder"):
        return "site-builder"
    return f"{shlex.quote(sys.executable)} -m site_builder"


@main.command(
    "fix-script",
    help=N_(
        "Rewrite Chinese sources in the standard forms of their own script.\n\n"
        "Fixes what `check` warns about (中層干部 -> 中層幹部 in a Traditional report, "
        'half-width ", ; : ?" between Chinese characters), word by word with the site\'s '
        "chinese.phrases; {keep:…} spans, code, charts, HTML, links and URLs stay as written. "
        "PATHS: files or folders (default: content/). Files that need nothing are not written."
    ),
)
@_lang_option
@_source_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_option("--dry-run", is_flag=True, help=N_("Print a unified diff of the changes; write nothing."))
def fix_script(source: Path, paths: tuple[Path, ...], dry_run: bool) -> None:
    _fix_scripts(source, paths, dry_run)


def _fix_scripts(source: Path, paths: tuple[Path, ...], dry_run: bool) -> None:
    from site_builder.scriptfix import plan_fixes, site_converter, source_files, write_fixes

    try:
        files = source_files(source, paths)
        fixes = plan_fixes(files, site_converter(source))
    except UsageError as exc:
        click.echo(_("error: {problem}").format(problem=exc), err=True)
        sys.exit(EXIT_USAGE)
    if dry_run:
        for fix in fixes:
            click.echo(fix.diff(source), nl=False)
    else:
        write_fixes(fixes)
    changes = sum(fix.issues for fix in fixes)
    done = (
        _("would fix {changes} character(s) in {files} file(s); {rest} file(s) needed nothing")
        if dry_run
        else _("fixed {changes} character(s) in {files} file(s); {rest} file(s) needed nothing")
    )
    click.echo(
        done.format(changes=changes, files=len(fixes), rest=len(files) - len(fixes)), err=True
    )


@main.group(cls=_Group, help=N_("Scaffold new content."))
@_lang_option
def new() -> None:
    """``site-builder new``: only holds its subcommands."""


@new.command(
    "report", help=N_("Create content/reports/<org>/<year>-<slug>.md with the right front matter.")
)
@_lang_option
@_source_option
@_option("--org", required=True, help=N_("The organization key (content/orgs/<key>.yaml)."))
@_option("--year", required=True, type=click.IntRange(1949, 2100), help=N_("The year reported on."))
@_option("--title", required=True, help=N_("The report's title (Chinese or English)."))
@_option("--slug", default=None, help=N_("ASCII file-name slug (default: from the title)."))
def new_report(source: Path, org: str, year: int, title: str, slug: str | None) -> None:
    from site_builder.scaffold import new_report as scaffold_report

    try:
        path = scaffold_report(source, org, year, title, slug)
    except UsageError as exc:
        click.echo(_("error: {problem}").format(problem=exc), err=True)
        sys.exit(EXIT_USAGE)
    click.echo(_("created {path}").format(path=path))


@main.command(
    "import",
    help=N_(
        "Turn Word, text, web-page, PDF or Markdown reports into reports with front matter, headings from their own outline (一、/（一）/1、) and proposed metrics for review."
    ),
)
@_lang_option
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE_OR_FOLDER..."
)
@_source_option
@_option("--org", default=None, help=N_("The organization key (default: found in the text)."))
@_option(
    "--year",
    type=click.IntRange(1949, 2100),
    default=None,
    help=N_("The year reported on (default: the one the title names, else the date's)."),
)
@_option("--slug", default=None, help=N_("ASCII file-name slug (default: from the title)."))
@_option("--dry-run", is_flag=True, help=N_("Print what would be written; write nothing."))
@_option(
    "--force", is_flag=True, help=N_("Overwrite files that exist (report, review file, images).")
)
@_option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help=N_("The summary as text, or one JSON object per imported file."),
)
def import_(
    inputs: tuple[Path, ...],
    source: Path,
    org: str | None,
    year: int | None,
    slug: str | None,
    dry_run: bool,
    force: bool,
    fmt: str,
) -> None:
    import re

    from site_builder.importer.convert import Options
    from site_builder.importer.run import import_paths, summary_json, summary_text

    if slug is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        click.echo(_("error: slug '{slug}' must use a-z, 0-9 and '-'").format(slug=slug), err=True)
        sys.exit(EXIT_USAGE)
    if slug is not None and (len(inputs) > 1 or any(p.is_dir() for p in inputs)):
        click.echo(_("error: --slug names one report: import one file with it"), err=True)
        sys.exit(EXIT_USAGE)
    result = import_paths(list(inputs), source, Options(org, year, slug), dry_run, force)
    usage = [d for d in result.errors if d.code == "usage"]
    if usage:  # a wrong option or folder: said the way other usage errors are
        for d in usage:
            click.echo(
                _("error: {message} ({hint})").format(message=d.message, hint=d.hint), err=True
            )
        sys.exit(EXIT_USAGE)
    for done in result.imported:
        if fmt == "json":
            click.echo(summary_json(done, dry_run))
            continue
        if dry_run:
            click.echo(f"--- {done.path}")
            click.echo(done.text, nl=False)
            if done.review_path and done.review_text:
                click.echo(f"--- {done.review_path}")
                click.echo(done.review_text, nl=False)
        for line in summary_text(done, dry_run):
            click.echo(line)
    _print_diagnostics(result.errors, fmt)
    sys.exit(EXIT_CONTENT if result.errors else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
