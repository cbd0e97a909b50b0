"""Live preview: build, serve, watch, rebuild what an edit touches, reload the browser.

    watch (inotify) -> debounce -> rebuild (incremental) -> publish a status -> every tab reloads

- **Build.** One ``state.Session`` lives as long as the server, so a rebuild re-parses only the
  files that changed and re-renders only the pages whose recorded facts changed
  (``record.py``); changed files are replaced one by one in a private output folder (not the
  project's ``output/``, so a draft preview never ends up published), and the state beside it
  lets the next ``serve`` start incrementally too.
- **Serve.** ``preview_server.py``, on ``livereload``: the last good output, under the site's
  base path (``/reports/`` for ``base_url: http://intranet/reports/``), so that pages behave as
  they will on the intranet. HTML responses get the reload scripts before ``</body>``; the files
  on disk never do.
- **Reload channel.** livereload's WebSocket protocol and its livereload.js, which reloads a page
  or swaps a changed stylesheet in place. Each status carries a generation number that only
  grows and each page knows the generation it was served at; a tab tells it at its handshake and
  gets whatever it missed, so nothing is dropped however close two edits are.
- **Errors.** A failed build leaves the output as it was; the status carries its diagnostics and
  the page shows them over the last good page until a build succeeds. The terminal prints each
  problem once, not again on every save while it stays.

Long: the watcher, the rebuild loop and the status channel of the live preview, which share
one server state.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
import urllib.parse
import webbrowser
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livereload.watcher import Watcher as LiveReloadWatcher
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from site_builder.errors import Diagnostic, Severity, UsageError
from site_builder.messages import _
from site_builder.pipeline import BuildOptions, BuildResult, run
from site_builder.preview_server import (
    STATUS,
    HostGuard,
    PreviewServer,
    Site,
    inject,
    is_loopback,
    quiet_libraries,
)
from site_builder.state import Session
from site_builder.write import WriteResult

__all__ = ["DevServer", "ServeOptions", "default_out", "inject", "is_loopback", "serve"]

log = logging.getLogger(__name__)

WATCHED = ("site.yaml", "content", "templates", "assets")
DEBOUNCE = 0.03  # seconds of quiet after the last file event before a rebuild starts
SETTLE = 1.0  # seconds without edits before the site-wide stages of a rebuild run
HISTORY = 1000  # changes kept for tabs that reconnect; one further back reloads

Echo = Callable[[str], None]


def default_out(source: Path, drafts: bool) -> Path:
    """The preview's own output folder, in the user's cache and not in the project: nothing in it
    is ever published, and it survives restarts so that the next ``serve`` starts incrementally."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "site-builder"
    source = source.absolute()
    key = hashlib.blake2b(str(source).encode(), digest_size=6).hexdigest()
    name = f"{source.name or 'site'}-{key}" + ("-drafts" if drafts else "")
    return base / name / "output"


# --- build status -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    generation: int = 0  # grows by one with every build that changed the output
    previous: int = 0  # the generation this one follows
    # What changed since ``previous``: "reload" (pages), "css" (only stylesheets: swap them),
    # "data" (only files that no page loads by itself, such as the search index: only the
    # search page reloads), None (nothing).
    change: str | None = None
    css: tuple[str, ...] = ()  # output paths of the stylesheets that changed ("css")
    errors: tuple[Diagnostic, ...] = ()  # of the last build; empty when it succeeded
    builds: int = 0  # builds run so far, good or failed

    def to_json(self) -> str:
        return json.dumps(
            {
                "generation": self.generation,
                "builds": self.builds,
                "from": self.previous,
                "change": self.change,
                "css": list(self.css),
                "errors": [
                    {
                        "path": d.path,
                        "line": d.line,
                        "col": d.col,
                        "message": d.message,
                        "hint": d.hint,
                        "severity": d.severity.value,
                    }
                    for d in self.errors
                ],
            },
            ensure_ascii=False,
        )


