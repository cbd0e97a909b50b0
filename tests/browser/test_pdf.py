"""``build --pdf``: a PDF of every report in every language and a yearly compendium per
organization, printed by Debian's Chromium. The PDFs' text is read back (pypdf): title and
headings in the tree's script, the CJK font of that script embedded, bookmarks from headings,
document information; a second build with an empty cache gives the same bytes; a rebuild after
editing one report prints only that report's PDFs and its compendium.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MakeSite
from tests.util import cli, tree_digest

pypdf = pytest.importorskip("pypdf")

CITY_PDF = "reports/city/2024-summary/2024-summary.pdf"
NAT_PDF = "reports/nat/2023-review/2023-review.pdf"
CITY_BOOK = "orgs/city/city-2024.pdf"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    if not os.access("/usr/bin/chromium", os.X_OK):
        pytest.skip("needs /usr/bin/chromium (scripts/setup.sh installs it)")
    if not shutil.which("pdffonts"):
        pytest.skip("needs pdffonts (poppler-utils; scripts/setup.sh installs it)")
    root = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    yield root


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    text = "".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFKC", text)  # the text layer uses Kangxi radical forms


def fonts_of(path: Path) -> dict[str, bool]:
    """Each font's name (subset tag removed) -> whether its glyphs are in the file (a font
    program, or a Type3 font's glyph procedures)."""
    reader = pypdf.PdfReader(path)
    fonts: dict[str, bool] = {}

    def walk(resources: object) -> None:
        res = resources.get_object() if resources is not None else None  # type: ignore[attr-defined]
        if not res:
            return
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
            d = descriptor.get_object() if descriptor is not None else {}
            name = str(d.get("/FontName") or font.get("/BaseFont")).split("+")[-1]
            files = any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[name] = files or "/CharProcs" in font
        for xobject in (res.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return fonts


def pdffonts(path: Path) -> list[tuple[str, str, str]]:
    """poppler's list of a PDF's fonts: (name, type, embedded) for each."""
    run = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = []
    for line in run.stdout.splitlines()[2:]:
        m = re.match(
            r"(\S+)\s+(Type 3|CID TrueType|TrueType|Type 1C|CID Type 0C|\S+)\s+\S+\s+(yes|no)", line
        )
        assert m, line
        rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def outline_titles(path: Path) -> list[str]:
    reader = pypdf.PdfReader(path)
    out: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(unicodedata.normalize("NFKC", item.title))  # type: ignore[attr-defined]

    walk(reader.outline)
    return out


def test_pdfs_of_reports_and_compendiums(make_site: MakeSite, tmp_path: Path, cache: Path) -> None:
    site = make_site()
    out = tmp_path / "out"
    run = cli("build", "--pdf", "--source", site, "--out", out)
    assert run.code == 0, run.err
    assert "PDF(s) printed" in run.err

    # every report in every language, and a compendium per organization and year
    for tree in ("", "zh-hant/", "en/"):
        for rel in (CITY_PDF, NAT_PDF, CITY_BOOK, "orgs/nat/nat-2023.pdf"):
            assert (out / tree / rel).read_bytes().startswith(b"%PDF-"), tree + rel

    # linked from the pages
    report = (out / "reports/city/2024-summary/index.html").read_text()
    assert 'href="2024-summary.pdf" type="application/pdf" download' in report
    assert ">下载PDF</a>" in report
    assert 'href="city-2024.pdf"' in (out / "orgs/city/index.html").read_text()
    assert ">PDF</a>" in (out / "en/reports/city/2024-summary/index.html").read_text()

    # text in the tree's script: title and headings
    hans, hant = text_of(out / CITY_PDF), text_of(out / "zh-hant" / CITY_PDF)
    assert "测试市妇联2024年工作总结" in hans and "一、主要工作" in hans
    assert "測試市婦聯2024年工作總結" in hant and "测试市妇联" not in hant
    nat_hans = text_of(out / NAT_PDF)
    assert "全国测试联合会2023年综述" in nat_hans and "一、总体情况" in nat_hans
    assert "Test City 2024 summary" in text_of(out / "en" / CITY_PDF)

    # fonts: Noto CJK SC for zh-Hans, TC for zh-Hant, every font's glyphs in the file
    sc, tc = fonts_of(out / CITY_PDF), fonts_of(out / "zh-hant" / CITY_PDF)
    assert any(name.startswith("NotoSansCJKsc") for name in sc), sc
    assert any(name.startswith("NotoSansCJKtc") for name in tc), tc
    assert not any(name.startswith("NotoSansCJKsc") for name in tc), tc
    assert all(sc.values()) and all(tc.values()), (sc, tc)
    # ... as TrueType subsets (print_fonts.py), not Type3 glyph drawings, in every PDF
    for tree, face in (("", "sc"), ("zh-hant/", "tc"), ("en/", "sc")):
        for rel in (CITY_PDF, CITY_BOOK):
            listed = pdffonts(out / tree / rel)
            assert listed, tree + rel
            assert all(kind == "CID TrueType" and emb == "yes" for _n, kind, emb in listed), listed
            if tree != "en/":
                names = {name.split("+")[-1] for name, _k, _e in listed}
                assert {f"NotoSansCJK{face}-Regular", f"NotoSansCJK{face}-Bold"} <= names, listed

    # bookmarks from headings; document information
    assert "一、主要工作" in outline_titles(out / CITY_PDF)
    reader = pypdf.PdfReader(out / "zh-hant" / CITY_PDF)
    assert reader.metadata["/Title"] == "測試市婦聯2024年工作總結"
    assert reader.metadata["/Author"] == "測試市婦聯"
    assert reader.metadata["/CreationDate"] == "D:20241231000000Z"
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hant"

    # the compendium: cover, contents, its reports
    book = text_of(out / CITY_BOOK)
    assert "测试市妇联2024年度汇编" in book and "目录" in book and "一、主要工作" in book

    # same input, same bytes: a second build with an empty cache prints everything again
    out2 = tmp_path / "out2"
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "cache2")
    run = cli("build", "--pdf", "--source", site, "--out", out2)
    assert run.code == 0, run.err
    assert tree_digest(out2) == tree_digest(out)

    # an edit to one report's body prints that report (3 languages) and its compendium again
    os.environ["XDG_CACHE_HOME"] = str(cache)
    body = (site / "content/reports/city/2024-summary.md").read_text()
    (site / "content/reports/city/2024-summary.md").write_text(body + "\n新增一段。\n")
    from site_builder.pipeline import BuildOptions
    from site_builder.pipeline import run as run_build

    result = run_build(BuildOptions(source=site, out=out, pdf=True))
    assert not result.errors
    expected = {t + p for t in ("", "zh-hant/", "en/") for p in (CITY_PDF, CITY_BOOK)}
    assert set(result.pdf_printed) == expected
    assert "新增一段" in text_of(out / CITY_PDF)


def test_without_pdf_no_pdf_and_no_link(make_site: MakeSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", "--source", make_site(), "--out", out).code == 0
    assert not list(out.rglob("*.pdf"))
    assert "PDF" not in (out / "reports/city/2024-summary/index.html").read_text()
