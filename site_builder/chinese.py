"""Chinese script detection and Simplified <-> Traditional conversion.

Every Chinese page is shown in Simplified (``zh-Hans``) and in Traditional with Taiwan standard
character forms (``zh-Hant``), whatever script the source used. Conversion uses OpenCC's
``s2tw`` and ``tw2s`` configurations, which change characters but never vocabulary
(``s2twp``/``tw2sp`` would rewrite 文件 as 檔案 and 程序 as 程式, which these reports must not).

OpenCC segments text by longest dictionary match, and its dictionaries hold only words whose
conversion differs from the character default. Ordinary words are therefore invisible to it and a
dictionary word spanning two real words wins: 妇联|系统 becomes 婦聯繫統, 伟大|历程 becomes
偉大曆程, 不断|发挥 becomes 不斷髮揮. A :class:`Converter` fixes this with *phrase overrides*
(``defaults/phrases.yaml`` plus a site's own): occurrences are found (in the Simplified projection
of the text, so a Traditional source matches whatever variants it used), replaced by Private Use
Area placeholders that OpenCC passes through untouched, and the override's form is written back in
their place. The placeholders also shield the neighbouring characters from cross-word matches.

Every conversion in use keeps the length of the text (one character in, one out), so the module
works position by position; this lets a Traditional source keep the characters its author chose
where they are standard (歷 stays 歷 even where OpenCC would pick 曆) while non-standard ones are
corrected (中層干部 becomes 中層幹部), and lets :func:`nonconforming_chars` report exact positions.

Long: script detection, the phrase overrides, the converter and its HTML scan all work on
the character tables and the phrase index built here; they could be split along those four
parts, sharing the tables through one small module.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import threading
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import compress
from operator import ne
from typing import Any, Protocol

import opencc
import yaml

__all__ = [
    "HANS",
    "HANT",
    "MIXED",
    "NONE",
    "Converter",
    "Nonconforming",
    "Phrase",
    "PhraseLike",
    "ScriptInfo",
    "default_converter",
    "default_phrases",
    "detect_script",
    "nonconforming_chars",
    "parse_phrases",
    "protect",
]

HANS = "zh-Hans"
HANT = "zh-Hant"
MIXED = "mixed"
NONE = "none"

# A text is one script when at most this share of its script-specific characters belong to the
# other one; a Traditional report with a few 干/余/并 written the mainland way is still Traditional.
_MINORITY_SHARE = 0.2

# Traditional characters that are not a Taiwan standard form of any Simplified character, i.e. the
# Traditional keys of OpenCC's TSCharacters that no STCharacters/STPhrases value (after the
# TWVariants step) produces. A Traditional source gets these corrected; any other Traditional-only
# character its author wrote is kept even where OpenCC would choose a sibling (歷/曆, 復/複).
# Generated from OpenCC 1.4.2's dictionaries (`opencc_dict -f ocd2 -t text` on the .ocd2 files).
_NONSTANDARD_HANT = frozenset(
    "僞凈卽厠厤啓埰墰墻壜奬嫺嬀峯嵗彫慤挱擡敎旂旣枴査棊欅殻氂泝潙濕爲牀獃琱産畵瘺癡眞碕祕竈竪箚簑糉"
    "絶綉綫緑緼縧繮纔罎羣脣舘蒓蔘蔿藴衆裏覈説謡謭賫贜踰輼遡遶醖鈎鉢銹鋭録鍼鎚鎭鎸閲陞頽顔飱駡鮎鮝"
    "鰐鰛鳬鶿鷄麪麫麯麽齶𡻕"
)

# Characters shared by both scripts that are standard Taiwan forms in their own right, where
# OpenCC (or a phrase) picks a sibling: 岩/巖 (紅岩魂), 周/週 (每周), 台/臺 (台北). A source that
# reads as Traditional keeps them as written; a Simplified one gets OpenCC's choice.
_STANDARD_SHARED_HANT = frozenset("岩周台")
_SHARED_RE = re.compile(f"[{''.join(sorted(_STANDARD_SHARED_HANT))}]")

# Quotation marks of Simplified (and Western) text and the corner brackets of Traditional text.
# A right single quotation mark between Latin letters or digits is an apostrophe (it’s): kept.
_CORNER_QUOTES = {"“": "「", "”": "」", "‘": "『", "’": "』"}
_QUOTE_RE = re.compile("[“”‘]|(?<![A-Za-z0-9])’|’(?![A-Za-z])")
_QUOTE_CHARS = "“”‘’"


def _corner_quote(match: re.Match[str]) -> str:
    return _CORNER_QUOTES[match.group()]


def _keep_choices(counts: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of a batch, by its ``(n_hans, n_hant)`` evidence: whether it keeps
    岩/周/台 as written. A piece that reads as Traditional does (紅岩魂), and so does a piece
    without Simplified evidence in a batch (a page) that reads as Traditional (岩石 alone)."""
    batch_hant = _classify(sum(c[0] for c in counts), sum(c[1] for c in counts)) == HANT
    choices = []
    for n_hans, n_hant in counts:
        script = _classify(n_hans, n_hant)
        choices.append(script == HANT or (script != HANS and batch_hant))
    return choices


def _keep_shared(text: str, converted: str) -> str:
    """`converted` with the 岩/周/台 of `text` put back (the same object if none changed)."""
    if len(converted) != len(text):  # pragma: no cover - aligned conversions keep lengths
        return converted
    positions = [m.start() for m in _SHARED_RE.finditer(text) if converted[m.start()] != m.group()]
    if not positions:
        return converted
    chars = list(converted)
    for i in positions:
        chars[i] = text[i]
    return "".join(chars)


QUOTE_STYLES = ("corner", "curly")

# Filler written over a protected phrase before OpenCC sees the text (Supplementary Private Use
# Area-A; OpenCC has no entry for it, so it is passed through and matches nothing). Phrases are
# written back by position, so the same character in the input does no harm.
_PLACEHOLDER = "\U000f0000"
# Separator between the pieces of a batch conversion (Supplementary Private Use Area-B).
_SEPARATOR = "\U0010fffd"

