"""YAML with source positions.

PyYAML's composer gives every node a start mark; we construct plain Python values from the
node tree ourselves and record where each value sits, keyed by its path of keys and indexes.
Duplicate mapping keys are reported (PyYAML silently keeps the last one). Hostile documents
are refused with an error, never a crash or a hang: nesting deeper than ``MAX_DEPTH``, an alias
that contains itself, aliases expanding to more than ``MAX_VALUES`` values (a "billion laughs"),
and tags other than YAML's own (``!!python/object`` …).

Long: the loader that keeps every node's line and column, and the checks of the text it
runs before the YAML library sees it; both must agree on the same positions.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from site_builder.messages import _

try:  # libyaml is several times faster where the wheel ships it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_VALUES = 100_000
_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge", "value")
)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True, slots=True)
class YamlError:
    line: int
    col: int
    message: str
    hint: str = ""


@dataclass(slots=True)
class Located:
    """A YAML document's value plus the 1-based (line, col) of every key and item."""

    value: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0
    # Plain values YAML 1.1 reads as something else than their words: booleans written yes,
    # no, on, off (…), and base-60 numbers (1:30 is 90). Path -> the text as written, so that
    # messages can say what happened instead of "unknown level 'False'".
    words: dict[Path_, str] = field(default_factory=dict)

    def written(self, path: Path_, value: Any) -> str:
        """``value`` as the file wrote it."""
        return self.words.get(path, str(value))

    def misread(self, path: Path_) -> str:
        """A hint for a value YAML read as something else than its words, or ""."""
        word = self.words.get(path)
        if word is None:
            return ""
        if ":" in word:
            return _(
                "YAML reads {word} as a base-60 number; quote it if it is text: '{word}'"
            ).format(word=word)
        return _("YAML reads {word} as a boolean; quote it if you mean the word: '{word}'").format(
            word=word
        )

    def pos(self, path: Path_) -> tuple[int, int]:
        """Where the value at ``path`` starts; falls back to the nearest parent."""
        p = path
        while p:
            if p in self.positions:
                line, col = self.positions[p]
                return line + self.line_offset, col
            p = p[:-1]
        line, col = self.positions.get((), (1, 1))
        return line + self.line_offset, col

    def key_pos(self, path: Path_) -> tuple[int, int]:
        """Where the key of the mapping entry at ``path`` starts."""
        if path in self.key_positions:
            line, col = self.key_positions[path]
            return line + self.line_offset, col
        return self.pos(path)


_constructor = yaml.SafeLoader("")  # only used for its scalar resolution


def _scalar(node: yaml.ScalarNode) -> Any:
    try:
        return _constructor.construct_object(node, deep=True)
    finally:
        # The constructor remembers every node it has made (for aliases within one
        # document): left alone, this one module-level constructor would keep every scalar node
        # of every file parsed, with its marks, for the life of the process.
        _constructor.constructed_objects.clear()


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Located | None, list[YamlError]]:
    """Parse one YAML document. Returns the located value or the errors found."""
    errors: list[YamlError] = []
    try:
        deep = _too_deep_at(text)
        if deep is not None:
            return None, [_too_deep(deep[0] + line_offset, deep[1])]
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        return None, [_too_deep(1 + line_offset, 1)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1) if mark else 1
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        hint = _("check indentation, and quote values that contain ': ' or start with a symbol")
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            hint = _("indent with spaces: YAML does not allow tabs")
        wide = _full_width_colon(text, line)
        if wide is not None:
            # a Chinese keyboard's colon: YAML sees no key there, and fails a line later
            (line, col), key = wide
            return None, [
                YamlError(
                    line + line_offset,
                    col,
                    f"full-width colon '：' after '{key}': YAML needs an ASCII colon",
                    f"write '{key}: …', with an ASCII colon and a space",
                )
            ]
        if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            # reported where the file ends; the quote that is never closed is the place to fix
            start = exc.context_mark
            return None, [
                YamlError(
                    start.line + 1 + line_offset,
                    start.column + 1,
                    "invalid YAML: this quoted value is never closed",
                    "end it with the same quote mark on its line, or remove the opening quote",
                )
            ]
        return None, [YamlError(line + line_offset, col, f"invalid YAML: {problem}", hint)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [YamlError(1 + line_offset, 1, f"invalid YAML: {exc}")]
    located = Located(None, line_offset=line_offset)
    if node is None:
        return located, []
    try:
        located.value = _build(node, (), located, errors, _Budget())
    except _Refused as refused:
        e = refused.error
        return None, [YamlError(e.line + line_offset, e.col, e.message, e.hint)]
    for e in errors:
        object.__setattr__(e, "line", e.line + line_offset)
    return located, errors


_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # YAML 1.1 line breaks, as libyaml's marks
_FLOW_MARK = re.compile(r"""[\[\]{}'"#]""")
_ENTRY = re.compile(r"[-?](?: +|$)")  # a block sequence entry or a complex key, then its content
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")  # anchors and tags before a value
_KEY = re.compile(
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},][^#]*?)[ \t]*:(?:[ \t]+|$)"""
)


