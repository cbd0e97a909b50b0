"""``site.yaml`` ``theme:`` as the page frame uses it: the accent colour as CSS custom properties,
the logo, favicon and footer line. Pure.

The default stylesheet draws every accent (header, links, figures) from ``--accent`` and
``--accent-dark``, so a site changes its colour with one setting instead of a copy of
``assets/site.css``; the header's white text needs the colour dark enough (validate.py checks
WCAG AA, 4.5:1).
"""

from __future__ import annotations

from markupsafe import Markup

from site_builder.model import Theme


def expand_hex(color: str) -> str:
    """``#abc`` -> ``#aabbcc``, lower case."""
    c = color.lower()
    if len(c) == 4:
        c = "#" + "".join(ch * 2 for ch in c[1:])
    return c


def _rgb(color: str) -> tuple[int, int, int]:
    c = expand_hex(color)
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


def luminance(color: str) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darker(color: str, amount: float = 0.23) -> str:
    """The colour mixed with black: the hover and figure colour beside the accent."""
    return "#" + "".join(f"{round(v * (1 - amount)):02x}" for v in _rgb(color))


def style(theme: Theme) -> Markup:
    """A ``<style>`` for the page's head setting the accent colours, or nothing."""
    if not theme.color:
        return Markup("")
    return Markup("<style>:root { --accent: %s; --accent-dark: %s; }</style>\n") % (
        theme.color,
        darker(theme.color),
    )
