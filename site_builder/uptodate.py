"""Is the output up to date? Answered before the pipeline is imported.

A build with nothing to do should cost a fresh process no more than looking: stamp the sources,
compare them with what the last successful build saw, and check that its output is still on
disk as it wrote it. This module does exactly that and imports nothing heavy (no Jinja, no
Markdown, no model), so ``site-builder build`` answers "up to date" without loading the
pipeline, and the pipeline asks the same questions through the same functions.

The answer comes from the snapshot a build leaves (``Snapshot``: the options, the stamps of the
sources, the messages), kept twice beside the output: inside the build state, and in a small
"quick" file that holds only the snapshot and each output file's size and mtime, so reading it
does not mean parsing the state's records of every page. The quick file names the state file it
was written with (its stamp): a state saved, removed or replaced since makes it void, and a
build that starts changing the output removes it first.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder import __version__
from site_builder.errors import Diagnostic, Severity
from site_builder.load import (
    MAX_ASSET_BYTES,
    UNSTAMPED,
    FileCache,
    Stamp,
    read_regular,
    stamp_sources,
    stamped_path,
)
from site_builder.messages import current_language
from site_builder.result import BuildResult
from site_builder.write import MARKER, WriteResult, check_output_dir, write_atomic

STATE_VERSION = 3
CACHE_DIR = ".site_builder"
STATE_PREFIX = "state-"
QUICK_VERSION = 1

Listing = Mapping[str, tuple[int, int]]
"""An output's files as a build wrote them: path -> (size, mtime in ns)."""


def state_path(out: Path) -> Path:
    """Where the state of the output folder ``out`` is kept: beside it, never inside it."""
    out = out.absolute()
    return out.parent / CACHE_DIR / f"{STATE_PREFIX}{out.name}.json"


def quick_path(state: Path) -> Path:
    """The quick file beside the state at ``state`` (the snapshot and the output's listing)."""
    return state.with_suffix(".quick.json")


def writing_path(state: Path) -> Path:
    """Beside the state at ``state`` while a build changes the output in place: the paths it is
    changing (``state.mark_writing``), until the state that describes the result is saved."""
    return state.with_suffix(".writing")


def marked(path: Path) -> list[str] | None:
    """The paths a stopped build was changing (``state.mark_writing``), None when there is no
    mark; a mark that cannot be read makes the whole state unusable (ValueError)."""
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ValueError(f"not a list of paths: {path}")
    return raw


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


def build_options(drafts: bool, pdf: bool) -> dict[str, Any]:
    """What besides the sources decides a build's output and messages: the generator, the
    options, the language the messages are said in."""
    return {
        "generator": generator_digest(),
        "drafts": drafts,
        "pdf": pdf,
        "lang": current_language(),
    }


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

    @classmethod
    def take(cls, source: Path, drafts: bool, pdf: bool) -> Snapshot:
        """The stamps of the sources now, before anything reads them."""
        taken_at = time.time_ns()
        return cls(taken_at, build_options(drafts, pdf), stamp_sources(source), [])

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


def up_to_date(
    last: Snapshot | None, files: Listing, source: Path, out: Path, now: Snapshot
) -> bool:
    """True when a build would change nothing: the last successful build into ``out`` (its
    snapshot ``last``, the files it left ``files``) saw the same sources as ``now``, ran with
    the same generator and options, and its output is on disk as it wrote it, with no other
    file. Same sources: every stamp equal; a file stamped within ``FileCache.RACY_NS`` of its
    mtime (an edit in the same clock tick would leave the stamp as it was) must also hold the
    very bytes that build read (git's "racily clean" rule)."""
    if last is None or last.options != now.options or last.sources != now.sources:
        return False
    if UNSTAMPED in now.sources.values():
        return False
    for rel in last.racy():
        digest = last.digests.get(rel)
        try:
            data, _st = read_regular(stamped_path(source, rel), MAX_ASSET_BYTES)  # no FIFO
            if digest is None or hashlib.sha256(data).hexdigest() != digest:
                return False
        except OSError:
            return False
    return output_as_written(out, files)


def settled(last: Snapshot, now: Snapshot) -> Snapshot | None:
    """After ``up_to_date(last, …, now)`` said yes: the same snapshot as taken at ``now``, when
    files stamped too close to ``last`` to trust their stamps are now old enough (their bytes
    were just compared): later checks need not read them again. None when nothing changes."""
    racy = last.racy()
    if not racy:
        return None
    limit = now.taken_at - FileCache.RACY_NS
    still = {k: last.digests[k] for k in racy if last.sources[k][1] >= limit}
    if len(still) == len(racy):
        return None
    return Snapshot(now.taken_at, last.options, last.sources, last.diagnostics, still)


