"""Properties of the parsers' round-two paths (issue 16): YAML with full-width colons, unclosed
quotes, YAML 1.1 words and base-60 numbers, and text saved as UTF-16 without a byte-order mark.
Whatever the input: no exception, every error inside the text, and what is recorded as a
misread word is the word as written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.load import decode
from site_builder.yamlpos import parse_yaml

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

pieces = st.sampled_from(
    [
        *("title", "date", "level", "key", "tags", "- ", "  ", ": ", "：", "\n", '"', "'"),
        *("no", "yes", "on", "off", "Yes", "1:30", "12", "[", "]", "{", "}", "测试", "#"),
    ]
)
yamlish = st.lists(pieces, max_size=30).map("".join)


@SETTINGS
@given(yamlish)
def test_yaml_of_these_pieces_parses_or_is_reported_inside_the_text(text: str) -> None:
    loc, errors = parse_yaml(text)
    lines = text.split("\n")
    for e in errors:
        assert 1 <= e.line <= len(lines) + 1, (e, text)
        assert e.col >= 1 and e.message
    if loc is None:
        assert errors
        return
    for path, word in loc.words.items():
        assert word in text, (path, word)
        value: object = loc.value
        for part in path:
            assert isinstance(value, dict | list)
            value = value[part]  # type: ignore[index]
        assert isinstance(value, bool | int | float), (path, value)


@SETTINGS
@given(st.text(alphabet="-titleda: 测试市妇联\n2024", min_size=8, max_size=120))
def test_utf16_without_a_bom_is_named_or_decoded(text: str) -> None:
    for codec, name in (("utf-16-be", "UTF-16BE"), ("utf-16-le", "UTF-16LE")):
        raw = text.encode(codec)
        decoded, problem = decode("x.md", raw)
        assert (decoded is None) != (problem is None)
        head = text[:200]
        if sum(c < "\x80" for c in head) >= 0.6 * len(head):  # front matter is mostly ASCII
            assert problem is not None
            assert problem.message == (
                f"file is not UTF-8 (it looks like {name} without a byte-order mark)"
            ), (problem, text)
