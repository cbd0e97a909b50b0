"""What a build gives back to the command that ran it: its messages, the files it made or kept,
what it wrote, and its timings. Kept apart from the stages so that a build with nothing to do
(``uptodate.py``) can answer with one without importing the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from site_builder.errors import Diagnostic, Severity
from site_builder.write import WriteResult

if TYPE_CHECKING:
    from site_builder.model import Site
    from site_builder.render import OutputFile


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    files: list[OutputFile] = field(default_factory=list)
    written: WriteResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    site: Site | None = None
    translation_summary: str = ""
    rendered: list[str] = field(default_factory=list)  # outputs rendered by this build
    kept: list[str] = field(default_factory=list)  # outputs reused unrendered (not in `files`)
    # True: the sources and output were as the last build left them; nothing ran but `load`
    up_to_date: bool = False
    pdf_printed: list[str] = field(default_factory=list)  # PDFs printed (not from the cache)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def pages(self) -> int:
        paths = [f.path for f in self.files] + self.kept
        return sum(1 for p in paths if p.endswith(".html"))

    @property
    def ok(self) -> bool:
        return not self.errors
