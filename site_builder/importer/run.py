"""``site-builder import``: the I/O edge. Reads the inputs and the site's registries, converts
each file (``convert``), and writes reports, review files and images, never over an existing
file without ``force``."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.errors import Diagnostic, did_you_mean
from site_builder.importer import frontmatter as fm
from site_builder.importer.convert import Imported, Options, Registry, convert
from site_builder.importer.document import RawDocument
from site_builder.importer.figures import KnownMetric
from site_builder.importer.frontmatter import OrgInfo
from site_builder.importer.readers import ReadError
from site_builder.messages import _

SUFFIXES = (".txt", ".docx", ".html", ".htm", ".pdf", ".md")


def _reader(suffix: str) -> Callable[[bytes], RawDocument]:
    if suffix == ".txt":
        from site_builder.importer.readers.text import read_text

        return read_text
    if suffix == ".docx":
        from site_builder.importer.readers.docx import read_docx

        return read_docx
    if suffix in (".html", ".htm"):
        from site_builder.importer.readers.html import read_html

        return read_html
    if suffix == ".pdf":
        from site_builder.importer.readers.pdf import read_pdf

        return read_pdf
    from site_builder.importer.readers.markdown import read_markdown

    return read_markdown


def load_registry(source: Path) -> Registry:
    """The site's organizations, metrics and tags as ``check`` reads them: through
    ``pipeline.validate`` (load, parse, validate; nothing is rendered). An entry with errors
    is left out (``check`` reports it) and a site.yaml that does not validate leaves the
    registry empty: the importer then proposes no organization, metric or tag."""
    from site_builder.pipeline import BuildOptions, validate

    checked = validate(BuildOptions(source=source, out=source / "output", write=False))
    site = checked.site
    if site is None:
        return Registry()
    orgs = []
    for org in site.orgs.values():
        # a report written before a renaming names the organization as it was then
        found = [org.name.zh, org.short_name.zh]
        found += [n for f in org.former_names for n in (f.name.zh, f.short_name.zh)]
        names = (n.strip() for n in found if n and n.strip())
        orgs.append(OrgInfo(org.key, tuple(dict.fromkeys(names))))
    metrics = tuple(
        KnownMetric(m.key, (m.label.zh or "").strip(), (m.unit.zh or "").strip(), m.additive)
        for m in site.metrics.values()
    )
    # in the order of tags.yaml (the site's model sorts them by slug): proposals keep it
    parsed = checked.parsed
    written = parsed.tags.data.value if parsed is not None and parsed.tags is not None else None
    order = {str(k): i for i, k in enumerate(written)} if isinstance(written, dict) else {}
    named = sorted(site.tags.values(), key=lambda t: order.get(t.name.zh or "", len(order)))
    tags = tuple(t.name.zh or t.slug for t in named)
    return Registry(tuple(orgs), metrics, tags)


@dataclass(slots=True)
class ImportResult:
    imported: list[Imported] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def _inputs(paths: list[Path], errors: list[Diagnostic]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                c for c in p.iterdir() if c.is_file() and not c.name.startswith((".", "~$"))
            )
            if not found:
                errors.append(
                    Diagnostic(str(p), 1, 1, _("the folder holds no file to import"), code="import")
                )
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            errors.append(
                Diagnostic(
                    str(p), 1, 1, _("no such file or folder"), _("check the path"), code="import"
                )
            )
    return files


def import_paths(
    paths: list[Path],
    source: Path,
    options: Options,
    dry_run: bool = False,
    force: bool = False,
) -> ImportResult:
    """Imports every file of ``paths`` (folders: the files in them) into the site at ``source``.
    Each file that fails gets its diagnostics and the others are imported; nothing that exists
    is overwritten unless ``force``; ``dry_run`` writes nothing."""
    from site_builder.chinese import Converter

    result = ImportResult()
    if not (source / "site.yaml").is_file():
        result.errors.append(
            Diagnostic(
                str(source / "site.yaml"),
                1,
                1,
                _("no site.yaml in {source}: reports are imported into a site project").format(
                    source=source
                ),
                _("run it in the project folder or pass --source; site-builder init makes one"),
                code="usage",
            )
        )
        return result
    registry = load_registry(source)
    if options.org is not None and options.org not in {o.key for o in registry.orgs}:
        result.errors.append(
            Diagnostic(
                "--org",
                1,
                1,
                _("unknown organization '{org}'").format(org=options.org),
                did_you_mean(options.org, [o.key for o in registry.orgs])
                + _("; organizations are content/orgs/<key>.yaml"),
                code="usage",
            )
        )
        return result
    converter = Converter(quotes="curly")  # text for sources: quotation marks as written
    # registry labels and names are converted again for every figure and file: once is enough
    to_hans = functools.lru_cache(maxsize=65536)(converter.to_hans)
    claimed: dict[str, str] = {}
    for path in _inputs(paths, result.errors):
        shown = str(path)
        suffix = path.suffix.lower()
        if suffix == ".doc":
            result.errors.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    _("old Word files (.doc) cannot be read"),
                    _(
                        "open it in Word or LibreOffice and save it as .docx (Word document), then import that"
                    ),
                    code="import",
                )
            )
            continue
        if suffix not in SUFFIXES:
            result.errors.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    _("cannot import '{suffix}' files").format(suffix=path.suffix or path.name),
                    _("import .txt, .docx, .html/.htm, .pdf or .md files"),
                    code="import",
                )
            )
            continue
        try:
            raw = _reader(suffix)(path.read_bytes())
        except ReadError as exc:
            result.errors.append(
                Diagnostic(shown, exc.line, 1, exc.message, exc.hint, code="import")
            )
            continue
        except OSError as exc:
            result.errors.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    _("cannot read the file: {reason}").format(reason=exc.strerror or exc),
                    code="import",
                )
            )
            continue
        except Exception as exc:  # a library failing on a damaged file: never a traceback
            result.errors.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    _("cannot read the file ({kind}: {problem})").format(
                        kind=type(exc).__name__, problem=exc
                    ),
                    _(
                        "is it a complete {suffix} file? Save it again from the program that made it"
                    ).format(suffix=suffix),
                    code="import",
                )
            )
            continue
        done = convert(
            raw,
            path.name,
            registry,
            options,
            to_hans,
            fm.slug_from_title,
            converter.to_hant,
        )
        done.source = shown
        if done.errors:
            result.errors.extend(
                Diagnostic(shown, d.line, d.col, d.message, d.hint, d.severity, d.code)
                for d in done.errors
            )
            continue
        if done.path in claimed:
            result.errors.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    _("would write {path}, as {claimed} does").format(
                        path=done.path, claimed=claimed[done.path]
                    ),
                    _("import them one at a time with --slug"),
                    code="import",
                )
            )
            continue
        claimed[done.path] = shown
        outputs = {done.path: done.text.encode("utf-8")}
        if done.review_path and done.review_text:
            outputs[done.review_path] = done.review_text.encode("utf-8")
        outputs.update(done.images)
        existing = [rel for rel in outputs if (source / rel).exists()]
        if existing and not force:
            result.errors.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    _("{existing} exists already").format(existing=existing[0])
                    + (
                        _(" (and {count} more file(s))").format(count=len(existing) - 1)
                        if len(existing) > 1
                        else ""
                    ),
                    _("pass --force to overwrite it, or --slug to write another file"),
                    code="import",
                )
            )
            continue
        result.imported.append(done)
        if dry_run:
            continue
        for rel, data in outputs.items():
            dest = source / rel
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_name(dest.name + ".tmp-import")
                tmp.write_bytes(data)
                tmp.replace(dest)  # a reader of the folder never sees half a file
            except OSError as exc:
                result.errors.append(
                    Diagnostic(
                        str(dest),
                        1,
                        1,
                        _("cannot write the file: {reason}").format(reason=exc.strerror or exc),
                        _("check the folder's permissions and free space"),
                        code="write",
                    )
                )
                break
            result.written.append(rel)
    return result


def figures_json(done: Imported) -> list[dict[str, Any]]:
    return [
        {
            "value": p.figure.value,
            "qualifier": p.figure.qualifier,
            "unit": p.figure.unit,
            "key": p.key,
            "known": p.known,
            "line": line,
            "text": p.figure.sentence,
        }
        for line, p in done.proposals
    ]


def summary_json(done: Imported, dry_run: bool) -> str:
    return json.dumps(
        {
            "source": done.source,
            "path": done.path,
            "written": not dry_run,
            "review": done.review_path,
            "encoding": done.encoding,
            "script": done.script,
            "headings": {str(level): n for level, n in sorted(done.headings.items())},
            "paragraphs": done.paragraphs,
            "clutter_removed": done.clutter,
            "fields": {k: {"value": v, "why": why} for k, (v, why) in done.fields.items()},
            "figures": figures_json(done),
            "images": sorted(done.images),
        },
        ensure_ascii=False,
        sort_keys=False,
    )


def summary_text(done: Imported, dry_run: bool) -> list[str]:
    known = sum(1 for _p, p in done.proposals if p.known)
    new = len(done.proposals) - known
    levels = ", ".join(f"{'#' * lvl} {n}" for lvl, n in sorted(done.headings.items())) or _("none")
    kind = f"{done.encoding}, {done.script}" if done.encoding else done.script
    wrote = (
        _("{source}: would write {path} ({kind})")
        if dry_run
        else _("{source}: wrote {path} ({kind})")
    )
    figures = (
        _(
            "  figures proposed: {count} ({known} matched to known metrics, {new} new: "
            "definitions proposed in {review})"
        )
        if done.review_path
        else _("  figures proposed: {count} ({known} matched to known metrics, {new} new)")
    )
    lines = [
        wrote.format(source=done.source, path=done.path, kind=kind),
        _(
            "  headings: {levels}; paragraphs: {paragraphs}; clutter lines removed: {clutter}"
        ).format(levels=levels, paragraphs=done.paragraphs, clutter=done.clutter),
        figures.format(count=len(done.proposals), known=known, new=new, review=done.review_path),
    ]
    for name in ("title", "date", "org"):
        if name in done.fields:
            value, why = done.fields[name]
            lines.append(f"  {name}: {value} ({why})")
    for note in done.notes:
        lines.append(_("  note: {note}").format(note=note))
    return lines
