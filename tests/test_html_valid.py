"""Gate 1, valid HTML: the W3C Nu Html Checker (npm ``vnu-jar``, pinned in package-lock.json)
finds no error on any page of the built example site, in all three language trees, nor in its
stylesheet. Java starts once: every file is checked in one batch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _require_checker() -> str:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java (Debian: default-jre-headless)")
    if not VNU_JAR.is_file():
        missing.append(f"{VNU_JAR.relative_to(REPO)} (npm ci)")
    if missing:
        message = "the Nu Html Checker needs " + " and ".join(missing) + ": run scripts/setup.sh"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    assert java is not None
    return java


def vnu(java: str, *args: str | Path) -> list[dict[str, object]]:
    """Run the checker; its JSON report (on stderr) as a list of messages."""
    command = [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", *map(str, args)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"vnu did not print a JSON report (exit {result.returncode}):\n{result.stderr[-3000:]}"
        )
    messages: list[dict[str, object]] = report["messages"]
    return messages


def describe(out: Path, messages: list[dict[str, object]]) -> str:
    lines = []
    for m in messages:
        where = str(m.get("url", "")).removeprefix("file:").removeprefix(str(out) + "/")
        lines.append(f"{where}:{m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')}")
    return "\n".join(lines)


def test_every_page_and_the_stylesheet_are_valid(example_out: Path) -> None:
    java = _require_checker()
    pages = sorted(example_out.rglob("*.html"))
    assert len(pages) > 100, "the example site should have every page kind in three languages"
    for tree in ("", "zh-hant/", "en/"):
        assert (example_out / tree / "index.html") in pages
    css = sorted(example_out.rglob("*.css"))
    assert css
    messages = vnu(java, "--errors-only", "--also-check-css", *pages, *css)
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} HTML error(s):\n" + describe(example_out, errors[:40])


def test_checker_catches_an_error(tmp_path: Path) -> None:
    """The gate is live: the same invocation reports a page with a misplaced <base>."""
    java = _require_checker()
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title>'
        '<link rel="stylesheet" href="a.css"><base href="/x/"></head><body><p>x</p></body></html>',
        encoding="utf-8",
    )
    errors = vnu(java, "--errors-only", bad)
    assert [m["message"] for m in errors] == [
        "The “base” element must come before any “link” or “script” elements in the document."
    ]