# Converted pieces are remembered (see ``Converter._convert_segments``) up to this length: page
# chrome, names, labels and short listing entries recur across thousands of pages (on a generated
# site, pieces of up to 50 characters ten times on average); longer ones are body text, seen
# once, and would only take memory. Each cache is emptied when it reaches _CACHE_ENTRIES.
_CACHE_MAX_LEN = 100
_CACHE_ENTRIES = 200_000

# Characters worth converting: CJK radicals, symbols, ideographs and compatibility ideographs.
_CJK_RE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


# --------------------------------------------------------------------------------------------
# OpenCC access: one converter per configuration and process, created on first use.

_OPENCC: dict[str, opencc.OpenCC] = {}
_OPENCC_LOCK = threading.Lock()


def _opencc(config: str) -> opencc.OpenCC:
    converter = _OPENCC.get(config)
    if converter is None:
        with _OPENCC_LOCK:
            converter = _OPENCC.get(config)
            if converter is None:
                # Tofu-risk dictionaries map to Extension B+ characters that intranet fonts lack.
                converter = opencc.OpenCC(config, include_tofu_risk_dictionaries=False)
                _OPENCC[config] = converter
    return converter


def _s2tw(text: str) -> str:
    return str(_opencc("s2tw").convert(text)) if text else text


def _tw2s(text: str) -> str:
    return str(_opencc("tw2s").convert(text)) if text else text


# Character-by-character (context-free) results of t2s and s2tw, filled on demand.
_T2S_CHAR: dict[str, str] = {}
_S2T_CHAR: dict[str, str] = {}


def _fill_char_cache(cache_map: dict[str, str], config: str, chars: Iterable[str]) -> None:
    missing = sorted(c for c in set(chars) if c not in cache_map)
    if not missing:
        return
    # Newlines separate the characters; no OpenCC dictionary entry contains one.
    converted = str(_opencc(config).convert("\n".join(missing))).split("\n")
    if len(converted) != len(missing) or any(len(c) != 1 for c in converted):
        converted = [str(_opencc(config).convert(c)) for c in missing]
    for source, target in zip(missing, converted, strict=True):
        cache_map[source] = target


def _is_hans_form(char: str) -> bool:
    """Whether `char` is a valid Simplified character (t2s leaves it alone, e.g. 干, 着, 著)."""
    return _T2S_CHAR.get(char, char) == char


def _diff_positions(a: str, b: str) -> list[int]:
    """Positions where two equally long strings differ (iterates in C, not in Python)."""
    if a == b:
        return []
    return list(compress(range(len(a)), map(ne, a, b)))


def _chars_at(text: str, positions: list[int]) -> set[str]:
    return set(map(text.__getitem__, positions))


def _count_at(text: str, positions: list[int], chars: set[str]) -> int:
    return sum(map(chars.__contains__, map(text.__getitem__, positions)))


# --------------------------------------------------------------------------------------------
# Script detection.


@dataclass(frozen=True, slots=True)
class ScriptInfo:
    """The script of a text: ``zh-Hans``, ``zh-Hant``, ``mixed`` or ``none``.

    ``hans_only``/``hant_only`` are the sorted distinct characters that, where they stand, are
    forms of only that script (e.g. 干 in 中層干部 is a Simplified form; 乾 in 乾隆 is not
    counted because it is also Simplified there). ``none`` means no such character was found.
    """

    script: str
    hans_only: str
    hant_only: str


@dataclass(frozen=True, slots=True)
class _Evidence:
    n_hans: int  # characters that are Simplified-only forms where they stand
    n_hant: int  # characters that are Traditional-only forms where they stand
    hans_chars: frozenset[str]
    hant_chars: frozenset[str]

    @property
    def script(self) -> str:
        return _classify(self.n_hans, self.n_hant)


def _evidence(text: str, tw2s_text: str | None = None) -> _Evidence:
    s2tw_text = _s2tw(text)
    if tw2s_text is None:
        tw2s_text = _tw2s(text)
    to_hant_pos = _diff_positions(text, s2tw_text)
    to_hans_pos = _diff_positions(text, tw2s_text)
    hans, hant = _script_only_chars(text, to_hant_pos, to_hans_pos)
    return _Evidence(
        n_hans=_count_at(text, to_hant_pos, hans),
        n_hant=_count_at(text, to_hans_pos, hant),
        hans_chars=frozenset(hans),
        hant_chars=frozenset(hant),
    )


def _script_only_chars(
    text: str, to_hant_pos: list[int], to_hans_pos: list[int]
) -> tuple[set[str], set[str]]:
    """The characters at these positions that are evidence of Simplified / of Traditional."""
    to_hant_chars = _chars_at(text, to_hant_pos)
    to_hans_chars = _chars_at(text, to_hans_pos)
    _fill_char_cache(_T2S_CHAR, "t2s", to_hant_chars | to_hans_chars)
    _fill_char_cache(_S2T_CHAR, "s2tw", to_hant_chars)
    # A Simplified form changes under s2tw here, changes on its own too (so 了 in 了解, also a
    # valid Traditional character, is no evidence) and is a valid Simplified character.
    # 岩/周/台 are standard in both scripts: no evidence either way.
    hans = {
        c
        for c in to_hant_chars
        if _S2T_CHAR[c] != c and _is_hans_form(c) and c not in _STANDARD_SHARED_HANT
    }
    hant = {c for c in to_hans_chars if not _is_hans_form(c)}
    return hans, hant


def _evidence_by_segment(
    text: str, tw2s_text: str, starts: Sequence[int]
) -> list[tuple[int, int]] | None:
    """``(n_hans, n_hant)`` of ``_evidence`` for each piece of `text` beginning at `starts`
    (pieces are separated by ``_SEPARATOR``); their sums are the counts of the whole text.
    None if OpenCC changed the length (then positions are meaningless)."""
    s2tw_text = _s2tw(text)
    if len(s2tw_text) != len(text) or len(tw2s_text) != len(text):  # pragma: no cover
        return None
    to_hant_pos = _diff_positions(text, s2tw_text)
    to_hans_pos = _diff_positions(text, tw2s_text)
    hans, hant = _script_only_chars(text, to_hant_pos, to_hans_pos)
    counts = [[0, 0] for _ in starts]
    if hans:
        for i in to_hant_pos:
            if text[i] in hans:
                counts[bisect_right(starts, i) - 1][0] += 1
    if hant:
        for i in to_hans_pos:
            if text[i] in hant:
                counts[bisect_right(starts, i) - 1][1] += 1
    return [(a, b) for a, b in counts]


