"""The preview's HTTP side, built on ``livereload``: its WebSocket reload protocol and client
(livereload.js, which also swaps stylesheets in place), its watcher interface, and a handler of
ours for the site's files.

    browser --HTTP--> SiteHandler (last good output, base path, 404 pages, script injected)
    browser <--WS---  SiteReloadHandler (livereload's LiveReloadHandler: hello, info, reload)
    build thread --> SourceWatcher.reload(paths) --IOLoop--> LiveReloadHandler.poll_tasks

What we take from ``livereload`` and what we change, through its own extension points:

- ``LiveReloadHandler`` speaks the protocol (``official-7``) and keeps the open tabs. A subclass
  per server holds its own tabs (the class keeps them in class attributes), checks the
  WebSocket's ``Origin`` (the original accepts any page on the web), and on the ``info``
  handshake sends a tab whatever it missed while it was loading: the page says the build it was
  served at through a livereload.js plugin (``defaults/serve/live.js``), so no reload is lost
  however close two edits are.
- ``LiveReloadHandler.DEFAULT_RELOAD_TIME`` is 0: livereload drops any reload within 3 s of the
  previous one, and two saves a second apart would show only the first.
- The watcher is ``SourceWatcher`` (in ``serve.py``), fed by watchdog's inotify events; its
  ``start()`` returns True, so livereload never starts its 800 ms mtime polling.
- ``Server.serve()`` and ``Server.application()`` are not used: they listen on a port they do
  not report (``--port 0``), block on the global IOLoop, print every request, and mount
  ``/forcereload``, a GET any web page can send to reload every tab. ``PreviewApp`` puts
  livereload's handlers in a tornado application of its own instead.

Safety (a preview is reachable from every page the user's browser opens): only requests whose
``Host:`` is the bound address or ``localhost`` with the port are answered with content (DNS
rebinding otherwise lets a web page read the preview), everything else gets 403; a path that
cannot name a file (NUL, a segment over 255 bytes, ``..`` above the site) is 404, an overlong
URL 414; every request gets an answer and nothing prints a traceback.

Long: the HTTP handler of the site's files and the subclasses of livereload's handlers
share one tornado application and the tab registry; each part is small, and reads best beside
the others it hooks into.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import json
import logging
import mimetypes
import os
import posixpath
import socket
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from http.client import responses
from pathlib import Path
from typing import Any

import livereload
from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.watcher import Watcher
from tornado import httputil, iostream, web
from tornado.httpserver import HTTPServer
from tornado.routing import AnyMatches, Matcher, PathMatches, Rule

from site_builder.messages import _, current_language

log = logging.getLogger(__name__)

ENDPOINT = "/__site_builder__/"
STATUS = ENDPOINT + "status"  # the path of a reload message that means "fetch the status"
MAX_URL = 8192  # bytes of request target; longer is 414 (browsers' own limits are far higher)
MAX_HEAD = 4 * 1024 * 1024  # bytes of request head tornado reads before giving up
MAX_SEGMENT = 255  # bytes of one path segment: no file system has longer names
TOO_LONG = (
    b"HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 22\r\nConnection: close\r\n\r\nrequest head too long\n"
)

_ASSETS = Path(__file__).parent / "defaults" / "serve"
_LIVERELOAD_JS = Path(livereload.__file__).parent / "vendors"

NO_SITE_YET = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>site-builder serve</title></head>
<body><p>There is no page here yet: the site has not built. Fix the problems shown and the page
reloads by itself.</p></body></html>
"""


# --- hosts ------------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class HostGuard:
    """Which ``Host:`` headers the preview answers: its own address and ``localhost``, at its
    port. A server bound to every interface (``0.0.0.0``, ``::``) answers any IP address and
    this machine's name too; a name a web page controls never resolves to those."""

    names: frozenset[str]
    port: int
    any_ip: bool = False
    shown: str = "127.0.0.1"  # the address to suggest in a refusal

    @classmethod
    def for_sockets(cls, host: str, sockets: Iterable[socket.socket]) -> HostGuard:
        names = {"localhost", host.strip("[]").lower()}
        any_ip = False
        port = 0
        for sock in sockets:
            address = sock.getsockname()
            port = address[1]
            ip = _ip(address[0])
            if ip is not None and ip.is_unspecified:
                any_ip = True
            names.add(str(address[0]).lower())
        if any_ip:
            names.add(socket.gethostname().lower())
        shown = "127.0.0.1" if any_ip or host == "localhost" else host.strip("[]")
        return cls(frozenset(names), port, any_ip, f"[{shown}]" if ":" in shown else shown)

    def allows(self, header: str) -> bool:
        """Whether a ``Host:`` header (``name:port``, ``[v6]:port``, or ``name`` for port 80)
        names this server."""
        header = header.strip().lower()
        if header.startswith("["):
            name, sep, rest = header[1:].partition("]")
            if not sep or (rest and not rest.startswith(":")):
                return False
            port_text = rest[1:]
            if _ip(name) is None:
                return False
        else:
            name, sep, port_text = header.rpartition(":")
            if not sep:
                name, port_text = header, ""
            if ":" in name:
                return False
        if port_text:
            if not port_text.isdigit() or int(port_text) != self.port:
                return False
        elif self.port != 80:
            return False
        if name in self.names:
            return True
        return self.any_ip and _ip(name) is not None

    def allows_origin(self, origin: str) -> bool:
        parts = urllib.parse.urlsplit(origin)
        return (
            parts.scheme in ("http", "https") and bool(parts.netloc) and self.allows(parts.netloc)
        )


