"""Save-to-screen latency of `site-builder serve`, measured in headless Chromium.

    python bench/serve_latency.py                       # example site and 1,000 generated reports
    python bench/serve_latency.py --site example --edits 30
    python bench/serve_latency.py --site generated --reports 1000

For each site it starts the real command (``python -m site_builder serve --port 0``) in a
subprocess, opens a report page in Chromium (/usr/bin/chromium, as the browser tests use), then
``--edits`` times writes a new sentence into that report's Markdown and measures from the moment
the file is saved (after ``close()``) to the first frame painted by the page that shows the new
sentence (two ``requestAnimationFrame`` after ``DOMContentLoaded``, timed in the page on the same
clock). Between edits it waits until the server has finished the whole rebuild, search index
included, so each edit is measured alone. The first ``--warmup`` edits are not counted.

Prints per edit the latency and the server's own "pages shown after" time, then median, p90 and
worst. The generated site comes from bench/generate.py (same seed, same site).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Time of the first frame painted by each document, in ms since the epoch.
SHOWN_AT = """
document.addEventListener("DOMContentLoaded", () => {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    window.__shownAt = performance.timeOrigin + performance.now();
  }));
});
"""


def copy_example(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    for name in ("content", "templates", "assets"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    return root


def generated(root: Path, reports: int, seed: int) -> Path:
    from generate import generate  # bench/generate.py

    generate(root, reports, seed=seed)
    return root


class Server:
    """``site-builder serve`` in a subprocess, its stderr collected line by line."""

    def __init__(self, source: Path, out: Path) -> None:
        command = [sys.executable, "-m", "site_builder", "serve", "--source", str(source)]
        command += ["--out", str(out), "--port", "0"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            command, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if line.startswith("serving "):
                    return line.split()[1]
            if self.proc.poll() is not None:
                raise SystemExit("serve exited:\n" + "\n".join(self.lines))
            time.sleep(0.05)
        raise SystemExit(f"serve did not start in {timeout:.0f}s:\n" + "\n".join(self.lines))

    def status(self, origin: str) -> dict[str, object]:
        with urllib.request.urlopen(origin + "/__site_builder__/status", timeout=10) as r:
            return dict(json.loads(r.read()))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def page_url(base: str, report: Path, root: Path) -> str:
    rel = report.relative_to(root / "content" / "reports")
    return f"{base}reports/{rel.parent.as_posix()}/{rel.stem}/index.html"


def measure(
    label: str, root: Path, report: Path, edits: int, warmup: int, work: Path
) -> list[float]:
    from playwright.sync_api import sync_playwright

    server = Server(root, work / f"{label}-preview")
    started = time.perf_counter()
    try:
        base = server.url(timeout=1800)
        print(f"[{label}] first build and start: {time.perf_counter() - started:.1f}s", flush=True)
        origin = base.split("/", 3)[:3]
        origin_url = "/".join(origin)
        text = report.read_text(encoding="utf-8")
        head, sep, body = text.partition("\n---\n")
        assert sep, f"{report} has no front matter"
        latencies: list[float] = []
        server_cpu: list[float] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script(SHOWN_AT)
            page.goto(page_url(base, report, root))
            for i in range(warmup + edits):
                marker = f"基准测量第{i:03d}次"
                builds = int(server.status(origin_url)["builds"])  # type: ignore[call-overload]
                with open(report, "w", encoding="utf-8") as f:
                    f.write(f"{head}{sep}\n{marker}。\n{body}")
                saved = time.time() * 1000
                page.wait_for_function(
                    f"document.body && document.body.innerText.includes('{marker}')",
                    polling="raf",
                    timeout=60_000,
                )
                page.wait_for_function("window.__shownAt !== undefined", timeout=10_000)
                shown = float(page.evaluate("window.__shownAt"))
                navigated = float(page.evaluate("performance.timeOrigin"))
                # let the whole rebuild (search index too) finish before the next edit
                counted = i >= warmup
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    if int(server.status(origin_url)["builds"]) > builds:  # type: ignore[call-overload]
                        break
                    time.sleep(0.02)
                server_line = next(
                    (ln for ln in reversed(server.lines) if ln.startswith("rebuilt")), ""
                )
                m = re.search(r"pages shown after ([0-9.]+)s \(([0-9.]+)s CPU\)", server_line)
                own = f"{float(m.group(1)) * 1000:.0f} ms" if m else "?"
                own_cpu = f"{float(m.group(2)) * 1000:.0f} ms" if m else "?"
                if m and counted:
                    server_cpu.append(float(m.group(2)) * 1000)
                ms = shown - saved
                print(
                    f"[{label}] edit {i + 1:2d}{'' if counted else ' (warm-up)'}: "
                    f"{ms:6.0f} ms save -> shown: reload began after {navigated - saved:4.0f} ms "
                    f"(server build: pages written after {own}, {own_cpu} CPU), page painted "
                    f"{shown - navigated:4.0f} ms later",
                    flush=True,
                )
                if counted:
                    latencies.append(ms)
                time.sleep(0.3)
            browser.close()
        report.write_text(text, encoding="utf-8")
        if server_cpu:
            print(
                f"[{label}] server CPU to the pages written: median "
                f"{statistics.median(server_cpu):.0f} ms, worst {max(server_cpu):.0f} ms; "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        return latencies
    finally:
        server.stop()


def summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    return (
        f"{label}: {len(values)} edits, median {statistics.median(values):.0f} ms, "
        f"p90 {p90:.0f} ms, worst {values[-1]:.0f} ms, best {values[0]:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", choices=("example", "generated", "both"), default="both")
    parser.add_argument("--reports", type=int, default=1000, help="generated site size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edits", type=int, default=20, help="measured edits per site")
    parser.add_argument("--warmup", type=int, default=2, help="edits not counted")
    parser.add_argument("--workdir", type=Path, default=None, help="kept if given")
    args = parser.parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} not found: run scripts/setup.sh", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="serve-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    results: list[str] = []
    try:
        if args.site in ("example", "both"):
            root = work / "example"
            shutil.rmtree(root, ignore_errors=True)
            copy_example(root)
            report = root / "content/reports/sample-city-a/2024-annual-summary.md"
            lat = measure("example", root, report, args.edits, args.warmup, work)
            results.append(summary("example site", lat))
        if args.site in ("generated", "both"):
            root = work / f"generated-{args.reports}"
            shutil.rmtree(root, ignore_errors=True)
            generated(root, args.reports, args.seed)
            reports = sorted(
                p for p in (root / "content/reports").rglob("*.md") if not p.name.endswith(".en.md")
            )
            report = reports[len(reports) // 2]
            lat = measure(f"{args.reports} reports", root, report, args.edits, args.warmup, work)
            results.append(summary(f"generated site, {args.reports} reports", lat))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    for line in results:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
