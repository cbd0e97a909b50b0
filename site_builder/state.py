"""Incremental builds: what one build keeps for the next.

Two kinds of memory, with different lifetimes:

- ``Session`` lives in one process (a ``build``, or the whole of ``serve``): parsed sources keyed
  by their content digest, memoized pure functions (script detection, Markdown bodies, script
  lint), compiled templates. Entries not used by the last build are dropped, so a long ``serve``
  does not grow.
- ``BuildState`` lives on disk in a cache folder beside the output folder, as
  ``<parent>/.site_builder/state-<name>.json``: for every output file the digest of its bytes, its
  size and mtime as written, and for pages the facts of the model their views read
  (``record.py``) and the templates they loaded; the digest of each fact is kept once, in a
  table of the whole build. It sits beside the output and not in it because everything inside the output
  folder is copied to the web server; it describes one output folder, so two outputs of one
  project never share it; and ``write.py`` never cleans it up (it is another folder). The
  cache folder holds a ``.gitignore`` of ``*``, so a content repository never commits it.

A page whose facts and templates are unchanged, and whose file is still on disk as it was written
(same size and mtime), is not rendered again; a rendered file whose bytes equal the previous ones
is not rewritten. A state that does not match the site configuration, the drafts option or the
generator's code is used only to compare bytes: every page renders.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from site_builder import __version__
from site_builder.derive.charts import Charts
from site_builder.errors import Diagnostic, Diagnostics, Severity
from site_builder.gates import content_digest
from site_builder.kinds import PageSpec
from site_builder.load import (
    MAX_ASSET_BYTES,
    UNSTAMPED,
    FileCache,
    Stamp,
    TemplateSource,
    read_regular,
    stamped_path,
)
from site_builder.model import Site
from site_builder.record import Facts, Recorder
from site_builder.render import OutputFile, Renderer
from site_builder.write import (
    MARKER,
    Staging,
    WriteResult,
    write_atomic,
    write_in_place,
    write_output,
)

log = logging.getLogger(__name__)

STATE_VERSION = 3
CACHE_DIR = ".site_builder"
STATE_PREFIX = "state-"

T = TypeVar("T")


def state_path(out: Path) -> Path:
    """Where the state of the output folder ``out`` is kept: beside it, never inside it."""
    out = out.absolute()
    return out.parent / CACHE_DIR / f"{STATE_PREFIX}{out.name}.json"


def scans_path(out: Path) -> Path:
    """Where the gates' scans of the output ``out`` are kept (beside the state)."""
    out = out.absolute()
    return out.parent / CACHE_DIR / f"{STATE_PREFIX}{out.name}.scans.json"


