"""Build benchmarks: how long site_builder takes on generated sites of 1,000 to 20,000 reports.

    python bench/run.py                          # 1,000 and 5,000 reports
    python bench/run.py --sizes 1000,5000,20000 --repeat 3
    python bench/run.py --sizes 5000 --jobs 1    # one process

For each size it generates a site (``bench/generate.py``, cached in ``--work``), then measures,
each in a fresh process like the CLI:

- a cold full build (output folder removed first): wall time, HTML pages written per second, peak
  memory (the summed RSS of the build process and all its workers, sampled every 10 ms; beside
  it their summed PSS, which counts a page a worker shares with the build process once) and the
  time of each pipeline stage;
- a rebuild with nothing changed, through the CLI itself (``python -m site_builder build``), and
  how many files it wrote: it should be 0;
- a rebuild after editing one report's body;
- in one process, as ``serve`` runs (its ``Builder``): a rebuild with nothing changed, and one
  after editing a report, with the time until its pages are on disk for the browser;
- when ``hugo`` is on the PATH, a minimal Hugo site of the same reports (one page per report,
  organization and tag list pages, one language) built in the same run, and our cold build time
  as a ratio to Hugo's.

With two or more sizes it prints how time and output size grow (1.0 = linear). Numbers are the
median of ``--repeat`` runs; the machine's load average is printed alongside, since other work
on the machine slows every run. Results also go to ``<work>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import MARKER, generate  # noqa: E402

# --- measuring a process ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _rss(pid: int) -> int:
    """Resident set size in bytes, 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _tree(pid: int, size: Callable[[int], int]) -> int:
    """``size`` summed over a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += size(p)
        todo += _children(p)
    return total


def tree_rss(pid: int) -> int:
    """The summed RSS of a process and all its descendants."""
    return _tree(pid, _rss)


def _pss(pid: int) -> int:
    """Proportional set size in bytes (a page shared by n processes counts 1/n in each), 0 if
    the process is gone or the kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_pss(pid: int) -> int:
    """The summed PSS of a process and all its descendants: the memory they really take
    together, since a forked worker's RSS also counts every page it still shares with the build
    process."""
    return _tree(pid, _pss)


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the process and all its workers
    peak_rss: int
    returncode: int
    stdout: str
    stderr: str
    peak_pss: int = 0


def measure(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd``, sampling the summed RSS of its process tree every 10 ms (and its summed PSS
    every 100 ms: reading it costs the kernel a walk of every mapping)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        n = 0
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            if n % 10 == 0:
                peak_pss = max(peak_pss, tree_pss(proc.pid))
            n += 1
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak, proc.returncode, out, err, peak_pss)


# --- our build ---------------------------------------------------------------------------------

CHILD = "--child-build"


