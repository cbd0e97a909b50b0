"""Stage work over every source of a project: parse each file, lint each Chinese body's script,
render each Markdown body once for all trees, gather the chart blocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from site_builder.chinese import Converter, default_converter
from site_builder.errors import Diagnostics
from site_builder.load import Project
from site_builder.markdown import ChartBlock, RenderedMarkdown, render_markdown
from site_builder.messages import _
from site_builder.model import Page, Report, Site
from site_builder.parallel import pmap
from site_builder.parse import ParsedDoc, ParsedYaml, parse_document, parse_yaml_file
from site_builder.render import Bodies
from site_builder.scriptfix import ScriptIssue, script_issues, script_of
from site_builder.yamlpos import Located

__all__ = ["chart_sources", "lint_scripts", "parse_project", "render_bodies", "script_of"]


@dataclass(frozen=True, slots=True)
class Parsed:
    config: ParsedYaml | None
    orgs: tuple[ParsedYaml, ...]
    metrics: ParsedYaml | None
    tags: ParsedYaml | None
    reports: tuple[ParsedDoc, ...]
    pages: tuple[ParsedDoc, ...]
    data: tuple[ParsedYaml, ...]
    types: ParsedYaml | None = None  # content/types.yaml

    def located(self) -> dict[str, Located]:
        """Every parsed file's located YAML, by its path: for messages about any field."""
        out = {
            p.source.rel: p.data for p in (self.config, self.metrics, self.tags, self.types) if p
        }
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
        types=yaml_one(project.types),
        reports=docs(project.reports),
        pages=docs(project.pages),
        data=tuple(p for p in map(yaml_one, project.data) if p is not None),
    )


def _issues(text: str, script: str) -> list[ScriptIssue]:
    return script_issues(text, script, default_converter())


def lint_scripts(
    site: Site,
    diags: Diagnostics,
    find: Callable[[str, str], list[ScriptIssue]] = _issues,
    jobs: int = 1,
) -> None:
    """Warn about every non-standard character of a Chinese body, at its own position, with
    the text it should read (中層干部 should read 中層幹部 in a Traditional report), and
    about half-width ``, ; : ?`` between Chinese characters. ``find`` is
    :func:`scriptfix.script_issues` with the site's converter (its phrases)."""
    results = pmap(lambda rep: find(rep.body, rep.script), site.reports, jobs)
    for rep, found in zip(site.reports, results, strict=True):
        for issue in found:
            line = issue.line + rep.body_line - 1
            if issue.code == "halfwidth-punctuation":
                message = _(
                    "half-width punctuation between Chinese characters: "
                    "{found} should read {expected}"
                ).format(found=issue.found, expected=issue.expected)
            else:
                message = _(
                    "not the standard {script} form here: {found} should read {expected}"
                ).format(script=rep.script, found=issue.found, expected=issue.expected)
            diags.warning(
                rep.path,
                line,
                issue.col,
                message,
                _(
                    "run `site-builder fix-script` to rewrite the sources in standard forms; "
                    "wrap names and quotations in {keep:…} to keep them as written"
                ),
                code=issue.code,
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
    items: tuple[Report | Page, ...] = (*site.reports, *site.pages)
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
