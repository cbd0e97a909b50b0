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
from pathlib import Path
from typing import Any

import click

from site_builder import __version__
from site_builder.errors import BuildFailed, Diagnostic, StateNotSaved, UsageError

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
            self._task = self._bar.add_task("load", total=None)
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Called by the pipeline: a stage finished (done == total) or advanced."""
        if self._bar is not None:
            self._bar.update(self._task, description=stage, completed=done, total=total)

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
        where, what = out_dir, "cannot write the site: "
    else:
        where, what = name, ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "the disk is full: free some space and build again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "the folder is not writable: fix its permissions, or choose another with --out"
    else:
        hint = "check the folder's permissions and free space"
    message = f"{what}{reason}"
    return Diagnostic(str(where), 1, 1, message, hint, code="write")


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
    from site_builder.pipeline import BuildOptions, run

    command = "build" if write else "check"
    source = source.absolute()
    out_dir = (out or source / "output").absolute()
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
    try:
        with _Progress() as progress:
            result = run(options, progress)
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
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
                f"{out_dir}: error: the site was written, but its build state was not saved: "
                f"{exc.error.strerror or exc.error} ({problem.hint}); the next build renders "
                "every page again",
                err=True,
            )
        return EXIT_CONTENT
    except OSError as exc:
        problem = _os_error(exc, out_dir)
        if fmt == "json":
            click.echo(problem.to_json(), err=True)
        else:
            line = f"{problem.path}: error: {problem.message} ({problem.hint})"
            click.echo(line + "; the previous output is unchanged", err=True)
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
        why = f"{errors} error(s), {warnings} warning(s)"
        if strict and warnings and not errors:
            why += " (--strict turns warnings into errors)"
        if fmt != "json":  # every line of JSON output is a diagnostic; the exit code says it
            if write:
                click.echo(f"build failed: {why}; output left unchanged", err=True)
            else:  # `check` writes nothing: there is no output to speak of
                click.echo(f"check failed: {why}", err=True)
        return EXIT_CONTENT
    if fmt == "json":
        return EXIT_OK
    total = sum(result.timings.values())
    if write and result.up_to_date:
        click.echo(
            f"{out_dir} is up to date ({result.pages} pages): no source changed since the last "
            f"build, checked in {total:.2f}s" + (f"; {warnings} warning(s)" if warnings else ""),
            err=True,
        )
    elif write and result.written is not None:
        w = result.written
        files = len(result.files) + len(result.kept)
        click.echo(
            f"built {result.pages} pages ({files} files) into {out_dir} in {total:.2f}s: "
            f"{len(result.rendered)} rendered, {w.written} written, {w.unchanged} unchanged, "
            f"{w.removed} removed"
            + (f", {len(result.pdf_printed)} PDF(s) printed" if result.pdf_printed else "")
            + (f"; {warnings} warning(s)" if warnings else ""),
            err=True,
        )
    else:
        click.echo(
            f"checked {result.pages} pages ({len(result.files)} files) in {total:.2f}s: no errors"
            + (f", {warnings} warning(s)" if warnings else ""),
            err=True,
        )
    return EXIT_OK


_source_option = click.option(
    "--source",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The site project folder (holds site.yaml and content/).",
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "codequality", "github"]),
    default="text",
    show_default=True,
    help="How to print problems: text lines, or JSON lines, on standard error; junit (JUnit "
    "XML), codequality (GitLab Code Quality JSON) or github (Actions annotations) also print "
    "that report on standard output, for CI to show each problem at its file and line.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="site-builder")
def main() -> None:
    """Build bilingual (简体 / 繁體 / English) report sites from Markdown reports."""


@main.command()
@_source_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: output/ in the source folder).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--drafts", is_flag=True, help="Include reports marked draft: true.")
@_format_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0),
    default=0,
    help="Processes for parsing and rendering (default 0: one per core); same output for any.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Build into a non-empty --out folder that site-builder did not make, deleting what it "
    "holds (without this, such a folder is refused).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print a PDF of every report and a yearly compendium per organization (needs "
    "Chromium; same as `pdf: true` in site.yaml).",
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
    """Build the site into the output folder (all or nothing)."""
    sys.exit(
        _run_build(source, out, strict, drafts, True, fmt, jobs=jobs, overwrite=overwrite, pdf=pdf)
    )


@main.command()
@_source_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--drafts", is_flag=True, help="Include reports marked draft: true.")
@click.option(
    "--translations",
    is_flag=True,
    help="List missing English fields and bodies (as warnings: with --strict they fail).",
)
@click.option(
    "--fix",
    is_flag=True,
    help="First rewrite the sources in their own script's standard forms (as fix-script does).",
)
@_format_option
def check(
    source: Path, strict: bool, drafts: bool, translations: bool, fix: bool, fmt: str
) -> None:
    """Validate content, references and pages without writing anything (but --fix)."""
    if fix:
        _fix_scripts(source, (), dry_run=False)
    sys.exit(_run_build(source, None, strict, drafts, False, fmt, translations))


@main.command()
@_source_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback lets other machines read the preview.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@click.option("--drafts", is_flag=True, help="Include reports marked draft: true.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the preview is built (default: a folder in the user's cache, never output/).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Preview into a non-empty --out folder that site-builder did not make, deleting what "
    "it holds (without this, such a folder is refused).",
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
    """Build, serve on 127.0.0.1, rebuild what each edit touches and reload the browser."""
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


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new, buildable site project in DIRECTORY."""
    from site_builder.scaffold import init_site

    try:
        created = init_site(directory)
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for path in created:
        click.echo(f"created {path}")
    command = installed_command()
    click.echo(f"next: cd {directory} && {command} build     (then '{command} serve' to preview)")


