"""`check --translations`: missing English fields and bodies, per organization and report."""

from __future__ import annotations

from tests.conftest import REPO, MakeSite
from tests.util import cli, error_lines


def test_translation_gaps_are_listed(make_site: MakeSite) -> None:
    site = make_site()
    run = cli("check", "--source", site, "--translations")
    assert run.code == 0
    assert error_lines(run) == [
        "content/orgs/city.yaml:4:14: warning: no English text for 'description'"
        " (write it as {zh: …, en: …})",
        "content/reports/city/2024-summary.md:1:1: warning: no English translation of the body"
        " (add 2024-summary.en.md beside it)",
        "content/reports/city/2024-summary.md:4:10: warning: no English text for 'summary'"
        " (write it as {zh: …, en: …})",
        "content/reports/nat/2023-review.md:1:1: warning: no English translation of the body"
        " (add 2023-review.en.md beside it)",
        "content/reports/nat/2023-review.md:2:8: warning: no English text for 'title'"
        " (write it as {zh: …, en: …})",
    ]
    assert "  report city/2024-summary: body, summary\n" in run.out
    assert "5 gap(s) in 3 item(s); 0 of 2 report bodies translated." in run.out


def test_translation_gaps_fail_with_strict(make_site: MakeSite) -> None:
    site = make_site()
    assert cli("check", "--source", site, "--translations", "--strict").code == 1
    # without --translations, gaps are not warnings: an untranslated site is valid
    assert cli("check", "--source", site, "--strict").code == 0


def test_a_translation_closes_the_gaps(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/reports/city/2024-summary.en.md": "---\ntitle: Summary\nsummary: All year."
            "\n---\n\n## Work\n",
        }
    )
    run = cli("check", "--source", site, "--translations")
    assert not [line for line in error_lines(run) if "city/2024-summary" in line]
    assert "1 of 2 report bodies translated" in run.out


def test_example_site_translation_report() -> None:
    run = cli("check", "--source", REPO, "--translations")
    assert run.code == 0
    assert "report tongcheng/2018-inspection-rectification-report" not in run.out
    assert "report acwf/2018-full-and-strict-party-governance" not in run.out
    assert "report tianjin/2024-party-building-work-summary: body" in run.out