# --- paths ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a request path names: a file to send, a redirect, or nothing (with the page path,
    so that the 404 page of its language can be chosen)."""

    kind: str  # "file", "redirect" or "missing"
    file: Path | None = None
    location: str = ""
    rel: str = ""


def resolve(out: Path, base: str, raw_path: str) -> Resolved:
    """The file the (still percent-encoded) ``raw_path`` names under ``base`` in ``out``.
    Pure but for stat calls; no OSError escapes (a name too long for the file system, a path
    through a file): such a path names nothing."""
    path = urllib.parse.unquote(raw_path, errors="replace")
    segments = path.split("/")
    if "\0" in path or any(len(s.encode("utf-8", "replace")) > MAX_SEGMENT for s in segments):
        return Resolved("missing")
    if path == base.rstrip("/") or (path == "/" and base != "/"):
        return Resolved("redirect", location=base)
    if not path.startswith(base):
        return Resolved("missing")
    rel = posixpath.normpath(path[len(base) :] or ".").lstrip("/")
    if rel == ".":
        rel = ""
    if rel == ".." or rel.startswith("../"):
        return Resolved("missing")
    target = out / rel if rel else out
    try:
        if not target.resolve().is_relative_to(out.resolve()):
            return Resolved("missing")
        if target.is_dir():
            if not path.endswith("/"):
                # built from the resolved path, never from the request: no open redirect
                return Resolved("redirect", location=base + urllib.parse.quote(rel) + "/")
            target = target / "index.html"
        if target.is_file():
            return Resolved("file", file=target, rel=rel)
    except (OSError, ValueError):
        pass
    return Resolved("missing", rel=rel)


# --- the injected script ----------------------------------------------------------------------


def _live_file(name: str) -> bytes:
    return (_ASSETS / name).read_bytes()


@functools.cache
def script_version() -> str:
    data = _live_file("live.js") + (_LIVERELOAD_JS / "livereload.js").read_bytes()
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def overlay_attributes() -> str:
    """The error overlay's texts in the tool's language, as attributes of the plugin's script
    tag: ``live.js`` stays one cached file for every language."""
    texts = {
        "lang": current_language(),
        "label": _("Build failed"),
        "title": _(
            "Build failed: this is the last good version of the page. Fix the problem and "
            "save; the page updates by itself."
        ),
        "hint": _("hint: "),
        "close": _("Hide until the next build"),
    }
    return "".join(f' data-{k}="{escape(v, quote=True)}"' for k, v in texts.items())


def inject(html: bytes, token: str, port: int, host: str = "") -> bytes:
    """The site's livereload.js plugin and livereload.js itself, placed before the last
    ``</body>`` (or at the end). The plugin is a plain script, so it runs before livereload.js
    (``async``, after it) looks for plugins; both URLs name their version and are fetched once.
    ``token`` is the build the page was served at; ``host`` is given for IPv6 addresses only,
    which livereload.js cannot read from its own URL."""
    v = script_version()
    where = f"port={port}" + (f"&amp;host=[{host}]" if ":" in host else "")
    tag = (
        f'<script src="{ENDPOINT}live.js?v={v}" data-generation="{token}" '
        f'id="site-builder-live"{overlay_attributes()}></script>\n'
        f'<script async src="/livereload.js?{where}&amp;v={v}"></script>\n'
    ).encode()
    at = html.lower().rfind(b"</body>")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


# --- handlers ---------------------------------------------------------------------------------


class _Quiet:
    """Errors in a handler become a short plain answer and a debug log line, never a traceback
    on the terminal."""

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        log.debug("error answering a request", exc_info=(typ, value, tb))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        handler: Any = self
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        handler.finish(f"{status_code} {responses.get(status_code, 'error')}\n")


@dataclass(frozen=True, slots=True)
class Site:
    """What the handlers need from the dev server, read at each request."""

    out: Path
    base_path: Callable[[], str]
    token: Callable[[], str]  # the current build, as the injected script names it
    status_json: Callable[[], str]
    port: int


class _Refused(Matcher):
    """Matches the requests that get no content: a foreign ``Host:``, an overlong URL."""

    def __init__(self, guard: HostGuard) -> None:
        self.guard = guard

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        return {} if refusal(self.guard, request) else None


def refusal(guard: HostGuard, request: httputil.HTTPServerRequest) -> tuple[int, str] | None:
    if len(request.uri or "") > MAX_URL:
        return 414, "URI too long"
    if not guard.allows(request.headers.get("Host", "")):
        return 403, (
            "this preview answers only its own address (DNS rebinding protection): "
            f"open http://{guard.shown}:{guard.port}/ or http://localhost:{guard.port}/"
        )
    return None


class RefuseHandler(_Quiet, web.RequestHandler):
    def initialize(self, guard: HostGuard) -> None:
        self.guard = guard

    def prepare(self) -> None:
        code, message = refusal(self.guard, self.request) or (403, "refused")
        self.set_status(code)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Connection", "close")
        self.finish(message + "\n")


class SiteHandler(_Quiet, web.RequestHandler):
    """The last good output under the site's base path; HTML gets the reload script."""

    def initialize(self, site: Site) -> None:
        self.site = site

    def compute_etag(self) -> str | None:
        return None  # assets carry their own (size, mtime); pages are never cached

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        site = self.site
        token = site.token()  # before reading: a page never claims a newer build than it shows
        found = resolve(site.out, site.base_path(), self.request.path)
        if found.kind == "redirect":
            self.redirect(found.location, permanent=True)
            return
        if found.kind == "file" and found.file is not None:
            try:
                data = found.file.read_bytes()
                st = found.file.stat()
            except OSError:
                pass
            else:
                self._send_file(found.file, data, st, token)
                return
        self._not_found(found.rel, token)

    def _send_file(self, file: Path, data: bytes, st: os.stat_result, token: str) -> None:
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self.set_header("Content-Type", ctype)
        if file.suffix == ".html":
            self.set_header("Cache-Control", "no-store")
            self.finish(inject(data, token, self.site.port, self._host_name()))
            return
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        self.set_header("Cache-Control", "no-cache")
        self.set_header("ETag", etag)
        if self.request.headers.get("If-None-Match") == etag:
            self.set_status(304)
            self.finish()
            return
        self.finish(data)

    def _host_name(self) -> str:
        host = self.request.headers.get("Host", "")
        return host[1:].partition("]")[0] if host.startswith("[") else ""

    def _not_found(self, rel: str, token: str) -> None:
        out = self.site.out
        first = rel.split("/", 1)[0]
        body = NO_SITE_YET
        for page in (out / first / "404.html", out / "404.html") if first else (out / "404.html",):
            with contextlib.suppress(OSError, ValueError):
                body = page.read_bytes()
                break
        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(inject(body, token, self.site.port, self._host_name()))


