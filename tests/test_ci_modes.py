"""Gate 9, CI modes: `--strict` turns warnings into a failed build (and check), and
`--format json` prints every problem as one JSON object a line (path, line, column, severity,
code, message, hint) for CI annotations, with nothing else on those lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MakeSite
from tests.util import cli, error_lines, tree_digest

REPORT = "content/reports/city/2024-summary.md"
# A chart block with an unknown type: a warning (the chart is left out, the page still builds).
WARNING_ONLY = {
    REPORT: "---\ntitle: 总结\ndate: 2024-12-31\n---\n\n```chart\ntype: pi\ntitle: 图\n"
    "x: [a]\nseries: [{name: s, data: [1]}]\n```\n"
}
WARNING = f"{REPORT}:7:7: warning: unknown chart type 'pi' (did you mean 'pie'?)"


def test_warnings_pass_without_strict(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(WARNING_ONLY)
    run = cli("build", "--source", site, "--out", tmp_path / "out")
    assert (run.code, error_lines(run)) == (0, [WARNING])


@pytest.mark.parametrize("command", ["build", "check"])
def test_strict_turns_warnings_into_failure(
    make_site: MakeSite, tmp_path: Path, command: str
) -> None:
    site = make_site()
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    before = tree_digest(out)
    site = make_site(WARNING_ONLY)
    args = ["--out", str(out)] if command == "build" else []
    run = cli(command, "--source", site, "--strict", *args)
    assert run.code == 1
    # `check` writes nothing: it has no output to call unchanged (issue 16)
    failed = (
        "build failed: 0 error(s), 1 warning(s) (--strict turns warnings into errors); output"
        " left unchanged"
        if command == "build"
        else "check failed: 0 error(s), 1 warning(s) (--strict turns warnings into errors)"
    )
    assert run.err.splitlines() == [WARNING, failed]
    assert tree_digest(out) == before


def test_strict_passes_a_clean_site(make_site: MakeSite, tmp_path: Path) -> None:
    run = cli("build", "--source", make_site(), "--out", tmp_path / "out", "--strict")
    assert run.code == 0, run.err


@pytest.mark.parametrize("command", ["build", "check"])
def test_json_lines(make_site: MakeSite, tmp_path: Path, command: str) -> None:
    site = make_site(
        {
            **WARNING_ONLY,
            "content/orgs/city.yaml": "name: 市\nlevel: village\n",
            "content/reports/nat/2023-review.md": "---\ntitle: 综述\ndate: 2023-06-30\n"
            "metrics:\n  - {key: study_session, value: 3}\n---\n正文\n",
        }
    )
    args = ["--out", str(tmp_path / "out")] if command == "build" else []
    run = cli(command, "--source", site, "--format", "json", *args)
    assert run.code == 1
    assert run.out == ""
    lines = [json.loads(line) for line in run.err.splitlines()]  # every line is JSON
    assert lines == [
        {
            "path": "content/orgs/city.yaml",
            "line": 2,
            "column": 8,
            "severity": "error",
            "code": "content",
            "message": "unknown level 'village'",
            "hint": "expected one of: county, municipal, national, provincial, township",
        },
        # (city's reports are not also told that city is unknown: issue 16)
        {
            "path": "content/reports/nat/2023-review.md",
            "line": 5,
            "column": 11,
            "severity": "error",
            "code": "content",
            "message": "unknown metric 'study_session'",
            "hint": "did you mean 'study_sessions'?; metrics are defined in content/metrics.yaml",
        },
    ]
    assert not (tmp_path / "out").exists()


def test_json_lines_for_warnings_and_gates(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(
        {
            REPORT: WARNING_ONLY[REPORT] + "\n![图](https://cdn.example.com/a.png)\n"
            "[缺失](../../nat/2023-gone/index.html)\n",
        }
    )
    run = cli("build", "--source", site, "--out", tmp_path / "out", "--format", "json")
    assert run.code == 1
    found = [
        (d["line"], d["severity"], d["code"], d["message"])
        for d in map(json.loads, run.err.splitlines())
    ]
    assert found == [
        (7, "warning", "chart", "unknown chart type 'pi'"),
        (
            13,
            "error",
            "offline",
            "<img src> loads 'https://cdn.example.com/a.png' from another host (cdn.example.com)",
        ),
        (14, "error", "link", "link '../../nat/2023-gone/index.html' leads to no file of the site"),
    ]


def test_json_for_a_write_failure(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = cli("build", "--source", site, "--out", blocker / "out", "--format", "json")
    assert run.code == 1
    (problem,) = map(json.loads, run.err.splitlines())
    assert problem["path"] == str(blocker / "out")
    assert (problem["severity"], problem["code"]) == ("error", "write")
    assert problem["message"].startswith("cannot write the site: ")
