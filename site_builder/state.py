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

Long: the state file (its records, its validation against damaged or forged files, the
up-to-date check) and the one-process Session; both describe what one build leaves for the
next, and the state's checks read best beside its format.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from site_builder.derive.charts import Charts
from site_builder.gates import LinkMemo, content_digest
from site_builder.load import FileCache
from site_builder.model import Site
from site_builder.record import FactMemo
from site_builder.uptodate import (
    CACHE_DIR,
    STATE_PREFIX,
    STATE_VERSION,
    Snapshot,
    forget_quick,
    generator_digest,
    marked,
    save_quick,
    state_path,
    up_to_date,
    writing_path,
)
from site_builder.write import write_atomic

log = logging.getLogger(__name__)

T = TypeVar("T")


def scans_path(out: Path) -> Path:
    """Where the gates' scans of the output ``out`` are kept (beside the state)."""
    out = out.absolute()
    return out.parent / CACHE_DIR / f"{STATE_PREFIX}{out.name}.scans.json"


def mark_writing(out: Path, paths: Iterable[str]) -> None:
    """Say, before the first of ``paths`` of the output ``out`` changes, that the saved state no
    longer describes them: a build killed before its new state is saved leaves this mark, and the
    next one neither calls the output up to date nor keeps those files (``BuildState.load``).
    A mark already there (``serve`` writes its pages early, then the rest) is added to, not
    replaced: it names every file changed since the state was saved."""
    path = writing_path(state_path(out))
    _cache_folder(path)
    forget_quick(state_path(out))
    try:
        earlier = marked(path) or []
    except ValueError:  # unreadable: the state is unusable anyway; name these at least
        earlier = []
    text = json.dumps(
        list(dict.fromkeys([*earlier, *paths])), ensure_ascii=False, separators=(",", ":")
    )
    write_atomic(path, text.encode("utf-8"), prefix=path.name + ".")


def clear_writing(out: Path) -> None:
    """The state saved after the last change describes the output again: drop the mark."""
    writing_path(state_path(out)).unlink(missing_ok=True)


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
class Encoded:
    """What ``BuildState.save`` wrote last: the fact names, numbered in this order, and each
    output's record (the object) with its JSON (``"path":{…}``)."""

    names: list[str]
    records: dict[str, tuple[OutputRecord, str]]


@dataclass(slots=True)
class BuildState:
    meta: dict[str, Any]
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    # fact -> its digest in the model of the build that wrote this state; every page's
    # recorded facts had these digests when it was rendered or last kept
    facts: dict[str, str] = field(default_factory=dict)
    # Each output's record as saved last, in JSON, with the fact names it was numbered by:
    # ``serve`` saves the state after every edit, and most records are the same objects again.
    encoded: Encoded = field(default_factory=lambda: Encoded([], {}), compare=False, repr=False)

    def save(self, path: Path) -> None:
        names = sorted(self.facts)
        if names != self.encoded.names:  # the facts are numbered anew: every record changes
            self.encoded = Encoded(names, {})
        index = {name: i for i, name in enumerate(names)}
        dump = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
        done = self.encoded.records
        outputs = []
        for k in sorted(self.outputs):
            rec = self.outputs[k]
            hit = done.get(k)
            if hit is None or hit[0] is not rec:
                hit = done[k] = (rec, dump(k) + ":" + dump(rec.to_json(index)))
            outputs.append(hit[1])
        for gone in done.keys() - self.outputs.keys():
            del done[gone]
        head = {"version": STATE_VERSION, "meta": self.meta}
        text = (
            dump(head)[:-1]
            + ',"facts":'
            + dump([[name, self.facts[name]] for name in names])
            + ',"outputs":{'
            + ",".join(outputs)
            + '},"snapshot":'
            + dump(self.snapshot.to_json() if self.snapshot else None)
            + "}"
        )
        _cache_folder(path)
        forget_quick(path)  # until the new state is in place, the old quick file is void
        write_atomic(path, text.encode("utf-8"), prefix=path.name + ".")
        if self.snapshot is not None:
            files = ((k, r.size, r.mtime_ns) for k, r in sorted(self.outputs.items()))
            save_quick(path, self.snapshot, files)

    def listing(self) -> dict[str, tuple[int, int]]:
        """Each output file's size and mtime as written (what ``up_to_date`` compares)."""
        return {k: (r.size, r.mtime_ns) for k, r in self.outputs.items()}

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
            stopped = marked(writing_path(path))
            if stopped is not None:  # a build changed these files and was stopped
                snapshot = None
                for rel in stopped:
                    outputs.pop(rel, None)
            return cls(dict(raw["meta"]), outputs, snapshot, table)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            log.warning("ignoring the incremental-build state %s: %s", path, exc)
            return None


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
    for the organizations whose figures did not change (``deps.stable_orgs``), and the facts
    its plan resolved."""

    site: Site
    charts: Charts
    facts: FactMemo | None = None  # what its plan resolved (record.Facts)


class Session:
    """What one process reuses from build to build; see the module docstring.

    ``one_build``: the session of a build that no other build in this process follows (``build``
    from the command line). It keeps no memo table for a next build, so what the stages computed
    is freed as soon as they are done with it: ``memo`` gives a function back as it is, or, where
    the build itself asks it the same again (``repeats``), with a table that lives as long as the
    function the stage holds."""

    def __init__(self, one_build: bool = False) -> None:
        self.one_build = one_build
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
        # The site of the last build written into each output folder: a build that finds
        # nothing changed reports it (``serve`` reads its base URL) without validating anew
        self.written: dict[Path, Site] = {}
        # The last link check of each output (by folder, and whether the build writes it)
        self.links: dict[tuple[Path, bool], LinkMemo] = {}

    def converter(self, key: object, make: Callable[[], T]) -> T:
        """One object per configuration (e.g. the Chinese converter for a set of phrases);
        memoized functions of another configuration's object are forgotten."""
        if key not in self._converters:
            if self._converters:  # another configuration's: what was memoized with it is stale
                self._memos.clear()
            self._converters = {key: make()}
        return self._converters[key]  # type: ignore[no-any-return]

    def memo(self, name: str, fn: Callable[..., T], repeats: bool = False) -> Callable[..., T]:
        """``fn`` remembered by its arguments. ``fn`` must be pure (for one configuration).
        ``repeats``: one build calls it with the same arguments more than once, so it is worth
        remembering within a build too (see ``one_build``)."""
        if self.one_build:
            if not repeats:
                return fn
            table = _Memo()
        else:
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
            if not out.is_dir():
                # it describes the files of an output folder that is not there (a cold
                # build): nothing of it could be used, and it is large (a record per file)
                return None
            found = BuildState.load(state_path(out))
            if found is None:
                return None
            self.states[out] = found
        return self.states[out]


__all__ = [
    "BuildState",
    "LastBuild",
    "OutputRecord",
    "Session",
    "Snapshot",
    "clear_writing",
    "file_digest",
    "generator_digest",
    "load_scans",
    "mark_writing",
    "save_scans",
    "scans_path",
    "state_path",
    "up_to_date",
    "writing_path",
]