def _classify(n_hans: int, n_hant: int) -> str:
    total = n_hans + n_hant
    if total == 0:
        return NONE
    if n_hant <= total * _MINORITY_SHARE:
        return HANS
    if n_hans <= total * _MINORITY_SHARE:
        return HANT
    return MIXED


def detect_script(text: str) -> ScriptInfo:
    """Detect the script of `text` by counting characters that change under conversion.

    A text that is mostly one script with a few characters of the other (at most 20% of the
    script-specific characters) is that script; ``mixed`` is for texts with substantial amounts
    of both. The stray characters are listed in ``hans_only``/``hant_only`` and located by
    :func:`nonconforming_chars`.
    """
    evidence = _evidence(text)
    return ScriptInfo(
        script=evidence.script,
        hans_only="".join(sorted(evidence.hans_chars)),
        hant_only="".join(sorted(evidence.hant_chars)),
    )


# --------------------------------------------------------------------------------------------
# Phrase overrides.


@dataclass(frozen=True, slots=True)
class Phrase:
    """A word and its correct form in each script (normally of the same length)."""

    hans: str
    hant: str

    def __post_init__(self) -> None:
        for name, value in (("hans", self.hans), ("hant", self.hant)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"phrase {name!r} must be a non-empty string, got {value!r}")
            # "<" and ">": text is converted with the markup between its pieces (_scan_html)
            if any(c in value for c in (_SEPARATOR, "<", ">")) or value != value.strip():
                raise ValueError(
                    f"phrase {name!r} has surrounding blanks or reserved characters (< >)"
                )


class PhraseLike(Protocol):
    """Anything with the two forms of a phrase, e.g. :class:`Phrase` or a model's own type."""

    @property
    def hans(self) -> str: ...

    @property
    def hant(self) -> str: ...


def parse_phrases(data: object, *, source: str = "phrases") -> list[Phrase]:
    """Validate a YAML-loaded list of ``{hans: …, hant: …}`` mappings.

    Raises :class:`ValueError` naming the entry (``source[3]: …``) for anything else.
    """
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a list of {{hans, hant}} mappings")
    phrases: list[Phrase] = []
    for index, entry in enumerate(data):
        where = f"{source}[{index}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: expected a mapping with keys 'hans' and 'hant'")
        unknown = sorted(set(map(str, entry)) - {"hans", "hant"})
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; expected hans, hant")
        if "hans" not in entry or "hant" not in entry:
            raise ValueError(f"{where}: both 'hans' and 'hant' are required")
        try:
            phrases.append(Phrase(hans=entry["hans"], hant=entry["hant"]))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return phrases


@cache
def default_phrases() -> tuple[Phrase, ...]:
    """The packaged override list, ``site_builder/defaults/phrases.yaml``."""
    text = resources.files("site_builder").joinpath("defaults/phrases.yaml").read_text("utf-8")
    return tuple(parse_phrases(yaml.safe_load(text), source="defaults/phrases.yaml"))


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first, built as a trie (fast in `re`)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# (start, end, phrase) of an override occurrence.
_Span = tuple[int, int, Phrase]


# --------------------------------------------------------------------------------------------
# The converter.


