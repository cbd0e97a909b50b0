"""The preview server without a browser: what it serves, its status, bad input, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import pytest

from site_builder.serve import DevServer, ServeOptions, default_out, inject, is_loopback
from tests.conftest import REPO, MakeSite

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
        rb'id="site-builder-live"></script>\n'
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


def test_ctrl_c_stops_the_server_cleanly(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    command = [sys.executable, "-m", "site_builder", "serve", "--source", str(root)]
    command += ["--out", str(tmp_path / "preview"), "--port", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        command, cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
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