def next_status(
    before: Status, changed: tuple[str, ...], removed: tuple[str, ...], clear_errors: bool
) -> Status | None:
    """The status after a write of ``changed`` and ``removed`` output paths; None when nothing
    is new for the browser."""
    if not changed and not removed:
        change: str | None = None
    elif not removed and all(p.endswith(".css") for p in changed):
        change = "css"
    elif not removed and all(p.endswith(".js") and "/search/" in "/" + p for p in changed):
        change = "data"
    else:
        change = "reload"
    if change is None and not (clear_errors and before.errors):
        return None
    return Status(
        before.generation + (1 if change else 0),
        before.generation if change else before.previous,
        change,
        tuple(changed) if change == "css" else (),
        () if clear_errors else before.errors,
        before.builds,
    )


@dataclass(frozen=True, slots=True)
class Change:
    generation: int
    kind: str  # as Status.change
    urls: tuple[str, ...]  # the URL paths of what changed, for "css" and "data"


class Hub:
    """The current status, the changes that led to it, and what each tab is to be told.

    A tab is told by livereload ``reload`` messages, one per path: ``*`` (reload the page), a
    stylesheet's URL path (livereload.js swaps it in place), a search index's (the plugin in
    ``defaults/serve/live.js`` reloads only the search page) or ``STATUS`` (the plugin fetches
    the status and shows or hides the error overlay)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = Status()
        self._changes: deque[Change] = deque(maxlen=HISTORY)
        # names this server's generations: a page from an earlier run reloads when it reconnects
        self.instance = os.urandom(4).hex()
        self.send: Callable[[list[str]], None] = lambda paths: None  # set once serving

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    def token(self) -> str:
        """The current build, as a page served now names it."""
        with self._lock:
            return f"{self.instance}:{self._status.generation}"

    def publish(self, status: Status, changed: tuple[str, ...] = (), base: str = "/") -> None:
        """Makes ``status`` current and tells the tabs; ``changed`` are its output paths."""
        urls: tuple[str, ...] = ()
        if status.change in ("css", "data"):
            urls = tuple(base + p for p in (status.css if status.change == "css" else changed))
        with self._lock:
            before, self._status = self._status, status
            if status.generation != before.generation:
                self._changes.append(Change(status.generation, status.change or "reload", urls))
        messages = [STATUS] if status.errors != before.errors else []
        if status.generation != before.generation:
            messages += ["*"] if status.change not in ("css", "data") else list(urls)
        if messages:
            self.send(messages)

    def catch_up(self, token: str) -> list[str]:
        """What a tab that was served at build ``token`` has missed, as ``publish`` says it."""
        with self._lock:
            status, changes = self._status, list(self._changes)
        messages = [STATUS] if status.errors else []
        instance, _sep, number = token.partition(":")
        if not instance or not number.isdigit():  # no plugin: never a reload loop
            return messages
        if instance != self.instance:
            return [*messages, "*"]
        seen = int(number)
        missed = [c for c in changes if c.generation > seen]
        if not missed:
            return messages
        if missed[0].generation != seen + 1 or any(c.kind == "reload" for c in missed):
            return [*messages, "*"]
        return messages + list(dict.fromkeys(u for c in missed for u in c.urls))

    def to_json(self) -> str:
        return self.status.to_json()


# --- rebuilding -------------------------------------------------------------------------------


@dataclass(slots=True)
class BuildReport:
    result: BuildResult | None
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    seconds: float
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


class Builder:
    """Runs one build at a time with a long-lived session; turns every failure into errors."""

    def __init__(self, source: Path, out: Path, drafts: bool, overwrite: bool = False) -> None:
        self.source = source
        self.out = out
        self.drafts = drafts
        self.overwrite = overwrite  # `serve --overwrite`: as `build --overwrite`
        self.refused: UsageError | None = None  # the first build's output folder was refused
        self.session = Session()
        self.builds = 0
        self.collections = 0
        self.base_path = "/"

    def _collect(self) -> None:
        """Move what the build left alive out of the garbage collector's sight: the caches
        hold the whole site, and a full collection over it in the middle of the next rebuild
        would cost more than the rebuild. Every 25 builds, a full collection first."""
        self.collections += 1
        if self.collections % 25 == 1:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def build(self, preview: Callable[[WriteResult], None] | None = None) -> BuildReport:
        """One build; ``preview`` gets the pages written before the site-wide stages (search
        index, whole-site checks) run, except in the first build of a session, which writes a
        whole new tree (and clears anything left in the folder)."""
        options = BuildOptions(
            source=self.source,
            out=self.out,
            drafts=self.drafts,
            in_place=self.builds > 0,
            overwrite=self.overwrite,
        )
        start = time.perf_counter()
        try:
            result = run(options, session=self.session, preview=preview)
        except UsageError as exc:
            if self.builds == 0:
                self.refused = exc
            diag = Diagnostic(str(self.out), 1, 1, str(exc), code="usage")
            return BuildReport(None, (diag,), (), time.perf_counter() - start)
        except OSError as exc:
            where = exc.filename or str(self.out)
            diag = Diagnostic(str(where), 1, 1, f"{exc.strerror or exc}", code="io")
            return BuildReport(None, (diag,), (), time.perf_counter() - start)
        except Superseded:
            raise
        except Exception as exc:  # a bug: say so, keep serving the last good site
            log.debug("build crashed", exc_info=True)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            diag = Diagnostic(
                frame.filename,
                frame.lineno or 1,
                1,
                _("internal error: {kind}: {problem}").format(kind=type(exc).__name__, problem=exc),
                _("this is a bug in site_builder; please report it with the file you edited"),
                code="internal",
            )
            return BuildReport(None, (diag,), (), time.perf_counter() - start)
        seconds = time.perf_counter() - start
        self._collect()
        errors = tuple(result.errors)
        warnings = tuple(d for d in result.diagnostics if d.severity is Severity.WARNING)
        if errors or result.written is None:
            return BuildReport(result, errors, warnings, seconds)
        self.builds += 1
        if result.site is not None and result.site.config.base_url:
            path = urllib.parse.urlsplit(result.site.config.base_url).path or "/"
            self.base_path = path if path.endswith("/") else path + "/"
        else:
            self.base_path = "/"
        w = result.written
        return BuildReport(result, (), warnings, seconds, w.changed, w.deleted)


class Superseded(Exception):
    """Raised from the preview hook to drop the rest of a build that newer edits replace."""


class Rebuilder:
    """Coalesces file events into builds: a burst of saves becomes one build of the final state,
    and an edit made during a build is picked up by the next one."""

    def __init__(self, build: Callable[[list[str]], None], debounce: float = DEBOUNCE) -> None:
        self._build = build
        self._debounce = debounce
        self._cond = threading.Condition()
        self._changes: list[str] = []
        self._last = 0.0
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="site-builder-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def changed(self, path: str) -> None:
        with self._cond:
            self._changes.append(path)
            self._last = time.monotonic()
            self._cond.notify_all()

    def changed_all(self, paths: list[str]) -> None:
        for path in paths:
            self.changed(path)

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    def wait_for_change(self, timeout: float) -> bool:
        """True as soon as a file event arrives (or the rebuilder stops) within ``timeout``."""
        with self._cond:
            return self._cond.wait_for(lambda: bool(self._changes) or self._stop, timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._changes) or self._stop)
                if self._stop:
                    return
                while not self._stop:
                    quiet = self._last + self._debounce - time.monotonic()
                    if quiet <= 0:
                        break
                    self._cond.wait(quiet)
                if self._stop:
                    return
                changes, self._changes = self._changes, []
            self._build(changes)


class _SourceEvents(FileSystemEventHandler):
    """File events under the project's sources, minus editors' scratch files and reads."""

    KINDS = frozenset({"created", "modified", "deleted", "moved", "closed"})

    def __init__(
        self, root: Path, notify: Callable[[str], None], on_dir: Callable[[Path, bool], None]
    ) -> None:
        self.root = root
        self.notify = notify
        self.on_dir = on_dir  # (content/, templates/ or assets/, whether it is there now)

    def _relevant(self, raw: str | bytes) -> str | None:
        path = Path(os.fsdecode(raw))
        if not path.is_relative_to(self.root):
            return None
        rel = path.relative_to(self.root)
        if not rel.parts or rel.parts[0] not in WATCHED:
            return None
        name = rel.name
        if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return None
        if name == "4913":  # vim's write test
            return None
        return rel.as_posix()

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind not in self.KINDS or (kind == "closed" and event.is_directory):
            return
        src = self._relevant(event.src_path)
        dest = self._relevant(getattr(event, "dest_path", "") or "")
        if event.is_directory:
            # a watched top folder that appears or goes (git checkout, mv content content.old)
            if src is not None and "/" not in src and kind in ("deleted", "moved"):
                self.on_dir(self.root / src, False)
            if src is not None and "/" not in src and kind == "created":
                self.on_dir(self.root / src, True)
            if dest is not None and "/" not in dest:
                self.on_dir(self.root / dest, True)
        for rel in (src, dest):
            if rel is not None:
                self.notify(rel)


class SourceWatcher(LiveReloadWatcher):  # type: ignore[misc]  # livereload has no type hints
    """livereload's watcher interface on watchdog's inotify events, not on its mtime polling.

    Watches site.yaml's folder (not recursive: projects hold .venv, node_modules and output/)
    and content/, templates/ and assets/ (recursive), added as they appear and dropped as they
    go; each source event goes to the functions given to ``watch()``. The other way round,
    ``reload()`` queues what the tabs are to be told, and livereload's ``poll_tasks`` takes it
    from ``examine()`` in the IOLoop's thread."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.observer = Observer()
        self.handler = _SourceEvents(root, self._changed, self._dir)
        self._watches: dict[Path, ObservedWatch] = {}
        self._lock = threading.Lock()
        self._queue: deque[str] = deque()
        self._loop: IOLoop | None = None
        self._callback: Callable[[], None] | None = None

    def _changed(self, rel: str) -> None:
        for task in list(self._tasks.values()):
            if task["func"] is not None:
                task["func"]([rel])

    def _dir(self, path: Path, present: bool) -> None:
        with self._lock:
            old = self._watches.pop(path, None)
            if old is not None:
                with contextlib.suppress(Exception):  # already gone with its folder
                    self.observer.unschedule(old)
            if present and path.is_dir():
                self._watches[path] = self.observer.schedule(
                    self.handler, str(path), recursive=True
                )

    def start(self, callback: Callable[[], None]) -> bool:
        """Called by ``LiveReloadHandler.start_tasks`` in the IOLoop's thread; True: livereload
        starts no polling."""
        self._callback = callback
        self._loop = IOLoop.current()
        self.observer.schedule(self.handler, str(self.root), recursive=False)
        for name in WATCHED[1:]:
            self._dir(self.root / name, True)
        self.observer.start()
        return True

    def reload(self, paths: list[str]) -> None:
        """Tells every tab each of ``paths`` (from any thread), in order."""
        with self._lock:
            self._queue.extend(paths)
        if self._loop is not None:
            self._loop.add_callback(self._drain)

    def _drain(self) -> None:
        while self._queue and self._callback is not None:
            self._callback()  # poll_tasks: examine(), then reload_waiters()

    def examine(self) -> tuple[str | None, None]:
        with self._lock:
            self.filepath = self._queue.popleft() if self._queue else None
        return self.filepath, None

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=10)