class Converter:
    """Converts text and HTML between Simplified and Traditional (Taiwan standard forms).

    `phrases` are added to the packaged defaults; a later phrase replaces an earlier one with the
    same Simplified or Traditional form. Instances are immutable and safe to share.
    """

    def __init__(self, phrases: Sequence[PhraseLike] = (), *, quotes: str = "corner") -> None:
        if quotes not in QUOTE_STYLES:
            raise ValueError(f"unknown quote style {quotes!r}; expected one of {QUOTE_STYLES}")
        # zh-Hant text gets 「」『』 for “”‘’ ("corner"), or keeps them ("curly").
        self._quote_style = quotes
        by_form: dict[str, Phrase] = {}
        site_phrases = (Phrase(p.hans, p.hant) for p in phrases)
        for phrase in (*default_phrases(), *site_phrases):
            # Drop the phrase this one supersedes, so none of its forms stays reachable.
            for form in (phrase.hans, phrase.hant):
                old = by_form.get(form)
                if old is not None:
                    for old_form in (old.hans, old.hant):
                        if by_form.get(old_form) is old:
                            del by_form[old_form]
            by_form[phrase.hans] = phrase
            by_form[phrase.hant] = phrase
        self._phrases: tuple[Phrase, ...] = tuple(dict.fromkeys(by_form.values()))
        # Phrases are looked up in the Simplified projection of the text (tw2s of the source),
        # so a Traditional source matches whatever variant characters it used (重復 -> 重复).
        keys: dict[str, Phrase] = {}
        projected = _tw2s("\n".join(f"{p.hans}\n{p.hant}" for p in self._phrases)).split("\n")
        for index, phrase in enumerate(self._phrases):
            for key in (projected[2 * index + 1], projected[2 * index], phrase.hans):
                keys[key] = phrase
        self._keys = keys
        self._key_re = re.compile(_trie_pattern(keys)) if keys else None
        # convert_html may split JSON at its quotes unless a phrase could match across one
        self._json_runs = not any('"' in k or "\\" in k for k in keys)
        # Caches of pieces of text (convert_many): to Traditional; the script evidence of a
        # piece; to Simplified keeping valid Simplified forms (as in a Simplified or
        # script-neutral batch) and not keeping them (a Traditional or mixed batch; the same
        # object when equal). Results never change, so sharing an instance between threads at
        # worst computes a piece twice.
        self._hant_cache: dict[str, tuple[str, str]] = {}  # (keeping 岩/周/台, not)
        self._evidence_cache: dict[str, tuple[int, int]] = {}
        self._hans_cache: dict[str, tuple[str, str]] = {}
        # Whole short texts (to_hans/to_hant: headings for anchors, names, tags), by target.
        self._whole_cache: dict[tuple[str, str], str] = {}

    @property
    def phrases(self) -> tuple[Phrase, ...]:
        """The effective override list (defaults and site phrases, superseded ones removed)."""
        return self._phrases

    # -- spans -----------------------------------------------------------------------------

    def _spans(self, projection: str) -> list[_Span]:
        if self._key_re is None:
            return []
        keys = self._keys
        return [(*m.span(), keys[m.group()]) for m in self._key_re.finditer(projection)]

    @staticmethod
    def _mask(text: str, spans: Sequence[_Span]) -> str:
        if not spans:
            return text
        parts: list[str] = []
        pos = 0
        for start, end, _ in spans:
            parts.append(text[pos:start])
            parts.append(_PLACEHOLDER * (end - start))
            pos = end
        parts.append(text[pos:])
        return "".join(parts)

    def _spans_for(self, projection: str, script: str, aligned: bool) -> list[_Span]:
        spans = self._spans(projection)
        if aligned:
            # Positions must match the source: leave phrases that change length to OpenCC.
            if script == HANT:
                return [s for s in spans if len(s[2].hant) == s[1] - s[0]]
            return [s for s in spans if len(s[2].hans) == s[1] - s[0]]
        return spans

    @staticmethod
    def _write_spans(
        chars: list[str],
        spans: Sequence[_Span],
        script: str,
        text: str = "",
        keep: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        # Backwards, as a site's phrase may have forms of different lengths (互联网/網際網路).
        if script == HANT:
            for start, end, phrase in reversed(spans):
                form = phrase.hant
                if keep and len(form) == end - start:
                    # A standard Traditional character the author wrote wins over the phrase
                    # (匯報 stays 匯報 though the phrase for 汇报 reads 彙報).
                    form = "".join(
                        t if t in keep else f for t, f in zip(text[start:end], form, strict=True)
                    )
                chars[start:end] = form
        else:
            for start, end, phrase in reversed(spans):
                chars[start:end] = phrase.hans

    # -- core conversions --------------------------------------------------------------------

    def _to_hant(self, text: str, *, aligned: bool = False, keep_shared: bool | None = None) -> str:
        """`keep_shared`: keep 岩/周/台 as written (a Traditional source); None decides by the
        script of `text` itself."""
        projection = _tw2s(text)
        if len(projection) != len(text):  # pragma: no cover - OpenCC keeps lengths
            return _s2tw(projection)
        spans = self._spans_for(projection, HANT, aligned)
        target = _s2tw(self._mask(projection, spans))
        if len(target) != len(text):  # pragma: no cover - OpenCC keeps lengths
            return target
        plain = self._hant_from(text, target, spans)
        if keep_shared is False:
            return plain
        kept = _keep_shared(text, plain)
        if kept is plain or keep_shared:
            return kept
        # Piece by piece (a batch joined by _SEPARATOR), as _convert_segments decides.
        starts = [0, *(m.end() for m in re.finditer(_SEPARATOR, text))]
        counts = _evidence_by_segment(text, projection, starts)
        if counts is None:  # pragma: no cover - OpenCC keeps lengths
            return plain
        ends = [*(i - 1 for i in starts[1:]), len(text)]
        choices = _keep_choices(counts)
        return "".join(
            (kept if keep else plain)[a:b] + ("" if b == len(text) else _SEPARATOR)
            for a, b, keep in zip(starts, ends, choices, strict=True)
        )

    def _hant_exact(self, text: str, projection: str) -> str | None:
        """``_to_hant(text)`` given ``_tw2s(text)``, or None where it would take a fallback."""
        if len(projection) != len(text):  # pragma: no cover - OpenCC keeps lengths
            return None
        spans = self._spans_for(projection, HANT, False)
        target = _s2tw(self._mask(projection, spans))
        if len(target) != len(text):  # pragma: no cover - OpenCC keeps lengths
            return None
        return self._hant_from(text, target, spans)

    def _hant_from(self, text: str, target: str, spans: Sequence[_Span]) -> str:
        diffs = _diff_positions(text, target)
        changed = _chars_at(text, diffs)
        _fill_char_cache(_T2S_CHAR, "t2s", changed)
        # Keep a Traditional character its author chose, unless it is a variant that is not a
        # Taiwan standard form (墻 -> 牆, 爲 -> 為); characters that are also Simplified (干, 余,
        # 并, 着) take the form OpenCC chose from their context.
        keep = {c for c in changed if not _is_hans_form(c) and c not in _NONSTANDARD_HANT}
        keep.discard(_PLACEHOLDER)
        chars = list(target)
        if keep:
            for i in diffs:
                if text[i] in keep:
                    chars[i] = text[i]
        self._write_spans(chars, spans, HANT, text, keep)
        return "".join(chars)

    def _to_hans(
        self,
        text: str,
        assume: str | None = None,
        *,
        aligned: bool = False,
        projection: str | None = None,
        spans: Sequence[_Span] | None = None,
    ) -> str:
        if projection is None:
            projection = _tw2s(text)
        if len(projection) != len(text):  # pragma: no cover - OpenCC keeps lengths
            return projection
        if spans is None:
            spans = self._spans_for(projection, HANS, aligned)
        if assume is None:
            assume = _evidence(text, projection).script
        chars = list(projection)
        if assume in (HANS, NONE):
            # tw2s reads its input as Taiwan Traditional and would turn the valid Simplified
            # 著 of 显著/卓著 into 着: in a text that is Simplified, or shows no sign of being
            # Traditional, keep every valid Simplified character.
            diffs = _diff_positions(text, projection)
            changed = _chars_at(text, diffs)
            _fill_char_cache(_T2S_CHAR, "t2s", changed)
            keep = {c for c in changed if _is_hans_form(c)}
            if keep:
                for i in diffs:
                    if text[i] in keep:
                        chars[i] = text[i]
        self._write_spans(chars, spans, HANS)
        return "".join(chars)

    def to_hant(self, text: str) -> str:
        """Convert to Traditional Chinese (Taiwan standard forms) from either script."""
        if not _CJK_RE.search(text):
            return self._quotes(text)
        found = self._whole_cache.get((text, HANT))
        if found is None:
            found = self._quotes(self._to_hant(text))
            self._store(self._whole_cache, {(text, HANT): found})
        return found

    def _quotes(self, text: str) -> str:
        """The quotation marks of a zh-Hant text in the site's style (「」『』 by default)."""
        if self._quote_style != "corner" or not any(q in text for q in _QUOTE_CHARS):
            return text
        return _QUOTE_RE.sub(_corner_quote, text)

    def to_hans(self, text: str) -> str:
        """Convert to Simplified Chinese from either script."""
        if not _CJK_RE.search(text):
            return text
        found = self._whole_cache.get((text, HANS))
        if found is None:
            found = self._to_hans(text)
            self._store(self._whole_cache, {(text, HANS): found})
        return found

    def convert(self, text: str, target: str) -> str:
        """Convert `text` to `target` (:data:`HANS` or :data:`HANT`)."""
        if target == HANT:
            return self.to_hant(text)
        if target == HANS:
            return self.to_hans(text)
        raise ValueError(f"unknown target script {target!r}; expected {HANS!r} or {HANT!r}")

    def _convert_one(self, text: str, target: str) -> str:
        """:meth:`convert` without the quotation marks (convert_many sets those)."""
        if target == HANT:
            return self._to_hant(text) if _CJK_RE.search(text) else text
        return self.to_hans(text)

    def convert_many(self, texts: Sequence[str], target: str) -> list[str]:
        """Convert several related texts in one OpenCC pass (script detected over all of them)."""
        if target not in (HANS, HANT):
            raise ValueError(f"unknown target script {target!r}; expected {HANS!r} or {HANT!r}")
        out = self._convert_many(texts, target)
        if target == HANT and self._quote_style == "corner":
            out = [self._quotes(t) for t in out]
        return out

    def _convert_many(self, texts: Sequence[str], target: str) -> list[str]:
        todo = [i for i, t in enumerate(texts) if _CJK_RE.search(t)]
        out = list(texts)
        if not todo:
            return out
        batch = [texts[i] for i in todo]
        if any(_SEPARATOR in t for t in batch):
            for i in todo:
                out[i] = self._convert_one(texts[i], target)
            return out
        found = self._convert_segments(batch, target)
        if found is not None:
            converted = found
        else:  # pragma: no cover - OpenCC keeps lengths and passes separators through
            converted = self._convert_one(_SEPARATOR.join(batch), target).split(_SEPARATOR)
            if len(converted) != len(batch):
                converted = [self._convert_one(t, target) for t in batch]
        for i, result in zip(todo, converted, strict=True):
            out[i] = result
        return out

    def _convert_segments(self, batch: list[str], target: str) -> list[str] | None:
        """``convert(_SEPARATOR.join(batch), target).split(_SEPARATOR)``, piece by piece, with
        pieces seen before taken from the caches.

        No dictionary entry or phrase contains the separator, so no match crosses it and each
        piece converts as it would alone, with one exception: converting to Simplified keeps
        valid Simplified characters (著 in 显著) only when the *whole batch* reads as Simplified
        or shows no script. So a piece's Simplified form is cached under both outcomes; where
        they differ for some piece of the batch, the batch's script is decided from evidence
        counts, which are sums over the pieces (cached too). Only pieces not seen before go
        through OpenCC, in one joined pass. None: OpenCC changed a length, where the whole-batch
        conversion takes a fallback; the caller does that instead.
        """
        if target == HANT:
            cache = self._hant_cache
            misses = [t for t in dict.fromkeys(batch) if t not in cache]
            fresh: dict[str, tuple[str, str]] = {}
            projections: dict[str, str] = {}
            if misses:
                joined = _SEPARATOR.join(misses)
                projection = _tw2s(joined)
                result = self._hant_exact(joined, projection)
                if result is None:  # pragma: no cover - OpenCC keeps lengths
                    return None
                projections = self._split(misses, projection)
                plain_hant = self._split(misses, result)
                keeping_hant = self._split(misses, _keep_shared(joined, result))
                if not plain_hant or not keeping_hant:  # pragma: no cover - separators pass
                    return None
                for t in misses:
                    a, b = keeping_hant[t], plain_hant[t]
                    fresh[t] = (b, b) if a == b else (a, b)
            # Read the cache before storing: a full cache is emptied by the store.
            hant_pairs = [fresh[t] if t in fresh else cache[t] for t in batch]
            self._store(cache, fresh)
            if all(a is b for a, b in hant_pairs):
                return [b for _, b in hant_pairs]
            counts = self._batch_evidence(batch, projections)
            if counts is None:  # pragma: no cover - OpenCC keeps lengths
                return None
            choices = _keep_choices(counts)
            return [a if keep else b for (a, b), keep in zip(hant_pairs, choices, strict=True)]

        hans_cache = self._hans_cache
        misses = [t for t in dict.fromkeys(batch) if t not in hans_cache]
        fresh_pairs: dict[str, tuple[str, str]] = {}
        hans_projections: dict[str, str] = {}
        if misses:
            joined = _SEPARATOR.join(misses)
            projection = _tw2s(joined)
            if len(projection) != len(joined):  # pragma: no cover - OpenCC keeps lengths
                return None
            hans_projections = self._split(misses, projection)
            # HANS stands for "Simplified or no script", HANT for "Traditional or mixed".
            spans = self._spans_for(projection, HANS, False)
            keeping = self._split(
                misses, self._to_hans(joined, HANS, projection=projection, spans=spans)
            )
            plain = self._split(
                misses, self._to_hans(joined, HANT, projection=projection, spans=spans)
            )
            if not keeping or not plain:  # pragma: no cover - separators pass through OpenCC
                return None
            for t in misses:
                a, b = keeping[t], plain[t]
                fresh_pairs[t] = (a, a) if a == b else (a, b)
        pairs = [fresh_pairs[t] if t in fresh_pairs else hans_cache[t] for t in batch]
        self._store(hans_cache, fresh_pairs)
        if all(a is b for a, b in pairs):
            return [a for a, _ in pairs]  # the batch's script makes no difference
        counts = self._batch_evidence(batch, hans_projections)
        if counts is None:  # pragma: no cover - OpenCC keeps lengths
            return None
        n_hans = sum(c[0] for c in counts)
        n_hant = sum(c[1] for c in counts)
        keep = _classify(n_hans, n_hant) in (HANS, NONE)
        return [a if keep else b for a, b in pairs]

    def _batch_evidence(
        self, batch: list[str], projections: Mapping[str, str]
    ) -> list[tuple[int, int]] | None:
        """``(n_hans, n_hant)`` of each piece (see ``_evidence_by_segment``), cached.
        ``projections``: the ``_tw2s`` of the pieces the caller has just converted; only the
        others go through OpenCC (no match crosses a separator, so the projection of the joined
        pieces is their projections joined)."""
        evidence = self._evidence_cache
        new = [t for t in dict.fromkeys(batch) if t not in evidence]
        fresh_evidence: dict[str, tuple[int, int]] = {}
        if new:
            joined = _SEPARATOR.join(new)
            starts = [0]
            for t in new[:-1]:
                starts.append(starts[-1] + len(t) + 1)
            unprojected = [t for t in new if t not in projections]
            if unprojected:
                projected = _tw2s(_SEPARATOR.join(unprojected))
                projections = {**projections, **self._split(unprojected, projected)}
            if all(t in projections for t in new):
                projection = _SEPARATOR.join([projections[t] for t in new])
            else:  # pragma: no cover - separators pass through OpenCC
                projection = _tw2s(joined)
            counts = _evidence_by_segment(joined, projection, starts)
            if counts is None:  # pragma: no cover - OpenCC keeps lengths
                return None
            fresh_evidence = dict(zip(new, counts, strict=True))
        out = [fresh_evidence[t] if t in fresh_evidence else evidence[t] for t in batch]
        self._store(evidence, fresh_evidence)
        return out

    @staticmethod
    def _split(pieces: list[str], joined_result: str) -> dict[str, str]:
        """A joined result, piece by piece; empty if the pieces do not match up."""
        parts = joined_result.split(_SEPARATOR)
        if len(parts) != len(pieces):  # pragma: no cover - separators pass through OpenCC
            return {}
        return dict(zip(pieces, parts, strict=True))

    @staticmethod
    def _store(cache: dict[Any, Any], values: dict[Any, Any]) -> None:
        """Remember the results of short texts (long ones are body text, seen once)."""
        if len(cache) + len(values) > _CACHE_ENTRIES:
            cache.clear()
        for key, value in values.items():
            if len(key[0] if isinstance(key, tuple) else key) <= _CACHE_MAX_LEN:
                cache[key] = value

    def convert_html(self, html: str, target: str) -> str:
        """Convert the human-readable text of an HTML document or fragment.

        Converted: text nodes (also of ``<title>`` and ``<textarea>``), the attributes
        ``title``, ``alt``, ``aria-label``, ``placeholder``, ``data-label``, ``term``, ``label``,
        ``id`` and the ``#fragment`` of a relative ``href`` (anchors come from heading text),
        the ``content``
        of ``<meta>`` (unless it is a URL), and the string values inside
        ``<script type="application/json">`` (which stays valid JSON). Never converted: tag and
        attribute names, other attributes, character references (``&#24178;`` stays as it is),
        comments, other scripts and styles, and everything inside ``<code>``, ``<pre>`` or an
        element carrying ``data-noconvert`` (up to its matching close tag, counting nested
        elements of the same name; an unclosed one extends to the end of the input).
        """
        if target not in (HANS, HANT):
            raise ValueError(f"unknown target script {target!r}; expected {HANS!r} or {HANT!r}")
        corner = target == HANT and self._quote_style == "corner"
        quoted = corner and any(q in html for q in _QUOTE_CHARS)
        if not _CJK_RE.search(html) and "\\u" not in html and not quoted:  # (JSON may escape)
            return html
        text_spans, json_spans = _scan_html(html, _QUOTE_NODE_RE if corner else _CJK_NODE_RE)
        # JSON is converted as text with the rest of the page (conversion never touches ASCII,
        # so the layout is kept); only JSON that escapes characters (\u5e72) is re-serialised.
        plain_json: list[tuple[int, int]] = []
        for a, b in json_spans:
            if "\\u" not in html[a:b] and _is_json(html[a:b]):
                plain_json.append((a, b))
        plain = set(plain_json)
        # Each JSON document goes in as the Chinese runs of its strings, not as one piece: no
        # dictionary entry or phrase holds a quote or a backslash, so the runs convert as the
        # whole would, and they are short and recur (series names, units, value labels), so
        # the caches take them, where a whole document is long and seen once.
        runs: list[tuple[int, int]] = []
        whole: list[tuple[int, int]] = []
        for a, b in plain_json:
            if self._json_runs and not _NOT_BY_RUNS_RE.search(html, a, b):
                runs += [m.span() for m in _CJK_STRING_RUN_RE.finditer(html, a, b)]
            else:
                whole.append((a, b))
        spans = text_spans + runs + whole
        texts = [html[a:b] for a, b in spans]
        converted = self.convert_many(texts, target)
        replacements: list[tuple[int, int, str]] = []
        for (a, b), old, new in zip(spans, texts, converted, strict=True):
            if new != old:
                if (a, b) in plain and not _is_json(new):  # pragma: no cover - defensive
                    new = self._convert_json(old, target)
                replacements.append((a, b, new))
        for a, b in json_spans:
            if (a, b) not in plain:
                new = self._convert_json(html[a:b], target)
                if new != html[a:b]:
                    replacements.append((a, b, new))
        if not replacements:
            return html
        replacements.sort()
        parts: list[str] = []
        pos = 0
        for a, b, new in replacements:
            parts.append(html[pos:a])
            parts.append(new)
            pos = b
        parts.append(html[pos:])
        return "".join(parts)

    def _convert_json(self, source: str, target: str) -> str:
        """Convert the strings of a JSON document by re-serialising it (for \\u escapes)."""
        try:
            value = json.loads(source)
        except ValueError:
            return source  # not JSON: leave it exactly as it was
        text = json.dumps(
            _convert_json_value(value, self, target), ensure_ascii=False, separators=(",", ":")
        )
        # Keep the document inside its <script> element ("<" only occurs inside JSON strings).
        return text.replace("<", "\\u003c")

    # -- checks ------------------------------------------------------------------------------

    def standard_forms(self, text: str, script: str) -> str:
        """`text` written in the standard forms of its own `script`, character for character
        (the same length): what :meth:`nonconforming` compares with and ``fix-script`` writes.
        Standard characters stay as written (乾淨, 紅岩魂); only non-standard ones change."""
        if script not in (HANS, HANT):
            raise ValueError(f"unknown script {script!r}; expected {HANS!r} or {HANT!r}")
        if not _CJK_RE.search(text):
            return text
        if script == HANT:
            expected = self._to_hant(text, aligned=True, keep_shared=True)
        else:
            expected = self._to_hans(text, assume=HANS, aligned=True)
        if len(expected) != len(text):  # pragma: no cover - conversion keeps lengths
            return text
        return expected

    def nonconforming(self, text: str, script: str) -> list[Nonconforming]:
        """See :func:`nonconforming_chars`."""
        expected = self.standard_forms(text, script)
        result: list[Nonconforming] = []
        positions = _diff_positions(text, expected)
        if not positions:
            return result
        line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        line = 0
        for i in positions:
            while line + 1 < len(line_starts) and line_starts[line + 1] <= i:
                line += 1
            result.append(
                Nonconforming(
                    line=line + 1, col=i - line_starts[line] + 1, char=text[i], expected=expected[i]
                )
            )
        return result


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _convert_json_value(value: object, converter: Converter, target: str) -> object:
    strings: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            for key, item in node.items():
                strings.append(key)
                collect(item)

    collect(value)
    converted = iter(converter.convert_many(strings, target))

    def rebuild(node: object) -> object:
        if isinstance(node, str):
            return next(converted)
        if isinstance(node, list):
            return [rebuild(item) for item in node]
        if isinstance(node, dict):
            out: dict[str, object] = {}
            for item in node.values():
                new_key = next(converted)  # keys were collected before their values
                out[new_key] = rebuild(item)
            return out
        return node

    return rebuild(value)


@dataclass(frozen=True, slots=True)
class Nonconforming:
    """A character that is not the standard form in the expected script, where it stands."""

    line: int  # 1-based
    col: int  # 1-based, in characters (code points)
    char: str  # as written
    expected: str  # the standard form


@cache
def default_converter() -> Converter:
    """A process-wide converter with the packaged phrase overrides only."""
    return Converter()


def nonconforming_chars(text: str, script: str) -> list[Nonconforming]:
    """Characters of `text` that are not the standard form in `script` where they stand.

    In a ``zh-Hant`` text: 中層干部 reports 干 (expected 幹), 40余種 余 (餘), 戰斗 斗 (鬥),
    墻 (牆); Simplified characters are reported too. Correct text, including standard
    Traditional characters OpenCC would not have chosen (歷程, 淬煉), is not reported.
    In a ``zh-Hans`` text, Traditional-only characters are reported.
    """
    return default_converter().nonconforming(text, script)


# --------------------------------------------------------------------------------------------
# HTML scanning.

_VOID_ELEMENTS = frozenset(
    (
        *("area", "base", "br", "col", "embed", "hr", "img", "input"),
        *("keygen", "link", "meta", "param", "source", "track", "wbr"),
    )
)
_RAW_TEXT_ELEMENTS = frozenset(("script", "style", "textarea", "title", "xmp", "noembed"))
_SKIP_CONTENT_ELEMENTS = frozenset(("code", "pre"))
_TEXT_ATTRIBUTES = frozenset(
    # `term` and `label`: Atom categories; `id`: heading anchors are made from heading text.
    ("title", "alt", "aria-label", "placeholder", "data-label", "term", "label", "id")
)
_URLISH_META = re.compile(r"url|image|video|audio|http-equiv|viewport|charset", re.I)
_URL_VALUE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//|/|\./|\.\./|#)", re.I)

_MARKUP_RE = re.compile(
    r"""
      <!--.*?(?:-->|\Z)
    | <!\[CDATA\[.*?(?:\]\]>|\Z)
    | <[!?][^>]*>?
    | </(?P<end>[A-Za-z][^\s/>]*)[^>]*>?
    | <(?P<start>[A-Za-z][^\s/>]*)(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>
    """,
    re.S | re.X,
)
_ATTR_RE = re.compile(
    r"""(?P<name>[^\s"'>/=]+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'=<>`]+)))?"""
)


def _is_self_closing(attrs_text: str) -> bool:
    """A start tag ending in "/>", where the slash is not the end of an unquoted value."""
    stripped = attrs_text.rstrip()
    if not stripped.endswith("/"):
        return False
    attrs = list(_ATTR_RE.finditer(stripped))
    last = attrs[-1] if attrs else None
    return not (last is not None and last.group("uq") is not None and last.end() == len(stripped))


# Any attribute name that _scan_html reads contains one of these (case-insensitively); a tag
# whose attributes contain none of them needs no attribute parsing.
_MAYBE_TEXT_ATTR_RE = re.compile(
    "|".join(sorted({*_TEXT_ATTRIBUTES, "href", "content", "data-noconvert", "type"})), re.I
)
_RAW_END_RES: dict[str, re.Pattern[str]] = {}


def _raw_text_end(html: str, name: str, pos: int) -> int:
    pattern = _RAW_END_RES.get(name)
    if pattern is None:
        pattern = _RAW_END_RES[name] = re.compile(rf"</{re.escape(name)}[\s/>]", re.I)
    match = pattern.search(html, pos)
    return match.start() if match else len(html)


# Markup the scan passes over in C: end tags, and start tags of elements whose content is
# converted with only attributes that hold nothing to convert. Such a tag is plain ASCII with
# no "<", ">" or "#" (an href without a fragment is plain), and none of its attributes
# (tokenized as _ATTR_RE does) is one the scan reads; any other tag is read in Python, below.
_READ_NAMES = "|".join(sorted({*_TEXT_ATTRIBUTES, "content", "data-noconvert", "type"}))
_NAME_CHAR = r"[!$%&(-.0-;?-~]"  # _ATTR_RE's name characters, in ASCII, without "#" and "<"
_PLAIN_ATTR = (
    rf"(?!(?:{_READ_NAMES})(?!{_NAME_CHAR})){_NAME_CHAR}+"
    r"""(?:\s*=\s*(?:"[\t\n\f\r !$-&(-;=?-~]*"|'[\t\n\f\r !"$-&(-;=?-~]*'"""
    r"|[!$%&(-.0-;?-_a-~]+))?"
)
_OPAQUE_ELEMENTS = "|".join(sorted(_RAW_TEXT_ELEMENTS | _SKIP_CONTENT_ELEMENTS))
_PLAIN_RUN_RE = re.compile(
    r"(?:[^<]+"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>"
    rf"|<(?!(?:{_OPAQUE_ELEMENTS})(?![A-Za-z0-9-]))[A-Za-z][A-Za-z0-9-]*"
    rf"(?:[\s/]+(?:{_PLAIN_ATTR}(?:[\s/]+{_PLAIN_ATTR})*)?[\s/]*)?>"
    r")*",
    re.I | re.A,
)
# A text node with Chinese in it, from its first Chinese character to its end.
_CJK_NODE_RE = re.compile(f"{_CJK_RE.pattern}[^<>]*")
# The same, or from its first quotation mark (zh-Hant pages set 「」 in every text node).
_QUOTE_NODE_RE = re.compile(f"(?:{_CJK_RE.pattern}|[{_QUOTE_CHARS}])[^<>]*")
# In JSON, Chinese text up to the end of its string or the next escape.
_CJK_STRING_RUN_RE = re.compile(f'{_CJK_RE.pattern}[^"\\\\<>]*')
# What a JSON document's runs would not convert as the whole does: quotation marks (set by
# their neighbours) and 岩/周/台 (kept or not by the evidence of their own piece).
_NOT_BY_RUNS_RE = re.compile(f"[{''.join(sorted(_STANDARD_SHARED_HANT))}{_QUOTE_CHARS}]")


def _scan_html(
    html: str, node_re: re.Pattern[str] = _CJK_NODE_RE
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of convertible text and of JSON script bodies, in document order.

    Text nodes without Chinese are left out (conversion would not change them). A "<" or ">"
    that is text, not markup, ends a text span: no dictionary entry or phrase holds one, so
    the pieces convert as the whole would."""
    text_spans: list[tuple[int, int]] = []
    json_spans: list[tuple[int, int]] = []
    skip_name: str | None = None  # element whose content is not converted
    skip_depth = 0
    pos = 0
    length = len(html)
    plain_run, cjk_nodes, rfind = _PLAIN_RUN_RE.match, node_re.finditer, html.rfind
    while pos < length:
        if skip_name is None:
            # Text and plain markup up to the next markup that matters: its Chinese text nodes.
            end = plain_run(html, pos).end()  # type: ignore[union-attr]  # matches ''
            for node in cjk_nodes(html, pos, end):
                first = node.start()
                start = max(rfind(">", pos, first), rfind("<", pos, first)) + 1
                text_spans.append((max(start, pos), node.end()))
            pos = end
            if pos >= length:
                break
            match = _MARKUP_RE.match(html, pos)
            if match is None:
                pos += 1  # a "<" that starts no markup is text
                continue
        else:
            match = _MARKUP_RE.search(html, pos)
            if match is None:
                break
        pos = match.end()
        end_name = match.group("end")
        if end_name is not None:
            if skip_name is not None and end_name.lower() == skip_name:
                skip_depth -= 1
                if skip_depth == 0:
                    skip_name = None
            continue
        start_name = match.group("start")
        if start_name is None:
            continue  # comment, doctype, CDATA, processing instruction
        name = start_name.lower()
        attrs_text = match.group("attrs")
        attrs_offset = match.start("attrs")
        self_closing = _is_self_closing(attrs_text)
        opens = name not in _VOID_ELEMENTS and not self_closing
        if skip_name is not None:
            if opens and name == skip_name:
                skip_depth += 1
        else:
            if _MAYBE_TEXT_ATTR_RE.search(attrs_text):
                attrs = [(m.group("name").lower(), m) for m in _ATTR_RE.finditer(attrs_text)]
                names = {attr_name for attr_name, _ in attrs}
            else:  # no attribute this scan reads (most tags: none, or only class)
                attrs, names = [], set()
            if "data-noconvert" not in names:
                _attribute_spans(name, attrs, attrs_offset, text_spans)
            if opens and ("data-noconvert" in names or name in _SKIP_CONTENT_ELEMENTS):
                skip_name, skip_depth = name, 1
            elif name == "script" and _is_json_script(attrs):
                end = _raw_text_end(html, name, pos)
                json_spans.append((pos, end))
                pos = end
                continue
            elif name in ("title", "textarea") and opens:
                end = _raw_text_end(html, name, pos)
                if end > pos:
                    text_spans.append((pos, end))
                pos = end
                continue
        if name in _RAW_TEXT_ELEMENTS and opens:
            # Never read tags inside raw text (a "</pre>" in a script string is not a tag).
            pos = _raw_text_end(html, name, pos)
    return text_spans, json_spans


_ABSOLUTE_URL = re.compile(r"\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def _attr_value_span(m: re.Match[str], offset: int) -> tuple[int, int] | None:
    for group in ("dq", "sq", "uq"):
        if m.group(group) is not None:
            return offset + m.start(group), offset + m.end(group)
    return None


def _attribute_spans(
    tag: str,
    attrs: list[tuple[str, re.Match[str]]],
    offset: int,
    out: list[tuple[int, int]],
) -> None:
    for name, m in attrs:
        if name in _TEXT_ATTRIBUTES:
            pass
        elif name == "href":
            # A link's #fragment names an `id` (made from heading text), which is converted
            # too: the fragment of an in-page or relative link is; the rest of a URL never is.
            value = m.group("dq") or m.group("sq") or m.group("uq") or ""
            hash_at = value.find("#")
            span = _attr_value_span(m, offset)
            relative = hash_at >= 0 and not _ABSOLUTE_URL.match(value)
            if relative and span is not None and span[1] > span[0] + hash_at + 1:
                out.append((span[0] + hash_at + 1, span[1]))
            continue
        elif name == "content" and tag == "meta":
            described_by = " ".join(
                other.group(0) for other_name, other in attrs if other_name != "content"
            )
            value = m.group("dq") or m.group("sq") or m.group("uq") or ""
            if _URLISH_META.search(described_by) or _URL_VALUE.match(value):
                continue
        else:
            continue
        span = _attr_value_span(m, offset)
        if span is not None and span[1] > span[0]:
            out.append(span)


def _is_json_script(attrs: list[tuple[str, re.Match[str]]]) -> bool:
    for name, m in attrs:
        if name == "type":
            value = (m.group("dq") or m.group("sq") or m.group("uq") or "").strip().lower()
            return value == "application/json" or value.endswith("+json")
    return False


def protect(text: str, *, escape: bool = True) -> str:
    """Mark `text` as never to be converted: ``<span data-noconvert>text</span>``.

    `text` is HTML-escaped unless `escape` is false (pass false for an HTML fragment).
    """
    body = html_lib.escape(text, quote=False) if escape else text
    return f"<span data-noconvert>{body}</span>"