class InternalHandler(_Quiet, web.RequestHandler):
    """``/__site_builder__/live.js`` (the plugin) and ``/__site_builder__/status`` (JSON)."""

    def initialize(self, site: Site) -> None:
        self.site = site

    def compute_etag(self) -> str | None:
        return None

    def head(self, name: str) -> None:
        self.get(name)

    def get(self, name: str) -> None:
        if name == "live.js":
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            self.set_header("Cache-Control", "max-age=86400, immutable")  # versioned URL
            self.finish(_live_file("live.js"))
        else:
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.site.status_json())


class LiveReloadScript(_Quiet, LiveReloadJSHandler):  # type: ignore[misc]  # untyped base
    """livereload.js, cached for the session: its URL names its version."""

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        self.set_header("Cache-Control", "max-age=86400, immutable")
        super().get()


class SiteReloadHandler(_Quiet, LiveReloadHandler):  # type: ignore[misc]  # untyped base
    """livereload's WebSocket handler, with the tabs of one server, a checked ``Origin``, and
    what a tab missed sent at its handshake. Subclassed once per server (``for_server``): the
    handler keeps its tabs and watcher in class attributes."""

    guard: HostGuard
    catch_up: Callable[[str], list[str]]

    @classmethod
    def for_server(
        cls, guard: HostGuard, catch_up: Callable[[str], list[str]], watcher: Watcher
    ) -> type[SiteReloadHandler]:
        return type(
            "SiteReloadHandler",
            (cls,),
            {
                "waiters": set(),
                "watcher": watcher,
                "live_css": True,
                "guard": guard,
                "catch_up": staticmethod(catch_up),
                "_last_reload_time": None,
            },
        )

    def check_origin(self, origin: str) -> bool:
        return self.guard.allows_origin(origin)

    def on_message(self, message: str | bytes) -> None:
        """livereload's handshake (``hello``, then ``info``), adding the tab to this server's
        own tabs (``LiveReloadHandler.on_message`` adds it to its base class's, shared by
        every server in the process), then sending what the tab missed."""
        try:
            data = json.loads(message)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.debug("bad livereload message %r", message[:200])
            self.close()
            return
        if data.get("command") == "hello":
            self.send_message(
                {
                    "command": "hello",
                    "protocols": ["http://livereload.com/protocols/official-7"],
                    "serverName": "site-builder (livereload-tornado)",
                }
            )
        elif data.get("command") == "info" and "url" in data:
            type(self).waiters.add(self)
            plugins = data.get("plugins")
            ours = plugins.get("site-builder") if isinstance(plugins, dict) else None
            token = ours.get("generation") if isinstance(ours, dict) else None
            for path in type(self).catch_up(token if isinstance(token, str) else ""):
                self.send_message(reload_message(path))

    def on_close(self) -> None:
        type(self).waiters.discard(self)


