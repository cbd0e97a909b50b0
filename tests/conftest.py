"""Shared fixtures: inline fixture sites and the repository's example site."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.messages import set_language

# The tests read the tool's English messages: a Chinese locale on the machine running them
# must not change that (tests/test_messages.py sets other languages itself); subprocesses
# inherit it too.
os.environ["SITE_BUILDER_LANG"] = "en"


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Every test starts and ends in English, whatever language a CLI run before it chose."""
    set_language("en")
    yield
    set_language("en")


REPO = Path(__file__).resolve().parent.parent
BROWSER_TESTS = REPO / "tests" / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser test files run first, each file's tests still together and in order: they
    hold the longest tests (printing PDFs, sweeping charts), which, left to the end of a run on
    several processes (scripts/test.sh), would keep one process busy while the others idle."""
    items.sort(key=lambda item: not item.path.is_relative_to(BROWSER_TESTS))


MINIMAL_SITE: dict[str, str] = {
    "site.yaml": """\
        title: {zh: 测试站点, en: Test site}
        base_url: http://intranet.example/reports/
        """,
    "content/orgs/nat.yaml": """\
        name: {zh: 全国测试联合会, en: National Test Federation}
        short_name: {zh: 全国测联, en: NTF}
        level: national
        """,
    "content/orgs/city.yaml": """\
        name: {zh: 测试市妇联, en: Test City Federation}
        level: municipal
        parent: nat
        description: 市级组织。
        """,
    "content/metrics.yaml": """\
        study_sessions:
          label: {zh: 集体学习会, en: Study sessions}
          unit: {zh: 次, en: sessions}
        funds_raised:
          label: {zh: 募集资金, en: Funds raised}
          unit: {zh: 元, en: CNY}
          format: currency
        """,
    "content/tags.yaml": """\
        党的建设: {en: Party building}
        巡察整改: {en: Inspection rectification}
        """,
    "content/reports/city/2024-summary.md": """\
        ---
        title: {zh: 测试市妇联2024年工作总结, en: Test City 2024 summary}
        date: 2024-12-31
        summary: 全年工作总结。
        tags: [党的建设]
        metrics:
          - key: study_sessions
            value: 12
          - key: funds_raised
            value: 3039200
            qualifier: about
        ---

        ## 一、主要工作

        开展学习12次。
        """,
    "content/reports/nat/2023-review.md": """\
        ---
        title: 全國測試聯合會2023年綜述
        date: 2023-06-30
        tags: [巡察整改]
        ---

        ## 一、總體情況

        內容。
        """,
}


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """``make_site({path: text}, base=True)``: the minimal valid site, overridden by ``files``
    (a value of None deletes that file)."""

    def make(files: dict[str, str | bytes | None] | None = None, base: bool = True) -> Path:
        merged: dict[str, str | bytes | None] = dict(MINIMAL_SITE) if base else {}
        merged.update(files or {})
        root = tmp_path / "site"
        return write_site(root, {k: v for k, v in merged.items() if v is not None})

    return make


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site, built once per test session (read-only for tests)."""
    from tests.util import cli

    out = tmp_path_factory.mktemp("example") / "out"
    run = cli("build", "--source", REPO, "--out", out)
    assert run.code == 0, run.err
    return out
