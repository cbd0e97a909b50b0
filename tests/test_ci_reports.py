"""``--format junit | codequality | github``: the report CI reads to show each problem at its
file and line, on standard output, with the usual lines on standard error."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from site_builder import reports
from site_builder.errors import Diagnostic, Severity
from tests.conftest import MakeSite
from tests.util import cli

BROKEN_LINK = "---\ntitle: 关于\n---\n\n正文 [链接](nowhere.md)\n"
MESSAGE = "link 'nowhere.md' leads to no file of the site"


def test_junit_has_a_failed_case_per_problem_at_its_file(make_site: MakeSite) -> None:
    site = make_site({"content/pages/about.md": BROKEN_LINK})
    run = cli("check", "--source", site, "--format", "junit")
    assert run.code == 1
    assert f"content/pages/about.md:5:9: error: {MESSAGE}" in run.err
    root = ET.fromstring(run.out)
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    (case,) = suite.findall("testcase")
    assert case.get("file") == "content/pages/about.md"
    assert case.get("name") == "content/pages/about.md:5:9 link"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert MESSAGE in (failure.get("message") or "")


def test_junit_of_a_clean_site_is_one_passing_case(make_site: MakeSite) -> None:
    run = cli("check", "--source", make_site(), "--format", "junit")
    assert run.code == 0
    root = ET.fromstring(run.out)
    assert [(c.get("name"), list(c)) for c in root.iter("testcase")] == [("check", [])]


def test_codequality_and_github_name_the_file_and_line(make_site: MakeSite) -> None:
    site = make_site({"content/pages/about.md": BROKEN_LINK})
    quality = json.loads(cli("check", "--source", site, "--format", "codequality").out)
    assert [(q["location"], q["severity"], q["check_name"]) for q in quality] == [
        ({"path": "content/pages/about.md", "lines": {"begin": 5}}, "major", "site-builder/link")
    ]
    assert len(quality[0]["fingerprint"]) == 64
    github = cli("check", "--source", site, "--format", "github").out.splitlines()
    assert len(github) == 1
    assert github[0].startswith(
        f"::error file=content/pages/about.md,line=5,col=9,title=site-builder link::{MESSAGE}"
    )


def test_warnings_fail_the_report_only_with_strict() -> None:
    warning = Diagnostic("content/x.md", 3, 2, "mixed script", "fix it", Severity.WARNING, "mixed")
    assert json.loads(reports.codequality([warning]))[0]["severity"] == "minor"
    assert json.loads(reports.codequality([warning], strict=True))[0]["severity"] == "major"
    assert ET.fromstring(reports.junit([warning], "check")).find(".//failure") is None
    assert (
        ET.fromstring(reports.junit([warning], "check", strict=True)).find(".//failure") is not None
    )
    assert reports.github([warning]).startswith("::warning file=content/x.md,line=3,col=2,")