def child_build(source: Path, out: Path, jobs: int) -> int:
    """Runs in the measured process: one build, its result as JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    from site_builder.pipeline import BuildOptions, run

    fields = BuildOptions.__dataclass_fields__
    kwargs = {"jobs": jobs} if "jobs" in fields else {}
    result = run(BuildOptions(source=source, out=out, **kwargs))  # type: ignore[arg-type]
    w = result.written
    print(
        json.dumps(
            {
                "timings": result.timings,
                "pages": result.pages,
                "files": len(result.files) if result.files else getattr(result, "file_count", 0),
                "written": w.written if w else None,
                "unchanged": w.unchanged if w else None,
                "errors": [d.format() for d in result.errors][:5],
            }
        )
    )
    return 0 if result.ok else 1


SESSION = "--child-session"


def child_session(source: Path, out: Path, jobs: int) -> int:
    """Runs in one process, as ``serve`` does, through serve's own ``Builder``: a cold build,
    then with the same session a rebuild with nothing changed and a rebuild after editing one
    report, timed to the moment its pages are on disk for the browser (``preview``) and to
    the end; JSON on stdout. The cold build uses ``jobs`` workers (serve's own first build
    runs in one process): one edit and its revert, not measured, first fill the memos that
    the workers filled in their own processes."""
    sys.path.insert(0, str(ROOT))
    from site_builder.pipeline import BuildOptions, run
    from site_builder.serve import Builder

    builder = Builder(source, out, drafts=False)
    if out.exists():
        shutil.rmtree(out)
    t = time.perf_counter()
    run(BuildOptions(source=source, out=out, jobs=jobs), session=builder.session)
    cold = time.perf_counter() - t
    builder.builds = 1  # later builds write in place, as serve's do
    path, original = edit_one_report(source)
    builder.build()
    path.write_bytes(original)
    builder.build()
    time.sleep(2.5)  # sources older than the racy window, as between a user's edits
    t = time.perf_counter()
    nc = builder.build().result
    no_change = time.perf_counter() - t
    previewed: list[float] = []
    path, original = edit_one_report(source)
    try:
        t = time.perf_counter()
        ed = builder.build(lambda _written: previewed.append(time.perf_counter())).result
        edit = time.perf_counter() - t
    finally:
        path.write_bytes(original)
    builder.build()
    assert nc is not None and ed is not None
    print(
        json.dumps(
            {
                "cold": cold,
                "no_change": no_change,
                "no_change_rendered": len(nc.rendered),
                "no_change_written": nc.written.written if nc.written else None,
                "no_change_timings": nc.timings,
                "edit": edit,
                "edit_preview": previewed[0] - t if previewed else None,
                "edit_rendered": len(ed.rendered),
                "edit_written": ed.written.written if ed.written else None,
                "edit_timings": ed.timings,
            }
        )
    )
    return 0


@dataclass
class Build:
    wall: float
    cpu: float
    peak_rss: int
    timings: dict[str, float]
    pages: int
    files: int
    written: int | None
    peak_pss: int = 0


def build(source: Path, out: Path, jobs: int) -> Build:
    cmd = [sys.executable, str(Path(__file__).resolve()), CHILD, str(source), str(out), str(jobs)]
    r = measure(cmd)
    if r.returncode != 0:
        raise SystemExit(f"build of {source} failed:\n{r.stdout}\n{r.stderr}")
    data = json.loads(r.stdout.strip().splitlines()[-1])
    return Build(
        r.wall,
        r.cpu,
        r.peak_rss,
        data["timings"],
        data["pages"],
        data["files"],
        data["written"],
        r.peak_pss,
    )


def cli_build(source: Path, out: Path, jobs: int) -> Build:
    """``site-builder build`` itself, in a new process as a user runs it (a build with nothing
    to do answers before the pipeline is imported); the number written is read from what it
    says."""
    cmd = [sys.executable, "-m", "site_builder", "build", "--lang", "en"]
    cmd += ["--source", str(source), "--out", str(out), "--jobs", str(jobs)]
    r = measure(cmd, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"build of {source} failed:\n{r.stdout}\n{r.stderr}")
    found = re.search(r"(\d+) written", r.stderr)
    written = 0 if "is up to date" in r.stderr else int(found.group(1)) if found else None
    return Build(r.wall, r.cpu, r.peak_rss, {}, 0, 0, written)


def dir_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def edit_one_report(source: Path) -> tuple[Path, bytes]:
    """Append a sentence to the body of one report in the middle of the list; returns the
    file and its original bytes."""
    reports = sorted((source / "content" / "reports").glob("*/*[0-9]-*.md"))
    reports = [p for p in reports if not p.name.endswith(".en.md")]
    path = reports[len(reports) // 2]
    original = path.read_bytes()
    path.write_bytes(original + "\n基准测试修改：本段为一次编辑。\n".encode())
    return path, original


# --- Hugo --------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "http://intranet.example/reports/"
languageCode = "zh-Hans"
title = "bench"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[pagination]
  pagerSize = 50
[taxonomies]
  tag = "tags"
  org = "orgs"
"""
# Hugo 0.111 reads `paginate`; newer versions read [pagination].
HUGO_CONFIG_OLD = HUGO_CONFIG.replace("[pagination]\n  pagerSize = 50\n", "paginate = 50\n")

HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        "<title>{{ .Title }} · {{ site.Title }}</title></head><body>"
        '<nav><a href="{{ "/" | relURL }}">首页</a></nav>'
        '<main>{{ block "main" . }}{{ end }}</main></body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
        '<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time>'
        "{{ range .Params.orgs }} · {{ . }}{{ end }}</p>"
        '{{ with .Params.tags }}<ul class="tags">{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}'
        "<nav class=toc>{{ .TableOfContents }}</nav>"
        "<div class=body>{{ .Content }}</div></article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>'
        "{{ range .Paginator.Pages }}"
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}'
        "<p>{{ .Summary }}</p></li>{{ end }}</ul>"
        '{{ template "_internal/pagination.html" . }}{{ end }}\n'
    ),
    "_default/terms.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>'
        '{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}'
        "</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n"
    ),
}


