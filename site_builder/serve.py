"""Live preview: build, serve, watch, rebuild what an edit touches, reload the browser.

    watch (inotify) -> debounce -> rebuild (incremental) -> publish a status -> every tab reloads

- **Build.** One ``state.Session`` lives as long as the server, so a rebuild re-parses only the
  files that changed and re-renders only the pages whose inputs changed (``deps.py``); changed
  files are replaced one by one in a private output folder (not the project's ``output/``, so a
  draft preview never ends up published), and the state beside it lets the next ``serve`` start
  incrementally too.
- **Serve.** The last good output, under the site's base path (``/reports/`` for
  ``base_url: http://intranet/reports/``), so that pages behave as they will on the intranet. HTML
  responses get one ``<script>`` tag before ``</body>``; the files on disk never do.
- **Reload channel.** Server-Sent Events on ``/__site_builder__/events``, shared by all tabs of a
  browser through a SharedWorker (one connection, not one per tab: browsers allow six). Each
  status carries a generation number that only grows, and each page knows the generation it was
  served at, so a tab that connects late, reconnects or misses an event still reloads: nothing is
  dropped, however close two edits are. A rebuild that changed only stylesheets swaps them in
  place without a reload.
- **Errors.** A failed build leaves the output as it was; the status carries its diagnostics and
  the page shows them over the last good page until a build succeeds. The terminal prints each
  problem once, not again on every save while it stays.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import http.server
import ipaddress
import json
import logging
import mimetypes
import os
import posixpath
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from site_builder.errors import Diagnostic, Severity, UsageError
from site_builder.pipeline import BuildOptions, BuildResult, run
from site_builder.state import Session
from site_builder.write import WriteResult

log = logging.getLogger(__name__)

ENDPOINT = "/__site_builder__/"
WATCHED = ("site.yaml", "content", "templates", "assets")
DEBOUNCE = 0.03  # seconds of quiet after the last file event before a rebuild starts
SETTLE = 1.0  # seconds without edits before the site-wide stages of a rebuild run
KEEPALIVE = 15.0  # seconds between SSE comments, so that a closed connection is noticed

Echo = Callable[[str], None]


def default_out(source: Path, drafts: bool) -> Path:
    """The preview's own output folder, in the user's cache and not in the project: nothing in it
    is ever published, and it survives restarts so that the next ``serve`` starts incrementally."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "site-builder"
    source = source.absolute()
    key = hashlib.blake2b(str(source).encode(), digest_size=6).hexdigest()
    name = f"{source.name or 'site'}-{key}" + ("-drafts" if drafts else "")
    return base / name / "output"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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


class Broadcaster:
    """The current status, and a way to wait for the next one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._status = Status()
        self._version = 0
        self.closed = False

    @property
    def status(self) -> Status:
        with self._cond:
            return self._status

    def publish(self, status: Status) -> None:
        with self._cond:
            self._status = status
            self._version += 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, Status]:
        """The next (version, status) after version ``seen``, or the same after ``timeout``."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != seen or self.closed, timeout)
            return self._version, self._status


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

    def __init__(self, source: Path, out: Path, drafts: bool) -> None:
        self.source = source
        self.out = out
        self.drafts = drafts
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
            source=self.source, out=self.out, drafts=self.drafts, in_place=self.builds > 0
        )
        start = time.perf_counter()
        try:
            result = run(options, session=self.session, preview=preview)
        except UsageError as exc:
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
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in site_builder; please report it with the file you edited",
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


class Watcher:
    """inotify watches on site.yaml's folder (not recursive: projects hold .venv, node_modules
    and output/) and on content/, templates/ and assets/ (recursive), added as they appear and
    dropped as they go."""

    def __init__(self, root: Path, notify: Callable[[str], None]) -> None:
        self.root = root
        self.observer = Observer()
        self.handler = _SourceEvents(root, notify, self._dir)
        self._watches: dict[Path, ObservedWatch] = {}
        self._lock = threading.Lock()

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

    def start(self) -> None:
        self.observer.schedule(self.handler, str(self.root), recursive=False)
        for name in WATCHED[1:]:
            self._dir(self.root / name, True)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=10)


# --- HTTP -------------------------------------------------------------------------------------

_ASSETS = Path(__file__).parent / "defaults" / "serve"


def _live_file(name: str) -> bytes:
    return (_ASSETS / name).read_bytes()


