"""Diagnostics: every problem a user can cause, with its place and a hint.

One formatter prints them all as ``path:line:col: severity: message (hint)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from site_builder.messages import N_, _

# the severity as the text format names it (``--format json`` keeps the English value)
_SEVERITY_TEXT = {"error": N_("error"), "warning": N_("warning")}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    code: str = "content"

    def format(self) -> str:
        hint = _(" ({hint})").format(hint=self.hint) if self.hint else ""
        severity = _(_SEVERITY_TEXT[self.severity.value])
        return f"{self.path}:{self.line}:{self.col}: {severity}: {self.message}{hint}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "path": self.path,
                "line": self.line,
                "column": self.col,
                "severity": self.severity.value,
                "code": self.code,
                "message": self.message,
                "hint": self.hint,
            },
            ensure_ascii=False,
        )


@dataclass(slots=True)
class Diagnostics:
    """An append-only collection; stages add to it and never stop at the first problem."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, path: str, line: int, col: int, message: str, hint: str = "", code: str = "content"
    ) -> None:
        self.items.append(Diagnostic(path, line, col, message, hint, Severity.ERROR, code))

    def warning(
        self, path: str, line: int, col: int, message: str, hint: str = "", code: str = "content"
    ) -> None:
        self.items.append(Diagnostic(path, line, col, message, hint, Severity.WARNING, code))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        # Stable, deterministic order for output: by file, then position.
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.col, d.message))


class BuildFailed(Exception):
    """Raised by the pipeline when content errors prevent writing output."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


class StateNotSaved(Exception):
    """The new output is in place, but the build state beside it could not be saved: not a
    failure that left the output unchanged, and not to be reported as one."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class UsageError(Exception):
    """A problem with how the tool was called (exit code 2)."""


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word``, if one is like it at all."""
    import difflib

    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.5)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or listing the known ones when few."""
    options = sorted(set(candidates))
    close = closest(word, options)
    if close is not None:
        return _("did you mean '{name}'?").format(name=close)
    if not options:
        return _("none are defined")
    if len(options) <= 8:
        return _("expected one of: {names}").format(names=", ".join(options))
    return _("expected one of {count} known keys, e.g. {names}").format(
        count=len(options), names=", ".join(options[:5])
    )