def hugo_site(source: Path, dest: Path) -> int:
    """The same reports as a minimal Hugo site: plain front matter (title, date, summary, tags,
    organization) and the Chinese body. Returns the number of reports."""
    import yaml

    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content" / "reports").mkdir(parents=True)
    for rel, text in HUGO_LAYOUTS.items():
        p = dest / "layouts" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    n = 0
    for path in sorted((source / "content" / "reports").glob("*/*.md")):
        if path.name.endswith(".en.md"):
            continue
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        title = meta["title"]["zh"] if isinstance(meta["title"], dict) else meta["title"]
        hugo_front = {
            "title": title,
            "date": str(meta["date"]),
            "summary": meta.get("summary", ""),
            "tags": meta.get("tags", []),
            "orgs": [path.parent.name],
        }
        out = dest / "content" / "reports" / path.parent.name / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            "---\n" + json.dumps(hugo_front, ensure_ascii=False) + "\n---\n" + body, "utf-8"
        )
        n += 1
    return n


def hugo_version() -> str | None:
    exe = shutil.which("hugo")
    if exe is None:
        return None
    r = subprocess.run([exe, "version"], capture_output=True, text=True)
    return r.stdout.strip() or None


def hugo_build(site: Path, out: Path) -> Build:
    if out.exists():
        shutil.rmtree(out)
    for config in (HUGO_CONFIG, HUGO_CONFIG_OLD):
        (site / "hugo.toml").write_text(config, encoding="utf-8")
        r = measure(["hugo", "--quiet", "--source", str(site), "--destination", str(out)])
        if r.returncode == 0:
            break
    else:
        raise SystemExit(f"hugo failed:\n{r.stdout}\n{r.stderr}")
    pages = sum(1 for _ in out.rglob("*.html"))
    return Build(r.wall, r.cpu, r.peak_rss, {}, pages, pages, None)


# --- the runner --------------------------------------------------------------------------------


@dataclass
class SizeResult:
    reports: int
    jobs: int
    load_avg: tuple[float, float, float]
    cold: list[Build] = field(default_factory=list)
    no_change: list[Build] = field(default_factory=list)
    edit: list[Build] = field(default_factory=list)
    output_bytes: int = 0
    hugo: list[Build] = field(default_factory=list)
    hugo_output_bytes: int = 0
    session: dict[str, object] = field(default_factory=dict)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ensure_site(work: Path, reports: int, seed: int) -> Path:
    site = work / f"site-{reports}-s{seed}"
    marker = site / MARKER
    want = f"reports={reports} seed={seed}\n"
    if not (marker.exists() and marker.read_text(encoding="utf-8") == want):
        print(f"generating {reports} reports into {site} …", flush=True)
        t = time.perf_counter()
        generate(site, reports, seed)
        print(f"  generated in {time.perf_counter() - t:.1f}s", flush=True)
    return site


def run_size(
    work: Path, reports: int, seed: int, jobs: int, repeat: int, hugo: bool, rebuilds: bool = True
) -> SizeResult:
    site = ensure_site(work, reports, seed)
    out = work / f"out-{reports}"
    res = SizeResult(reports, jobs, os.getloadavg())
    for i in range(repeat):
        if out.exists():
            shutil.rmtree(out)
        b = build(site, out, jobs)
        res.cold.append(b)
        print(f"  cold build {i + 1}/{repeat}: {b.wall:.2f}s", flush=True)
    res.output_bytes = dir_size(out)
    for _ in range(repeat if rebuilds else 0):
        res.no_change.append(cli_build(site, out, jobs))
    for i in range(repeat if rebuilds else 0):
        path, original = edit_one_report(site)
        try:
            res.edit.append(build(site, out, jobs))
        finally:
            path.write_bytes(original)
        if i + 1 < repeat:
            build(site, out, jobs)  # back to the unedited output, not measured
    cmd = [sys.executable, str(Path(__file__).resolve()), SESSION, str(site), str(out), str(jobs)]
    r = measure(cmd) if rebuilds else None
    if r is None:
        pass
    elif r.returncode == 0:
        res.session = json.loads(r.stdout.strip().splitlines()[-1])
    else:
        print(f"  in-process rebuilds failed: {r.stderr[-2000:]}", flush=True)
    if hugo:
        hsite = work / f"hugo-{reports}-s{seed}"
        hugo_site(site, hsite)
        hout = work / f"hugo-out-{reports}"
        for _ in range(repeat):
            res.hugo.append(hugo_build(hsite, hout))
        res.hugo_output_bytes = dir_size(hout)
    return res


def mb(n: float) -> str:
    return f"{n / 2**20:.0f} MB"


