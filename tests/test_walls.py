"""``check`` warns about pasted walls of text, at their lines, pointing to ``import``."""

from __future__ import annotations

from tests.conftest import MakeSite
from tests.util import cli, error_lines

FRONT = "---\ntitle: 测试市妇联2024年工作总结\ndate: 2024-12-31\n---\n"
SENTENCE = "全年开展宣讲活动，覆盖广大妇女群众，推动各项工作落地见效。"  # 29 characters


def test_pasted_text_is_warned_about_in_check_only(make_site: MakeSite) -> None:
    body = "一、加强政治建设\n" + SENTENCE * 60 + "\n\n" + SENTENCE * 60 + "\n"
    site = make_site({"content/reports/city/2024-summary.md": FRONT + body})
    run = cli("check", "--source", site)
    assert run.code == 0, run.err
    rel = "content/reports/city/2024-summary.md"
    hint = "site-builder import turns pasted text into headings and paragraphs"
    assert error_lines(run) == [
        f"{rel}:5:1: warning: '一、加强政治建设' reads as an outline heading but is a plain paragraph "
        f"(make it a heading ('## 一、加强政治建设…'); {hint})",
        f"{rel}:5:1: warning: a body of 3489 characters has no heading (add headings for its parts; "
        f"{hint})",
        f"{rel}:5:1: warning: a paragraph of 1749 characters: is this pasted text? (split it into "
        f"paragraphs and headings; {hint})",
        f"{rel}:8:1: warning: a paragraph of 1740 characters: is this pasted text? (split it into "
        f"paragraphs and headings; {hint})",
    ]
    assert cli("check", "--source", site, "--strict").code == 1
    build = cli("build", "--source", site, "--out", site / "out")
    assert build.code == 0 and "wall" not in build.err and "import" not in build.err


def test_a_structured_report_gets_no_such_warning(make_site: MakeSite) -> None:
    body = "## 一、加强政治建设\n\n" + (SENTENCE * 20 + "\n\n") * 6 + "- 1、列表中的条目\n"
    site = make_site({"content/reports/city/2024-summary.md": FRONT + body})
    run = cli("check", "--source", site)
    assert run.code == 0 and error_lines(run) == [], run.err
