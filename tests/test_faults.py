"""Faults (gate 8): a build killed with SIGKILL at any moment leaves the previous output intact
(or, between the two renames of the swap, recoverable by the next build), and the next build is
correct; a full disk and an unwritable output folder give one clear line, exit 1, no traceback,
and leave the previous output as it was.

The kills are made two ways: at named points of the write stage (a launcher patches the
function about to run so that it SIGKILLs its own process: no hook in the product), and at
several moments into a build of the example site, whatever it is doing then.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.write import OLD_PREFIX, TMP_PREFIX
from tests.conftest import MINIMAL_SITE, REPO, write_site
from tests.util import cli, tree_digest

REPORT = "content/reports/city/2024-summary.md"

# Runs `site-builder build` with one function patched to kill the process when it is called for
# the n-th time. argv: point, n, then the build's arguments.
LAUNCHER = r"""
import os, shutil, signal, sys
from pathlib import Path
import site_builder.write as write

point, nth, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
calls = 0

def killing(original):
    def wrapper(*a, **k):
        global calls
        calls += 1
        if calls == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*a, **k)
    return wrapper

if point == "write-file":  # while the new tree is being written, file by file
    write._write_new = killing(write._write_new)
elif point == "link-file":  # while unchanged files are linked into the new tree
    write.os.link = killing(os.link)
elif point == "before-swap":  # the new tree complete, the old one not yet moved
    write.os.chmod = killing(os.chmod)
elif point == "rename":  # 1: before the old tree moves aside; 2: between the two renames
    Path.rename = killing(Path.rename)
elif point == "cleanup":  # swapped in, the old tree not yet deleted
    write.shutil.rmtree = killing(shutil.rmtree)
elif point == "gates":  # everything rendered, nothing written yet
    import site_builder.stages as stages
    stages.check_site = killing(stages.check_site)
from site_builder.cli import main
main(args)
"""

POINTS = [
    ("gates", 1),
    ("write-file", 1),
    ("write-file", 5),
    ("link-file", 3),
    ("before-swap", 1),
    ("rename", 1),
    ("rename", 2),
    ("cleanup", 1),
]


def run_killed(point: str, nth: int, site: Path, out: Path) -> int:
    command = [sys.executable, "-c", LAUNCHER, point, str(nth)]
    command += ["build", "--source", str(site), "--out", str(out)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, cwd=REPO
    )
    return done.returncode


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """A site whose output is built (version A), then edited (version B; a clean build of B
    elsewhere is the reference). Returns site, out, digests of A and of B."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    before = tree_digest(out)
    report = site / REPORT
    report.write_text(
        report.read_text(encoding="utf-8").replace("开展学习12次。", "开展学习13次。新增一段。"),
        encoding="utf-8",
    )
    (site / "content/reports/nat/2023-review.md").unlink()  # pages disappear too
    reference = tmp_path / "reference"
    assert cli("build", "--source", site, "--out", reference).code == 0
    after = tree_digest(reference)
    assert before != after
    return site, out, before, after


def leftovers(out: Path) -> list[str]:
    return sorted(
        p.name for p in out.parent.iterdir() if p.name.startswith((TMP_PREFIX, OLD_PREFIX))
    )


def state_of(out: Path, before: dict[str, str], after: dict[str, str]) -> str:
    if out.is_dir():
        now = tree_digest(out)
        return "previous" if now == before else "new" if now == after else "MIXED"
    olds = [p for p in out.parent.iterdir() if p.name.startswith(OLD_PREFIX + out.name)]
    if len(olds) == 1 and tree_digest(olds[0]) == before:
        return "previous, set aside"
    return "MISSING"


