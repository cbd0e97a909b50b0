"""docs/ci/: the pipelines content repositories copy parse as YAML, install the tool from the
one index variable, and call only site-builder commands and options that exist."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.util import cli

CI = Path(__file__).resolve().parents[1] / "docs" / "ci"
TEMPLATES = ["gitlab-ci.yml", "github-actions.yml", "gitea-actions.yml"]


def shell_lines(node: Any, key: str = "") -> Iterator[str]:
    """Every line of shell the pipeline runs (GitLab script/before_script, Actions run)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from shell_lines(v, str(k))
    elif isinstance(node, list):
        for v in node:
            yield from shell_lines(v, key)
    elif isinstance(node, str) and key in ("script", "before_script", "run"):
        yield from (line.strip() for line in node.splitlines() if line.strip())


def commands(pipeline: Any) -> list[list[str]]:
    """The site-builder invocations, as argument lists after the program name."""
    found = []
    for line in shell_lines(pipeline):
        for part in re.split(r"\|\||&&|;", line):
            words = shlex.split(part.split(">")[0])
            for i, w in enumerate(words):
                if w == "site-builder" or (w == "site_builder" and words[i - 1] == "-m"):
                    found.append(words[i + 1 :])
    return found


@pytest.mark.parametrize("name", TEMPLATES)
def test_pipeline_calls_only_commands_that_exist(name: str) -> None:
    pipeline = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    calls = commands(pipeline)
    subcommands = {c[0] for c in calls if c and not c[0].startswith("-")}
    assert {"check", "build"} <= subcommands, name
    for call in calls:
        sub = [w for w in call if not w.startswith("-")][:1]
        run = cli(*sub, "--help")
        assert run.code == 0, (name, call)
        for i, word in enumerate(call):
            if word.startswith("--") and word != "--version":
                assert re.search(rf"{word}\b", run.out), (name, call, word)
            if word == "--format":
                assert call[i + 1] in run.out, (name, call)
    assert any("--strict" in c for c in calls if c[:1] == ["check"]), name


@pytest.mark.parametrize("name", TEMPLATES)
def test_pipeline_installs_from_the_one_index_variable(name: str) -> None:
    pipeline = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    installs = [line for line in shell_lines(pipeline) if "pip install" in line]
    assert installs, name
    for line in installs:
        assert '--index-url "$SITE_BUILDER_INDEX_URL"' in line, (name, line)
    variables = pipeline.get("variables") or pipeline.get("env")
    assert "SITE_BUILDER_INDEX_URL" in variables, name


def test_pipelines_publish_the_output() -> None:
    gitlab = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["build"]["artifacts"]["paths"] == ["output/"]
    assert set(gitlab["check"]["artifacts"]["reports"]) == {"codequality", "junit"}
    for name in ("github-actions.yml", "gitea-actions.yml"):
        pipeline = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
        uploads = [
            s for s in pipeline["jobs"]["site"]["steps"] if "upload-artifact" in s.get("uses", "")
        ]
        assert uploads and "output/" in uploads[0]["with"]["path"], name
        deploy = "\n".join(shell_lines(pipeline["jobs"]["deploy"]))
        assert 'output/ "$DEPLOY_DIR/"' in deploy, name