def _cache_folder(path: Path) -> None:
    """Creates the cache folder holding ``path``, ignored by git from the start."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / ".gitignore").write_text("# site_builder's cache: never committed\n*\n")


def save_scans(out: Path, scans: dict[str, Any]) -> None:
    data = {"version": STATE_VERSION, "generator": generator_digest(), **scans}
    path = scans_path(out)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    _cache_folder(path)
    write_atomic(path, text.encode("utf-8"), prefix=path.name + ".")


def load_scans(out: Path) -> dict[str, Any] | None:
    """The scans the last build of ``out`` saved, if this generator wrote them."""
    path = scans_path(out)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring the saved link-check scans %s: %s", path, exc)
        return None
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
        return None
    if raw.get("generator") != generator_digest():
        return None
    return raw


def file_digest(data: bytes) -> str:
    """An output file's digest as the state records it: the gates' scans are kept by it."""
    return content_digest(data).hex()


@functools.cache
def generator_digest() -> str:
    """The code and data of site_builder itself (templates and assets are tracked one by one):
    a state written by another version of the generator never skips a page."""
    pkg = Path(__file__).parent
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    skip = {pkg / "theme", pkg / "vendor"}  # the theme is outside pkg in a source checkout
    for path in sorted(pkg.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if any(path.is_relative_to(s) for s in skip):
            continue
        h.update(path.relative_to(pkg).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


# --- the state file -------------------------------------------------------------------------------


_DIGEST_RE = re.compile(r"(?:[0-9a-f]{2})*")  # hex ("" until a record is completed)


def _output_path_ok(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and "\\" not in path and all(p not in ("", ".", "..") for p in parts)


@dataclass(slots=True)
class OutputRecord:
    digest: str  # of the bytes written
    size: int
    mtime_ns: int
    # the facts the page's view read (record.encode); None: not recorded, always rendered
    facts: tuple[str, ...] | None = None
    templates: dict[str, str] | None = None  # template name -> digest, as loaded by the page

    def to_json(self, index: Mapping[str, int]) -> dict[str, Any]:
        out: dict[str, Any] = {"digest": self.digest, "size": self.size, "mtime_ns": self.mtime_ns}
        if self.facts is not None:
            out["facts"] = [index[f] for f in self.facts]
            out["templates"] = self.templates or {}
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], names: list[str]) -> OutputRecord:
        digest = str(raw["digest"])
        if not _DIGEST_RE.fullmatch(digest):  # the gates read it with bytes.fromhex
            raise ValueError(f"not a digest: {digest[:80]!r}")
        facts = tuple(names[i] for i in raw["facts"]) if "facts" in raw else None
        return cls(
            digest,
            int(raw["size"]),
            int(raw["mtime_ns"]),
            facts,
            dict(raw.get("templates") or {}) if facts is not None else None,
        )


@dataclass(slots=True)
class Snapshot:
    """The sources of a successful build as stamped before it read them, and its messages:
    what a later build needs to see that it has nothing to do (:func:`up_to_date`)."""

    taken_at: int  # time.time_ns() before the stamps were taken
    options: dict[str, Any]  # the generator and the options that change the output or messages
    sources: dict[str, Stamp]
    diagnostics: list[Diagnostic]
    # sha256 of the content the build read, of the files stamped within RACY_NS of their mtime
    digests: dict[str, str] = field(default_factory=dict)

    def racy(self) -> list[str]:
        """Files whose stamp alone cannot tell an edit in the same clock tick (folders can be
        left out: the files they hold are compared one by one)."""
        limit = self.taken_at - FileCache.RACY_NS
        return [
            k
            for k, (_size, mtime, _ino) in self.sources.items()
            if mtime >= limit and not k.endswith(("/", "@"))
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "taken_at": self.taken_at,
            "options": self.options,
            "digests": self.digests,
            "sources": self.sources,
            "diagnostics": [
                [d.path, d.line, d.col, d.message, d.hint, d.severity.value, d.code]
                for d in self.diagnostics
            ],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Snapshot:
        return cls(
            int(raw["taken_at"]),
            dict(raw["options"]),
            {k: (int(a), int(b), int(c)) for k, (a, b, c) in raw["sources"].items()},
            [
                Diagnostic(str(p), int(ln), int(c), str(m), str(h), Severity(sv), str(code))
                for p, ln, c, m, h, sv, code in raw["diagnostics"]
            ],
            {str(k): str(v) for k, v in raw.get("digests", {}).items()},
        )


@dataclass(slots=True)
class BuildState:
    meta: dict[str, Any]
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    # fact -> its digest in the model of the build that wrote this state; every page's
    # recorded facts had these digests when it was rendered or last kept
    facts: dict[str, str] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        names = sorted(self.facts)
        index = {name: i for i, name in enumerate(names)}
        data = {
            "version": STATE_VERSION,
            "meta": self.meta,
            "facts": [[name, self.facts[name]] for name in names],
            "outputs": {k: self.outputs[k].to_json(index) for k in sorted(self.outputs)},
            "snapshot": self.snapshot.to_json() if self.snapshot else None,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        _cache_folder(path)
        write_atomic(path, text.encode("utf-8"), prefix=path.name + ".")

    @classmethod
    def load(cls, path: Path) -> BuildState | None:
        """The state at ``path``, or None when there is none or it cannot be used."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != STATE_VERSION:
                return None
            table = {str(name): str(d) for name, d in raw["facts"]}
            names = list(table)
            outputs = {k: OutputRecord.from_json(v, names) for k, v in raw["outputs"].items()}
            # an output path leaves the folder only in a damaged or forged state; `serve`
            # deletes the outputs a state lists and a build no longer makes
            bad = next((k for k in outputs if not _output_path_ok(k)), None)
            if bad is not None:
                raise ValueError(f"output path outside the folder: {bad[:80]!r}")
            snap = raw.get("snapshot")
            snapshot = Snapshot.from_json(snap) if snap else None
            return cls(dict(raw["meta"]), outputs, snapshot, table)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring the incremental-build state %s: %s", path, exc)
            return None


def up_to_date(
    state: BuildState | None,
    source: Path,
    out: Path,
    options: dict[str, Any],
    sources: dict[str, Stamp],
) -> bool:
    """True when a build would change nothing: the last successful build into ``out`` saw the
    same sources, ran with the same generator and ``options``, and its output is on disk as it
    wrote it, with no other file. Same sources: every stamp equal; a file stamped within
    ``FileCache.RACY_NS`` of its mtime (an edit in the same clock tick would leave the stamp
    as it was) must also hold the very bytes that build read (git's "racily clean" rule)."""
    snap = state.snapshot if state is not None else None
    if snap is None or snap.options != options or snap.sources != sources:
        return False
    if UNSTAMPED in sources.values():
        return False
    for rel in snap.racy():
        digest = snap.digests.get(rel)
        try:
            data, _st = read_regular(stamped_path(source, rel), MAX_ASSET_BYTES)  # no FIFO
            if digest is None or hashlib.sha256(data).hexdigest() != digest:
                return False
        except OSError:
            return False
    assert state is not None
    seen = 0
    marked = False  # the tool's marker: not an output, but a build writes it where it is missing
    root = str(out.absolute())
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rel == MARKER:
                marked = True
                continue
            rec = state.outputs.get(rel)
            if rec is None:
                return False
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError:
                return False
            if st.st_size != rec.size or st.st_mtime_ns != rec.mtime_ns:
                return False
            seen += 1
    return marked and seen == len(state.outputs)