# --- the command ------------------------------------------------------------------------------


@dataclass(slots=True)
class ServeOptions:
    source: Path
    out: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    drafts: bool = False
    # Build into a non-empty --out folder that site-builder did not make (`build --overwrite`).
    overwrite: bool = False
    debounce: float = DEBOUNCE
    settle: float = SETTLE


@dataclass(slots=True)
class DevServer:
    """The server, its watcher and its rebuilder; ``serve()`` runs one until Ctrl-C, tests and
    the benchmark start and stop one themselves."""

    options: ServeOptions
    echo: Echo
    hub: Hub = field(default_factory=Hub)
    builder: Builder | None = None
    watcher: SourceWatcher | None = None
    rebuilder: Rebuilder | None = None
    url: str = ""
    address: tuple[str, int] = ("", 0)  # the bound address and port
    _printed: set[Diagnostic] = field(default_factory=set)
    _thread: threading.Thread | None = None
    _loop: IOLoop | None = None
    _http: HTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        source = self.options.source.absolute()
        out = (self.options.out or default_out(source, self.options.drafts)).absolute()
        builder = self.builder = Builder(source, out, self.options.drafts, self.options.overwrite)
        host = self.options.host
        quiet_libraries()
        # bind before the first build, so that a port in use is said at once
        sockets = bind_sockets(self.options.port, host)
        try:
            port = sockets[0].getsockname()[1]
            self.address = (host, port)
            guard = HostGuard.for_sockets(host, sockets)
            if not is_loopback(host):
                self.echo(
                    _(
                        "warning: serving on {host}: other machines can read this preview, "
                        "drafts included; use --host 127.0.0.1 to keep it on this computer"
                    ).format(host=host)
                )
            self.echo(_("building {source} into {out}").format(source=source, out=out))
            self._rebuild([], first=True)
            if builder.refused is not None:  # nothing to serve: said like `build` says it
                raise builder.refused
            self.rebuilder = Rebuilder(self._rebuild, self.options.debounce)
            self.rebuilder.start()
            self.watcher = SourceWatcher(source)
            server = PreviewServer(self.watcher)
            server.watch(str(source), self.rebuilder.changed_all)
            self.hub.send = self.watcher.reload
            site = Site(out, lambda: builder.base_path, self.hub.token, self.hub.to_json, port)
            self._serve_in_thread(server, sockets, site, guard)
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}{builder.base_path}"
        self.echo(_("serving {url} (live reload; Ctrl-C stops)").format(url=self.url))
        return self.url

    def _serve_in_thread(
        self, server: PreviewServer, sockets: list[Any], site: Site, guard: HostGuard
    ) -> None:
        """tornado's IOLoop in a thread of its own: the HTTP server, the WebSockets, the
        watcher's start and every message to the tabs run there."""
        started = threading.Event()
        failed: list[BaseException] = []

        def run_loop() -> None:
            asyncio.set_event_loop(asyncio.new_event_loop())
            loop = IOLoop.current()
            try:
                self._http = server.listen(sockets, site, guard, self.hub.catch_up)
            except BaseException as exc:
                failed.append(exc)
                started.set()
                loop.close(all_fds=True)
                return
            self._loop = loop
            started.set()
            loop.start()
            self._http.stop()
            loop.close(all_fds=True)

        self._thread = threading.Thread(target=run_loop, name="site-builder-http", daemon=True)
        self._thread.start()
        started.wait()
        if failed:
            raise failed[0]

    def _rebuild(self, changes: list[str], first: bool = False) -> None:
        assert self.builder is not None
        with self._lock:
            shown: list[float] = []  # seconds, CPU seconds to the pages; seconds waited
            started, cpu = time.perf_counter(), time.thread_time()

            def preview(written: WriteResult) -> None:
                # the pages are on disk: reload the browser now, not after the search index
                shown.extend((time.perf_counter() - started, time.thread_time() - cpu))
                self._publish_change(written.changed, written.deleted, clear_errors=True)
                # The site-wide stages (search index, checks of the whole output) take seconds
                # on a big site and cannot be interrupted: run them once the writer pauses,
                # not after every save; a save meanwhile starts a new build at once.
                waiting = time.perf_counter()
                pause = self.rebuilder is not None and self.rebuilder.wait_for_change(
                    self.options.settle
                )
                shown.append(time.perf_counter() - waiting)
                if pause:
                    raise Superseded

            try:
                report = self.builder.build(preview)
            except Superseded:
                return
            if first and self.builder.refused is not None:
                return  # start() says it and stops: there is no site to serve
            self._publish(report, changes, first, shown)

    def _publish_change(
        self, changed: tuple[str, ...], removed: tuple[str, ...], clear_errors: bool
    ) -> None:
        before = self.hub.status
        status = next_status(before, changed, removed, clear_errors)
        if status is not None:
            assert self.builder is not None
            self.hub.publish(status, changed, self.builder.base_path)

    def _publish(
        self, report: BuildReport, changes: list[str], first: bool, shown: list[float]
    ) -> None:
        before = self.hub.status
        base = self.builder.base_path if self.builder is not None else "/"
        what = ", ".join(sorted(set(changes))[:3]) + (" …" if len(set(changes)) > 3 else "")
        after = _(" after {files}").format(files=what) if what else ""
        new = [d for d in (*report.errors, *report.warnings) if d not in self._printed]
        for d in sorted(new):
            self.echo(d.format())
        self._printed = set(report.errors) | set(report.warnings)
        builds = before.builds + 1
        if report.errors:
            if new or not before.errors:
                self.echo(
                    _(
                        "build failed ({errors} error(s)){after}; still serving the last good "
                        "version"
                    ).format(errors=len(report.errors), after=after)
                )
            self.hub.publish(
                Status(before.generation, before.previous, None, (), report.errors, builds)
            )
            return
        result = report.result
        assert result is not None
        status = next_status(before, report.changed, report.removed, True) or before
        self.hub.publish(
            Status(status.generation, status.previous, status.change, status.css, (), builds),
            report.changed,
            base,
        )
        took = report.seconds
        page = ""
        if len(shown) == 3:  # pages shown first, then a pause for more edits
            page = _(", pages shown after {seconds}s ({cpu}s CPU)").format(
                seconds=f"{shown[0]:.2f}", cpu=f"{shown[1]:.2f}"
            )
            took -= shown[2]
        done = (
            _("built in {seconds}s{pages}{after}: {rendered} rendered, {kept} unchanged")
            if first
            else _("rebuilt in {seconds}s{pages}{after}: {rendered} rendered, {kept} unchanged")
        )
        self.echo(
            done.format(
                seconds=f"{took:.2f}",
                pages=page,
                after=after,
                rendered=len(result.rendered),
                kept=len(result.kept),
            )
        )

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.rebuilder is not None:
            self.rebuilder.stop()
        self.hub.send = lambda paths: None
        if self._loop is not None and self._thread is not None:
            self._loop.add_callback(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop = None


def serve(options: ServeOptions, echo: Echo) -> int:
    """Runs until Ctrl-C (or SIGTERM); returns the exit code."""
    server = DevServer(options, echo)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    # The HTTP thread answers the reloading browser while the rebuild thread computes the
    # search index: switch threads every 0.5 ms instead of 5 so that they are not starved.
    sys.setswitchinterval(0.0005)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: no signal handler
        signal.signal(signal.SIGTERM, terminate)
        # Ctrl-C stops the server even when it was started from a shell or CI runner that
        # ignores SIGINT in its background jobs (Python then inherits the ignoring).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        try:
            url = server.start()
        except OSError as exc:
            echo(
                _("error: cannot serve on {host}:{port}: {reason}").format(
                    host=options.host, port=options.port, reason=exc.strerror or exc
                )
            )
            return 2
        except UsageError as exc:
            echo(f"error: {exc}")
            return 2
        if options.open_browser:
            webbrowser.open(url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM, also during the first build
        pass
    finally:
        with contextlib.suppress(KeyboardInterrupt):
            server.stop()
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, handler)
    echo(_("stopped"))
    return 0
