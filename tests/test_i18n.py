"""UI catalogs: all keys in all three languages, placeholders consistent, scripts right."""

from __future__ import annotations

import re

import pytest

from site_builder.i18n import LANGUAGES, Translator, catalog


def test_all_catalogs_have_the_same_keys() -> None:
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    reference = keys["en"]
    for lang, k in keys.items():
        assert k == reference, f"{lang}: missing {reference - k}, extra {k - reference}"


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_placeholders_match_english(lang: str) -> None:
    en = catalog("en")
    for key, text in catalog(lang).items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", en[key])), key


def test_traditional_catalog_is_traditional() -> None:
    import opencc

    t2s = opencc.OpenCC("t2s")
    text = "".join(catalog("zh-Hant").values())
    assert t2s.convert(text) != text  # it is not just a copy of the Simplified one
    s2t = opencc.OpenCC("s2tw")
    assert s2t.convert(text) == text, "zh-Hant catalog has Simplified characters"


def test_translator_formats() -> None:
    assert Translator("en")("year_title", year=2024) == "Reports of 2024"
    assert Translator("zh-Hans")("year_title", year=2024) == "2024年报告"


def test_traditional_catalog_is_the_simplified_wording_in_taiwan_forms() -> None:
    """One convention on zh-Hant pages (issue 18): reports are converted character by character
    (s2tw, never s2twp: 文件 stays 文件), so the interface uses the same mainland wording in
    Taiwan standard forms (搜索 beside 數據), not Taiwan vocabulary (搜尋, 選單, 檔案)."""
    from site_builder.chinese import Converter

    converter = Converter()
    hans, hant = catalog("zh-Hans"), catalog("zh-Hant")
    differ = {
        k: (hant[k], converter.to_hant(v))
        for k, v in hans.items()
        if converter.to_hant(v) != hant[k]
    }
    assert differ == {}
    text = "".join(hant.values())
    assert "搜索" in text and "數據" in text
    assert not any(word in text for word in ("搜尋", "選單", "檔案", "導覽"))