@functools.cache
def _script_version() -> str:
    data = _live_file("live.js") + _live_file("worker.js")
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def inject(html: bytes, generation: int) -> bytes:
    """The live-reload script, placed before ``</body>`` (or at the end). ``async``: the page
    neither waits for it nor blocks on it; its URL names its version, so it is fetched once."""
    tag = (
        f'<script async src="{ENDPOINT}live.js?v={_script_version()}" '
        f'data-generation="{generation}" id="site-builder-live"></script>\n'
    ).encode()
    at = html.lower().rfind(b"</body>")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


NO_SITE_YET = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>site-builder serve</title></head>
<body><p>There is no page here yet: the site has not built. Fix the problems shown and the page
reloads by itself.</p></body></html>
"""


class LiveServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        out: Path,
        broadcaster: Broadcaster,
        base_path: Callable[[], str],
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.out = out
        self.broadcaster = broadcaster
        self.base_path = base_path
        super().__init__(address, _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: LiveServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    # -- routing

    def _respond(self, head: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path.startswith(ENDPOINT):
            self._live(path[len(ENDPOINT) :], head)
            return
        base = self.server.base_path()
        if path == base.rstrip("/") or (path == "/" and base != "/"):
            self._send(301, b"", "text/plain", head, {"Location": base})
            return
        if not path.startswith(base):
            self._not_found(head, "")
            return
        rel = posixpath.normpath(path[len(base) :]).lstrip("/")
        if rel == ".":
            rel = ""
        if rel.startswith("..") or "\0" in rel:
            self._not_found(head, "")
            return
        target = self.server.out / rel if rel else self.server.out
        if target.is_dir():
            if not path.endswith("/"):
                self._send(301, b"", "text/plain", head, {"Location": path + "/"})
                return
            target = target / "index.html"
        if not target.is_file():
            self._not_found(head, rel)
            return
        self._file(target, head)

    def _file(self, target: Path, head: bool) -> None:
        try:
            data = target.read_bytes()
            st = target.stat()
        except OSError:
            self._not_found(head, "")
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        if target.suffix == ".html":
            body = inject(data, self.server.broadcaster.status.generation)
            self._send(200, body, ctype, head, {"Cache-Control": "no-store"})
            return
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        headers = {"Cache-Control": "no-cache", "ETag": etag}
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", ctype, True, headers)
            return
        self._send(200, data, ctype, head, headers)

    def _not_found(self, head: bool, rel: str) -> None:
        out = self.server.out
        first = rel.split("/", 1)[0]
        page = out / first / "404.html" if first else out / "404.html"
        if not page.is_file():
            page = out / "404.html"
        body = page.read_bytes() if page.is_file() else NO_SITE_YET
        body = inject(body, self.server.broadcaster.status.generation)
        self._send(404, body, "text/html; charset=utf-8", head, {"Cache-Control": "no-store"})

    def _live(self, name: str, head: bool) -> None:
        if name == "events":
            self._events()
        elif name in ("live.js", "worker.js"):
            # versioned URLs (?v=): the browser keeps them for the session
            cache = {"Cache-Control": "max-age=86400, immutable"}
            self._send(200, _live_file(name), "text/javascript; charset=utf-8", head, cache)
        elif name == "status":
            body = self.server.broadcaster.status.to_json().encode()
            self._send(200, body, "application/json; charset=utf-8", head)
        else:
            self._send(404, b"not found", "text/plain", head)

    def _send(
        self, code: int, body: bytes, ctype: str, head: bool, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head and body:
            with contextlib.suppress(ConnectionError):
                self.wfile.write(body)

    def _events(self) -> None:
        """Server-Sent Events: the current status at once, then every new one."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        hub = self.server.broadcaster
        seen = -1
        try:
            self.wfile.write(b"retry: 300\n\n")
            while not hub.closed:
                version, status = hub.wait(seen, KEEPALIVE)
                if hub.closed:
                    break
                if version == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = version
                    msg = f"id: {status.generation}\nevent: status\ndata: {status.to_json()}\n\n"
                    self.wfile.write(msg.encode())
                self.wfile.flush()
        except (ConnectionError, OSError):
            pass


# --- the command ------------------------------------------------------------------------------


@dataclass(slots=True)
class ServeOptions:
    source: Path
    out: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    drafts: bool = False
    debounce: float = DEBOUNCE
    settle: float = SETTLE


