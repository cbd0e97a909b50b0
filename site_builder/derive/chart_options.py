"""The raw ECharts ``options:`` of a chart block, made safe before they reach a page.

``options`` is the escape hatch of a chart block (merged last over the generated options), and
ECharts treats some of its strings as HTML or as URLs. So each value is checked at its line:

- a tooltip ``formatter`` (of any tooltip: the chart's, a series', a data item's, the legend's)
  is a string template whose text is escaped here; ECharts itself escapes the data it puts in
  (``{a}``, ``{b}``, ``{c}``), so a template cannot carry markup. A line break is kept as one;
- ``link`` and ``sublink`` (opened by ECharts on click) must be relative or http(s) links;
- every string goes through the offline guard (``gates.string_loads``): as a URL, as CSS and
  as HTML, nothing in it may load from another host;
- the data view of the toolbox, which writes its strings into the page as HTML, is refused;
- values are what JSON holds: text, finite numbers, booleans, null, lists and mappings with
  text keys (YAML's dates, ``.nan`` and boolean keys such as ``on:`` are reported, with how
  to write them).

Problems are reported through ``err(path, message, hint)`` with the value's path below the
block (``("options", "title", "link")``); the checked copy is returned, and with any problem
the chart is not drawn (chart problems are warnings, as for every chart block).
"""

from __future__ import annotations

import datetime
import html
import math
import re
from collections.abc import Callable
from typing import Any

from site_builder.gates import LABEL_OPTION_KEYS, LINK_OPTION_KEYS, string_loads
from site_builder.messages import _

Where = tuple[str | int, ...]
Report = Callable[[Where, str, str], None]

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# What a browser drops from a URL before it reads the scheme ("java\tscript:" runs)
_IGNORED_IN_URL_RE = re.compile(r"[\x00-\x20\x7f]")
_SAFE_LINK_SCHEMES = frozenset({"http", "https"})


def dotted(where: Where) -> str:
    """``options.series[0].tooltip.formatter``: a value's path as a message names it."""
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def type_word(value: object) -> str:
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, datetime.datetime):
        return _("a date and time")
    if isinstance(value, datetime.date):
        return _("a date")
    if isinstance(value, bytes):
        return _("binary data")
    return _("a {kind}").format(kind=type(value).__name__)


def escape_template(text: str) -> str:
    """A tooltip formatter's text as ECharts should show it: every character of markup
    escaped; the template's placeholders ({a}, {b}, {c}, {@name}) kept for ECharts to fill
    (with escaped data); line breaks kept as breaks."""
    return html.escape(text, quote=True).replace("\n", "<br/>")


def link_ok(url: str) -> bool:
    """A relative link, or one to an http(s) URL."""
    cleaned = _IGNORED_IN_URL_RE.sub("", url)
    if cleaned.startswith(("//", "\\\\", "/\\", "\\/")):
        return False  # another host by the page's scheme: file:// when opened from disk
    m = _SCHEME_RE.match(cleaned)
    return m is None or m.group(1).lower() in _SAFE_LINK_SCHEMES


def _short(text: str, limit: int = 60) -> str:
    """A value as a message quotes it: shortened, control characters made visible."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def check_options(raw: dict[Any, Any], err: Report, where: Where = ("options",)) -> dict[str, Any]:
    """The checked copy of a block's ``options`` mapping (see the module's docstring)."""
    return _mapping(raw, err, where, in_tooltip=False)


def _mapping(raw: dict[Any, Any], err: Report, where: Where, in_tooltip: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        at = (*where, key)
        if isinstance(key, bool) or not isinstance(key, (str, int, float)):
            err(
                at,
                _("option key in '{option}' was read as {kind} ({key!r}), not as a name").format(
                    option=dotted(where), kind=type_word(key), key=key
                ),
                _("quote the key, e.g. '{key_text}': …").format(key_text=str(key).lower()),
            )
            continue
        name = key if isinstance(key, str) else str(key)
        if name == "dataView" and "toolbox" in where:
            err(
                at,
                _(
                    "'{option}' is not supported: the data view writes its text into the page as HTML"
                ).format(option=dotted(at)),
                _("remove it: the page shows every chart's data in a table beside it"),
            )
            continue
        tooltip = in_tooltip or name == "tooltip"
        out[name] = _value(value, err, at, tooltip, name)
    return out


def _value(value: Any, err: Report, where: Where, in_tooltip: bool, name: str) -> Any:
    if isinstance(value, dict):
        return _mapping(value, err, where, in_tooltip)
    if isinstance(value, list):
        return [_value(v, err, (*where, i), in_tooltip, name) for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            written = ".nan" if value != value else (".inf" if value > 0 else "-.inf")
            err(
                where,
                _("'{option}' must be a finite number, not {written}").format(
                    option=dotted(where), written=written
                ),
                _("write a number, or quote the text"),
            )
        return value
    if not isinstance(value, str):
        err(
            where,
            _(
                "'{option}' must be text, a number, true/false, null, a list or a mapping, not {kind}"
            ).format(option=dotted(where), kind=type_word(value)),
            _("quote it: '{value}'").format(value=value),
        )
        return None
    # a link is followed, not loaded; a label's text is checked as CSS and HTML, not as a URL
    loads = [] if name in LINK_OPTION_KEYS else string_loads(value, name not in LABEL_OPTION_KEYS)
    if loads:
        err(
            where,
            _("'{option}' loads '{short}' from outside the site").format(
                option=dotted(where), short=_short(loads[0])
            ),
            _(
                "the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path"
            ),
        )
    if name in LINK_OPTION_KEYS and not link_ok(value):
        err(
            where,
            _("'{option}' must be a relative link or an http(s) URL, not '{short}'").format(
                option=dotted(where), short=_short(value)
            ),
            _("e.g. link: ../../orgs/city/ or link: http://intranet/reports/"),
        )
    if name == "formatter" and in_tooltip:
        return escape_template(value)
    return value
