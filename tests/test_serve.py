"""The preview server without a browser: what it serves, its status, bad input, Ctrl-C, the
livereload protocol as a tab speaks it, and what it refuses to answer."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner

from site_builder.preview_server import HostGuard, Resolved, resolve
from site_builder.serve import DevServer, ServeOptions, default_out, inject, is_loopback
from tests.conftest import REPO, MakeSite

T = TypeVar("T")

REPORT = "content/reports/city/2024-summary.md"
REPORT_URL = "reports/city/2024-summary/index.html"


def wait_until(check: Callable[[], object], timeout: float = 20.0, what: str = "") -> object:
    """Polls ``check`` until it returns something true (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(0.02)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (looked up regardless of case, as HTTP says) and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@dataclass
class Live:
    root: Path
    out: Path
    url: str
    server: DevServer
    lines: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.url.split("/reports/")[0]

    def status(self) -> dict[str, object]:
        _code, _headers, body = get(self.origin + "/__site_builder__/status")
        return dict(json.loads(body))

    def generation(self) -> int:
        return int(self.status()["generation"])  # type: ignore[call-overload]

    def builds(self) -> int:
        return int(self.status()["builds"])  # type: ignore[call-overload]


@pytest.fixture
def live(make_site: MakeSite, tmp_path: Path) -> Iterator[Live]:
    root = make_site()
    lines: list[str] = []
    out = tmp_path / "preview"
    server = DevServer(ServeOptions(source=root, out=out, port=0), echo=lines.append)
    url = server.start()
    try:
        yield Live(root, out, url, server, lines)
    finally:
        server.stop()


def test_serves_the_site_under_its_base_path_with_the_script_injected(live: Live) -> None:
    assert live.url.endswith("/reports/")
    code, headers, body = get(live.url + REPORT_URL)
    assert code == 200 and headers["Content-Type"].startswith("text/html")
    port = live.url.split(":")[2].split("/")[0]
    tags = re.findall(
        rb'<script src="/__site_builder__/live\.js\?v=\w+" data-generation="[0-9a-f]+:1" '
        rb'id="site-builder-live"(?: data-[a-z]+="[^"]*")+></script>\n'
        rb'<script async src="/livereload\.js\?port=' + port.encode() + rb'&amp;v=\w+"></script>\n',
        body,
    )
    assert len(tags) == 1, body[-300:]
    assert body.rstrip().endswith(b"</html>")
    # the file on disk is the built file: no live-reload code
    on_disk = (live.out / REPORT_URL).read_bytes()
    assert b"__site_builder__" not in on_disk and b"livereload" not in on_disk
    assert body.replace(tags[0], b"") == on_disk
    # both scripts are served, and cached for the session (their URLs name their version)
    for src in re.findall(rb'src="(/[^"]+)"', tags[0]):
        code, headers, script = get(live.origin + src.decode().replace("&amp;", "&"))
        assert code == 200 and headers["Cache-Control"] == "max-age=86400, immutable"
        assert headers["Content-Type"].split(";")[0] in (
            "text/javascript",
            "application/javascript",
        )
        assert len(script) > 1000
    code, headers, _ = get(live.origin + "/")
    assert code == 200  # followed the redirect to the base path


def test_assets_are_revalidated_not_refetched(live: Live) -> None:
    code, headers, body = get(live.url + "assets/site.css")
    assert code == 200 and b"__site_builder__" not in body
    etag = headers["ETag"]
    code, _headers, body = get(live.url + "assets/site.css", {"If-None-Match": etag})
    assert code == 304 and body == b""


def test_missing_page_is_the_sites_404_page(live: Live) -> None:
    code, _headers, body = get(live.url + "no/such/page/")
    assert code == 404
    assert body.startswith((live.out / "404.html").read_bytes()[:50])
    assert b"__site_builder__/live.js" in body


def test_edit_rebuilds_and_moves_the_generation(live: Live) -> None:
    assert live.generation() == 1
    path = live.root / REPORT
    path.write_text(path.read_text(encoding="utf-8").replace("开展学习12次", "开展学习14次"))
    wait_until(lambda: live.builds() == 2, what="the rebuild")
    _code, _headers, body = get(live.url + REPORT_URL)
    assert "开展学习14次".encode() in body
    # the pages (reload), then the search index (only the search page reloads)
    assert live.generation() == 3 and live.status()["change"] == "data"


def test_css_only_change_is_a_css_status(live: Live) -> None:
    css = live.root / "assets/site.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text("body { color: #111; }\n", encoding="utf-8")
    wait_until(lambda: live.generation() == 2, what="generation 2")
    status = live.status()
    assert status["change"] == "css" and status["css"] == ["assets/site.css"]
    assert status["from"] == 1


def test_bad_input_never_stops_the_server_and_each_error_prints_once(live: Live) -> None:
    broken = live.root / "content/orgs/broken.yaml"
    broken.write_text("name: {zh: [unclosed\n", encoding="utf-8")
    wait_until(lambda: live.status()["errors"], what="an error status")
    errors = live.status()["errors"]
    assert isinstance(errors, list) and errors[0]["path"] == "content/orgs/broken.yaml"
    assert errors[0]["line"] >= 1 and "YAML" in errors[0]["message"]
    builds = live.builds()
    broken.write_text("name: {zh: [unclosed\n", encoding="utf-8")  # saved again, same problem
    wait_until(lambda: live.builds() > builds, what="a second failed build")
    printed = [line for line in live.lines if line.startswith("content/orgs/broken.yaml:")]
    assert len(printed) == 1, live.lines
    # the last good site is still served
    code, _headers, _body = get(live.url + REPORT_URL)
    assert code == 200
    # a template error, an encoding error and a missing site.yaml: still up
    (live.root / "templates").mkdir(exist_ok=True)
    (live.root / "templates/report.html").write_text("{% block x %}", encoding="utf-8")
    wait_until(
        lambda: any(e["path"] == "templates/report.html" for e in live.status()["errors"]),  # type: ignore[union-attr, index]
        what="the template error",
    )
    (live.root / "templates/report.html").unlink()
    broken.write_bytes("name: 全国".encode("gb18030"))
    wait_until(
        lambda: any("UTF-8" in e["message"] for e in live.status()["errors"]),  # type: ignore[union-attr, index]
        what="the encoding error",
    )
    broken.unlink()
    config = (live.root / "site.yaml").read_bytes()
    (live.root / "site.yaml").unlink()
    wait_until(
        lambda: any(e["path"] == "site.yaml" for e in live.status()["errors"]),  # type: ignore[union-attr, index]
        what="the missing site.yaml",
    )
    (live.root / "site.yaml").write_bytes(config)
    wait_until(lambda: not live.status()["errors"], what="a good build")
    assert get(live.url + REPORT_URL)[0] == 200


def test_a_burst_of_saves_is_one_build_of_the_final_state(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = make_site()
    lines: list[str] = []
    # a wide debounce window, so that a loaded test machine cannot split the burst
    options = ServeOptions(source=root, out=tmp_path / "preview", port=0, debounce=0.5)
    server = DevServer(options, echo=lines.append)
    server.start()
    try:
        path = root / REPORT
        text = path.read_text(encoding="utf-8")
        for n in range(5):
            path.write_text(text.replace("开展学习12次", f"开展学习{20 + n}次"), encoding="utf-8")
        wait_until(lambda: any(line.startswith("rebuilt") for line in lines), what="a rebuild")
        time.sleep(1.0)  # room for a second build, which must not come
        assert sum(1 for line in lines if line.startswith("rebuilt")) == 1, lines
        page = (tmp_path / "preview" / REPORT_URL).read_text(encoding="utf-8")
        assert "开展学习24次" in page
    finally:
        server.stop()


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1") and not is_loopback("::")


def test_injection_goes_before_the_last_body_end() -> None:
    html = b"<html><body><p>&lt;/body&gt;</p></BODY></html>"
    out = inject(html, "ab12:7", 8000)
    assert out.index(b"<script") < out.index(b"</BODY>")
    assert out.count(b"<script") == 2 and b'data-generation="ab12:7"' in out
    # the site's plugin first (a plain script), so that it is there when livereload.js runs
    assert out.index(b"/__site_builder__/live.js") < out.index(b"<script async")
    assert b"/livereload.js?port=8000&amp;" in out and b"host=" not in out
    assert inject(b"<p>no body</p>", "x:1", 80).endswith(b"</script>\n")
    # livereload.js takes its host from its own URL, but not an IPv6 address
    assert b"host=[::1]&amp;" in inject(html, "x:1", 8000, "::1")


def test_default_output_is_outside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = default_out(tmp_path / "site", drafts=False)
    assert out.is_relative_to(tmp_path / "cache") and out.name == "output"
    assert default_out(tmp_path / "site", drafts=True) != out


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_ctrl_c_stops_the_server_cleanly(make_site: MakeSite, tmp_path: Path) -> None:
    """Also when started with SIGINT ignored, as a shell's or CI runner's background job is:
    the server still stops on Ctrl-C."""
    root = make_site()
    command = [sys.executable, "-m", "site_builder", "serve", "--source", str(root)]
    command += ["--out", str(tmp_path / "preview"), "--port", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        preexec_fn=_ignore_sigint,
    )
    lines: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        url = wait_until(
            lambda: next((ln.split()[1] for ln in lines if ln.startswith("serving ")), None),
            timeout=60,
            what="the server to start",
        )
        assert isinstance(url, str) and url.startswith("http://127.0.0.1:")
        assert get(url)[0] == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        reader.join(timeout=5)
        assert lines[-1] == "stopped", lines
        assert not any("Traceback" in line for line in lines), lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_edit_during_the_settle_time_supersedes_the_rest_of_the_build(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The pages of each edit show at once; the search index and whole-site checks run once
    the edits pause, for the final sources, and the output then equals a clean build."""
    from site_builder.pipeline import BuildOptions, run
    from site_builder.state import Session

    root = make_site()
    out = tmp_path / "preview"
    lines: list[str] = []
    server = DevServer(ServeOptions(source=root, out=out, port=0, settle=1.5), lines.append)
    url = server.start()
    live = Live(root, out, url, server, lines)
    try:
        path = root / REPORT
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("开展学习12次", "开展学习15次"), encoding="utf-8")
        wait_until(lambda: live.generation() == 2, what="the first edit's pages")
        assert "开展学习15次" in (out / REPORT_URL).read_text(encoding="utf-8")
        path.write_text(text.replace("开展学习12次", "开展学习16次"), encoding="utf-8")
        wait_until(lambda: live.builds() == 2, timeout=30, what="the build to complete")
        assert live.generation() >= 3
        assert "开展学习16次" in (out / REPORT_URL).read_text(encoding="utf-8")
        clean = tmp_path / "clean"
        run(BuildOptions(source=root, out=clean, incremental=False), session=Session())
        got = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        want = {
            p.relative_to(clean).as_posix(): p.read_bytes() for p in clean.rglob("*") if p.is_file()
        }
        assert got == want
    finally:
        server.stop()


def test_watched_folders_that_come_and_go_stay_watched(live: Live) -> None:
    default = (REPO / "templates/report.html").read_text(encoding="utf-8")

    def override(marker: str) -> None:
        (live.root / "templates").mkdir(exist_ok=True)
        text = default.replace("{% block main %}", "{% block main %}<!--" + marker + "-->", 1)
        (live.root / "templates/report.html").write_text(text, encoding="utf-8")

    def served() -> bytes:
        return get(live.url + REPORT_URL)[2]

    override("first")
    wait_until(lambda: b"<!--first-->" in served(), what="the new templates/ folder's file")
    import shutil

    shutil.rmtree(live.root / "templates")
    wait_until(lambda: b"<!--first-->" not in served(), what="the folder's removal")
    override("second")
    wait_until(lambda: b"<!--second-->" in served(), what="the folder made again")
    (live.root / "templates/report.html").write_text(
        default.replace("{% block main %}", "{% block main %}<!--third-->", 1), encoding="utf-8"
    )
    wait_until(lambda: b"<!--third-->" in served(), what="an edit in the new folder")


def test_ctrl_c_during_the_first_build_stops_cleanly(tmp_path: Path) -> None:
    """A big site's first build takes a while; Ctrl-C then stops at once, without a traceback."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # type: ignore[import-not-found]

    root = tmp_path / "site"
    generate(root, 400, seed=2)
    command = [sys.executable, "-m", "site_builder", "serve", "--source", str(root)]
    command += ["--out", str(tmp_path / "preview"), "--port", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        command, cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith("building "), first
        time.sleep(1.0)  # in the middle of the first build
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        rest = proc.stderr.read()
        assert code == 0, rest
        assert rest.rstrip().endswith("stopped") and "Traceback" not in rest, rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_binding_beyond_loopback_is_said_and_works(make_site: MakeSite, tmp_path: Path) -> None:
    """--host 0.0.0.0 serves on every interface (reachable on loopback too), with a warning;
    the default host says nothing of the kind."""
    root = make_site()
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
        lines: list[str] = []
        options = ServeOptions(source=root, out=tmp_path / f"out-{host}", host=host, port=0)
        server = DevServer(options, echo=lines.append)
        url = server.start()
        try:
            assert server.address[0] == host
            port = server.address[1]
            assert get(f"http://127.0.0.1:{port}/")[0] == 200
            warnings = [ln for ln in lines if ln.startswith(f"warning: serving on {host}")]
            assert len(warnings) == (1 if warned else 0), lines
            assert url.startswith(f"http://{host}:{port}/")
        finally:
            server.stop()


@pytest.mark.parametrize("open_browser", [True, False])
def test_open_opens_the_served_url_in_the_browser(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_browser: bool
) -> None:
    """--open hands the URL being served (its page answers) to the user's browser, once."""
    from site_builder import serve as serve_module

    opened: list[tuple[str, int]] = []

    def fake_open(url: str) -> bool:
        opened.append((url, get(url)[0]))  # the server is up when the browser is asked
        raise KeyboardInterrupt  # then Ctrl-C

    real_sleep = time.sleep

    def fake_sleep(seconds: float) -> None:  # `time` is shared: only serve()'s own wait ends
        if threading.current_thread() is not threading.main_thread():
            return real_sleep(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(serve_module.webbrowser, "open", fake_open)
    monkeypatch.setattr(serve_module.time, "sleep", fake_sleep)
    lines: list[str] = []
    options = ServeOptions(
        source=make_site(), out=tmp_path / "out", port=0, open_browser=open_browser
    )
    assert serve_module.serve(options, lines.append) == 0
    served = next(ln.split()[1] for ln in lines if ln.startswith("serving "))
    assert opened == ([(served, 200)] if open_browser else [])
    assert lines[-1] == "stopped"


def test_a_folder_of_user_files_is_refused_unless_overwrite(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """`serve --out` on a folder the tool did not make: refused as `build` refuses it (exit 2,
    the files untouched, no server left running); the hint's `--overwrite` exists for serve
    too, with build's meaning."""
    from site_builder import serve as serve_module
    from site_builder.cli import main

    root = make_site()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_bytes(b"my notes\n")
    lines: list[str] = []
    options = ServeOptions(source=root, out=notes, port=0)
    assert serve_module.serve(options, lines.append) == 2
    assert (notes / "a.txt").read_bytes() == b"my notes\n"
    assert lines[-1].startswith(f"error: --out {notes} is not empty and was not made by")
    assert "pass --overwrite" in lines[-1]
    assert not any(line.startswith("serving ") for line in lines)
    assert "--overwrite" in CliRunner().invoke(main, ["serve", "--help"]).output

    server = DevServer(ServeOptions(source=root, out=notes, port=0, overwrite=True), lines.append)
    url = server.start()
    try:
        assert get(url + REPORT_URL)[0] == 200
        assert not (notes / "a.txt").exists()
    finally:
        server.stop()


# --- safety: Host headers, unservable paths (issue 16) -----------------------------------------


def raw(port: int, head: bytes, timeout: float = 20.0) -> tuple[int, bytes]:
    """Sends ``head`` as it is and returns the status code (0: no answer) and the whole reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # the server may answer before reading it all
            sock.sendall(head)
        reply = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                reply += chunk
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
    return (int(match.group(1)) if match else 0), reply


def request(path: str, host: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


def test_only_the_bound_address_and_localhost_are_answered(live: Live) -> None:
    """DNS rebinding: a web page at http://evil.example:PORT/ whose name resolves to 127.0.0.1
    sends ``Host: evil.example:PORT``; nothing of the preview answers it."""
    port = live.server.address[1]
    page = "/reports/" + REPORT_URL
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        code, reply = raw(port, request(page, host))
        assert code == 200 and "开展学习12次".encode() in reply, host
    refused = [
        f"evil.example:{port}",
        f"127.0.0.1.evil.example:{port}",
        f"localhost.evil.example:{port}",
        f"localhost:{port + 1}",
        "localhost",
        "127.0.0.1",
        f"[::1]:{port}",
        f"127.0.0.2:{port}",
        f"0.0.0.0:{port}",
        f"127.0.0.1:{port}:{port}",
        "",
    ]
    paths = [page, "/__site_builder__/status", "/__site_builder__/live.js", "/livereload.js"]
    for host in refused:
        for path in paths:
            code, reply = raw(port, request(path, host))
            assert code == 403, (host, path, reply[:200])
            assert "开展学习".encode() not in reply and b"generation" not in reply
            assert b"DNS rebinding" in reply
    # not a host at all: tornado's own 400
    assert raw(port, request(page, f"127.0.0.1:{port}@evil.example"))[0] == 400
    # the WebSocket too: a foreign Host, or a page of another origin on the right Host
    upgrade = (
        "GET /livereload HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    ok = f"http://127.0.0.1:{port}"
    for host, origin, want in (
        (f"127.0.0.1:{port}", ok, 101),
        (f"evil.example:{port}", f"http://evil.example:{port}", 403),
        (f"127.0.0.1:{port}", "http://evil.example", 403),
        (f"127.0.0.1:{port}", "null", 403),
    ):
        head = upgrade.format(host=host, origin=origin).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(head)
            code = int(sock.recv(65536).split(b" ", 2)[1])
        assert code == want, (host, origin)


def test_rebinding_in_other_spellings_is_refused(live: Live) -> None:
    """Round two: names and numbers that resolve to, or read as, the loopback address (a
    trailing dot, a wildcard-DNS name, the address as one decimal or hex number, a short
    form), a second Host header and a list in one are refused like any other host."""
    port = live.server.address[1]
    page = "/reports/" + REPORT_URL
    for host in (
        f"localhost.:{port}",
        f"127.0.0.1.nip.io:{port}",
        f"2130706433:{port}",
        f"0x7f000001:{port}",
        f"0x7f.1:{port}",
        f"127.1:{port}",
        f"LOCALHOST.:{port}",
    ):
        code, reply = raw(port, request(page, host))
        assert code == 403 and "开展学习".encode() not in reply, host
    for head in (
        f"GET {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n",
        f"GET {page} HTTP/1.1\r\nHost: localhost:{port}, evil.example\r\n\r\n",
    ):
        code, reply = raw(port, head.encode())
        assert code == 400 and "开展学习".encode() not in reply, head


def test_a_server_on_every_interface_answers_addresses_not_names(
    make_site: MakeSite, tmp_path: Path
) -> None:
    server = DevServer(
        ServeOptions(source=make_site(), out=tmp_path / "o", host="0.0.0.0", port=0),
        echo=lambda line: None,
    )
    server.start()
    try:
        port = server.address[1]
        assert raw(port, request("/reports/", f"127.0.0.1:{port}"))[0] == 200
        assert raw(port, request("/reports/", f"192.0.2.7:{port}"))[0] == 200  # a LAN address
        assert raw(port, request("/reports/", f"evil.example:{port}"))[0] == 403
    finally:
        server.stop()


def test_unservable_paths_get_404_or_414_and_the_server_stays_up(
    live: Live, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    port = live.server.address[1]
    host = f"127.0.0.1:{port}"
    long_segment = "a" * 256
    cases = {
        "/reports/" + long_segment: 404,  # one byte over any file system's name limit
        "/reports/" + long_segment + "/index.html": 404,
        "/reports/" + "%E6%B5%8B" * 86: 404,  # 86 Chinese characters: 258 bytes
        "/reports/" + "a" * 255: 404,  # at the limit: just not there
        "/reports/" + "ab/" * 2000: 404,  # short segments, a path over PATH_MAX (4096)
        "/reports/%00": 404,
        "/reports/index.html%00.png": 404,
        "/reports/../../../../etc/passwd": 404,
        "/reports/%2e%2e/%2e%2e/%2e%2e/etc/passwd": 404,
        "/reports/..%2f..%2f..%2fetc%2fpasswd": 404,
        "/reports/assets/..%2f..%2f..%2f": 404,
        "/../../../etc/passwd": 404,
        "/reports/%ff%fe": 404,  # not UTF-8
        "/reports/%": 404,
        "/reports/" + "x" * 9000: 414,  # over 8 KiB
        "/reports/?" + "q" * 9000: 414,
        "/reports/" + "y" * 1_000_000: 414,  # 1 MB
    }
    for path, want in cases.items():
        code, reply = raw(port, request(path, host))
        assert code == want, (path[:80], reply[:200])
        assert b"root:" not in reply
    # a head longer than the server reads at all (tornado itself would close without a word)
    code, _reply = raw(port, b"GET /reports/" + b"z" * 5_000_000 + b" HTTP/1.1\r\n\r\n")
    assert code == 414
    # malformed requests: tornado's own 400
    assert raw(port, b"GET\r\n\r\n")[0] == 400
    assert (
        raw(port, b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nBad\0: x\r\n\r\n")[0] == 400
    )
    assert raw(port, request("/reports/", host).replace(b"GET", b"POST"))[0] == 405
    # still serving, and nothing on the terminal
    assert get(live.url + REPORT_URL)[0] == 200
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Error" not in err, err[-2000:]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.records


def test_a_directory_redirect_never_leaves_the_site(live: Live, tmp_path: Path) -> None:
    """``//host`` would be a redirect to another site: the location is built from the folder
    found, not from the request."""
    port = live.server.address[1]
    host = f"127.0.0.1:{port}"
    (live.out / "evil.example").mkdir()
    try:
        code, reply = raw(port, request("/reports//evil.example", host))
        assert code == 301 and b"Location: /reports/evil.example/\r\n" in reply, reply[:300]
        code, reply = raw(port, request("/reports/orgs", host))
        assert code == 301 and b"Location: /reports/orgs/\r\n" in reply
    finally:
        (live.out / "evil.example").rmdir()


def test_resolve_is_confined_to_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a/index.html").write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("s", encoding="utf-8")
    (out / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert resolve(out, "/", "/a/").kind == "file"
    assert resolve(out, "/", "/a") == Resolved("redirect", location="/a/")
    assert resolve(out, "/r/", "/r") == Resolved("redirect", location="/r/")
    assert resolve(out, "/r/", "/") == Resolved("redirect", location="/r/")
    assert resolve(out, "/", "/link.txt").kind == "missing"  # a symlink out of the output
    assert resolve(out, "/r/", "/a/").kind == "missing"  # outside the base path
    assert resolve(out, "/", "/a/%2e%2e/%2e%2e/secret.txt").kind == "missing"


# --- the livereload protocol ------------------------------------------------------------------


def run_async(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(main())`` in a thread of its own: the browser tests' Playwright may leave
    an event loop running in this one."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(main()))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


class Tab:
    """A livereload.js client, as a page opens it: hello, then info with the build it shows."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.messages: list[dict[str, object]] = []

    def run(
        self, until: Callable[[list[dict[str, object]]], bool], act: Callable[[], None]
    ) -> None:
        """Connects, does ``act``, and collects messages until ``until`` holds (20 s bound)."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        async def session() -> None:
            origin = f"http://127.0.0.1:{self.port}"
            ws = await websocket_connect(
                HTTPRequest(f"ws://127.0.0.1:{self.port}/livereload", headers={"Origin": origin})
            )
            await ws.write_message(json.dumps({"command": "hello", "protocols": [PROTOCOL]}))
            hello = json.loads(str(await ws.read_message()))
            assert hello["command"] == "hello" and PROTOCOL in hello["protocols"]
            info = {"command": "info", "url": origin + "/", "plugins": {}}
            if self.token:
                info["plugins"] = {"site-builder": {"generation": self.token, "version": "1"}}
            await ws.write_message(json.dumps(info))
            await asyncio.sleep(0.2)  # the server has taken the tab among its waiters
            act()
            while not until(self.messages):
                raw_message = await asyncio.wait_for(ws.read_message(), 20)
                assert raw_message is not None, "the server closed the connection"
                self.messages.append(json.loads(raw_message))
            ws.close()

        run_async(session)

    def paths(self) -> list[object]:
        return [m["path"] for m in self.messages]


PROTOCOL = "http://livereload.com/protocols/official-7"


def reloads(n: int) -> Callable[[list[dict[str, object]]], bool]:
    return lambda messages: sum(1 for m in messages if m["path"] == "*") >= n


def test_edits_a_second_apart_each_send_a_reload(live: Live) -> None:
    """livereload ignores a reload within 3 s of the previous one (DEFAULT_RELOAD_TIME)."""
    port = live.server.address[1]
    tab = Tab(port, live.server.hub.token())
    path = live.root / REPORT
    text = path.read_text(encoding="utf-8")

    def two_edits() -> None:
        def edit() -> None:
            path.write_text(text.replace("开展学习12次", "开展学习13次"), encoding="utf-8")
            wait_until(lambda: live.builds() == 2, what="the first rebuild")
            path.write_text(text.replace("开展学习12次", "开展学习14次"), encoding="utf-8")

        threading.Thread(target=edit, daemon=True).start()

    tab.run(reloads(2), two_edits)
    assert all(m["command"] == "reload" and m["liveCSS"] is True for m in tab.messages)
    assert tab.paths().count("*") == 2, tab.messages


def test_a_tab_gets_what_it_missed_at_its_handshake(live: Live) -> None:
    port = live.server.address[1]
    hub = live.server.hub
    current = hub.token()
    instance, _, generation = current.partition(":")
    # served before the last build: reloads at once
    stale = Tab(port, f"{instance}:{int(generation) - 1}")
    stale.run(reloads(1), lambda: None)
    assert stale.paths() == ["*"]
    # served by an earlier run of serve: reloads
    other = Tab(port, f"{'0' * len(instance)}:{generation}")
    other.run(reloads(1), lambda: None)
    assert other.paths() == ["*"]
    # up to date: the first message is the next change (a stylesheet: swapped, not a reload)
    fresh = Tab(port, current)
    css = live.root / "assets/site.css"

    def edit_css() -> None:
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text("body { color: #222; }\n", encoding="utf-8")

    fresh.run(lambda messages: bool(messages), edit_css)
    assert fresh.paths() == ["/reports/assets/site.css"]
    # missed only that stylesheet: gets the stylesheet, not a reload
    behind = Tab(port, current)
    behind.run(lambda messages: bool(messages), lambda: None)
    assert behind.paths() == ["/reports/assets/site.css"]
    # no plugin (a page not from this server): never told to reload, so never a reload loop
    assert hub.catch_up("") == [] and hub.catch_up("garbage") == []


def test_errors_reach_open_and_new_tabs_as_a_status_message(live: Live) -> None:
    port = live.server.address[1]
    broken = live.root / "content/orgs/broken.yaml"
    tab = Tab(port, live.server.hub.token())
    tab.run(
        lambda messages: bool(messages),
        lambda: broken.write_text("name: {zh: [unclosed\n", encoding="utf-8"),
    )
    assert tab.paths() == ["/__site_builder__/status"]
    late = Tab(port, live.server.hub.token())
    late.run(lambda messages: bool(messages), lambda: None)
    assert late.paths() == ["/__site_builder__/status"]
    # told at its handshake, then again when the fix leaves the output as it was
    fixed = Tab(port, live.server.hub.token())
    fixed.run(lambda messages: len(messages) >= 2, broken.unlink)
    assert fixed.paths() == ["/__site_builder__/status"] * 2
    assert not live.status()["errors"]


def test_bad_livereload_messages_close_the_socket_quietly(
    live: Live, capfd: pytest.CaptureFixture[str]
) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    port = live.server.address[1]

    async def send(message: str) -> object:
        ws = await websocket_connect(
            HTTPRequest(
                f"ws://127.0.0.1:{port}/livereload",
                headers={"Origin": f"http://127.0.0.1:{port}"},
            )
        )
        await ws.write_message(message)
        if message.startswith("{"):  # an unknown command is ignored, as livereload does
            await ws.write_message(json.dumps({"command": "hello", "protocols": [PROTOCOL]}))
        return await asyncio.wait_for(ws.read_message(), 20)

    for message in ("not json", "[1, 2]", '"hello"', "\u0000"):
        assert run_async(functools.partial(send, message)) is None  # closed
    for message in ('{"command": 5}', '{"no": "command"}', "{}", '{"command": "info"}'):
        answer = run_async(functools.partial(send, message))
        assert isinstance(answer, str) and json.loads(answer)["command"] == "hello"
    assert get(live.url + REPORT_URL)[0] == 200
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err, err[-2000:]


def test_host_guard_reads_host_headers_as_http_writes_them() -> None:
    loopback = HostGuard(frozenset({"127.0.0.1", "localhost"}), 8000)
    assert loopback.allows("127.0.0.1:8000") and loopback.allows("LOCALHOST:8000")
    assert loopback.allows(" localhost:8000 ")
    for header in ("127.0.0.1", "127.0.0.1:80", "127.0.0.1:08000x", "localhost.:8000"):
        assert not loopback.allows(header), header
    assert not loopback.allows("[::1]:8000") and not loopback.allows("::1:8000")
    v6 = HostGuard(frozenset({"::1", "localhost"}), 8000)
    assert v6.allows("[::1]:8000") and not v6.allows("[::1]8000") and not v6.allows("[::1:8000")
    assert not v6.allows("[evil.example]:8000")
    on_80 = HostGuard(frozenset({"127.0.0.1", "localhost"}), 80)
    assert on_80.allows("localhost") and on_80.allows("localhost:80")
    every = HostGuard(frozenset({"0.0.0.0", "localhost", "myhost"}), 8000, any_ip=True)
    assert every.allows("10.1.2.3:8000") and every.allows("[fe80::1]:8000")
    assert every.allows("myhost:8000") and not every.allows("evil.example:8000")
    assert loopback.allows_origin("http://localhost:8000")
    assert not loopback.allows_origin("null") and not loopback.allows_origin("file://")
    assert not loopback.allows_origin("http://evil.example:8000")


def test_the_watcher_is_inotify_not_livereload_polling(live: Live) -> None:
    """livereload polls its watcher's examine() every 800 ms unless start() returns True: with
    no edit, nothing examines anything; an edit is one rebuild, one batch of messages."""
    watcher = live.server.watcher
    assert watcher is not None and watcher.observer.is_alive()
    calls: list[object] = []
    examine = watcher.examine

    def counting() -> tuple[str | None, None]:
        result = examine()
        calls.append(result[0])
        return result

    watcher.examine = counting  # type: ignore[method-assign]
    time.sleep(2.0)  # livereload's polling would have examined twice by now
    assert calls == []
    path = live.root / REPORT
    path.write_text(path.read_text(encoding="utf-8").replace("12次", "13次"), encoding="utf-8")
    wait_until(lambda: live.builds() == 2, what="the rebuild")
    wait_until(lambda: len(calls) >= 2, what="the reload messages")  # pages, then search index
    assert calls[0] == "*" and all(isinstance(c, str) for c in calls), calls
