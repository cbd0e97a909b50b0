"""Machine-readable reports of a build's problems, for CI systems to show each at its file and
line: JUnit XML (GitLab, Jenkins, Gitea/Forgejo test views), GitLab Code Quality JSON, and
GitHub Actions workflow commands (annotations on the changed files).

Pure functions of the diagnostics; the CLI prints the text on standard output.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from site_builder.errors import Diagnostic, Severity

FORMATS = ("text", "json", "junit", "codequality", "github")
"""``--format`` values: text and json print each problem on standard error as it always did;
the others also print one report on standard output (redirect it to a file for CI)."""


def _failed(d: Diagnostic, strict: bool) -> bool:
    return d.severity is Severity.ERROR or strict


def junit(diags: Sequence[Diagnostic], command: str, strict: bool = False) -> str:
    """One test case per problem (named ``path:line:col``, its file as ``file``), failed if it
    fails the build; a clean site is one passing case, so CI shows the check ran."""
    cases: list[str] = []
    failures = 0
    for d in diags:
        name = quoteattr(f"{d.path}:{d.line}:{d.col} {d.code}")
        head = f"    <testcase classname={quoteattr(d.path)} name={name} file={quoteattr(d.path)}"
        text = quoteattr(d.message + (f" ({d.hint})" if d.hint else ""))
        body = _xml_text(d.format())
        if _failed(d, strict):
            failures += 1
            cases.append(
                f"{head}>\n      <failure type={quoteattr(d.severity.value)} message={text}>"
                f"{body}</failure>\n    </testcase>"
            )
        else:
            cases.append(f"{head}>\n      <system-out>{body}</system-out>\n    </testcase>")
    if not cases:
        cases.append(f'    <testcase classname="site" name={quoteattr(command)}/>')
    suite = quoteattr(f"site-builder {command}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name={suite} tests="{len(cases)}" failures="{failures}">\n'
        f'  <testsuite name={suite} tests="{len(cases)}" failures="{failures}" errors="0">\n'
        + "\n".join(cases)
        + "\n  </testsuite>\n</testsuites>\n"
    )


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def codequality(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    """GitLab's Code Quality report (a JSON list): shown on the merge request's changed lines."""
    issues = []
    for d in diags:
        key = f"{d.path}\0{d.line}\0{d.col}\0{d.code}\0{d.message}"
        issues.append(
            {
                "type": "issue",
                "check_name": f"site-builder/{d.code}",
                "description": d.message + (f" ({d.hint})" if d.hint else ""),
                "categories": ["Bug Risk" if _failed(d, strict) else "Style"],
                "severity": "major" if _failed(d, strict) else "minor",
                "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
                "location": {"path": d.path, "lines": {"begin": d.line}},
            }
        )
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    """GitHub Actions workflow commands: each problem an annotation at its file and line."""
    lines = []
    for d in diags:
        kind = "error" if _failed(d, strict) else "warning"
        props = f"file={_escape_property(d.path)},line={d.line},col={d.col}"
        props += f",title={_escape_property('site-builder ' + d.code)}"
        message = d.message + (f" ({d.hint})" if d.hint else "")
        lines.append(f"::{kind} {props}::{_escape_data(message)}\n")
    return "".join(lines)


def report(fmt: str, diags: Sequence[Diagnostic], command: str, strict: bool) -> str | None:
    """The standard-output report of ``fmt``, or None for the formats that have none."""
    if fmt == "junit":
        return junit(diags, command, strict)
    if fmt == "codequality":
        return codequality(diags, strict)
    if fmt == "github":
        return github(diags, strict)
    return None