@dataclass(slots=True)
class DevServer:
    """The server, its watcher and its rebuilder; ``serve()`` runs one until Ctrl-C, tests and
    the benchmark start and stop one themselves."""

    options: ServeOptions
    echo: Echo
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    builder: Builder | None = None
    httpd: LiveServer | None = None
    watcher: Watcher | None = None
    rebuilder: Rebuilder | None = None
    url: str = ""
    _printed: set[Diagnostic] = field(default_factory=set)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        source = self.options.source.absolute()
        out = (self.options.out or default_out(source, self.options.drafts)).absolute()
        builder = self.builder = Builder(source, out, self.options.drafts)
        host = self.options.host
        # bind before the first build, so that a port in use is said at once
        self.httpd = LiveServer(
            (host, self.options.port), out, self.broadcaster, lambda: builder.base_path
        )
        if not is_loopback(host):
            self.echo(
                f"warning: serving on {host}: other machines can read this preview, drafts "
                "included; use --host 127.0.0.1 to keep it on this computer"
            )
        self.echo(f"building {source} into {out}")
        self._rebuild([], first=True)
        port = self.httpd.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}{builder.base_path}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="site-builder-http", daemon=True
        )
        self._thread.start()
        self.rebuilder = Rebuilder(self._rebuild, self.options.debounce)
        self.rebuilder.start()
        self.watcher = Watcher(source, self.rebuilder.changed)
        self.watcher.start()
        self.echo(f"serving {self.url} (live reload; Ctrl-C stops)")
        return self.url

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
            self._publish(report, changes, first, shown)

    def _publish_change(
        self, changed: tuple[str, ...], removed: tuple[str, ...], clear_errors: bool
    ) -> None:
        before = self.broadcaster.status
        status = next_status(before, changed, removed, clear_errors)
        if status is not None:
            self.broadcaster.publish(status)

    def _publish(
        self, report: BuildReport, changes: list[str], first: bool, shown: list[float]
    ) -> None:
        before = self.broadcaster.status
        what = ", ".join(sorted(set(changes))[:3]) + (" …" if len(set(changes)) > 3 else "")
        new = [d for d in (*report.errors, *report.warnings) if d not in self._printed]
        for d in sorted(new):
            self.echo(d.format())
        self._printed = set(report.errors) | set(report.warnings)
        builds = before.builds + 1
        if report.errors:
            if new or not before.errors:
                self.echo(
                    f"build failed ({len(report.errors)} error(s))"
                    f"{' after ' + what if what else ''}; still serving the last good version"
                )
            self.broadcaster.publish(
                Status(before.generation, before.previous, None, (), report.errors, builds)
            )
            return
        result = report.result
        assert result is not None
        status = next_status(before, report.changed, report.removed, True) or before
        self.broadcaster.publish(
            Status(status.generation, status.previous, status.change, status.css, (), builds)
        )
        label = "built" if first else "rebuilt"
        took = report.seconds
        page = ""
        if len(shown) == 3:  # pages shown first, then a pause for more edits
            page = f", pages shown after {shown[0]:.2f}s ({shown[1]:.2f}s CPU)"
            took -= shown[2]
        self.echo(
            f"{label} in {took:.2f}s{page}{' after ' + what if what else ''}: "
            f"{len(result.rendered)} rendered, {len(result.kept)} unchanged"
        )

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.rebuilder is not None:
            self.rebuilder.stop()
        self.broadcaster.close()
        if self.httpd is not None:
            if self._thread is not None:  # shutdown() waits for serve_forever() to end
                self.httpd.shutdown()
                self._thread.join(timeout=10)
            self.httpd.server_close()


def serve(options: ServeOptions, echo: Echo) -> int:
    """Runs until Ctrl-C (or SIGTERM); returns the exit code."""
    server = DevServer(options, echo)
    previous = signal.getsignal(signal.SIGTERM)
    # The HTTP threads answer the reloading browser while the rebuild thread computes the
    # search index: switch threads every 0.5 ms instead of 5 so that they are not starved.
    sys.setswitchinterval(0.0005)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: no signal handler
        signal.signal(signal.SIGTERM, terminate)
    try:
        try:
            url = server.start()
        except OSError as exc:
            echo(f"error: cannot serve on {options.host}:{options.port}: {exc.strerror or exc}")
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
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)
    echo("stopped")
    return 0