# --- memory of one process ------------------------------------------------------------------------


class _Memo:
    """A memo table that forgets what the last build did not use (two generations)."""

    __slots__ = ("current", "previous")

    def __init__(self) -> None:
        self.current: dict[Any, Any] = {}
        self.previous: dict[Any, Any] = {}

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        try:
            return self.current[key]
        except KeyError:
            pass
        except TypeError:  # unhashable arguments: nothing to remember
            return make()
        if key in self.previous:
            value = self.current[key] = self.previous[key]
        else:
            value = self.current[key] = make()
        return value

    def rotate(self) -> None:
        self.previous, self.current = self.current, {}


class _BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, keyed by Jinja on the template's source checksum."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


@dataclass(frozen=True, slots=True)
class LastBuild:
    """What the next build of the same sources in this process may take over: its charts,
    for the organizations whose figures did not change (``deps.stable_orgs``)."""

    site: Site
    charts: Charts


class Session:
    """What one process reuses from build to build; see the module docstring."""

    def __init__(self) -> None:
        self._memos: dict[str, _Memo] = {}
        self._memo_owner: object = None
        self.bytecode_cache = _BytecodeCache()
        self.states: dict[Path, BuildState] = {}
        self._converters: dict[object, Any] = {}
        self.files = FileCache()  # sources by size, mtime and inode
        # validate.build_site's reports by their sources: unchanged reports keep their objects
        self.validated: dict[tuple[object, ...], Any] = {}
        # The last build's site and charts, by (source, output, drafts)
        self.carried: dict[tuple[Path, Path, bool], LastBuild] = {}

    def converter(self, key: object, make: Callable[[], T]) -> T:
        """One object per configuration (e.g. the Chinese converter for a set of phrases);
        memoized functions of another configuration's object are forgotten."""
        if key not in self._converters:
            self._converters = {key: make()}
            self._memos.clear()
        return self._converters[key]  # type: ignore[no-any-return]

    def memo(self, name: str, fn: Callable[..., T]) -> Callable[..., T]:
        """``fn`` remembered by its arguments. ``fn`` must be pure (for one configuration)."""
        table = self._memos.setdefault(name, _Memo())

        def call(*args: Any, **kwargs: Any) -> T:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            return table.get(key, lambda: fn(*args, **kwargs))  # type: ignore[no-any-return]

        return call

    def end_build(self) -> None:
        for table in self._memos.values():
            table.rotate()

    def state(self, out: Path) -> BuildState | None:
        out = out.absolute()
        if out not in self.states:
            found = BuildState.load(state_path(out))
            if found is None:
                return None
            self.states[out] = found
        return self.states[out]


# --- rendering only what changed ------------------------------------------------------------------


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
        assert self.previous is not None
        before, now = self.previous.facts, self.facts.digest
        for fact in rec.facts:
            if now(fact) != before.get(fact):
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
        written = write_in_place(self.out, changed, ())
        for path in changed:
            st = os.stat(self.out / path)
            self._intact[path] = OutputRecord(digests[path], st.st_size, st.st_mtime_ns)
        return written

    def stage(self, staging: Staging) -> Callable[[OutputFile], OutputFile]:
        """What becomes of each rendered page while the build runs: it goes to ``staging``,
        and the build keeps its digest instead of its bytes."""

        def put(f: OutputFile) -> OutputFile:
            if isinstance(f, (KeptFile, StagedFile)):
                return f
            staging.put(f.path, f.data)
            return StagedFile(f.path, file_digest(f.data))

        return put

    def finish(
        self, files: Iterable[OutputFile], in_place: bool, staging: Staging | None = None
    ) -> tuple[WriteResult, BuildState]:
        """Write what changed, and return the state that describes the new output. Files of
        ``staging`` are already written (in place, nothing is staged)."""
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
            w = write_in_place(self.out, changed, removed)
            unchanged = len(wanted) - w.written
            written = WriteResult(w.written, unchanged, w.removed, w.changed, w.deleted)
        else:
            written = write_output(self.out, changed.items(), keep=keep, staging=staging)
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
        return written, BuildState(self.meta, records, facts=table)


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

    def render_sitemap(self, specs: list[PageSpec], lang: str) -> OutputFile:
        path = self.urls.sitemap(lang)
        if self.plan is not None:
            # the list of pages is no model value: the sitemap records it by hand
            pages = tuple((s.kind.name, s.args, s.in_sitemap) for s in specs)
            self.plan.facts.roots["pages"] = pages

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
            self.diags.error(path, line, 1, f"template error: {message}", hint, code="template")
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
            hint = "templates get only the documented view fields"
        elif isinstance(exc, jinja2.TemplateNotFound):
            hint = "templates/ overrides the packaged templates by name"
        else:
            hint = "see the Jinja template documentation"
        path = self.template_paths.get(name or "", f"templates/{name}" if name else "templates")
        return path, line or 1, message, hint