def installed_command() -> str:
    """How to run this tool from a shell: ``site-builder`` when the installed command is on
    PATH, else this interpreter's ``-m site_builder`` (a virtual environment not activated)."""
    import shutil

    if shutil.which("site-builder"):
        return "site-builder"
    return f"{shlex.quote(sys.executable)} -m site_builder"


@main.command("fix-script")
@_source_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print a unified diff of the changes; write nothing.")
def fix_script(source: Path, paths: tuple[Path, ...], dry_run: bool) -> None:
    """Rewrite Chinese sources in the standard forms of their own script.

    Fixes what `check` warns about (中層干部 -> 中層幹部 in a Traditional report, half-width
    ", ; : ?" between Chinese characters), word by word with the site's chinese.phrases;
    {keep:…} spans, code, charts, HTML, links and URLs stay as written. PATHS: files or
    folders (default: content/). Files that need nothing are not written.
    """
    _fix_scripts(source, paths, dry_run)


def _fix_scripts(source: Path, paths: tuple[Path, ...], dry_run: bool) -> None:
    from site_builder.scriptfix import plan_fixes, site_converter, source_files, write_fixes

    try:
        files = source_files(source, paths)
        fixes = plan_fixes(files, site_converter(source))
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if dry_run:
        for fix in fixes:
            click.echo(fix.diff(source), nl=False)
    else:
        write_fixes(fixes)
    changes = sum(fix.issues for fix in fixes)
    verb = "would fix" if dry_run else "fixed"
    click.echo(
        f"{verb} {changes} character(s) in {len(fixes)} file(s); "
        f"{len(files) - len(fixes)} file(s) needed nothing",
        err=True,
    )


@main.group()
def new() -> None:
    """Scaffold new content."""


@new.command("report")
@_source_option
@click.option("--org", required=True, help="The organization key (content/orgs/<key>.yaml).")
@click.option(
    "--year", required=True, type=click.IntRange(1949, 2100), help="The year reported on."
)
@click.option("--title", required=True, help="The report's title (Chinese or English).")
@click.option("--slug", default=None, help="ASCII file-name slug (default: from the title).")
def new_report(source: Path, org: str, year: int, title: str, slug: str | None) -> None:
    """Create content/reports/<org>/<year>-<slug>.md with the right front matter."""
    from site_builder.scaffold import new_report as scaffold_report

    try:
        path = scaffold_report(source, org, year, title, slug)
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"created {path}")


@main.command("import")
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE_OR_FOLDER..."
)
@_source_option
@click.option("--org", default=None, help="The organization key (default: found in the text).")
@click.option(
    "--year",
    type=click.IntRange(1949, 2100),
    default=None,
    help="The year reported on (default: the one the title names, else the date's).",
)
@click.option("--slug", default=None, help="ASCII file-name slug (default: from the title).")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option(
    "--force", is_flag=True, help="Overwrite files that exist (report, review file, images)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The summary as text, or one JSON object per imported file.",
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
    """Turn Word, text, web-page, PDF or Markdown reports into reports with front matter,
    headings from their own outline (一、/（一）/1、) and proposed metrics for review."""
    import re

    from site_builder.importer.convert import Options
    from site_builder.importer.run import import_paths, summary_json, summary_text

    if slug is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        click.echo(f"error: slug '{slug}' must use a-z, 0-9 and '-'", err=True)
        sys.exit(EXIT_USAGE)
    if slug is not None and (len(inputs) > 1 or any(p.is_dir() for p in inputs)):
        click.echo("error: --slug names one report: import one file with it", err=True)
        sys.exit(EXIT_USAGE)
    result = import_paths(list(inputs), source, Options(org, year, slug), dry_run, force)
    usage = [d for d in result.errors if d.code == "usage"]
    if usage:  # a wrong option or folder: said the way other usage errors are
        for d in usage:
            click.echo(f"error: {d.message} ({d.hint})", err=True)
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
