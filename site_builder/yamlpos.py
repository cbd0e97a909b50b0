"""YAML with source positions.

PyYAML's composer gives every node a start mark; we construct plain Python values from the
node tree ourselves and record where each value sits, keyed by its path of keys and indexes.
Duplicate mapping keys are reported (PyYAML silently keeps the last one).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is several times faster where the wheel ships it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]


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
    return _constructor.construct_object(node, deep=True)  # type: ignore[no-untyped-call]


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Located | None, list[YamlError]]:
    """Parse one YAML document. Returns the located value or the errors found."""
    errors: list[YamlError] = []
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1) if mark else 1
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "check indentation, and quote values that contain ': ' or start with a symbol"
        return None, [YamlError(line + line_offset, col, f"invalid YAML: {problem}", hint)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [YamlError(1 + line_offset, 1, f"invalid YAML: {exc}")]
    located = Located(None, line_offset=line_offset)
    if node is None:
        return located, []
    located.value = _build(node, (), located, errors)
    for e in errors:
        object.__setattr__(e, "line", e.line + line_offset)
    return located, errors


def _build(node: yaml.Node, path: Path_, loc: Located, errors: list[YamlError]) -> Any:
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
            key = _build(key_node, (*path, "\0key"), loc, errors)
            if not isinstance(key, (str, int, float, bool, datetime.date)) or key is None:
                errors.append(
                    YamlError(
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "a mapping key must be a plain value",
                    )
                )
                continue
            if not isinstance(key, str):
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
            result[key] = _build(value_node, child, loc, errors)
        loc.positions.pop((*path, "\0key"), None)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), loc, errors) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError) as exc:
        errors.append(
            YamlError(
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"invalid value: {exc}",
                "quote the value if it is text",
            )
        )
        return None
