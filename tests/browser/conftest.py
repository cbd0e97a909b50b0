"""Real-browser test harness: Debian's Chromium driven by pytest-playwright.

The example site (this repository) is built once per session and served over HTTP under the
sub-path ``/reports/``, as the intranet servers do, so that any link that is not relative shows
up as a failure. Every test gets ``page_errors``: the console errors, uncaught exceptions,
failed or off-host requests the page caused; a test asserts it is empty.

Playwright's own browser downloads (``playwright install``) cannot be fetched on this project's
machines, so the browser is always /usr/bin/chromium, installed by scripts/setup.sh.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
SUB_PATH = "/reports/"

# Flags that keep Chromium from reaching out to Google's services: this machine's network is
# closed, and without them Chromium's refused connections pile up at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected item, not only this folder's: mark ours only.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} not found: run `bash scripts/setup.sh` (installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def built_site(example_out: Path) -> Path:
    """The repository's example site: the session's one build of it (``example_out`` of
    tests/conftest.py), which these tests, like the others, only read."""
    if not (example_out / "index.html").is_file():
        pytest.fail(f"building the example site wrote no index.html into {example_out}")
    return example_out


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serves ``directory`` at ``SUB_PATH`` only; anything else, and any miss, is a 404 that
    carries the site's own 404.html, as a web server configured for the site would send."""

    def send_head(self) -> Any:
        path = urllib.parse.urlsplit(self.path).path
        if path == SUB_PATH.rstrip("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", SUB_PATH)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(SUB_PATH):
            return self._not_found()
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            local = local / "index.html"
        if not local.is_file():
            return self._not_found()
        return super().send_head()

    def translate_path(self, path: str) -> str:
        path = urllib.parse.urlsplit(path).path
        return super().translate_path("/" + path[len(SUB_PATH) :])

    def _not_found(self) -> BytesIO:
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>404</title>"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """Base URL of the built site served on 127.0.0.1 under ``/reports/``."""

    def handler(*args: Any, **kwargs: Any) -> _SubPathHandler:
        return _SubPathHandler(*args, directory=str(built_site), **kwargs)

    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site_server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUB_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def page_errors(page: Page, site_server: str) -> Iterator[list[str]]:
    """Everything that went wrong in ``page``, one line each; tests assert it stays empty."""
    origin = "{0.scheme}://{0.netloc}/".format(urllib.parse.urlsplit(site_server))
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location or {}
            errors.append(f"console error: {message.text} ({where.get('url', '?')})")

    def on_request(request: Request) -> None:
        url = request.url
        if not url.startswith(origin) and not url.startswith(("data:", "blob:", "about:")):
            errors.append(f"off-host request: {request.method} {url}")

    def on_request_failed(request: Request) -> None:
        # Leaving a page aborts what it still had in flight (often the favicon, which Chromium
        # fetches late): not a fault of the page. A missing file shows as an HTTP error above,
        # a request to another host as off-host.
        if request.failure == "net::ERR_ABORTED":
            return
        errors.append(f"request failed: {request.url} ({request.failure})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            errors.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught exception: {error}"))
    page.on("request", on_request)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page.set_default_timeout(15_000)
    yield errors
