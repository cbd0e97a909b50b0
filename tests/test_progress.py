"""Long builds show a progress bar with counts on a terminal and stay quiet in CI logs."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def run_in_pty(args: list[str], env: dict[str, str]) -> str:
    """Run a command with a pseudo-terminal as stdout/stderr and return what it printed."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(args, stdout=secondary, stderr=secondary, env=env, cwd=REPO)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(primary)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def build_cmd(out: Path) -> list[str]:
    return [sys.executable, "-m", "site_builder", "build", "--source", str(REPO), "--out", str(out)]


def test_progress_bar_with_counts_on_a_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["COLUMNS"] = "100"
    printed = run_in_pty(build_cmd(tmp_path / "out"), env)
    assert re.search(r"render\s.*\d+/\d+", printed), printed[-500:]


def test_no_progress_bar_in_ci(tmp_path: Path) -> None:
    env = dict(os.environ, CI="true")
    printed = run_in_pty(build_cmd(tmp_path / "out"), env)
    assert "━" not in printed and not re.search(r"render\s.*\d+/\d+", printed)
    assert "built " in printed