def output_as_written(out: Path, files: Listing) -> bool:
    """True when the folder ``out`` holds the tool's marker and exactly ``files``, each with the
    size and mtime it was written with. Any link to a folder, or anything unreadable, is a
    difference (a build writes neither)."""
    seen = 0
    has_marker = False
    todo = [(str(out.absolute()), "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return False
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    todo.append((entry.path, rel + "/"))
                    continue
                if rel == MARKER:  # not an output, but a build writes it where it is missing
                    has_marker = True
                    continue
                want = files.get(rel)
                if want is None:
                    return False
                st = entry.stat(follow_symlinks=False)
            except OSError:
                return False
            if st.st_size != want[0] or st.st_mtime_ns != want[1]:
                return False
            seen += 1
    return has_marker and seen == len(files)


# --- the quick file ------------------------------------------------------------------------------


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def forget_quick(state: Path) -> None:
    """The state at ``state`` or the output it describes is about to change."""
    quick_path(state).unlink(missing_ok=True)


def save_quick(state: Path, snapshot: Snapshot, files: Iterable[tuple[str, int, int]]) -> None:
    """Beside the state just saved at ``state``: its snapshot and the listing of the output
    ``files`` (path, size, mtime), with the state file's own stamp."""
    stamp = _stamp(state)
    if stamp is None:
        return
    data = {
        "version": QUICK_VERSION,
        "state_version": STATE_VERSION,
        "state": stamp,
        "snapshot": snapshot.to_json(),
        "files": [[rel, size, mtime] for rel, size, mtime in files],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path = quick_path(state)
    write_atomic(path, text.encode("utf-8"), prefix=path.name + ".")


def load_quick(state: Path) -> tuple[Snapshot, dict[str, tuple[int, int]]] | None:
    """The snapshot and listing that the quick file beside ``state`` holds, when it belongs to
    that very state file and no build was stopped while changing the output; None otherwise
    (the caller then reads the state itself)."""
    try:
        raw = json.loads(quick_path(state).read_bytes())
        if raw.get("version") != QUICK_VERSION or raw.get("state_version") != STATE_VERSION:
            return None
        if raw.get("state") != _stamp(state) or os.path.lexists(writing_path(state)):
            return None
        snapshot = Snapshot.from_json(raw["snapshot"])
        files = {str(rel): (int(size), int(mtime)) for rel, size, mtime in raw["files"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return snapshot, files


def check_output(source: Path, out: Path, overwrite: bool) -> None:
    """Refuse an output folder that a build must not replace (``write.check_output_dir``),
    knowing whether a version without the marker built it: its state, where this version or
    the ones before the cache folder kept it (.site_builder_state-<name>.json beside it)."""
    out = out.absolute()
    built_before = (
        state_path(out).is_file() or (out.parent / f".site_builder_state-{out.name}.json").is_file()
    )
    check_output_dir(source, out, overwrite, built_before)


def unchanged_result(last: Snapshot, files: Listing, timings: dict[str, float]) -> BuildResult:
    """What a build with nothing to do gives back: the last build's messages, every file kept."""
    result = BuildResult(sorted(last.diagnostics), timings=timings)
    result.kept = sorted(files)
    result.written = WriteResult(0, len(result.kept), 0)
    result.up_to_date = True
    return result


def unchanged(source: Path, out: Path, drafts: bool, pdf: bool) -> BuildResult | None:
    """A fresh process's first question, asked before the pipeline is imported: when the quick
    file beside the output ``out`` says the last build there saw these very sources and left
    this very output, the result of a build with nothing to do; None when a build must run (or
    the quick file cannot tell: the pipeline then reads the state)."""
    started = time.perf_counter()
    state = state_path(out)
    found = load_quick(state)
    now = Snapshot.take(source, drafts, pdf)
    if found is None or not up_to_date(*found, source, out, now):
        return None
    last, files = found
    newer = settled(last, now)
    if newer is not None:
        keep_quick(state, newer, files)
    return unchanged_result(last, files, {"load": time.perf_counter() - started})


def keep_quick(state: Path, snapshot: Snapshot, files: Listing) -> None:
    """``save_quick`` for a check that found the output up to date: a failure to write it
    only costs the next check its speed."""
    with contextlib.suppress(OSError):
        save_quick(state, snapshot, ((k, *v) for k, v in sorted(files.items())))
