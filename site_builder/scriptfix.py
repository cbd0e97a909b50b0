"""Script problems of a Chinese source, one by one, and their fix in the source itself.

A Traditional report copied from a mainland site carries Simplified-only forms (中層干部 for
中層幹部, 40余種 for 40餘種) and half-width punctuation between Chinese characters (以來,全國).
:func:`script_issues` finds every such character with its line, column and the expected text
in context (``中層干部 should read 中層幹部``); :func:`fix_source` rewrites a source file in the
standard forms of its own script, word-aware (the converter's phrase overrides, including a
site's ``chinese.phrases``), so that ``check --strict`` passes without hand editing.

Only prose is read or changed: ``{keep:…}`` spans, code (fenced and inline), chart blocks, HTML
tags and comments, link targets, reference definitions and URLs are masked first, character for
character, so every position still points into the source. In a report's front matter only the
values of ``title`` and ``summary`` are prose; keys and every other value are left alone.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from site_builder.chinese import HANS, HANT, Converter, detect_script, parse_phrases
from site_builder.errors import UsageError
from site_builder.messages import _

__all__ = [
    "FileFix",
    "ScriptIssue",
    "fix_source",
    "fix_text",
    "mask_markdown",
    "mask_source",
    "plan_fixes",
    "script_issues",
    "script_of",
    "site_converter",
    "source_files",
    "source_script",
    "write_fixes",
]

# Written over masked characters: a Private Use Area character OpenCC passes through and no
# pattern here matches (the converter uses the same one to shield its phrases).
MASK = "\U000f0000"

_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A Chinese character or Chinese punctuation (、。《》「」“”（）…) on either side of a mark.
_CJK = f"[{_IDEOGRAPH}\u3000-\u303f“”‘’\uff01-\uff60]"
_CONTEXT_RE = re.compile(f"[{_IDEOGRAPH}0-9A-Za-z]")
_HALFWIDTH_RE = re.compile(f"(?<={_CJK})([,;:?])[ \t]?(?={_CJK})")
FULLWIDTH = {",": "，", ";": "；", ":": "：", "?": "？"}

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MASKED_INLINE_RE = re.compile(
    r"""
      (?P<code>`+)[^\n]*?(?P=code)           # inline code
    | \{keep:[^}]*\}                           # {keep:…}
    | <!--.*?(?:-->|\Z)                        # HTML comment
    | </?[A-Za-z][^<>\n]*>                     # HTML tag, autolink <https://…>
    | \]\([^)\n]*\)                            # a link's or image's target
    | ^[ ]{0,3}\[[^\]\n]+\]:[^\n]*$            # reference definition
    | (?:https?|ftp|mailto):[A-Za-z0-9\-._~:/?\#\[\]@!$&'()*+,;=%]+   # bare URL
    """,
    re.X | re.M | re.S,
)
_FRONT_RE = re.compile(r"\A---[ \t]*\r?\n(?:.*?\r?\n)??---[ \t]*(?:\r?\n|\Z)", re.S)
_PROSE_KEY_RE = re.compile(r"^(?:title|summary)[ \t]*:[ \t]*", re.M)


@dataclass(frozen=True, slots=True)
class ScriptIssue:
    """One character to change: where (1-based line and column, in characters), what the text
    reads there and what it should read (a few characters of context), and the code of its
    diagnostic (``mixed-script`` or ``halfwidth-punctuation``)."""

    line: int
    col: int
    found: str
    expected: str
    code: str


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            if chars[i] not in "\r\n":
                chars[i] = MASK
    return "".join(chars)


def mask_markdown(text: str) -> str:
    """`text` with everything that is not prose replaced by :data:`MASK` (newlines kept)."""
    spans: list[tuple[int, int]] = []
    fence: str | None = None
    fence_start = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence, fence_start = match.group(1), pos
        elif (
            fence is not None
            and match
            and match.group(1).startswith(fence)
            and not line.strip().lstrip(fence[0])
        ):
            spans.append((fence_start, pos + len(line)))
            fence = None
        pos += len(line)
    if fence is not None:
        spans.append((fence_start, len(text)))
    masked = _mask_spans(text, spans)
    spans = [m.span() for m in _MASKED_INLINE_RE.finditer(masked)]
    return _mask_spans(masked, spans)


def _front_matter_end(text: str) -> int:
    match = _FRONT_RE.match(text)
    return match.end() if match else 0


def mask_source(text: str) -> str:
    """:func:`mask_markdown` of a whole source file: in its front matter only the values of
    ``title`` and ``summary`` stay (on their line; keys and other fields are masked)."""
    end = _front_matter_end(text)
    front = text[:end]
    keep: list[tuple[int, int]] = []
    for match in _PROSE_KEY_RE.finditer(front):
        line_end = front.find("\n", match.end())
        keep.append((match.end(), line_end if line_end >= 0 else end))
    spans: list[tuple[int, int]] = []
    pos = 0
    for a, b in keep:
        spans.append((pos, a))
        pos = b
    spans.append((pos, end))
    return _mask_spans(front, spans) + mask_markdown(text[end:])


def script_of(text: str) -> str:
    """The script `text` reads as (``zh-Hans`` or ``zh-Hant``), mixed texts by majority."""
    info = detect_script(text)
    if info.script in (HANS, HANT):
        return info.script
    return HANT if len(info.hant_only) > len(info.hans_only) else HANS


def source_script(text: str) -> str | None:
    """The script a source file declares (``lang:`` in its front matter), else None."""
    front = text[: _front_matter_end(text)]
    match = re.search(r"^lang[ \t]*:[ \t]*['\"]?(zh-Hans|zh-Hant)['\"]?[ \t]*$", front, re.M)
    return match.group(1) if match else None


def _window(text: str, masked: str, i: int, j: int, after: int = 2) -> tuple[int, int]:
    """Context of text[i:j] on its line: up to two characters before and `after` after
    (Chinese, Latin letters or digits: 中層干部, 40余種)."""
    a = i
    while a > 0 and i - a < 2 and _CONTEXT_RE.match(masked[a - 1]):
        a -= 1
    b = j
    while b < len(text) and b - j < after and _CONTEXT_RE.match(masked[b]):
        b += 1
    return a, b


def script_issues(
    text: str, script: str, converter: Converter, masked: str | None = None
) -> list[ScriptIssue]:
    """Every non-standard character of `text` (Markdown prose, or a whole source file when
    `masked` is :func:`mask_source` of it) in `script`, and every half-width ``, ; : ?``
    between Chinese characters, in the order of the text."""
    if script not in (HANS, HANT):
        raise ValueError(f"unknown script {script!r}; expected {HANS!r} or {HANT!r}")
    if masked is None:
        masked = mask_markdown(text)
    expected = converter.standard_forms(masked, script)
    found: list[tuple[int, int, str, str, str]] = []  # start, end, found, expected, code
    for i, (old, new) in enumerate(zip(masked, expected, strict=True)):
        if old != new:
            a, b = _window(text, masked, i, i + 1, after=1)
            found.append((i, i + 1, text[a:b], expected[a:b], "mixed-script"))
    for m in _HALFWIDTH_RE.finditer(masked):
        a, b = _window(text, masked, m.start(), m.end())
        mark = FULLWIDTH[m.group(1)]
        shown = text[a : m.start()] + mark + text[m.end() : b]
        found.append((m.start(), m.end(), text[a:b], shown, "halfwidth-punctuation"))
    found.sort()
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    issues: list[ScriptIssue] = []
    for start, _end, old_text, new_text, code in found:
        line = bisect_right(line_starts, start)
        col = start - line_starts[line - 1] + 1
        issues.append(ScriptIssue(line, col, old_text, new_text, code))
    return issues


def fix_text(text: str, script: str, converter: Converter, masked: str | None = None) -> str:
    """`text` with every issue of :func:`script_issues` fixed (the same `masked` rules)."""
    if masked is None:
        masked = mask_markdown(text)
    expected = converter.standard_forms(masked, script)
    if expected != masked:
        chars = list(text)
        for i, (old, new) in enumerate(zip(masked, expected, strict=True)):
            if old != new:
                chars[i] = new
        text = "".join(chars)
    marks = list(_HALFWIDTH_RE.finditer(masked))
    if not marks:
        return text
    parts: list[str] = []
    pos = 0
    for m in marks:  # positions of `masked` are those of `text`: conversion keeps lengths
        parts.append(text[pos : m.start()])
        parts.append(FULLWIDTH[m.group(1)])
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def fix_source(text: str, script: str, converter: Converter) -> str:
    """A whole source file (front matter and Markdown body) fixed in `script`."""
    return fix_text(text, script, converter, mask_source(text))


# --------------------------------------------------------------------------------------------
# The ``fix-script`` command's file work (the I/O edge).


@dataclass(frozen=True, slots=True)
class FileFix:
    """One source file that needs changes: its path, old and new text, and how many issues."""

    path: Path
    old: str
    new: str
    issues: int

    def diff(self, root: Path) -> str:
        """A unified diff of the change, with paths relative to `root` where possible."""
        try:
            shown = self.path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = self.path.as_posix()
        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True),
            self.new.splitlines(keepends=True),
            f"a/{shown}",
            f"b/{shown}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def site_converter(source: Path) -> Converter:
    """The converter of the site in `source` (its ``chinese.phrases``). Raises
    :class:`~site_builder.errors.UsageError` for a site.yaml whose phrases cannot be read
    (``check`` reports it in detail)."""
    config = source / "site.yaml"
    if not config.is_file():
        return Converter()
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        zh = data.get("chinese", {}) if isinstance(data, dict) else {}
        items = zh.get("phrases") if isinstance(zh, dict) else None
        return Converter(parse_phrases(items, source="chinese.phrases"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise UsageError(
            _("{config}: cannot read its chinese.phrases: {exc}").format(config=config, exc=exc)
        ) from None


def source_files(source: Path, paths: Sequence[Path]) -> list[Path]:
    """The Chinese Markdown sources named (folders: every ``*.md`` in them but English
    translations ``*.en.md``); by default those of ``content/``."""
    roots = list(paths) or [source / "content"]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found += sorted(p for p in root.rglob("*.md") if not p.name.endswith(".en.md"))
        elif root.is_file():
            found.append(root)
        else:
            raise UsageError(_("{root}: no such file or folder").format(root=root))
    return list(dict.fromkeys(found))


def plan_fixes(files: Sequence[Path], converter: Converter) -> list[FileFix]:
    """The files that need changes, each in the script it declares (``lang:``) or reads as."""
    fixes: list[FileFix] = []
    for path in files:
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                _("{path}: cannot read it as UTF-8 text: {exc}").format(path=path, exc=exc)
            ) from None
        masked = mask_source(text)
        script = source_script(text) or script_of(masked)
        issues = script_issues(text, script, converter, masked)
        if issues:
            fixes.append(
                FileFix(path, text, fix_text(text, script, converter, masked), len(issues))
            )
    return fixes


def write_fixes(fixes: Sequence[FileFix]) -> None:
    """Write each fixed file in place (its line endings kept); untouched files keep their
    modification time, as nothing is written to them."""
    for fix in fixes:
        with fix.path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(fix.new)
