"""``site.yaml`` ``theme:``: accent colour, logo, favicon and footer line without templates."""

from __future__ import annotations

import textwrap
from pathlib import Path

from site_builder import theme
from tests.conftest import MINIMAL_SITE, MakeSite
from tests.util import cli, error_lines

BASE = textwrap.dedent(MINIMAL_SITE["site.yaml"])
THEMED = (
    BASE
    + """\
theme:
  color: "#1a4f8b"
  logo: img/logo.svg
  favicon: img/icon.png
  footer: {zh: 某某市妇联办公室编, en: Edited by the office of the federation}
"""
)
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32"/></svg>'


def test_theme_settings_reach_every_page(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(
        {
            "site.yaml": THEMED,
            "assets/img/logo.svg": LOGO,
            "assets/img/icon.png": b"\x89PNG\r\n\x1a\n",
        }
    )
    out = tmp_path / "out"
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    home = (out / "index.html").read_text()
    report = (out / "reports/city/2024-summary/index.html").read_text()
    english = (out / "en/index.html").read_text()
    for page in (home, report):
        assert "<style>:root { --accent: #1a4f8b; --accent-dark: #143d6b; }</style>" in page
        assert "某某市妇联办公室编" in page
    assert '<img class="site-logo" src="assets/img/logo.svg" alt="" height="32">' in home
    assert 'src="../../../assets/img/logo.svg"' in report
    assert '<link rel="icon" href="assets/img/icon.png">' in home
    assert "Edited by the office of the federation" in english


def test_without_theme_the_defaults_stay(make_site: MakeSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--source", make_site(), "--out", out).code == 0
    home = (out / "index.html").read_text()
    assert "--accent:" not in home and "site-logo" not in home
    assert '<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">' in home


def test_theme_errors_are_reported_at_their_line(make_site: MakeSite) -> None:
    bad = BASE + ("theme:\n  color: '#ffdd00'\n  logo: ../logo.svg\n  colour: red\n")
    run = cli("check", "--source", make_site({"site.yaml": bad}))
    assert run.code == 1
    assert error_lines(run) == [
        "site.yaml:4:10: error: colour #ffdd00 is too light for white text (contrast 1.3:1)"
        " (choose a darker colour: at least 4.5:1 against white)",
        "site.yaml:5:9: error: 'logo' must be an image file in assets/, e.g. logo.svg (a path"
        " relative to assets/ ending in .svg, .png, .jpg, .gif, .webp or .ico)",
        "site.yaml:6:3: error: unknown key 'colour' in 'theme' (did you mean 'color'?)",
    ]


def test_a_missing_logo_is_an_error_at_site_yaml(make_site: MakeSite, tmp_path: Path) -> None:
    """Once, at the setting: not a broken link on every page, named by its output file."""
    yaml = BASE + "theme:\n  logo: logo.svg\n  favicon: favicon.svg\n"
    run = cli("build", "--source", make_site({"site.yaml": yaml}), "--out", tmp_path / "o")
    assert run.code == 1
    assert [line for line in error_lines(run) if "theme" in line or "logo" in line] == [
        f"site.yaml:{BASE.count(chr(10)) + 2}:9: error: 'logo' names assets/logo.svg, which does"
        " not exist (did you mean 'favicon.svg'?; put the image in the site's assets/ folder)"
    ]


def test_contrast_and_darker() -> None:
    assert round(theme.contrast("#000000", "#ffffff"), 1) == 21.0
    assert theme.expand_hex("#ABC") == "#aabbcc"
    assert theme.darker("#9f1d20") == "#7a1619"
