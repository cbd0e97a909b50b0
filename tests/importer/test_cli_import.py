"""``site-builder import`` end to end: files written, never overwritten, dry runs, JSON, errors,
and the imported seeds building with no error."""

from __future__ import annotations

import json
from pathlib import Path

from tests.importer.conftest import SEEDS
from tests.util import cli, error_lines

SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


def test_seeds_imported_then_checked_and_built_with_no_error(
    registry_site: Path, tmp_path: Path
) -> None:
    run = cli("import", "--source", registry_site, SEEDS)
    assert run.code == 0, run.err
    written = sorted(p.relative_to(registry_site).as_posix() for p in registry_site.rglob("*.md"))
    assert written == [
        "content/reports/acwf/2018-gong-zuo-bao-gao.md",
        "content/reports/tianjin/2024-gong-zuo-bao-gao.md",
        "content/reports/tongcheng/2018-gong-zuo-bao-gao.md",
    ]
    assert sorted(p.name for p in (registry_site / "import-review").rglob("*.yaml")) == [
        "2018-gong-zuo-bao-gao.yaml",
        "2024-gong-zuo-bao-gao.yaml",
    ]
    check = cli("check", "--source", registry_site)
    assert check.code == 0, check.err
    assert not [
        ln for ln in error_lines(check) if ": error: " in ln or "wall" in ln or "import" in ln
    ]
    gaps = cli("check", "--source", registry_site, "--translations")
    assert (
        "content/reports/tongcheng/2018-gong-zuo-bao-gao.md:3:8: warning: no English text for "
        "'title' (write it as {zh: …, en: …})"
    ) in error_lines(gaps)
    build = cli("build", "--source", registry_site, "--out", tmp_path / "out")
    assert build.code == 0, build.err
    page = (tmp_path / "out/reports/tongcheng/2018-gong-zuo-bao-gao/index.html").read_text("utf-8")
    assert "11550" in page  # the proposed funds_recovered figure, on the report page


def test_never_overwrites_without_force(registry_site: Path) -> None:
    seed = SEEDS / SEED_NAMES[2]
    assert cli("import", "--source", registry_site, seed).code == 0
    target = registry_site / "content/reports/tongcheng/2018-gong-zuo-bao-gao.md"
    target.write_text("edited by hand", encoding="utf-8")
    again = cli("import", "--source", registry_site, seed)
    assert again.code == 1
    assert error_lines(again) == [
        f"{seed}:1:1: error: content/reports/tongcheng/2018-gong-zuo-bao-gao.md exists already "
        "(pass --force to overwrite it, or --slug to write another file)"
    ]
    assert target.read_text(encoding="utf-8") == "edited by hand"
    assert cli("import", "--source", registry_site, "--force", seed).code == 0
    assert target.read_text(encoding="utf-8").startswith("---\n")


def test_dry_run_writes_nothing_and_prints_the_report(registry_site: Path) -> None:
    run = cli(
        "import",
        "--source",
        registry_site,
        "--dry-run",
        "--slug",
        "rectification",
        SEEDS / SEED_NAMES[2],
    )
    assert run.code == 0, run.err
    assert run.out.startswith("--- content/reports/tongcheng/2018-rectification.md\n---\n")
    assert "would write content/reports/tongcheng/2018-rectification.md" in run.out
    assert not (registry_site / "content/reports").exists()


def test_json_summary(registry_site: Path) -> None:
    run = cli(
        "import",
        "--source",
        registry_site,
        "--format",
        "json",
        "--year",
        "2024",
        SEEDS / SEED_NAMES[1],
    )
    assert run.code == 0, run.err
    (line,) = run.out.strip().split("\n")
    data = json.loads(line)
    assert data["path"] == "content/reports/tianjin/2024-gong-zuo-bao-gao.md"
    assert data["encoding"] == "UTF-8" and data["script"] == "zh-Hant"
    assert data["headings"] == {"2": 6}
    first = data["figures"][0]
    assert first == {
        "value": 1,
        "qualifier": None,
        "unit": "篇",
        "key": first["key"],
        "known": False,
        "line": first["line"],
        "text": "加強對基層婦聯意識形態工作的指導,開展基層思想政治工作優秀案例征集活動,1篇入選市委宣傳部“2024年天津市基層思想政治工作優秀案例”。",
    }
    funds = next(f for f in data["figures"] if f["key"] == "funds_raised")
    assert (funds["value"], funds["unit"], funds["qualifier"]) == (3039200, "元", None)
    text = (registry_site / data["path"]).read_text(encoding="utf-8").split("\n")
    assert "303.92萬元" in text[funds["line"] - 1]


