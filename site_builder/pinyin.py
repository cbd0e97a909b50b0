"""Pinyin of Chinese text for slugs, read word by word (heteronyms in context).

pypinyin segments text by its phrase dictionary and reads each word as a whole (银行 yin-hang,
重庆 chong-qing, 会计 kuai-ji); its dictionary is Simplified, so text is first converted to
Simplified (銀行 would otherwise read yin-xing). ``defaults/pinyin.yaml`` adds the words of these
reports that pypinyin lacks (长效 chang-xiao, where it reads zhang-xiao).
"""

from __future__ import annotations

import re
import threading
from functools import cache
from importlib import resources

import yaml

from site_builder.chinese import default_converter

__all__ = ["pinyin_words", "project_phrases"]

_LOCK = threading.Lock()
_LOADED = False


@cache
def project_phrases() -> dict[str, tuple[str, ...]]:
    """``defaults/pinyin.yaml``: word -> its syllables with tone marks."""
    text = resources.files("site_builder").joinpath("defaults/pinyin.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    out: dict[str, tuple[str, ...]] = {}
    for word, reading in data.items():
        syllables = tuple(str(reading).split())
        if len(syllables) != len(str(word)):
            raise ValueError(f"defaults/pinyin.yaml: {word}: one syllable per character")
        out[str(word)] = syllables
    return out


def _load() -> None:
    """Add the project's words to pypinyin's phrase dictionary (once per process)."""
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if not _LOADED:
            from pypinyin import load_phrases_dict

            phrases = {w: [[s] for s in syl] for w, syl in project_phrases().items()}
            load_phrases_dict(phrases)
            _LOADED = True


def pinyin_words(text: str) -> list[str]:
    """Lower-case ASCII words of `text`: pinyin syllables without tones for Chinese (ü as v,
    as pypinyin writes it), Latin letters and digits as they are."""
    from pypinyin import lazy_pinyin

    _load()
    words: list[str] = []
    for part in lazy_pinyin(default_converter().to_hans(text)):
        words += re.findall(r"[a-z0-9]+", part.lower())
    return words
