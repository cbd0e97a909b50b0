"""The command line: every command has --help, exit codes 0/1/2, init and new report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSite
from tests.util import cli


@pytest.mark.parametrize("args", [[], ["build"], ["check"], ["init"], ["new"], ["new", "report"]])
def test_every_command_has_help(args: list[str]) -> None:
    run = cli(*args, "--help")
    assert run.code == 0
    assert "Usage:" in run.out


def test_unknown_option_is_a_usage_error() -> None:
    assert cli("build", "--no-such-option").code == 2


def test_build_ok_exit_0(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    run = cli("build", "--source", site, "--out", tmp_path / "out")
    assert run.code == 0, run.err
    assert (tmp_path / "out" / "index.html").is_file()
    assert "built " in run.err


def test_build_default_out_is_output_of_source(make_site: MakeSite) -> None:
    site = make_site()
    assert cli("build", "--source", site).code == 0
    assert (site / "output" / "en" / "index.html").is_file()


def test_content_error_exit_1(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/orgs/city.yaml": "name: x\nlevel: village\n"})
    run = cli("build", "--source", site, "--out", tmp_path / "out")
    assert run.code == 1
    assert "Traceback" not in run.err
    assert not (tmp_path / "out").exists()


def test_check_writes_nothing(make_site: MakeSite) -> None:
    site = make_site()
    run = cli("check", "--source", site)
    assert run.code == 0, run.err
    assert "checked " in run.err
    assert not (site / "output").exists()


def test_missing_site_yaml(tmp_path: Path) -> None:
    run = cli("check", "--source", tmp_path)
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        f"site.yaml:1:1: error: no site.yaml in {tmp_path} (run the command in a site project, "
        "pass --source DIR, or create one with 'site-builder init DIR')"
    )


def test_out_equal_to_source_is_refused(make_site: MakeSite) -> None:
    site = make_site()
    run = cli("build", "--source", site, "--out", site)
    assert run.code == 2
    assert "is the source folder" in run.err


def test_out_holding_sources_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    run = cli("build", "--source", site, "--out", other)
    assert run.code == 2
    assert "holds 'content'" in run.err
    assert (other / "content").is_dir()


def test_out_inside_content_is_refused(make_site: MakeSite) -> None:
    site = make_site()
    run = cli("build", "--source", site, "--out", site / "content" / "out")
    assert run.code == 2


def test_init_creates_a_buildable_site(tmp_path: Path) -> None:
    target = tmp_path / "new-site"
    run = cli("init", target)
    assert run.code == 0, run.err
    build = cli("build", "--source", target, "--strict")
    assert build.code == 0, build.err
    assert (target / "output" / "orgs" / "example-city" / "index.html").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    run = cli("init", tmp_path)
    assert run.code == 2
    assert (tmp_path / "keep.txt").read_text() == "x"


def test_new_report_scaffolds_a_valid_report(make_site: MakeSite) -> None:
    site = make_site()
    run = cli(
        "new",
        "report",
        "--source",
        site,
        "--org",
        "city",
        "--year",
        "2025",
        "--title",
        "测试市妇联2025年工作总结",
    )
    assert run.code == 0, run.err
    created = site / "content/reports/city/2025-ce-shi-shi-fu-lian-2025-nian-gong-zuo-zong-jie.md"
    assert created.is_file(), run.out
    build = cli("build", "--source", site)
    assert build.code == 0, build.err
    assert (
        site / "output/reports/city/2025-ce-shi-shi-fu-lian-2025-nian-gong-zuo-zong-jie/index.html"
    ).is_file()


def test_new_report_unknown_org_suggests(make_site: MakeSite) -> None:
    site = make_site()
    run = cli("new", "report", "--source", site, "--org", "cty", "--year", "2025", "--title", "x")
    assert run.code == 2
    assert "unknown organization 'cty' (did you mean 'city'?)" in run.err


def test_new_report_refuses_to_overwrite(make_site: MakeSite) -> None:
    site = make_site()
    run = cli(
        "new",
        "report",
        "--source",
        site,
        "--org",
        "city",
        "--year",
        "2024",
        "--slug",
        "summary",
        "--title",
        "x",
    )
    assert run.code == 2
    assert "already exists" in run.err


def test_json_diagnostics(make_site: MakeSite) -> None:
    import json

    site = make_site({"content/orgs/city.yaml": "name: x\nlevel: village\n"})
    run = cli("check", "--source", site, "--format", "json")
    assert run.code == 1
    first = json.loads(run.err.splitlines()[0])
    assert first == {
        "path": "content/orgs/city.yaml",
        "line": 2,
        "column": 8,
        "severity": "error",
        "code": "content",
        "message": "unknown level 'village'",
        "hint": "expected one of: county, municipal, national, provincial, township",
    }
