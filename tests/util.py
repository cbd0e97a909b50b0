"""Helpers for running the CLI in-process and reading built pages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from site_builder.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(*args: str | Path) -> Run:
    runner = CliRunner()
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the sha256 of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def error_lines(run: Run) -> list[str]:
    return [line for line in run.err.splitlines() if ": error: " in line or ": warning: " in line]