def _quote_end(line: str, start: int, quote: str) -> int:
    """The index just past the quote closing a scalar from ``start``, or -1 if it goes on."""
    i = start
    while True:
        j = line.find(quote, i)
        if j < 0:
            return -1
        if quote == '"':
            backslashes = len(line[i:j]) - len(line[i:j].rstrip("\\"))
            if backslashes % 2:
                i = j + 1
                continue
        elif line.startswith("''", j):
            i = j + 2
            continue
        return j + 1


def _too_deep_at(text: str) -> tuple[int, int] | None:
    """Where the document nests deeper than ``MAX_DEPTH``, found from its text before the YAML
    library sees it: libyaml's composer recurses in C (a few tens of thousands of '[' crash the
    process) and newer releases stop at their own depth with their own message, so the limit
    and its message are the project's, whatever the library's release.

    The scan follows what makes YAML nest, not the whole grammar: indentation and the '- ', '? '
    and 'key: ' entries of block collections, brackets of flow collections, skipping quoted
    and block scalars and comments. Its depth is the document's, or one less where a line
    starts with a flow or quoted key of a block mapping, and one more on a multi-line plain
    scalar's continuation lines; the composer's own check (``_build``) is exact. Every
    collection starts at one of '[{-:?', so a text with fewer of them skips the scan."""
    if sum(text.count(c) for c in "[{-:?") <= MAX_DEPTH:
        return None
    blocks: list[tuple[int, bool]] = []  # the open block collections: (column, is a sequence)
    flow = 0  # open flow collections
    quote = ""  # the quote of a scalar going on past the end of the line
    literal = -1  # a block scalar (| or >) runs on lines indented more than this column
    for number, line in enumerate(_BREAK.split(text), 1):
        at = 0
        if quote:
            at = _quote_end(line, 0, quote)
            if at < 0:
                continue
            quote = ""
            if flow == 0:
                continue  # the rest of a block line after its quoted value
        elif flow == 0:
            content = line.lstrip(" ")
            indent = len(line) - len(content)
            if literal >= 0:
                if not content.strip() or indent > literal:
                    continue
                literal = -1
            if not content.strip() or content.startswith(("#", "%", "---", "...")):
                if content.startswith(("---", "...")):
                    blocks.clear()
                continue
            while blocks and blocks[-1][0] > indent:
                blocks.pop()
            entry = _ENTRY.match(line, indent) is not None
            if blocks and blocks[-1][0] == indent and blocks[-1][1] and not entry:
                blocks.pop()  # a sequence at its mapping's column ends at the next key
            opens = not blocks or blocks[-1][0] < indent or (entry and not blocks[-1][1])
            if opens and content[0] not in "[{'\"":
                blocks.append((indent, entry))
            if len(blocks) > MAX_DEPTH:
                return number, indent + 1
            at = indent
            while (m := _ENTRY.match(line, at)) is not None:
                if at > indent:
                    blocks.append((at, True))
                    if len(blocks) > MAX_DEPTH:
                        return number, at + 1
                at = m.end()
            at = _PROPERTIES.match(line, at).end()  # type: ignore[union-attr]
            key = _KEY.match(line, at)
            if key is not None:
                if at > indent:
                    blocks.append((at, False))
                    if len(blocks) > MAX_DEPTH:
                        return number, at + 1
                at = _PROPERTIES.match(line, key.end()).end()  # type: ignore[union-attr]
            if at >= len(line):
                continue
            if line[at] in "|>":
                literal = blocks[-1][0] if blocks else -1
                continue
            if line[at] in "'\"":
                end = _quote_end(line, at + 1, line[at])
                if end < 0:
                    quote = line[at]
                continue
            if line[at] not in "[{":
                continue
        # flow context, from `at` on
        for m in _FLOW_MARK.finditer(line, at):
            c, i = m.group(), m.start()
            if i < at:
                continue  # inside a quoted scalar already passed
            if c == "#":
                if i == 0 or line[i - 1] in " \t":
                    break
            elif c in "[{":
                flow += 1
                if len(blocks) + flow > MAX_DEPTH:
                    return number, i + 1
            elif c in "]}":
                flow = max(flow - 1, 0)
                if flow == 0:
                    break  # back in the block context: the rest of the line is its value's end
            elif not line[:i].rstrip() or line[:i].rstrip()[-1] in "[{,:?":
                end = _quote_end(line, i + 1, c)
                if end < 0:
                    quote = c
                    break
                at = end
    return None


