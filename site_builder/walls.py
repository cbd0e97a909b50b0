"""``check``'s warnings about pasted walls of text, each pointing to ``site-builder import``. Pure.

Text pasted into a report from Word or a web page keeps one paragraph per line or runs as one
block; Markdown then makes one huge paragraph, and typed outline numbering (一、…) stays plain
text. Three signs are warned about at their lines: a paragraph of over ``LONG_PARAGRAPH``
characters, a long body with no heading, and lines that read as outline headings but are
plain paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from site_builder.errors import Diagnostic, Severity
from site_builder.importer.outline import looks_like_heading
from site_builder.messages import N_, _

LONG_PARAGRAPH = 1500  # characters
LONG_BODY = 3000  # characters of a body with no heading
_IMPORT_HINT = N_("site-builder import turns pasted text into headings and paragraphs")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```|~~~|<|!\[)")


def _paragraphs(body: str) -> Iterator[tuple[int, str]]:
    """(0-based line, text) of each plain paragraph of a Markdown body, outside fences."""
    fence: str | None = None
    start = 0
    chunk: list[str] = []
    for i, line in enumerate([*body.split("\n"), ""]):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            if chunk:
                yield start, "\n".join(chunk)
            chunk = []
            continue
        if not stripped or _BLOCK_START.match(line) or line.startswith("    "):
            if chunk:
                yield start, "\n".join(chunk)
            chunk = []
            continue
        if not chunk:
            start = i
        chunk.append(stripped)


def wall_warnings(documents: Iterable[tuple[str, str, int]]) -> list[Diagnostic]:
    """Warnings for the ``(path, body, body's first line)`` of each report and page."""
    out: list[Diagnostic] = []

    def warn(path: str, line: int, message: str, hint: str) -> None:
        out.append(Diagnostic(path, line, 1, message, hint, Severity.WARNING, "wall-of-text"))

    for path, body, body_line in documents:
        paragraphs = list(_paragraphs(body))
        for offset, text in paragraphs:
            if len(text) > LONG_PARAGRAPH:
                warn(
                    path,
                    body_line + offset,
                    _("a paragraph of {count} characters: is this pasted text?").format(
                        count=len(text)
                    ),
                    _("split it into paragraphs and headings; {advice}").format(
                        advice=_(_IMPORT_HINT)
                    ),
                )
            for k, line in enumerate(text.split("\n")):
                if looks_like_heading(line):
                    warn(
                        path,
                        body_line + offset + k,
                        _("'{line}' reads as an outline heading but is a plain paragraph").format(
                            line=line[:20]
                        ),
                        _("make it a heading ('## {line}…'); {advice}").format(
                            line=line[:12], advice=_(_IMPORT_HINT)
                        ),
                    )
        chars = sum(len(t) for _, t in paragraphs)
        has_heading = any(re.match(r"^\s{0,3}#{1,6}\s", ln) for ln in body.split("\n"))
        if chars > LONG_BODY and not has_heading:
            warn(
                path,
                body_line,
                _("a body of {chars} characters has no heading").format(chars=chars),
                _("add headings for its parts; {advice}").format(advice=_(_IMPORT_HINT)),
            )
    return out