def reload_message(path: str, live_css: bool = True) -> dict[str, object]:
    """A livereload ``reload`` command, as ``LiveReloadHandler.reload_waiters`` sends it."""
    return {"command": "reload", "path": path, "liveCSS": live_css, "liveImg": True}


def _log_request(handler: web.RequestHandler) -> None:
    request = handler.request
    log.debug("%s %s %s", handler.get_status(), request.method, request.uri)


class PreviewHTTPServer(HTTPServer):
    """tornado's server, answering a request head too long to read (tornado would close the
    connection without a word) with a 414."""

    def handle_stream(self, stream: iostream.IOStream, address: tuple[Any, ...]) -> None:
        close = stream.close

        def answer_then_close(exc_info: Any = False) -> None:
            if isinstance(exc_info, iostream.UnsatisfiableReadError) and not stream.closed():
                with contextlib.suppress(OSError):
                    stream.socket.send(TOO_LONG)
            close(exc_info)

        setattr(stream, "close", answer_then_close)  # noqa: B010 (an instance's own method)
        super().handle_stream(stream, address)


def application(
    site: Site, guard: HostGuard, reload_handler: type[SiteReloadHandler]
) -> web.Application:
    rules = [
        Rule(_Refused(guard), RefuseHandler, {"guard": guard}),
        Rule(PathMatches(r"/livereload"), reload_handler),
        Rule(PathMatches(r"/livereload\.js"), LiveReloadScript),
        Rule(PathMatches(r"/__site_builder__/(live\.js|status)"), InternalHandler, {"site": site}),
        Rule(AnyMatches(), SiteHandler, {"site": site}),
    ]
    return web.Application(rules, log_function=_log_request, websocket_ping_interval=15)


def quiet_libraries() -> None:
    """tornado and livereload log request errors and closed sockets with tracebacks; Python
    prints those when nothing is configured. They go to the application's handlers, if any."""
    for name in ("tornado", "livereload", "asyncio"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


class PreviewServer(Server):  # type: ignore[misc]  # livereload has no type hints
    """livereload's ``Server`` with its watcher, listening on sockets bound beforehand (so that
    a port in use is said before the first build, and ``--port 0`` tells its port) and serving
    the application above. ``listen`` runs in the thread of the IOLoop."""

    def __init__(self, watcher: Watcher) -> None:
        # livereload drops a reload that comes within DEFAULT_RELOAD_TIME (3 s) of the previous
        # one; poll_tasks reads it from this very class, so a subclass cannot change it.
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
        super().__init__(watcher=watcher)
        self.reload_handler: type[SiteReloadHandler] | None = None

    def listen(
        self,
        sockets: list[socket.socket],
        site: Site,
        guard: HostGuard,
        catch_up: Callable[[str], list[str]],
    ) -> HTTPServer:
        handler = SiteReloadHandler.for_server(guard, catch_up, self.watcher)
        self.reload_handler = handler
        http = PreviewHTTPServer(application(site, guard, handler), max_header_size=MAX_HEAD)
        http.add_sockets(sockets)
        handler.start_tasks()  # watcher.start(poll_tasks): True, so no 800 ms polling
        return http
