"""Search on a large site: build-time overhead, index size, bytes for a first search, and the time
to the first result in headless Chromium.

    .venv/bin/python bench/search_speed.py                     # generated site of 1,000 reports
    .venv/bin/python bench/search_speed.py --reports 200 --builds 1
    .venv/bin/python bench/search_speed.py --site DIR          # any site project

Build: ``--builds`` full builds (no incremental state, ``--jobs`` processes as ``build --jobs``);
the pipeline times the search stage on its own, and the overhead is search time / time of the
rest of the build, in wall time and in CPU time (all processes); each run is printed, the summary
is the median.

Size: every search file, and for each sample query the bytes a first search transfers on the
zh-Hans tree (search page, search.js, fold table, result list, index header, the shards the
query needs, and the snippet texts of the first page of 20 results), raw and gzip-compressed;
also the worst case (the largest shards a four-character query could need).

Latency: Chromium opens the search page (served on 127.0.0.1 and from file://), waits for it to
be ready, then the query is typed into the box; the time from the input event to the first
result in the list is measured in the page. Every query runs on a fresh page, so each is a first
search that loads its shards.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import resource
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from site_builder.pipeline import BuildOptions, run  # noqa: E402
from site_builder.search import shard_of  # noqa: E402

QUERIES = ["巡察整改", "志愿服务", "宣讲", "學習會", "工作", "党建", "全面从严治党", "2020"]
FIRST_PAGE = 20
CHROMIUM = "/usr/bin/chromium"


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the build's worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def build(source: Path, out: Path, builds: int, jobs: int) -> dict[str, float]:
    """Median over the runs of the search stage's share, in wall time and in CPU time (CPU time
    is what other work on the machine disturbs least)."""
    import site_builder.stages as stages

    inner = stages.build_search
    search_cpu: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.process_time()  # the stage runs in this process only
        try:
            return inner(*args, **kwargs)
        finally:
            search_cpu.append(time.process_time() - t0)

    stages.build_search = timed  # type: ignore[assignment]
    walls, cpus = [], []
    try:
        for n in range(builds):
            target = out if n == builds - 1 else out.with_name(out.name + f"-{n}")
            started, cpu0 = time.perf_counter(), _cpu()
            result = run(BuildOptions(source=source, out=target, incremental=False, jobs=jobs))
            total, cpu = time.perf_counter() - started, _cpu() - cpu0
            if not result.ok:
                raise SystemExit(f"build failed: {result.errors[:3]}")
            t = result.timings
            wall_share = t["search"] / (total - t["search"])
            cpu_share = search_cpu[-1] / (cpu - search_cpu[-1])
            walls.append(wall_share)
            cpus.append(cpu_share)
            print(
                f"build {n + 1}: wall {total:.1f}s, search {t['search']:.2f}s "
                f"(+{100 * wall_share:.1f}% on the rest); CPU {cpu:.1f}s, search "
                f"{search_cpu[-1]:.2f}s (+{100 * cpu_share:.1f}%); stages: "
                + ", ".join(f"{k} {v:.1f}s" for k, v in t.items())
            )
    finally:
        stages.build_search = inner  # type: ignore[assignment]
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def sizes(out: Path) -> None:
    files = [p for p in out.rglob("*") if p.is_file() and "search" in p.relative_to(out).parts[:2]]
    files += [out / "assets" / "search.js"]
    shared = [p for p in files if p.relative_to(out).parts[:2] == ("assets", "search")]
    raw = sum(p.stat().st_size for p in files)
    print(
        f"\nsearch files: {len(files)}, {raw / 1e6:.2f} MB raw in all (shared index and fold "
        f"table {sum(p.stat().st_size for p in shared) / 1e6:.2f} MB; the rest per tree: "
        "result lists and snippet texts)"
    )
    zh_shards = sorted((out / "assets" / "search" / "zh").glob("[0-9a-f][0-9a-f].js"))
    shard_sizes = sorted((p.stat().st_size for p in zh_shards), reverse=True)
    print(
        f"zh index: {len(zh_shards)} shards, {sum(shard_sizes) / 1e6:.2f} MB raw, "
        f"largest {shard_sizes[0] / 1e3:.0f} kB, median {statistics.median(shard_sizes) / 1e3:.0f} kB"
    )


def first_search_bytes(out: Path, lang: str, query: str, matches: list[int]) -> tuple[int, int]:
    """(raw, gzip) bytes a first search of ``query`` loads on a tree."""
    tree = out / ("" if lang == "zh-Hans" else lang.lower())
    page = tree / "search" / "index.html"
    config = json.loads(
        page.read_text("utf-8").split('id="search-config">')[1].split("</script>")[0]
    )
    base = page.parent
    urls = [config["fold"], config["docs"], *config["indexes"].values(), "../assets/search.js"]
    paths = [page] + [(base / u).resolve() for u in urls]
    shards: set[Path] = set()
    from site_builder.search import CJK_RE, TOKEN_RE, fold

    for segment in TOKEN_RE.findall(fold(query)):
        key = "zh" if CJK_RE.fullmatch(segment) or "en" not in config["indexes"] else "en"
        header = (base / config["indexes"][key]).read_text("utf-8")
        count = json.loads(header[header.index("{") : header.rindex("}") + 1])["shards"]
        firsts = segment[:-1] if CJK_RE.fullmatch(segment) and len(segment) > 1 else segment[0]
        for ch in firsts:
            shards.add((base / (config["shards"][key] + f"{shard_of(ch, count):02x}.js")).resolve())
    texts = [(base / (config["text"] + f"{n}.js")).resolve() for n in matches[:FIRST_PAGE]]
    data = [p.read_bytes() for p in [*paths, *sorted(shards), *texts]]
    return sum(map(len, data)), sum(map(gz, data))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a page closed while its snippets were loading


def latency(out: Path, queries: list[str], repeat: int) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bases = {
        "http": f"http://127.0.0.1:{server.server_address[1]}/",
        "file": out.resolve().as_uri() + "/",
    }
    # Resolves with the time from the input event to the first result in the list, or to the
    # "no results" status when the query has none.
    measure = """() => { window.__latency = new Promise(resolve => {
        const list = document.getElementById('search-results');
        let t0 = null;
        document.addEventListener('input', () => { t0 = performance.now(); }, {capture: true});
        const check = obs => {
            const done = document.documentElement.hasAttribute('data-search-done');
            if (t0 !== null && (list.querySelector('li') || done)) {
                obs.disconnect();
                resolve(performance.now() - t0);
            }
        };
        const obs = new MutationObserver(() => check(obs));
        obs.observe(document.documentElement, {subtree: true, childList: true, attributes: true});
    }); }"""
    out_times: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for how, base in bases.items():
            out_times[how] = {}
            for query in queries:
                times = []
                for _ in range(repeat):
                    page = browser.new_page()
                    page.goto(base + "search/index.html")
                    page.wait_for_selector("html[data-search-ready]")
                    page.evaluate(measure)
                    page.locator("#search-input").fill(query)
                    times.append(float(page.evaluate("() => window.__latency")))
                    page.close()
                out_times[how][query] = times
        browser.close()
    server.shutdown()
    return out_times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--site", type=Path, help="a site project instead of a generated one")
    parser.add_argument("--builds", type=int, default=3, help="full builds to time (default 3)")
    parser.add_argument("--repeat", type=int, default=3, help="page loads per query and mode")
    parser.add_argument(
        "--jobs", type=int, default=0, help="build processes (default 0: one per core, as the CLI)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="search-speed-") as tmp:
        source = args.site
        if source is None:
            from generate import generate  # bench/generate.py

            source = Path(tmp) / "site"
            generate(source, args.reports, args.seed)
            print(f"generated {args.reports} reports (seed {args.seed})")
        out = Path(tmp) / "out"
        share = build(source, out, args.builds, args.jobs)
        print(
            f"search index build adds {100 * share['wall']:.1f}% to the build's wall time, "
            f"{100 * share['cpu']:.1f}% to its CPU time (medians of {args.builds} builds)"
        )

        sizes(out)
        sys.path.insert(0, str(ROOT / "bench"))
        from search_recall import node_search

        print(f"\nfirst search on zh-Hans (page 1 = {FIRST_PAGE} results with snippets):")
        results = node_search(out, "zh-Hans", QUERIES)
        for query, matches in zip(QUERIES, results, strict=True):
            raw, packed = first_search_bytes(out, "zh-Hans", query, matches)
            print(
                f"  {query:8} {len(matches):5} results: {raw / 1e6:.2f} MB raw, "
                f"{packed / 1e6:.2f} MB gzip"
            )
        shard_dir = out / "assets" / "search" / "zh"
        largest = sorted(
            (p.stat().st_size for p in shard_dir.glob("[0-9a-f][0-9a-f].js")), reverse=True
        )[:3]
        base_raw, _ = first_search_bytes(out, "zh-Hans", "", [])
        texts = sorted(
            (p.stat().st_size for p in (out / "search" / "text").glob("*.js")), reverse=True
        )[:FIRST_PAGE]
        worst = base_raw + sum(largest) + sum(texts)
        print(
            f"  worst case (three largest shards, {FIRST_PAGE} largest texts): "
            f"{worst / 1e6:.2f} MB raw"
        )

        print("\nfirst result after typing, headless Chromium (ms, each a fresh page):")
        timings = latency(out, QUERIES, args.repeat)
        worst_ms = 0.0
        for how, per_query in timings.items():
            for query, times in per_query.items():
                worst_ms = max(worst_ms, max(times))
                print(
                    f"  {how:4} {query:8} median {statistics.median(times):6.1f}  "
                    f"max {max(times):6.1f}"
                )
        print(f"  slowest first result: {worst_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
