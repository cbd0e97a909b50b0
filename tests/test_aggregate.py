"""Figures derived from the reports: each organization's change on the previous year (number,
percent, "about" when a qualifier is involved, gaps between years) and the roll-ups of additive
metrics over descendants, checked on fixture data, and how the organization page shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.derive.aggregate import Cell, Derived, KeyFigure, RollUp, derive, key_figures
from site_builder.model import Qualifier, Site
from site_builder.pipeline import BuildOptions, run
from site_builder.urls import Urls
from site_builder.views import PageContext, key_figure_card, rollup_rows
from tests.conftest import write_site

MORE, ABOUT = Qualifier.MORE_THAN, Qualifier.ABOUT


def cells(**by_year: int | float | tuple[int | float, Qualifier]) -> dict[int, Cell]:
    out = {}
    for year, v in by_year.items():
        value, qualifier = v if isinstance(v, tuple) else (v, None)
        out[int(year.removeprefix("y"))] = Cell(value, qualifier, f"r{year}")
    return out


# --- change on the previous year -----------------------------------------------------------------


def test_change_on_the_previous_year() -> None:
    (kf,) = key_figures({"talks": cells(y2023=575, y2024=660)}, ["talks"])
    assert (kf.year, kf.previous_year, kf.delta, kf.percent, kf.approximate) == (
        2024,
        2023,
        85,
        14.8,
        False,
    )
    assert kf.cell.value == 660


def test_a_decrease_and_rounding_of_the_percent() -> None:
    (kf,) = key_figures({"m": cells(y2023=3, y2024=1)}, ["m"])
    assert (kf.delta, kf.percent) == (-2, -66.7)


def test_missing_years_compare_with_the_last_year_that_has_a_value() -> None:
    (kf,) = key_figures({"m": cells(y2019=200, y2024=250)}, ["m"])
    assert (kf.year, kf.previous_year, kf.delta, kf.percent) == (2024, 2019, 50, 25.0)


def test_a_single_year_has_no_change() -> None:
    (kf,) = key_figures({"m": cells(y2024=7)}, ["m"])
    assert (kf.previous_year, kf.delta, kf.percent, kf.approximate) == (None, None, None, False)


def test_a_qualifier_on_either_side_makes_the_change_approximate() -> None:
    latest, previous, neither = key_figures(
        {
            "a": cells(y2023=2800, y2024=(3000, MORE)),
            "b": cells(y2023=(11000, ABOUT), y2024=11300),
            "c": cells(y2023=10, y2024=12),
        },
        ["a", "b", "c"],
    )
    assert (latest.delta, latest.approximate) == (200, True)
    assert (previous.delta, previous.approximate) == (300, True)
    assert neither.approximate is False
    (single,) = key_figures({"d": cells(y2024=(3000, MORE))}, ["d"])
    assert single.approximate is True  # the figure itself is "3000余"


def test_no_percent_on_a_previous_zero() -> None:
    (kf,) = key_figures({"m": cells(y2023=0, y2024=4)}, ["m"])
    assert (kf.delta, kf.percent) == (4, None)


def test_decimal_values_do_not_pick_up_float_noise() -> None:
    (kf,) = key_figures({"m": cells(y2023=0.1, y2024=0.3)}, ["m"])
    assert kf.delta == 0.2
    (kf,) = key_figures({"m": cells(y2023=1.5, y2024=2.5)}, ["m"])
    assert kf.delta == 1 and isinstance(kf.delta, int)


def test_key_figures_follow_the_registry_order() -> None:
    table = {"b": cells(y2024=1), "a": cells(y2024=2)}
    assert [k.metric for k in key_figures(table, ["a", "b", "c"])] == ["a", "b"]


# --- roll-ups over descendants -------------------------------------------------------------------

SITE: dict[str, str] = {
    "site.yaml": "title: {zh: 汇总测试, en: Roll-up test}\n",
    "content/metrics.yaml": """\
        talks:
          label: {zh: 宣讲场次, en: Outreach talks}
          unit: {zh: 场, en: sessions}
        funds:
          label: {zh: 募集款物, en: Funds raised}
          unit: {zh: 元, en: CNY}
          format: currency
        members:
          label: {zh: 党员, en: Party members}
          unit: {zh: 人, en: members}
          additive: false
        """,
    "content/tags.yaml": "{}\n",
    "content/orgs/nat.yaml": "name: {zh: 全国会, en: National}\nlevel: national\n",
    "content/orgs/prov.yaml": "name: {zh: 省会, en: Province}\nlevel: provincial\nparent: nat\n",
    "content/orgs/a.yaml": "name: {zh: 甲市, en: City A}\nlevel: municipal\nparent: prov\n",
    "content/orgs/b.yaml": "name: {zh: 乙市, en: City B}\nlevel: municipal\nparent: prov\n",
    "content/orgs/c.yaml": "name: {zh: 丙县, en: County C}\nlevel: county\nparent: b\n",
    "content/orgs/empty.yaml": "name: {zh: 空会, en: Empty}\nlevel: provincial\nparent: nat\n",
}


def report(org: str, year: int, metrics: str) -> dict[str, str]:
    return {
        f"content/reports/{org}/{year}-summary.md": (
            f"---\ntitle: {org}{year}年总结\ndate: {year}-12-31\nmetrics:\n{metrics}---\n正文。\n"
        )
    }


def metric(key: str, value: int | float, qualifier: str = "") -> str:
    q = f"    qualifier: {qualifier}\n" if qualifier else ""
    return f"  - key: {key}\n    value: {value}\n{q}"


SITE |= report("prov", 2024, metric("talks", 660) + metric("members", 40))
SITE |= report("prov", 2023, metric("talks", 575) + metric("funds", 1386000))
SITE |= report("a", 2024, metric("talks", 1560) + metric("funds", 655000) + metric("members", 9))
SITE |= report("a", 2023, metric("talks", 1410) + metric("funds", 608300))
SITE |= report("b", 2024, metric("talks", 3000, "more_than"))
SITE |= report("b", 2022, metric("talks", 700) + metric("funds", 318000))
SITE |= report("c", 2024, metric("talks", 12) + metric("members", 3))
SITE |= report("c", 2021, metric("funds", 1000))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Derived]:
    root = write_site(tmp_path_factory.mktemp("aggregate") / "site", dict(SITE))
    result = run(BuildOptions(root, root / "output", write=False))
    assert result.ok, [d.format() for d in result.errors]
    assert result.site is not None
    return result.site, derive(result.site)


def rollups(derived: Derived, key: str) -> dict[str, RollUp]:
    return {r.metric: r for r in derived.orgs[key].rollups}


def test_rollups_sum_descendants_at_every_depth_without_the_org_itself(
    built: tuple[Site, Derived],
) -> None:
    _, derived = built
    prov = rollups(derived, "prov")
    # 2024: a 1560 + b 3000余 + c 12 (c is a grandchild); prov's own 660 is not in the sum
    assert prov["talks"] == RollUp("talks", 2024, 4572, 3, Qualifier.MORE_THAN)
    nat = rollups(derived, "nat")
    # nat's descendants include prov itself
    assert nat["talks"] == RollUp("talks", 2024, 660 + 1560 + 3000 + 12, 4, Qualifier.MORE_THAN)


def test_rollups_take_each_metrics_latest_year_and_count_who_reported(
    built: tuple[Site, Derived],
) -> None:
    _, derived = built
    prov = rollups(derived, "prov")
    # funds: a reported 2024 and 2023, b 2022, c 2021 -> the latest year is 2024, a alone
    assert prov["funds"] == RollUp("funds", 2024, 655000, 1, None)
    assert rollups(derived, "b")["funds"] == RollUp("funds", 2021, 1000, 1, None)


def test_non_additive_metrics_never_roll_up(built: tuple[Site, Derived]) -> None:
    _, derived = built
    for key in ("nat", "prov", "b"):
        assert "members" not in rollups(derived, key)


def test_organizations_without_descendants_or_figures_have_no_rollups(
    built: tuple[Site, Derived],
) -> None:
    _, derived = built
    assert derived.orgs["a"].rollups == ()
    assert derived.orgs["empty"].rollups == ()
    assert derived.orgs["empty"].key_figures == ()


def test_each_org_table_keeps_its_own_values_and_gaps(built: tuple[Site, Derived]) -> None:
    _, derived = built
    b = derived.orgs["b"]
    assert {m: sorted(v) for m, v in b.table.items()} == {"talks": [2022, 2024], "funds": [2022]}
    (talks, funds) = b.key_figures
    assert talks == KeyFigure(
        "talks", 2024, Cell(3000, MORE, "b/2024-summary"), 2022, 2300, 328.6, True
    )
    assert (funds.year, funds.previous_year, funds.delta) == (2022, None, None)


# --- as the organization page shows them -------------------------------------------------------


def context(built: tuple[Site, Derived], lang: str) -> PageContext:
    site, derived = built
    urls = Urls(site.config.languages, site.config.default_language)
    return PageContext(site, derived, urls, lang, urls.org(lang, "prov"))


@pytest.mark.parametrize(
    ("lang", "talks", "funds"),
    [
        ("zh-Hans", "660场 · 2024 · 较2023年+85(+14.8%)", "138.6万元 · 2023"),
        ("en", "660 sessions · 2024 · +85 (+14.8%) on 2023", "CNY 1.39 million · 2023"),
    ],
)
def test_key_figure_cards(built: tuple[Site, Derived], lang: str, talks: str, funds: str) -> None:
    ctx = context(built, lang)
    cards = {kf.metric: key_figure_card(ctx, kf) for kf in built[1].orgs["prov"].key_figures}
    assert f"{cards['talks'].value} · {cards['talks'].note}" == talks
    assert f"{cards['funds'].value} · {cards['funds'].note}" == funds


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-Hans", "2024 · 较2022年约+2300(+328.6%)"),
        ("en", "2024 · about +2,300 (+328.6%) on 2022"),
    ],
)
def test_a_change_from_a_qualified_figure_is_about(
    built: tuple[Site, Derived], lang: str, expected: str
) -> None:
    card = key_figure_card(context(built, lang), built[1].orgs["b"].key_figures[0])
    assert card.value == {"zh-Hans": "3000余场", "en": "3,000+ sessions"}[lang]
    assert card.note == expected


def test_currency_changes_are_amounts(built: tuple[Site, Derived]) -> None:
    ctx = context(built, "zh-Hans")
    card = key_figure_card(ctx, built[1].orgs["a"].key_figures[1])  # funds 608300 -> 655000
    assert card.note == "2024 · 较2023年+4.67万元(+7.7%)"
    ctx = context(built, "en")
    card = key_figure_card(ctx, built[1].orgs["a"].key_figures[1])
    assert card.note == "2024 · +CNY 46,700 (+7.7%) on 2023"


def test_rollup_rows_show_own_figure_and_sum_separately(built: tuple[Site, Derived]) -> None:
    _, derived = built
    rows = rollup_rows(context(built, "en"), derived.orgs["prov"])
    assert [(str(r.label), r.own, r.total, r.note) for r in rows] == [
        (
            "Outreach talks",
            "660 sessions",
            "4,572+ sessions",
            "2024, 3 organizations reporting",
        ),
        ("Funds raised", "–", "CNY 655,000", "2024, 1 organization reporting"),
    ]
    rows = rollup_rows(context(built, "zh-Hans"), derived.orgs["prov"])
    assert [(r.own, r.total) for r in rows] == [("660场", "4572余场"), ("–", "65.5万元")]


def test_the_org_page_shows_rollups_separately(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", dict(SITE))
    result = run(BuildOptions(root, tmp_path / "out"))
    assert result.ok
    html = (tmp_path / "out/en/orgs/prov/index.html").read_text(encoding="utf-8")
    section = html.split('<section aria-labelledby="rollups">')[1].split("</section>")[0]
    assert '<th scope="col">Province (own figure)</th>' in section
    assert '<th scope="col">Sum over member organizations</th>' in section
    assert "<td>660 sessions</td><td>4,572+ sessions</td>" in section


def test_rollup_qualifiers_and_sample_organizations(tmp_path: Path) -> None:
    """A sum with an "about" figure is "about"; with only "more than" figures, "more than";
    made-up sample organizations never add to a real organization's figures."""
    files = dict(SITE)
    files |= report("c", 2024, metric("talks", 12, "about"))
    files["content/orgs/s.yaml"] = (
        "name: {zh: 示例县, en: Sample county}\nlevel: county\nparent: a\nsample: true\n"
    )
    files |= report("s", 2024, metric("talks", 5000))
    root = write_site(tmp_path / "site", files)
    result = run(BuildOptions(root, root / "output", write=False))
    assert result.site is not None
    derived = derive(result.site)
    assert rollups(derived, "prov")["talks"] == RollUp(
        "talks", 2024, 1560 + 3000 + 12, 3, Qualifier.ABOUT
    )
    assert rollups(derived, "b")["talks"] == RollUp("talks", 2024, 12, 1, Qualifier.ABOUT)
    assert "talks" not in rollups(derived, "a")  # only the sample county reported
