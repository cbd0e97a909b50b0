"""Languages and UI string catalogs.

A page language is one of ``zh-Hans``, ``zh-Hant`` and ``en``. Content fields are ``zh`` or
``en`` (``LocalText``); both Chinese trees read the ``zh`` text, and the page's HTML is converted
to its script as a whole after rendering (see ``render.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

CATALOG_DIR = Path(__file__).parent / "catalogs"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # BCP 47, as in <html lang>
    text: str  # which LocalText field it reads: "zh" or "en"
    label: str  # the switcher's label, written in that language
    og_locale: str


LANGUAGES: dict[str, Language] = {
    "zh-Hans": Language("zh-Hans", "zh", "简体", "zh_CN"),
    "zh-Hant": Language("zh-Hant", "zh", "繁體", "zh_TW"),
    "en": Language("en", "en", "English", "en"),
}


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """The UI strings of a language, read once per process."""
    with (CATALOG_DIR / f"{lang}.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return {str(k): str(v) for k, v in data.items()}


@dataclass(frozen=True, slots=True)
class Translator:
    """``t("year_title", year=2024)`` in templates."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        text = catalog(self.lang)[key]  # a missing key is a bug: KeyError, caught by tests
        return text.format(**values) if values else text
