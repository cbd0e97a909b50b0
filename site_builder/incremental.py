"""Rendering only what changed: one build's plan (which pages to keep, what to record about the
others) and the renderer that follows it. The state it reads and writes is ``state.py``'s.

Long: the plan and the renderer that carries it out are two halves of one contract (which page
is kept, what is recorded for the next build); split, each would have to re-derive the other's.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from site_builder.errors import Diagnostics
from site_builder.gates import Unread
from site_builder.kinds import PageSpec
from site_builder.load import TemplateSource
from site_builder.messages import _
from site_builder.record import Facts, Recorder
from site_builder.render import OutputFile, Renderer
from site_builder.state import BuildState, OutputRecord, file_digest, mark_writing
from site_builder.write import Staging, WriteResult, write_in_place, write_output


class RecordingLoader(jinja2.BaseLoader):
    """Delegates to the environment's loader and records every template a render asks for.

    With ``auto_reload`` (Jinja's default) every request of a cached template asks its loader's
    ``uptodate`` function, so includes, imports and extends are all seen, cached or not."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner
        self.loaded: set[str] = set()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        self.loaded.add(template)
        source, filename, uptodate = self.inner.get_source(environment, template)

        def still_current() -> bool:
            self.loaded.add(template)
            return uptodate() if uptodate is not None else False

        return source, filename, still_current

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


class KeptFile(OutputFile):
    """A page that was not rendered: the previous output's file stays as it is."""

    __slots__ = ()


class StagedFile(OutputFile):
    """A rendered page already written to the new tree (``write.Staging``), known here by the
    digest of its bytes (``data`` is empty)."""

    __slots__ = ("digest",)
    digest: str

    def __init__(self, path: str, digest: str) -> None:
        super().__init__(path, b"")
        object.__setattr__(self, "digest", digest)


@dataclass(slots=True)
class Counts:
    rendered: list[str] = field(default_factory=list)  # output paths rendered this build
    kept: list[str] = field(default_factory=list)  # outputs reused without rendering
    always: list[str] = field(default_factory=list)  # rendered: no facts recorded for them


class RenderPlan:
    """One build's decisions: which outputs to render, and what to record about them."""

    def __init__(
        self,
        out: Path,
        previous: BuildState | None,
        meta: dict[str, Any],
        facts: Facts,
        templates: Iterable[TemplateSource],
    ) -> None:
        self.out = out.absolute()
        self._out = str(self.out)
        self.previous = previous
        self.meta = meta
        self.facts = facts
        self.templates = {t.name: t.digest for t in templates}
        self.skipping = previous is not None and previous.meta == meta
        self.records: dict[str, OutputRecord] = {}
        self.counts = Counts()
        self._intact: dict[str, OutputRecord | None] = {}
        self._names: dict[str, str] = {}  # one object per fact name
        self._changed: set[str] | None = None

    def intact(self, path: str) -> OutputRecord | None:
        """The previous record of ``path`` if the file is still on disk exactly as written."""
        if path in self._intact:
            return self._intact[path]
        rec = self.previous.outputs.get(path) if self.previous else None
        if rec is not None:
            try:
                st = os.stat(os.path.join(self._out, path))
            except OSError:
                rec = None
            else:
                if st.st_size != rec.size or st.st_mtime_ns != rec.mtime_ns:
                    rec = None
        self._intact[path] = rec
        return rec

    def skip(self, path: str) -> bool:
        """True when the page at ``path`` need not render: it is on disk as written, and every
        fact its view read, and every template it loaded, is as it was. Its record is kept."""
        if not self.skipping:
            return False
        rec = self.intact(path)
        if rec is None or rec.facts is None or rec.templates is None:
            return False
        if any(self.templates.get(n, "") != d for n, d in rec.templates.items()):
            return False
        if self._changed is None:
            # every fact of the last build whose digest differs now: a page is kept when it
            # read none of them (the state's table holds every fact any page read)
            assert self.previous is not None
            self._changed = self.facts.changed(self.previous.facts)
        if not self._changed.isdisjoint(rec.facts):
            return False
        self.records[path] = rec
        self.counts.kept.append(path)
        return True

    def rendered(self, path: str, facts: Iterable[str] | None, loaded: Iterable[str]) -> None:
        self.counts.rendered.append(path)
        if facts is None:
            self.counts.always.append(path)
            return
        templates = {n: self.templates.get(n, "") for n in sorted(loaded)}
        names = self._names
        kept = tuple(names.setdefault(f, f) for f in facts)
        # completed in finish(), once the bytes are known
        self.records[path] = OutputRecord("", 0, 0, kept, templates)

    def write_early(self, files: Iterable[OutputFile]) -> WriteResult:
        """Write the changed ``files`` now, in place (``serve`` shows pages before the site-wide
        stages run); ``finish`` then finds them on disk as they are and leaves them alone."""
        changed: dict[str, bytes] = {}
        digests: dict[str, str] = {}
        for f in files:
            if isinstance(f, KeptFile):
                continue
            d = file_digest(f.data)
            old = self.intact(f.path)
            if old is None or old.digest != d:
                changed[f.path], digests[f.path] = f.data, d
        if changed:
            mark_writing(self.out, sorted(changed))
        written = write_in_place(self.out, changed, ())
        for path in changed:
            st = os.stat(self.out / path)
            self._intact[path] = OutputRecord(digests[path], st.st_size, st.st_mtime_ns)
        return written

    def stage(
        self, staging: Staging, known: Callable[[OutputFile], str | None] = lambda f: None
    ) -> Callable[[OutputFile], OutputFile]:
        """Each rendered page goes to ``staging``; the build keeps its digest, not its bytes
        (``known``: the digest its worker took for the gates' scan, if it did)."""

        def put(f: OutputFile) -> OutputFile:
            if isinstance(f, (KeptFile, StagedFile)):
                return f
            staging.put(f.path, f.data)
            return StagedFile(f.path, known(f) or file_digest(f.data))

        return put

    def finish(
        self, files: Iterable[OutputFile], in_place: bool, staging: Staging | None = None
    ) -> tuple[WriteResult, BuildState]:
        """Write what changed, and return the state that describes the new output. Files of
        ``staging`` are already written (in place, nothing is staged). Before a file of the output
        changes in place, the saved state is marked as not describing it (``mark_writing``); the
        caller saves the new state and drops the mark."""
        changed: dict[str, bytes] = {}
        keep: list[str] = []
        wanted: set[str] = set()
        staged: set[str] = set()
        for f in files:
            wanted.add(f.path)
            if isinstance(f, KeptFile):
                keep.append(f.path)
                continue
            if isinstance(f, StagedFile):
                d = f.digest
                staged.add(f.path)
            else:
                d = file_digest(f.data)
            rec = self.records.get(f.path)
            old = self.intact(f.path)
            if old is not None and old.digest == d:
                keep.append(f.path)  # same bytes: not rewritten
                if rec is not None:
                    self.records[f.path] = OutputRecord(
                        d, old.size, old.mtime_ns, rec.facts, rec.templates
                    )
                else:
                    self.records[f.path] = OutputRecord(d, old.size, old.mtime_ns)
            else:
                if f.path not in staged:
                    changed[f.path] = f.data
                self.records[f.path] = OutputRecord(
                    d, 0, 0, rec.facts if rec else None, rec.templates if rec else None
                )
        if in_place and self.previous is not None:
            assert not staged, "serve's output is written in place, never staged"
            removed = [p for p in self.previous.outputs if p not in wanted]
            if changed or removed:
                mark_writing(self.out, [*sorted(changed), *removed])
            w = write_in_place(self.out, changed, removed)
            unchanged = len(wanted) - w.written
            written = WriteResult(w.written, unchanged, w.removed, w.changed, w.deleted)
        else:
            written = write_output(
                self.out,
                changed.items(),
                keep=keep,
                staging=staging,
                before=functools.partial(mark_writing, self.out),
            )
        for path in (*changed, *(p for p in staged if p not in keep)):
            st = os.stat(self.out / path)
            rec = self.records[path]
            rec.size, rec.mtime_ns = st.st_size, st.st_mtime_ns
        records = {p: self.records[p] for p in sorted(wanted)}
        table: dict[str, str] = {}
        now = self.facts.digest
        for rec in records.values():
            for fact in rec.facts or ():
                if fact not in table:
                    table[fact] = now(fact)
        state = BuildState(self.meta, records, facts=table)
        if self.previous is not None:
            state.encoded = self.previous.encoded  # its records as saved, for the next save
        return written, state


class IncrementalRenderer(Renderer):
    """A ``Renderer`` that skips pages whose facts did not change (``plan``), records the facts
    of the model each page's view reads (``record.py``) and the templates it loads, and turns
    template errors into diagnostics.

    Pages go through the three hooks that ``parallel.py`` calls: ``plan_task`` (here: keep an
    unchanged page), ``render_task`` (possibly in a worker process: the bytes, the facts read
    and templates loaded or the template error, all picklable) and ``finish_task`` (record them
    here)."""

    def __init__(
        self,
        *args: Any,
        plan: RenderPlan | None,
        diags: Diagnostics,
        template_paths: Mapping[str, str],
        bytecode_cache: jinja2.BytecodeCache | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.diags = diags
        self.template_paths = template_paths
        assert self.env.loader is not None
        self.loader = RecordingLoader(self.env.loader)
        self.env.loader = self.loader
        if bytecode_cache is not None:
            self.env.bytecode_cache = bytecode_cache
        self.recorder: Recorder | None = None
        if plan is not None:
            # views read the model through recording proxies; plan_pages reads it as it is
            self.recorder = rec = Recorder()
            self.site = rec.wrap("site", self.site)
            self.derived = rec.wrap("derived", self.derived)
            self.bodies = rec.wrap("bodies", self.bodies)
            if self.charts is not None:
                self.charts = rec.wrap("charts", self.charts)
            self.reports = {k: rec.entity(r) for k, r in self.reports.items()}
            self.pages = {k: rec.entity(p) for k, p in self.pages.items()}

    # -- the parallel.py hooks -------------------------------------------------------------

    def plan_task(self, spec: PageSpec, lang: str) -> OutputFile | None:
        if self.plan is None:
            return None
        path = spec.path(self.urls, lang)
        if self.plan.skip(path):
            return KeptFile(path, b"")
        return None

    def render_task(self, spec: PageSpec, lang: str) -> tuple[OutputFile, Any]:
        return self._attempt(
            spec.path(self.urls, lang), lambda: Renderer.render_page(self, spec, lang)
        )

    def finish_task(self, spec: PageSpec, lang: str, file: OutputFile, effects: Any) -> OutputFile:
        return self._finish(file, effects)

    def render_page(self, spec: PageSpec, lang: str) -> OutputFile:
        kept = self.plan_task(spec, lang)
        if kept is not None:
            return kept
        file, effects = self.render_task(spec, lang)
        return self.finish_task(spec, lang, file, effects)

    # -- sitemaps and feeds (rendered in the build process) --------------------------------

    def begin(self, specs: list[PageSpec]) -> None:
        if self.plan is not None:
            # the list of pages is no model value: the sitemap records it by hand
            pages = tuple((s.kind.name, s.args, s.in_sitemap) for s in specs)
            self.plan.facts.roots["pages"] = pages

    def render_sitemap(self, specs: list[PageSpec], lang: str) -> OutputFile:
        path = self.urls.sitemap(lang)

        def make() -> OutputFile:
            if self.recorder is not None:
                self.recorder.reads.add(("pages",))
            return Renderer.render_sitemap(self, specs, lang)

        return self._whole(path, make)

    def render_feed(self, lang: str, limit: int = 50) -> OutputFile:
        path = self.urls.feed(lang)
        return self._whole(path, lambda: Renderer.render_feed(self, lang, limit))

    # -- helpers -------------------------------------------------------------------------------

    def _whole(self, path: str, make: Callable[[], OutputFile]) -> OutputFile:
        if self.plan is not None and self.plan.skip(path):
            return KeptFile(path, b"")
        file, effects = self._attempt(path, make)
        return self._finish(file, effects)

    def _attempt(self, path: str, make: Callable[[], OutputFile]) -> tuple[OutputFile, Any]:
        """Render; the effects are the templates loaded and the facts read, or the template
        error."""
        self.loader.loaded.clear()
        rec = self.recorder
        if rec is not None:
            rec.clear()
        try:
            file = make()
        except jinja2.TemplateError as exc:
            return OutputFile(path, b""), ("error", *self._describe(exc))
        facts = rec.names() if rec is not None else None
        return file, ("ok", tuple(sorted(self.loader.loaded)), facts)

    def _finish(self, file: OutputFile, effects: Any) -> OutputFile:
        if effects[0] == "error":
            _kind, path, line, message, hint = effects
            message = _("template error: {message}").format(message=message)
            self.diags.error(path, line, 1, message, hint, code="template")
        elif self.plan is not None:
            self.plan.rendered(file.path, effects[2], effects[1])
        return file

    def _describe(self, exc: jinja2.TemplateError) -> tuple[str, int, str, str]:
        name, line = getattr(exc, "name", None), getattr(exc, "lineno", None)
        if name is None:
            # a runtime error: the innermost template frame of Jinja's rewritten traceback
            tb = exc.__traceback__
            while tb is not None:
                tpl = tb.tb_frame.f_globals.get("__jinja_template__")
                if tpl is not None and tpl.name is not None:
                    name, line = tpl.name, tpl.get_corresponding_lineno(tb.tb_lineno)
                tb = tb.tb_next
        message = exc.message or type(exc).__name__
        if isinstance(exc, jinja2.UndefinedError):
            hint = _("templates get only the documented view fields")
        elif isinstance(exc, jinja2.TemplateNotFound):
            hint = _("templates/ overrides the packaged templates by name")
        else:
            hint = _("see the Jinja template documentation")
        path = self.template_paths.get(name or "", f"templates/{name}" if name else "templates")
        return path, line or 1, message, hint


def gate_inputs(
    out: Path,
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
            read = functools.partial(_read_kept, out / f.path)
            yield f.path, Unread(bytes.fromhex(rec.digest), read) if rec else read()
        else:
            yield f.path, f.data


def _read_kept(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
