"""Stage 2, parse: YAML files and Markdown front matter into located values. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.errors import Diagnostic
from site_builder.load import SourceFile
from site_builder.messages import _
from site_builder.yamlpos import Located, parse_yaml


@dataclass(frozen=True, slots=True)
class ParsedYaml:
    source: SourceFile
    data: Located


@dataclass(frozen=True, slots=True)
class ParsedDoc:
    source: SourceFile
    front: Located  # value is a dict (empty when the file has no front matter)
    body: str
    body_line: int  # 1-based line of the body's first line in the file


def parse_yaml_file(src: SourceFile) -> tuple[ParsedYaml | None, list[Diagnostic]]:
    located, errors = parse_yaml(src.text)
    diags = [Diagnostic(src.rel, e.line, e.col, e.message, e.hint, code="yaml") for e in errors]
    if located is None:
        return None, diags
    return ParsedYaml(src, located), diags


def split_front_matter(text: str) -> tuple[str | None, str, int, int | None]:
    """Return (front matter text or None, body, body's first line, line of an unclosed fence)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1, None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]) + "\n", "\n".join(lines[i + 1 :]), i + 2, None
    return None, text, 1, 1


def parse_document(src: SourceFile) -> tuple[ParsedDoc | None, list[Diagnostic]]:
    """Split a Markdown file into its YAML front matter and body."""
    front_text, body, body_line, unclosed = split_front_matter(src.text)
    if unclosed is not None:
        return None, [
            Diagnostic(
                src.rel,
                unclosed,
                1,
                _("front matter is not closed"),
                _("end the YAML block with a line '---' before the Markdown body"),
                code="front-matter",
            )
        ]
    if front_text is None:
        msg = _("file is empty") if not src.text.strip() else _("missing front matter")
        return None, [
            Diagnostic(
                src.rel,
                1,
                1,
                msg,
                _(
                    "start the file with a YAML block between two '---' lines, e.g. '---\\ntitle: …\\n---'"
                ),
                code="front-matter",
            )
        ]
    located, errors = parse_yaml(front_text, line_offset=1)
    diags = [
        Diagnostic(src.rel, e.line, e.col, e.message, e.hint, code="front-matter") for e in errors
    ]
    if located is None:
        return None, diags
    if located.value is None:
        located.value = {}
    if not isinstance(located.value, dict):
        line, col = located.pos(())
        diags.append(
            Diagnostic(
                src.rel,
                line,
                col,
                _("front matter must be a mapping of keys to values, not {kind}").format(
                    kind=type_name(located.value)
                ),
                _("write 'key: value' lines"),
                code="front-matter",
            )
        )
        return None, diags
    return ParsedDoc(src, located, body, body_line), diags


def type_name(value: object) -> str:
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__