def test_unknown_org_is_a_usage_error_with_a_suggestion(registry_site: Path) -> None:
    run = cli("import", "--source", registry_site, "--org", "tongchen", SEEDS / SEED_NAMES[2])
    assert run.code == 2
    assert "unknown organization 'tongchen' (did you mean 'tongcheng'?" in run.err


def test_a_text_naming_no_known_organization(registry_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "安庆市妇联2024年工作总结\n全年开展宣讲300余场，覆盖2万人次。\n", encoding="utf-8"
    )
    (registry_site / "content/orgs/anqing.yaml").unlink()
    run = cli("import", "--source", registry_site, path)
    assert run.code == 1
    (line,) = error_lines(run)
    assert line.startswith(
        f"{path}:1:1: error: cannot tell which organization the report is from ("
    )
    assert "--org" in line


def test_help_shows_import() -> None:
    assert "import" in cli("--help").out
    help_text = cli("import", "--help").out
    for option in ("--org", "--year", "--slug", "--dry-run", "--force", "--source", "--format"):
        assert option in help_text


def test_imported_word_file_builds_with_its_image(registry_site: Path, tmp_path: Path) -> None:
    from tests.importer.fixtures import make_docx

    run = cli("import", "--source", registry_site, make_docx(tmp_path / "report.docx"))
    assert run.code == 0, run.err
    assert "1 image(s) saved under assets/reports/tongcheng/2024-gong-zuo-zong-jie/" in run.out
    build = cli("build", "--source", registry_site, "--out", tmp_path / "out")
    assert build.code == 0, build.err
    assert (tmp_path / "out/assets/reports/tongcheng/2024-gong-zuo-zong-jie/image-1.png").is_file()


def test_a_file_no_reader_can_parse_is_an_error_not_a_traceback(
    registry_site: Path, tmp_path: Path
) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    run = cli("import", "--source", registry_site, "--org", "tongcheng", path)
    assert run.code == 1
    (line,) = error_lines(run)
    assert line.startswith(f"{path}:1:1: error: ")


def test_outside_a_site_project_is_a_usage_error(tmp_path: Path) -> None:
    run = cli("import", "--source", tmp_path, SEEDS / SEED_NAMES[0])
    assert run.code == 2
    assert f"no site.yaml in {tmp_path}" in run.err


def test_an_existing_review_file_is_not_overwritten_either(registry_site: Path) -> None:
    seed = SEEDS / SEED_NAMES[1]
    review = registry_site / "import-review/tianjin/2024-gong-zuo-bao-gao.yaml"
    review.parent.mkdir(parents=True)
    review.write_text("# my notes\n", encoding="utf-8")
    run = cli("import", "--source", registry_site, seed)
    assert run.code == 1
    assert "import-review/tianjin/2024-gong-zuo-bao-gao.yaml exists already" in run.err
    assert review.read_text(encoding="utf-8") == "# my notes\n"
    assert not (registry_site / "content/reports/tianjin").exists()


def test_the_registry_is_the_validated_site(tmp_path: Path) -> None:
    """The importer reads organizations, metrics and tags through ``pipeline.validate``, as
    ``check`` does (issue 14): what validation refuses is not proposed, names are as the model
    has them (former names too), tags keep the order of tags.yaml."""
    from site_builder.importer.run import load_registry
    from tests.conftest import MINIMAL_SITE, write_site

    files = dict(MINIMAL_SITE)
    files["content/orgs/town.yaml"] = "name: 测试镇妇联\nlevel: no\n"  # a boolean: refused
    files["content/orgs/city.yaml"] = (
        "name: {zh: 测试市妇联, en: Test City}\nshort_name: 测市妇联\nlevel: municipal\n"
        "parent: nat\nformer_names:\n  - {name: 测试县妇联, until: 2020}\n"
    )
    files["content/metrics.yaml"] = (
        "study_sessions:\n  label: {zh: 集体学习会, en: Study sessions}\n  unit: 次\n"
        "Bad Key:\n  label: 坏\n  unit: 个\n"
    )
    files["content/tags.yaml"] = "巡察整改: {en: Inspection}\n党的建设: {en: Party building}\n"
    registry = load_registry(write_site(tmp_path / "site", files))
    assert {o.key: o.names for o in registry.orgs} == {
        "city": ("测试市妇联", "测市妇联", "测试县妇联"),
        "nat": ("全国测试联合会", "全国测联"),
    }
    assert [(m.key, m.label, m.unit) for m in registry.metrics] == [
        ("study_sessions", "集体学习会", "次")
    ]
    assert registry.tags == ("巡察整改", "党的建设")