_WIDE_COLON_RE = re.compile(r"^(\s*(?:-\s+)?)([^\s:：#'\"][^:：#]*?)\s*：")


def _full_width_colon(text: str, error_line: int) -> tuple[tuple[int, int], str] | None:
    """The error's line or the one before it (YAML fails on the line after such a key), if it
    starts like a key written with '：' and no ASCII colon: the colon's position and the key.
    Other lines are left alone: '：' inside a value ("- 备注：内容") is ordinary text."""
    lines = text.split("\n")[:error_line]
    for n in range(len(lines) - 1, max(len(lines) - 3, -1), -1):
        m = _WIDE_COLON_RE.match(lines[n])
        if m is not None and ":" not in lines[n][: m.end()]:
            return (n + 1, m.end()), m.group(2)
    return None


def _too_deep(line: int, col: int) -> YamlError:
    return YamlError(
        line,
        col,
        f"YAML nested more than {MAX_DEPTH} levels deep",
        "flatten the lists and mappings",
    )


class _Refused(Exception):
    """The document is hostile: building it stops at the first sign."""

    def __init__(self, error: YamlError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(slots=True)
class _Budget:
    values: int = 0
    open: set[int] = field(default_factory=set)  # ids of the nodes being built (alias loops)


def _build(
    node: yaml.Node, path: Path_, loc: Located, errors: list[YamlError], budget: _Budget
) -> Any:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    budget.values += 1
    if budget.values > MAX_VALUES:
        raise _Refused(
            YamlError(
                line,
                col,
                f"YAML expands to more than {MAX_VALUES} values",
                "write the values out instead of repeating them with & anchors and * aliases",
            )
        )
    if len(path) > MAX_DEPTH:
        raise _Refused(_too_deep(line, col))
    if id(node) in budget.open:
        raise _Refused(YamlError(line, col, "a YAML alias refers to itself", "remove the * alias"))
    if node.tag not in _STANDARD_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise _Refused(
            YamlError(
                line,
                col,
                f"unsupported YAML tag '{tag}'",
                "remove the tag: values are text, numbers, dates, lists and mappings",
            )
        )
    budget.open.add(id(node))
    try:
        return _build_node(node, path, loc, errors, budget)
    finally:
        budget.open.discard(id(node))


def _build_node(
    node: yaml.Node, path: Path_, loc: Located, errors: list[YamlError], budget: _Budget
) -> Any:
    loc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                errors.append(
                    YamlError(
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "YAML merge keys (<<) are not supported",
                        "write the fields out",
                    )
                )
                continue
            key = _build(key_node, (*path, "\0key"), loc, errors, budget)
            if not isinstance(key, (str, int, float, bool, datetime.date)) or key is None:
                errors.append(
                    YamlError(
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "a mapping key must be a plain value",
                    )
                )
                continue
            if isinstance(key, bool) and not key_node.style:
                key = key_node.value  # a name as written: tag 'no', option 'on' (not 'false')
            elif not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                errors.append(
                    YamlError(
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        f"duplicate key '{key}'",
                        "each key may appear once; remove or merge the repeated entry",
                    )
                )
            child = (*path, key)
            loc.key_positions[child] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = _build(value_node, child, loc, errors, budget)
        loc.positions.pop((*path, "\0key"), None)
        loc.words.pop((*path, "\0key"), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), loc, errors, budget) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    try:
        value = _scalar(node)
        if not node.style and (  # plain (the C loader gives "", the Python one None)
            (isinstance(value, bool) and node.value.lower() not in ("true", "false"))
            or (
                isinstance(value, int | float) and not isinstance(value, bool) and ":" in node.value
            )
        ):
            loc.words[path] = node.value
        return value
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        if node.tag == _TIMESTAMP:
            # looks like a date but is none (2024-13-45): text, for the field to judge
            return node.value
        errors.append(
            YamlError(
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"invalid value: {exc}",
                "quote the value if it is text",
            )
        )
        return None