def report(results: list[SizeResult]) -> str:
    lines: list[str] = []
    for r in results:
        cold = _median([b.wall for b in r.cold])
        best = min(r.cold, key=lambda b: abs(b.wall - cold))
        lines.append(
            f"\n== {r.reports:,} reports, --jobs {r.jobs} "
            f"(load average at start {r.load_avg[0]:.2f} {r.load_avg[1]:.2f} {r.load_avg[2]:.2f};"
            f" median of {len(r.cold)}) =="
        )
        lines.append(
            f"cold build        {cold:7.2f} s   {best.pages:,} pages, {best.files:,} files, "
            f"{best.pages / cold:,.0f} pages/s, output {mb(r.output_bytes)}"
        )
        lines.append(f"  all runs        {', '.join(f'{b.wall:.2f}' for b in r.cold)} s")
        lines.append(
            f"  CPU time        {_median([b.cpu for b in r.cold]):7.2f} s   (all processes; "
            "less sensitive than wall time to other load on the machine)"
        )
        lines.append(
            f"peak memory       {mb(_median([b.peak_rss for b in r.cold]))} (all processes; "
            f"summed PSS {mb(_median([b.peak_pss for b in r.cold]))})"
        )
        stages = "  ".join(
            f"{k} {_median([b.timings.get(k, 0.0) for b in r.cold]):.2f}" for k in best.timings
        )
        lines.append(f"stages (s)        {stages}")
        if r.no_change:
            nc = _median([b.wall for b in r.no_change])
            lines.append(
                f"no-change rebuild {nc:7.2f} s   wrote {r.no_change[0].written} files"
                f" (the CLI, whole process; CPU {_median([b.cpu for b in r.no_change]):.2f} s)"
            )
        if r.edit:
            ed = _median([b.wall for b in r.edit])
            lines.append(
                f"one-report edit   {ed:7.2f} s   wrote {r.edit[0].written} files"
                f" (in-process stages {sum(r.edit[0].timings.values()):.2f} s)"
            )
        if r.session:
            ss = r.session
            lines.append(
                f"in one process (as serve): no-change {ss['no_change']:.3f} s "
                f"({ss['no_change_rendered']} rendered, {ss['no_change_written']} written), "
                f"one-report edit {ss['edit']:.3f} s ({ss['edit_rendered']} rendered, "
                f"{ss['edit_written']} written; pages on disk for the browser after "
                f"{ss.get('edit_preview') or float('nan'):.3f} s)"
            )
            for name in ("no_change_timings", "edit_timings"):
                t = ss[name]
                assert isinstance(t, dict)
                lines.append(
                    f"  {name.removesuffix('_timings'):10} stages "
                    + "  ".join(f"{k} {v:.3f}" for k, v in t.items())
                )
        if r.hugo:
            h = _median([b.wall for b in r.hugo])
            lines.append(
                f"hugo (1 language) {h:7.2f} s   {r.hugo[0].pages:,} pages, output "
                f"{mb(r.hugo_output_bytes)}, peak {mb(_median([b.peak_rss for b in r.hugo]))}"
            )
            hc = _median([b.cpu for b in r.hugo])
            ours_cpu = _median([b.cpu for b in r.cold])
            lines.append(
                f"ours / hugo       {cold / h:7.2f}× wall, {ours_cpu / hc:.2f}× CPU "
                "(our 3 language trees vs its 1)"
            )
    if len(results) > 1:
        base = results[0]
        base_t = _median([b.wall for b in base.cold])
        base_rss = _median([b.peak_rss for b in base.cold])
        lines.append("\n== growth (1.00 = linear in the number of reports) ==")
        for r in results[1:]:
            k = r.reports / base.reports
            t = _median([b.wall for b in r.cold]) / base_t
            s = r.output_bytes / base.output_bytes
            m = _median([b.peak_rss for b in r.cold]) / base_rss
            lines.append(
                f"{base.reports:,} -> {r.reports:,} reports (×{k:g}): time ×{t:.2f} ({t / k:.2f}),"
                f" output ×{s:.2f} ({s / k:.2f}), peak memory ×{m:.2f} ({m / k:.2f})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == CHILD:
        return child_build(Path(argv[1]), Path(argv[2]), int(argv[3]))
    if argv and argv[0] == SESSION:
        return child_session(Path(argv[1]), Path(argv[2]), int(argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="report counts (default 1000,5000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="build --jobs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/site-builder-bench"), help="sites and outputs"
    )
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument(
        "--cold-only", action="store_true", help="measure cold builds only (no rebuilds)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    hv = None if args.no_hugo else hugo_version()
    print(f"site_builder benchmark: sizes {sizes}, --jobs {args.jobs}, repeat {args.repeat}")
    print(f"machine: {os.cpu_count()} cores; hugo: {hv or 'not installed (apt-get install hugo)'}")
    results = []
    for n in sizes:
        print(f"\n{n:,} reports", flush=True)
        results.append(
            run_size(
                args.work, n, args.seed, args.jobs, args.repeat, hv is not None, not args.cold_only
            )
        )
    text = report(results)
    print(text)
    (args.work / "results.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