@pytest.mark.parametrize(("point", "nth"), POINTS, ids=[f"{p}-{n}" for p, n in POINTS])
def test_a_build_killed_at_a_point_of_the_write(
    point: str, nth: int, two_versions: tuple[Path, Path, dict[str, str], dict[str, str]]
) -> None:
    site, out, before, after = two_versions
    code = run_killed(point, nth, site, out)
    assert code == -signal.SIGKILL, f"the build was not killed at {point} #{nth} (exit {code})"
    expected = {
        "cleanup": "new",
        "rename-2": "previous, set aside",  # out is gone for an instant; the old tree is whole
    }.get(point if point != "rename" else f"rename-{nth}", "previous")
    assert state_of(out, before, after) == expected
    # the next build recovers, cleans up and is correct
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    assert tree_digest(out) == after
    assert leftovers(out) == []


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2, 1.6, 2.0, 2.5])
def test_the_example_site_killed_at_random_moments(
    tmp_path: Path, delay: float, example_out: Path
) -> None:
    """Killed after `delay` seconds of a build of the example site into the output of a build
    of a smaller site: whatever the build was doing, the output is one whole tree or the other,
    and the next build is byte for byte a clean build (the session's clean build of the example
    site, ``example_out``)."""
    out = tmp_path / "out"
    small = write_site(tmp_path / "small", dict(MINIMAL_SITE))
    assert cli("build", "--source", small, "--out", out).code == 0
    before = tree_digest(out)
    command = [sys.executable, "-m", "site_builder", "build", "--source", str(REPO)]
    process = subprocess.Popen(
        [*command, "--out", str(out)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    after = tree_digest(example_out)
    assert state_of(out, before, after) in ("previous", "previous, set aside", "new")
    assert cli("build", "--source", REPO, "--out", out).code == 0
    assert tree_digest(out) == after
    assert leftovers(out) == []


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for pid 1 to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


_BUSY_POOL = """
import os, sys, time
from site_builder import parallel

def page(i):
    time.sleep(0.02)
    return b"x" * 300_000  # far more than a pipe holds

def hang(i, value):
    if i == 0:
        print("started", flush=True)
        time.sleep(600)  # the build process is busy when it is killed

parallel.run_indexed(page, 400, 2, hang, chunk=4)
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_killed_build_leaves_no_worker_behind() -> None:
    """A build killed while its workers render (SIGKILL: no cleanup runs) takes them with it:
    a worker whose results nobody will read stops at its next send, instead of waiting on a
    full pipe for ever (each held its own pipe's other end, copied by the fork)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _BUSY_POOL],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    sys.path.insert(0, str(REPO / "bench"))
    from run import _children  # type: ignore[import-not-found]  # the benchmark's process walk

    assert process.stdout is not None and process.stdout.readline() == "started\n"
    workers = _children(process.pid)
    assert workers  # forked, and still working through its 400 pages
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _running(w)]
    for w in left:  # do not leave them to the next test
        os.kill(w, signal.SIGKILL)
    assert left == []


# --- full disk, unwritable folder ---------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small RAM file system of its own (root only); skipped where it cannot be mounted."""
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def big_report(site: Path, kb: int) -> None:
    para = "全年开展集体学习12次，宣讲3000余场，惠及7万人次。\n\n" * 10
    body = para * (kb * 1024 // len(para.encode()) + 1)
    (site / "content/reports/city/2023-big.md").write_text(
        f"---\ntitle: 大报告\ndate: 2023-12-31\n---\n\n{body}", encoding="utf-8"
    )


def test_a_full_disk(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    with tmpfs(tmp_path / "disk", "3m") as disk:
        out = disk / "out"
        assert cli("build", "--source", site, "--out", out).code == 0
        before = tree_digest(out)
        big_report(site, 400)  # three language trees of it do not fit
        run = cli("build", "--source", site, "--out", out)
        assert (run.code, run.err.splitlines()) == (
            1,
            [
                f"{out}: error: cannot write the site: No space left on device (the disk is"
                " full: free some space and build again); the previous output is unchanged"
            ],
        )
        assert tree_digest(out) == before
        assert leftovers(out) == []


def test_an_unwritable_output_folder(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    with tmpfs(tmp_path / "disk", "4m") as disk:
        out = disk / "out"
        assert cli("build", "--source", site, "--out", out).code == 0
        before = tree_digest(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        (site / REPORT).write_text(
            (site / REPORT).read_text(encoding="utf-8") + "\n新增。\n", encoding="utf-8"
        )
        run = cli("build", "--source", site, "--out", out)
        assert (run.code, run.err.splitlines()) == (
            1,
            [
                f"{out}: error: cannot write the site: Read-only file system (the folder is not"
                " writable: fix its permissions, or choose another with --out); the previous"
                " output is unchanged"
            ],
        )
        assert tree_digest(out) == before


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (errno.ENOSPC, "the disk is full: free some space and build again"),
        (
            errno.EACCES,
            "the folder is not writable: fix its permissions, or choose another with --out",
        ),
        (errno.EIO, "check the folder's permissions and free space"),
    ],
)
def test_write_errors_without_a_file_system_to_fill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, hint: str
) -> None:
    """The same, on any machine: the write stage's file writes fail as a full disk would."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    before = tree_digest(out)
    (site / REPORT).write_text(
        (site / REPORT).read_text(encoding="utf-8") + "\n新增。\n", encoding="utf-8"
    )
    from site_builder import write

    real = write._write_new

    def failing(target: str, data: bytes) -> None:
        if TMP_PREFIX in target:
            raise OSError(code, os.strerror(code), target)
        real(target, data)

    monkeypatch.setattr(write, "_write_new", failing)
    run = cli("build", "--source", site, "--out", out)
    assert (run.code, run.err.splitlines()) == (
        1,
        [
            f"{out}: error: cannot write the site: {os.strerror(code)} ({hint}); the previous"
            " output is unchanged"
        ],
    )
    assert tree_digest(out) == before
    assert leftovers(out) == []
