"""Stages 3-4, validate and model: check parsed sources and build the frozen domain model.

Every check appends a diagnostic and carries on, so one build reports every problem at once.
Pure: the only inputs are parsed values; the only outputs are the model and diagnostics.

Long: one check per source kind (configuration, organizations, registries, reports, pages,
data files) and the model built from them; each needs the registries the others build, so they
run in one place, in order.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from site_builder import numbers, theme
from site_builder.errors import Diagnostic, Diagnostics, did_you_mean
from site_builder.messages import _
from site_builder.model import (
    DEFAULT_KINDS,
    DEFAULT_LEVELS,
    EMPTY,
    TRANSLATION_STATUSES,
    DocDate,
    DocMeta,
    FormerName,
    KindDef,
    LevelDef,
    LocalText,
    Metric,
    MetricValue,
    Org,
    Page,
    Phrase,
    Qualifier,
    Report,
    Site,
    SiteConfig,
    Tag,
    Theme,
    Translation,
)
from site_builder.parse import ParsedDoc, ParsedYaml, type_name
from site_builder.yamlpos import Located

# \Z, not $: "$" also matches before a final newline ("city\n" passed as a key)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
METRIC_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")
REPORT_NAME_RE = re.compile(r"^(?P<year>\d{4})-(?P<slug>[a-z0-9][a-z0-9-]*)(?P<en>\.en)?\.md\Z")
_TAG_JOINERS = re.compile(r"[，、,；;]")  # what a tag list typed as one text is joined by
REPORT_YEARS = (1900, 2100)  # a file name's year outside them is a typo (0000, 2204)
PAGE_NAME_RE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)(?P<en>\.en)?\.md\Z")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ALL_LANGUAGES = ("zh-Hans", "zh-Hant", "en")


@dataclass(slots=True)
class Ctx:
    """Where a value came from: the file and its located YAML, for messages."""

    rel: str
    loc: Located
    diags: Diagnostics

    def err(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        line, col = self.loc.pos(path)
        self.diags.error(self.rel, line, col, message, hint)

    def key_err(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        line, col = self.loc.key_pos(path)
        self.diags.error(self.rel, line, col, message, hint)

    def warn(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        line, col = self.loc.pos(path)
        self.diags.warning(self.rel, line, col, message, hint)


def check_keys(
    ctx: Ctx,
    mapping: dict[str, Any],
    path: tuple[str | int, ...],
    allowed: Sequence[str],
    required: Sequence[str] = (),
    what: str = "",
) -> None:
    for key in mapping:
        if key not in allowed:
            ctx.key_err(
                (*path, key),
                (
                    _("unknown key '{key}' in {what}").format(key=key, what=what)
                    if what
                    else _("unknown key '{key}'").format(key=key)
                ),
                did_you_mean(key, allowed),
            )
    for key in required:
        if key not in mapping:
            ctx.err(
                path,
                (
                    _("missing required key '{key}' in {what}").format(key=key, what=what)
                    if what
                    else _("missing required key '{key}'").format(key=key)
                ),
            )


# Longer than any title, name or summary (the corpus' longest title is 4,000 characters);
# a 1 MB site title, repeated in every page of three trees, took minutes to build.
MAX_TEXT = 10_000
# C0 and C1 controls but tab and newline: YAML escapes ("\0", "\x07", "\e") write them, and
# they reach the HTML invisible (NUL is not even allowed there)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """A name as a message quotes it: control characters (a trailing newline) made visible."""
    return _CONTROL_RE.sub(lambda m: repr(m.group())[1:-1], text.replace("\n", "\\n"))


def _text_problem(ctx: Ctx, text: str, path: tuple[str | int, ...], field_name: str) -> bool:
    """Report a text that is too long or holds control characters; True if it did."""
    if len(text) > MAX_TEXT:
        ctx.err(
            path,
            _("'{field_name}' is {count} characters long (the limit is {limit})").format(
                field_name=field_name, count=len(text), limit=MAX_TEXT
            ),
            _("shorten it: titles, names and summaries are a line or a paragraph"),
        )
        return True
    m = _CONTROL_RE.search(text)
    if m is not None:
        ctx.err(
            path,
            _("'{field_name}' holds the control character U+{code:04X}").format(
                field_name=field_name, code=ord(m.group())
            ),
            _(
                'remove it (YAML escapes such as "\\0", "\\x07" or "\\e" in double quotes write invisible characters)'
            ),
        )
        return True
    return False


def local_text(
    ctx: Ctx, value: Any, path: tuple[str | int, ...], field_name: str, required: bool = False
) -> LocalText:
    """A plain string or a mapping {zh: …, en: …}."""
    if value is None:
        if required:
            ctx.err(path, _("'{field_name}' must not be empty").format(field_name=field_name))
        return EMPTY
    if isinstance(value, bool) or not isinstance(value, str | int | float | dict):
        ctx.err(
            path,
            _("'{field_name}' must be text or a mapping {{zh: …, en: …}}, not {kind}").format(
                field_name=field_name, kind=type_name(value)
            ),
            ctx.loc.misread(path),
        )
        return EMPTY
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            if required:
                ctx.err(path, _("'{field_name}' must not be empty").format(field_name=field_name))
            return EMPTY
        if _text_problem(ctx, text, path, field_name):
            return EMPTY
        if CJK_RE.search(text):
            return LocalText(zh=text)
        return LocalText(zh=text, en=text)  # language-neutral (names, acronyms, numbers)
    check_keys(ctx, value, path, ("zh", "en"), what=f"'{field_name}'")
    parts: dict[str, str] = {}
    for lang in ("zh", "en"):
        v = value.get(lang)
        if v is None:
            continue
        if not isinstance(v, str) or isinstance(v, bool):
            ctx.err(
                (*path, lang),
                _("'{field_name}.{lang}' must be text, not {kind}").format(
                    field_name=field_name, lang=lang, kind=type_name(v)
                ),
            )
            continue
        if v.strip() and not _text_problem(ctx, v.strip(), (*path, lang), f"{field_name}.{lang}"):
            parts[lang] = v.strip()
    if not parts:
        if required:
            ctx.err(
                path,
                _("'{field_name}' needs at least one of 'zh' or 'en'").format(
                    field_name=field_name
                ),
            )
        return EMPTY
    return LocalText(zh=parts.get("zh"), en=parts.get("en"))


def _bool(
    ctx: Ctx, m: dict[str, Any], key: str, path: tuple[str | int, ...], default: bool
) -> bool:
    v = m.get(key, default)
    if not isinstance(v, bool):
        ctx.err(
            (*path, key),
            _("'{key}' must be true or false, not {kind}").format(key=key, kind=type_name(v)),
        )
        return default
    return v


def _int(ctx: Ctx, m: dict[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    v = m.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        ctx.err(
            (key,),
            _("'{key}' must be a whole number from {lo} to {hi}").format(key=key, lo=lo, hi=hi),
        )
        return default
    return v


# --- site.yaml -----------------------------------------------------------------------------

CONFIG_KEYS = (
    "title",
    "description",
    "base_url",
    "languages",
    "default_language",
    "markdown",
    "latest_reports",
    "chinese",
    "pdf",
    "theme",
    "levels",
    "kinds",
)


def _levels(ctx: Ctx, raw: Any) -> tuple[LevelDef, ...]:
    """The default levels, then the site's own (``levels: {district: {zh: 区级, en: …}}``)."""
    out = list(DEFAULT_LEVELS)
    if raw is None:
        return tuple(out)
    if not isinstance(raw, dict):
        ctx.err(
            ("levels",), _("'levels' must map a level key to its name"), _("e.g. district: 区级")
        )
        return tuple(out)
    for key, name in raw.items():
        if not isinstance(key, str) or not KEY_RE.match(key.replace("_", "-")):
            ctx.key_err(
                ("levels", key),
                _("level key '{key}' must use a-z, 0-9, '-' and '_'").format(key=key),
            )
            continue
        text = local_text(ctx, name, ("levels", key), f"levels.{key}", required=True)
        out = [lv for lv in out if lv.key != key] + [LevelDef(key, text or LocalText(key, key))]
    return tuple(out)


def _kinds(ctx: Ctx, raw: Any) -> tuple[KindDef, ...]:
    """The default kinds, then the site's own or redefined ones
    (``kinds: {office: {name: {zh: 办公室, en: Office}, rolls_up: false}}``)."""
    out = list(DEFAULT_KINDS)
    if raw is None:
        return tuple(out)
    if not isinstance(raw, dict):
        ctx.err(("kinds",), _("'kinds' must map a kind key to {name: …, rolls_up: …}"))
        return tuple(out)
    for key, d in raw.items():
        p: tuple[str | int, ...] = ("kinds", key)
        if not isinstance(key, str) or not KEY_RE.match(key.replace("_", "-")):
            ctx.key_err(p, _("kind key '{key}' must use a-z, 0-9, '-' and '_'").format(key=key))
            continue
        if not isinstance(d, dict):
            ctx.err(p, _("kind '{key}' must be a mapping {{name: …, rolls_up: …}}").format(key=key))
            continue
        check_keys(
            ctx, d, p, ("name", "rolls_up"), ("name",), what=_("kind '{key}'").format(key=key)
        )
        name = local_text(ctx, d.get("name"), (*p, "name"), "name", required="name" in d)
        rolls_up = _bool(ctx, d, "rolls_up", p, True)
        out = [k for k in out if k.key != key] + [
            KindDef(key, name or LocalText(key, key), rolls_up)
        ]
    return tuple(out)


def validate_config(
    parsed: ParsedYaml | None, diags: Diagnostics, assets: Collection[str] | None = None
) -> SiteConfig | None:
    """site.yaml. ``assets``: the files under ``assets/`` (the site's and the package's), which
    ``theme.logo`` and ``theme.favicon`` must name; None: not checked."""
    if parsed is None:
        return None
    ctx = Ctx(parsed.source.rel, parsed.data, diags)
    m = parsed.data.value
    if m is None:
        m = {}
    if not isinstance(m, dict):
        ctx.err(
            (), _("site.yaml must be a mapping of settings, not {kind}").format(kind=type_name(m))
        )
        return None
    check_keys(ctx, m, (), CONFIG_KEYS, required=("title",), what="site.yaml")
    title = local_text(ctx, m.get("title"), ("title",), "title", required="title" in m)
    description = local_text(ctx, m.get("description"), ("description",), "description")
    base_url = m.get("base_url")
    if base_url is not None:
        if not isinstance(base_url, str) or not re.match(r"^https?://[^\s/]+", base_url):
            ctx.err(
                ("base_url",),
                _("'base_url' must be an absolute http(s) URL"),
                _("e.g. http://intranet/reports/"),
            )
            base_url = None
        elif any(c in base_url for c in "?#") or any(c.isspace() for c in base_url):
            ctx.err(
                ("base_url",),
                _(
                    "'base_url' must be the address of the site's folder, without a query (?…), a fragment (#…) or blanks"
                ),
                _(
                    "sitemap and feed URLs are made by adding each page's path to it, e.g. http://intranet/reports/"
                ),
            )
            base_url = None
        elif not base_url.endswith("/"):
            base_url += "/"
    languages: tuple[str, ...] = ALL_LANGUAGES
    langs = m.get("languages", list(ALL_LANGUAGES))
    if not isinstance(langs, list) or not langs:
        ctx.err(
            ("languages",),
            _("'languages' must be a non-empty list"),
            _("e.g. [zh-Hans, zh-Hant, en]"),
        )
    else:
        good = []
        for i, lang in enumerate(langs):
            if lang not in ALL_LANGUAGES:
                ctx.err(
                    ("languages", i),
                    _("unknown language '{lang}'").format(lang=lang),
                    did_you_mean(str(lang), ALL_LANGUAGES),
                )
            elif lang in good:
                ctx.err(("languages", i), _("language '{lang}' is listed twice").format(lang=lang))
            else:
                good.append(lang)
        if good:
            languages = tuple(lang for lang in ALL_LANGUAGES if lang in good)
    default = m.get("default_language", languages[0])
    if default not in languages:
        ctx.err(
            ("default_language",),
            _("'default_language' '{default}' is not one of the site's languages").format(
                default=default
            ),
            _("expected one of: {names}").format(names=", ".join(languages)),
        )
        default = languages[0]
    raw_html = False
    md = m.get("markdown", {})
    if not isinstance(md, dict):
        ctx.err(
            ("markdown",), _("'markdown' must be a mapping, not {kind}").format(kind=type_name(md))
        )
    else:
        check_keys(ctx, md, ("markdown",), ("raw_html",), what="'markdown'")
        raw_html = _bool(ctx, md, "raw_html", ("markdown",), False)
    phrases: list[Phrase] = []
    quotes = "corner"
    zh = m.get("chinese", {})
    if not isinstance(zh, dict):
        ctx.err(
            ("chinese",), _("'chinese' must be a mapping, not {kind}").format(kind=type_name(zh))
        )
    else:
        check_keys(ctx, zh, ("chinese",), ("phrases", "quotes"), what="'chinese'")
        style = zh.get("quotes", "corner")
        if style in ("corner", "curly"):
            quotes = style
        else:
            shown = f"'{style}'" if isinstance(style, str) else type_name(style)
            ctx.err(
                ("chinese", "quotes"),
                _("'quotes' must be corner or curly, not {shown}").format(shown=shown),
                _("corner: 「」『』 on zh-Hant pages (the default); curly: keep “” ‘’"),
            )
        items = zh.get("phrases", [])
        if not isinstance(items, list):
            ctx.err(("chinese", "phrases"), _("'phrases' must be a list of {hans: …, hant: …}"))
            items = []
        for i, item in enumerate(items):
            p = ("chinese", "phrases", i)
            if not isinstance(item, dict):
                ctx.err(p, _("a phrase must be a mapping {hans: …, hant: …}"))
                continue
            check_keys(ctx, item, p, ("hans", "hant"), ("hans", "hant"), what=_("a phrase"))
            hans, hant = item.get("hans"), item.get("hant")
            hans = hans.strip() if isinstance(hans, str) else hans
            hant = hant.strip() if isinstance(hant, str) else hant
            if isinstance(hans, str) and isinstance(hant, str) and hans and hant:
                if len(hans) != len(hant):
                    ctx.err(
                        p,
                        _(
                            "phrase '{hans}' / '{hant}': both forms must have the same length"
                        ).format(hans=hans, hant=hant),
                        _("Simplified and Traditional forms map character for character"),
                    )
                    continue
                if any(c in form for form in (hans, hant) for c in "<>\U0010fffd"):
                    # pages are converted as text between tags (chinese.Phrase refuses these)
                    ctx.err(
                        p,
                        _(
                            "phrase '{hans}' / '{hant}' holds '<', '>' or a reserved character"
                        ).format(hans=hans, hant=hant),
                        _("phrases are words of the text; markup around them is not part of them"),
                    )
                    continue
                phrases.append(Phrase(hans, hant))
            elif "hans" in item and "hant" in item:
                ctx.err(p, _("'hans' and 'hant' must be non-empty text"))
    latest = _int(ctx, m, "latest_reports", 10, 1, 100)
    pdf = _bool(ctx, m, "pdf", (), False)
    theme = validate_theme(ctx, m.get("theme", {}), assets)
    levels = _levels(ctx, m.get("levels"))
    kinds = _kinds(ctx, m.get("kinds"))
    return SiteConfig(
        pdf=pdf,
        theme=theme,
        title=title,
        description=description,
        base_url=base_url,
        languages=languages,
        default_language=default,
        raw_html=raw_html,
        latest_reports=latest,
        phrases=tuple(phrases),
        quotes=quotes,
        levels=levels,
        kinds=kinds,
    )


THEME_KEYS = ("color", "logo", "favicon", "footer")
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")
_ASSET_RE = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\.(svg|png|jpe?g|gif|webp|ico)")


def validate_theme(ctx: Ctx, t: Any, assets: Collection[str] | None = None) -> Theme:
    """``theme:`` of site.yaml. The colour is the header's background under white text, so it
    must reach WCAG AA contrast (4.5:1) with white; logo and favicon are image files of
    ``assets`` (when given): one that does not exist is an error here, once, rather than a
    broken link on every page."""
    if not isinstance(t, dict):
        ctx.err(("theme",), _("'theme' must be a mapping, not {kind}").format(kind=type_name(t)))
        return Theme()
    check_keys(ctx, t, ("theme",), THEME_KEYS, what="'theme'")
    color = t.get("color")
    if color is not None:
        if not isinstance(color, str) or not _COLOR_RE.fullmatch(color):
            ctx.err(
                ("theme", "color"), _("'color' must be a hex colour"), _("e.g. '#9f1d20' (quoted)")
            )
            color = None
        else:
            color = theme.expand_hex(color)
            ratio = theme.contrast(color, "#ffffff")
            if ratio < 4.5:
                ctx.err(
                    ("theme", "color"),
                    _("colour {color} is too light for white text (contrast {ratio:.1f}:1)").format(
                        color=color, ratio=ratio
                    ),
                    _("choose a darker colour: at least 4.5:1 against white"),
                )
                color = None
    files: dict[str, str | None] = {}
    for key in ("logo", "favicon"):
        v = t.get(key)
        if v is not None and (
            not isinstance(v, str)
            or not _ASSET_RE.fullmatch(v)
            or any(part.strip(".") == "" for part in v.split("/"))  # no "." or ".." steps
        ):
            ctx.err(
                ("theme", key),
                _("'{key}' must be an image file in assets/, e.g. logo.svg").format(key=key),
                _("a path relative to assets/ ending in .svg, .png, .jpg, .gif, .webp or .ico"),
            )
            v = None
        elif isinstance(v, str) and assets is not None and v not in assets:
            images = [a for a in assets if _ASSET_RE.fullmatch(a)]
            ctx.err(
                ("theme", key),
                _("'{key}' names assets/{path}, which does not exist").format(key=key, path=v),
                did_you_mean(v, images) + _("; put the image in the site's assets/ folder"),
            )
            v = None
        files[key] = v
    footer = local_text(ctx, t["footer"], ("theme", "footer"), "footer") if "footer" in t else None
    footer = None if footer == EMPTY else footer
    return Theme(color=color, logo=files["logo"], favicon=files["favicon"], footer=footer)


# --- organizations -------------------------------------------------------------------------

ORG_KEYS = (
    "name",
    "short_name",
    "level",
    "kind",
    "parent",
    "description",
    "sample",
    "former_names",
)
FORMER_NAME_KEYS = ("name", "short_name", "from", "until")


def _year(ctx: Ctx, value: Any, path: tuple[str | int, ...], what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
        ctx.err(
            path,
            _("'{what}' must be a year (four digits), not {value!r}").format(
                what=what, value=value
            ),
            "e.g. 2019",
        )
        return None
    return value


def _former_names(ctx: Ctx, raw: Any) -> tuple[FormerName, ...]:
    """``former_names: [{name: …, short_name: …, from: 2010, until: 2019}]``, oldest first."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ctx.err(
            ("former_names",),
            _("'former_names' must be a list of {name: …, until: <year>}"),
            _("e.g. former_names: [{name: 天津市妇女联合会, until: 2019}]"),
        )
        return ()
    out: list[FormerName] = []
    for i, item in enumerate(raw):
        p: tuple[str | int, ...] = ("former_names", i)
        if not isinstance(item, dict):
            ctx.err(p, _("a former name must be a mapping {name: …, until: <year>}"))
            continue
        check_keys(ctx, item, p, FORMER_NAME_KEYS, ("name",), what=_("a former name"))
        name = local_text(ctx, item.get("name"), (*p, "name"), "name", required="name" in item)
        short = local_text(ctx, item.get("short_name"), (*p, "short_name"), "short_name")
        start = _year(ctx, item.get("from"), (*p, "from"), "from")
        end = _year(ctx, item.get("until"), (*p, "until"), "until")
        if start is None and end is None and ("from" not in item and "until" not in item):
            ctx.err(p, _("a former name needs the years it applied: 'until' and/or 'from'"))
            continue
        if start is not None and end is not None and start > end:
            ctx.err(
                (*p, "from"),
                _("'from' {start} is after 'until' {end}").format(start=start, end=end),
            )
            continue
        if not name:
            continue
        former = FormerName(name, short, start, end)
        clash = next(
            (f for f in out if (f.start or 0) <= (end or 9999) and (start or 0) <= (f.end or 9999)),
            None,
        )
        if clash is not None:
            ctx.err(p, _("this former name's years overlap those of an earlier one"))
            continue
        out.append(former)
    return tuple(sorted(out, key=lambda f: (f.start or 0, f.end or 9999)))


def validate_org(
    parsed: ParsedYaml, diags: Diagnostics, config: SiteConfig | None = None
) -> Org | None:
    rel = parsed.source.rel
    ctx = Ctx(rel, parsed.data, diags)
    key = rel.rsplit("/", 1)[-1].removesuffix(".yaml")
    if not KEY_RE.match(key):
        diags.error(
            rel,
            1,
            1,
            _("organization key '{key}' (the file name) must use a-z, 0-9 and '-'").format(key=key),
            _("rename the file, e.g. content/orgs/tianjin.yaml"),
        )
        return None
    m = parsed.data.value
    if not isinstance(m, dict):
        ctx.err(
            (), _("an organization file must be a mapping, not {kind}").format(kind=type_name(m))
        )
        return None
    check_keys(ctx, m, (), ORG_KEYS, ("name", "level"), what=_("organization"))
    name = local_text(ctx, m.get("name"), ("name",), "name", required="name" in m)
    levels = [lv.key for lv in (config.levels if config and config.levels else DEFAULT_LEVELS)]
    kinds = [k.key for k in (config.kinds if config and config.kinds else DEFAULT_KINDS)]
    level_raw = m.get("level")
    level = ""
    ok = True
    if "level" in m:
        if isinstance(level_raw, str) and level_raw in levels:
            level = level_raw
        else:
            shown = ctx.loc.written(("level",), level_raw)
            known = did_you_mean(shown, levels)
            if isinstance(level_raw, str) and level_raw in kinds:
                known = _("'{level}' is a kind: write 'kind: {level}' and the level apart").format(
                    level=level_raw
                )
            misread = ctx.loc.misread(("level",))
            ctx.err(
                ("level",),
                _("unknown level '{shown}'").format(shown=shown),
                f"{misread}; {known}" if misread else known,
            )
            ok = False
    else:
        ok = False
    kind = m.get("kind")
    if kind is not None and (not isinstance(kind, str) or kind not in kinds):
        ctx.err(
            ("kind",),
            _("unknown kind '{kind}'").format(kind=kind),
            did_you_mean(str(kind), kinds)
            + _("; add kinds of your own under 'kinds:' in site.yaml"),
        )
        kind = None
    parent = m.get("parent")
    if parent is not None and not isinstance(parent, str):
        ctx.err(
            ("parent",),
            _("'parent' must be an organization key, not {kind}").format(kind=type_name(parent)),
            ctx.loc.misread(("parent",)),
        )
        parent = None
    # every field is checked before giving up on the file: all problems at once
    short_name = local_text(ctx, m.get("short_name"), ("short_name",), "short_name")
    description = local_text(ctx, m.get("description"), ("description",), "description")
    sample = _bool(ctx, m, "sample", (), False)
    former = _former_names(ctx, m.get("former_names"))
    if not ok or not name:
        return None
    return Org(
        key=key,
        name=name,
        short_name=short_name,
        level=level,
        parent=parent,
        description=description,
        sample=sample,
        path=rel,
        kind=kind,
        former_names=former,
    )


MAX_DEPTH = 50
"""How deep the organization tree may go; pages nest one list per level."""


def link_orgs(orgs: dict[str, Org], parsed: dict[str, Located], diags: Diagnostics) -> None:
    """Parents must exist, differ from the organization itself, sit no lower than their
    children (among the built-in levels) and form no cycle; a child may sit at its parent's
    level (an organ under its committee). A parent link that breaks a rule is reported and then
    dropped from ``orgs``, so the tree the later stages walk has no cycle; the tree is at most
    ``MAX_DEPTH`` deep (a deeper one is an error)."""
    broken: set[str] = set()
    builtin = [lv.key for lv in DEFAULT_LEVELS]
    for key, org in sorted(orgs.items()):
        if org.parent is None:
            continue
        line, col = parsed[key].pos(("parent",))
        parent = orgs.get(org.parent)
        if parent is None:
            diags.error(
                org.path,
                line,
                col,
                _("unknown parent organization '{parent}'").format(parent=org.parent),
                did_you_mean(org.parent, orgs),
            )
            broken.add(key)
            continue
        if org.parent == key:
            diags.error(
                org.path,
                line,
                col,
                _("organization '{key}' names itself as its parent").format(key=key),
                _("name the organization above it, or remove 'parent' if it has none"),
            )
            broken.add(key)
            continue
        if (
            parent.level in builtin
            and org.level in builtin
            and builtin.index(parent.level) > builtin.index(org.level)
        ):  # a site's own levels have no fixed place among the built-in ones
            diags.error(
                org.path,
                line,
                col,
                _("parent '{parent}' is {level}, below this {level2} organization").format(
                    parent=org.parent, level=parent.level, level2=org.level
                ),
                _(
                    "a parent is at its child's level or above (national > provincial > municipal > county > township)"
                ),
            )
            broken.add(key)
    # cycles, in one walk up from each organization: a node reached again on the same walk
    # closes a cycle; a node finished by an earlier walk leads to none new
    done: set[str] = set()
    for start in sorted(orgs):
        path: list[str] = []
        on_path: set[str] = set()
        key = start
        while key in orgs and key not in done and key not in on_path:
            path.append(key)
            on_path.add(key)
            key = orgs[key].parent or ""
        if key in on_path and orgs[key].parent != key:  # (a parent of itself: reported above)
            cycle = path[path.index(key) :]
            for i, member in enumerate(cycle):
                org = orgs[member]
                line, col = parsed[member].pos(("parent",))
                shown = [*cycle[i:], *cycle[:i], member]
                diags.error(
                    org.path,
                    line,
                    col,
                    _("organization parents form a cycle: {cycle}").format(cycle=" → ".join(shown)),
                    _("one of them must have another parent, or none"),
                )
                broken.add(member)
        done.update(path)
    for key in broken:
        orgs[key] = replace(orgs[key], parent=None)
    depth: dict[str, int] = {}
    for key in sorted(orgs):
        chain: list[str] = []
        k2: str | None = key
        while k2 is not None and k2 not in depth:
            chain.append(k2)
            k2 = orgs[k2].parent
        d = depth[k2] if k2 is not None else 0
        for c in reversed(chain):
            d += 1
            if d == MAX_DEPTH + 1:
                line, col = parsed[c].pos(("parent",))
                diags.error(
                    orgs[c].path,
                    line,
                    col,
                    _("the organization tree is more than {limit} levels deep here").format(
                        limit=MAX_DEPTH
                    ),
                    _("organizations nest at most this deep"),
                )
                orgs[c] = replace(orgs[c], parent=None)  # later stages see a tree this deep
                d = 1
            depth[c] = d


# --- metrics and tags -----------------------------------------------------------------------

METRIC_DEF_KEYS = ("label", "unit", "additive", "format", "scale")
FORMATS = ("count", "currency", "percent")
SCALES = ("auto", "none", "wan", "yi")


def metric_ref(key: object) -> str:
    """A metric key as a report may have meant it ('Study Sessions', 'study_sessions\\n' ->
    'study_sessions'): how a report's key is matched to a definition refused in metrics.yaml."""
    return re.sub(r"[\s-]+", "_", str(key).strip().lower())


ANY = "*"
"""In a registry's ``broken`` keys: the whole file was unusable (it did not parse, or is not a
mapping), so no reference into it is reported as unknown."""


def validate_metrics(
    parsed: ParsedYaml | None, diags: Diagnostics, broken: set[str] | None = None
) -> dict[str, Metric]:
    """Metrics by key. ``broken`` collects the keys (``metric_ref``) of definitions refused
    here, or ``ANY``: a report that uses one is not also told it is unknown (one error, at the
    YAML)."""
    broken = set() if broken is None else broken
    if parsed is None:
        return {}
    ctx = Ctx(parsed.source.rel, parsed.data, diags)
    m = parsed.data.value or {}
    if not isinstance(m, dict):
        ctx.err(
            (),
            _("metrics.yaml must map metric keys to definitions, not {kind}").format(
                kind=type_name(m)
            ),
        )
        broken.add(ANY)
        return {}
    out: dict[str, Metric] = {}
    for key, d in m.items():
        if not METRIC_KEY_RE.match(key):
            ctx.key_err(
                (key,),
                _("metric key '{key}' must use a-z, 0-9 and '_'").format(key=shown(key)),
                _("e.g. study_sessions"),
            )
            broken.add(metric_ref(key))
            continue
        if not isinstance(d, dict):
            ctx.err(
                (key,), _("metric '{key}' must be a mapping with label and unit").format(key=key)
            )
            broken.add(metric_ref(key))
            continue
        check_keys(
            ctx,
            d,
            (key,),
            METRIC_DEF_KEYS,
            ("label", "unit"),
            what=_("metric '{key}'").format(key=key),
        )
        fmt = d.get("format", "count")
        if fmt not in FORMATS:
            ctx.err(
                (key, "format"),
                _("unknown format '{fmt}'").format(fmt=fmt),
                did_you_mean(str(fmt), FORMATS),
            )
            fmt = "count"
        scale = d.get("scale", "auto")
        if scale not in SCALES:
            ctx.err(
                (key, "scale"),
                _("unknown scale '{scale}'").format(scale=scale),
                did_you_mean(str(scale), SCALES),
            )
            scale = "auto"
        unit = d.get("unit")
        out[key] = Metric(
            key=key,
            label=local_text(ctx, d.get("label"), (key, "label"), "label", required="label" in d),
            unit=LocalText("", "") if unit == "" else local_text(ctx, unit, (key, "unit"), "unit"),
            additive=_bool(ctx, d, "additive", (key,), True),
            format=fmt,
            scale=scale,
        )
    return out


def validate_tags(
    parsed: ParsedYaml | None,
    diags: Diagnostics,
    to_hans: Callable[[str], str],
    what: str = "tag",
    broken: set[str] | None = None,
) -> dict[str, Tag]:
    """Tags by slug. The registry's keys are Chinese names; slugs default to their pinyin.
    The document-type registry (``content/types.yaml``, ``what="type"``) has the same form.
    ``broken`` collects the keys of entries refused here, or ``ANY`` (as in
    ``validate_metrics``)."""
    broken = set() if broken is None else broken
    if parsed is None:
        return {}
    ctx = Ctx(parsed.source.rel, parsed.data, diags)
    m = parsed.data.value or {}
    file = f"{what}s.yaml"
    what = _("tag") if what == "tag" else _("type")  # the word the messages use from here on
    if not isinstance(m, dict):
        ctx.err(
            (),
            _("{file} must map {what} names to {{en: …}}, not {kind}").format(
                file=file, what=what, kind=type_name(m)
            ),
        )
        broken.add(ANY)
        return {}
    out: dict[str, Tag] = {}
    for name, d in m.items():
        if d is None:
            d = {}
        if not isinstance(d, dict):
            ctx.err(
                (name,),
                _("{what} '{name}' must be a mapping like {{en: …, slug: …}}").format(
                    what=what, name=name
                ),
            )
            broken.add(to_hans(str(name).strip()))
            continue
        check_keys(
            ctx, d, (name,), ("en", "slug"), what=_("{what} '{name}'").format(what=what, name=name)
        )
        en = d.get("en")
        if en is not None and not isinstance(en, str):
            ctx.err((name, "en"), _("'en' must be text"))
            en = None
        slug = d.get("slug") or tag_slug(to_hans(name))
        if not isinstance(slug, str) or not KEY_RE.match(slug):
            ctx.err(
                (name, "slug"),
                _("{what} slug '{slug}' must use a-z, 0-9 and '-'").format(
                    what=what, slug=shown(slug)
                ),
            )
            broken.add(to_hans(str(name).strip()))
            continue
        if slug in out:
            ctx.key_err(
                (name,),
                _("{what} '{name}' has the same slug '{slug}' as {what} '{zh}'").format(
                    what=what, name=name, slug=slug, zh=out[slug].name.zh
                ),
                _("give one of them its own 'slug'"),
            )
            broken.add(to_hans(str(name).strip()))
            continue
        zh = name if CJK_RE.search(name) else None
        out[slug] = Tag(
            name=LocalText(zh=zh or name, en=en or (None if zh else name)),
            slug=slug,
            key=to_hans(name),
        )
    return out


def tag_slug(text: str) -> str:
    """An ASCII slug: pinyin syllables for Chinese, read word by word in either script
    (长效机制 chang-xiao-ji-zhi, 銀行 yin-hang), lower-case words otherwise."""
    from site_builder.pinyin import pinyin_words

    return "-".join(pinyin_words(text)) or "tag"


# --- reports and pages -----------------------------------------------------------------------

REPORT_KEYS = (
    "title",
    "date",
    "period",
    "summary",
    "tags",
    "lang",
    "draft",
    "source",
    "metrics",
    "doc_number",
    "issuer",
    "author",
    "type",
)
TRANSLATION_KEYS = ("title", "summary", "status")
URL_RE = re.compile(r"^https?://[^\s/]+\S*$")
METRIC_ENTRY_KEYS = ("key", "value", "qualifier")


def _metrics(
    ctx: Ctx, raw: Any, metrics: dict[str, Metric], broken: Collection[str] = ()
) -> tuple[MetricValue, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ctx.err(("metrics",), _("'metrics' must be a list of {key: …, value: …}"))
        return ()
    out: list[MetricValue] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p: tuple[str | int, ...] = ("metrics", i)
        if not isinstance(item, dict):
            ctx.err(
                p,
                _("a metric entry must be a mapping {{key: …, value: …}}, not {kind}").format(
                    kind=type_name(item)
                ),
            )
            continue
        check_keys(ctx, item, p, METRIC_ENTRY_KEYS, ("key", "value"), what=_("a metric entry"))
        key, value = item.get("key"), item.get("value")
        if "key" not in item or "value" not in item:
            continue
        if not isinstance(key, str):
            ctx.err(
                (*p, "key"),
                _("a metric's 'key' must be text, not {kind}").format(kind=type_name(key)),
            )
            continue
        if key not in metrics:
            if ANY in broken or metric_ref(key) in broken:
                continue  # its definition is refused in metrics.yaml: the error is there
            ctx.err(
                (*p, "key"),
                _("unknown metric '{key}'").format(key=key),
                did_you_mean(str(key), metrics)
                + _("; metrics are defined in content/metrics.yaml"),
            )
            continue
        if key in seen:
            ctx.err((*p, "key"), _("metric '{key}' is listed twice in this report").format(key=key))
            continue
        seen.add(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = _("write the plain number: 7万 is 70000, 303.92万元 is 3039200")
            if isinstance(value, str) and re.search(r"[余多约以上+]", value):
                hint = _(
                    "write the number alone and add 'qualifier: more_than' or 'qualifier: about'"
                )
            ctx.err(
                (*p, "value"),
                _("metric value must be a number, not {kind}").format(kind=type_name(value)),
                hint,
            )
            continue
        if (*p, "value") in ctx.loc.words:  # 1:30, read as 90
            ctx.err(
                (*p, "value"),
                _(
                    "metric value '{words}' is not a number (YAML reads it as the base-60 number {value})"
                ).format(words=ctx.loc.words[(*p, "value")], value=value),
                _("write the figure as one plain number, e.g. 90"),
            )
            continue
        if value != value or value < 0 or value in (float("inf"), float("-inf")):
            ctx.err((*p, "value"), _("metric value must be a finite number of zero or more"))
            continue
        if numbers.value_problem(value):
            ctx.err(
                (*p, "value"),
                _("metric value is too large ({count} digits; the limit is 10^15)").format(
                    count=len(str(int(value)))
                ),
                _("check the digits: write the plain number, e.g. 3039200"),
            )
            continue
        q = item.get("qualifier")
        qualifier = None
        if q is not None:
            try:
                qualifier = Qualifier(q)
            except ValueError:
                ctx.err(
                    (*p, "qualifier"),
                    _("unknown qualifier '{q}'").format(q=q),
                    _("expected more_than (余/多/以上) or about (约)"),
                )
                continue
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        out.append(MetricValue(key, value, qualifier, ctx.loc.pos(p)[0]))
    return tuple(out)


def _date(ctx: Ctx, raw: Any, path: tuple[str | int, ...] = ("date",)) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    what = "'" + ".".join(str(p) for p in path) + "'"
    hint = _("e.g. date: 2024-12-31")
    ctx.err(
        path, _("{what} must be a date YYYY-MM-DD, not {raw!r}").format(what=what, raw=raw), hint
    )
    return None


def _when(ctx: Ctx, m: dict[str, Any], year: int) -> DocDate | None:
    """``date: 2024-06-29`` (a day), ``date: 2019`` (a year only) or
    ``period: {from: 2018-09-19, to: 2018-10-25}``; the file name's year must be the date's,
    or the period's end's."""
    if "date" in m and "period" in m:
        ctx.key_err(("period",), _("a report has either 'date' or 'period', not both"))
        return None
    if "period" in m:
        raw = m["period"]
        if not isinstance(raw, dict):
            ctx.err(("period",), _("'period' must be {from: YYYY-MM-DD, to: YYYY-MM-DD}"))
            return None
        check_keys(ctx, raw, ("period",), ("from", "to"), ("from", "to"), what="'period'")
        if "from" not in raw or "to" not in raw:
            return None
        start = _date(ctx, raw["from"], ("period", "from"))
        end = _date(ctx, raw["to"], ("period", "to"))
        if start is None or end is None:
            return None
        if start > end:
            ctx.err(
                ("period", "to"),
                _("the period ends ({end}) before it starts ({start})").format(
                    end=end, start=start
                ),
            )
            return None
        if end.year != year:
            ctx.err(
                ("period", "to"),
                _("the period ends in {year}, not in {year2}, the year in the file name").format(
                    year=end.year, year2=year
                ),
                _("rename the file or fix the period"),
            )
        return DocDate("period", start, end)
    raw = m["date"]
    if (isinstance(raw, int) and not isinstance(raw, bool)) or (
        isinstance(raw, str) and re.fullmatch(r"\s*\d{4}\s*", raw)
    ):
        y = int(raw)
        if y != year:
            ctx.err(
                ("date",),
                _("year {y} is not {year}, the year in the file name").format(y=y, year=year),
                _("rename the file or fix the date"),
            )
            return None
        return DocDate("year", datetime.date(y, 1, 1), datetime.date(y, 12, 31))
    day = _date(ctx, raw, ("date",))
    if day is None:
        return None
    if day.year != year:
        ctx.err(
            ("date",),
            _("date {isoformat} is not in {year}, the year in the file name").format(
                isoformat=day.isoformat(), year=year
            ),
            _("rename the file or fix the date"),
        )
    return DocDate("day", day, day)


def _source(ctx: Ctx, raw: Any) -> tuple[LocalText, str | None]:
    """``source: 中国妇女报``, ``{zh: …, en: …}``, or ``{name: …, url: https://…}``."""
    if isinstance(raw, dict) and ("url" in raw or "name" in raw):
        check_keys(ctx, raw, ("source",), ("name", "url"), what="'source'")
        name = local_text(ctx, raw.get("name"), ("source", "name"), "source.name")
        url = raw.get("url")
        if url is not None and (not isinstance(url, str) or not URL_RE.match(url.strip())):
            ctx.err(("source", "url"), _("'url' must be an http(s) address"), _("e.g. https://…"))
            url = None
        if url is not None and not name:
            name = LocalText(url.strip(), url.strip())
        return name, url.strip() if url else None
    return local_text(ctx, raw, ("source",), "source"), None


def _meta(
    ctx: Ctx,
    m: dict[str, Any],
    types_by_key: dict[str, Tag],
    to_hans: Callable[[str], str],
    broken: Collection[str] = (),
) -> tuple[DocMeta, LocalText]:
    number = m.get("doc_number")
    if number is not None:
        if isinstance(number, bool) or not isinstance(number, str | int) or not str(number).strip():
            ctx.err(
                ("doc_number",),
                _("'doc_number' must be text"),
                _("e.g. doc_number: 津妇党〔2024〕5号"),
            )
            number = None
        else:
            number = str(number).strip()
    source, url = _source(ctx, m.get("source"))
    type_slug = None
    raw = m.get("type")
    if raw is not None:
        found = types_by_key.get(to_hans(raw.strip())) if isinstance(raw, str) else None
        refused = ANY in broken or (isinstance(raw, str) and to_hans(raw.strip()) in broken)
        if found is None and not refused:
            ctx.err(
                ("type",),
                _("unknown document type '{raw}'").format(raw=raw),
                did_you_mean(to_hans(str(raw)), types_by_key)
                + _("; types are defined in content/types.yaml"),
            )
        elif found is not None:
            type_slug = found.slug
    meta = DocMeta(
        doc_number=number,
        issuer=local_text(ctx, m.get("issuer"), ("issuer",), "issuer"),
        author=local_text(ctx, m.get("author"), ("author",), "author"),
        source_url=url,
        type=type_slug,
    )
    return meta, source


PLACEHOLDER_MARK = "待填写"  # scaffold.PLACEHOLDER is 【待填写】; compared in Simplified


def placeholders(
    ctx: Ctx,
    m: dict[str, Any],
    body: str,
    body_line: int,
    to_hans: Callable[[str], str],
    to_hans_lines: Callable[[list[str]], list[str]] | None = None,
) -> None:
    """A warning (an error with --strict) for each placeholder ``new report`` wrote and nobody
    replaced, and for an empty summary or heading, which would be published as they are.
    ``to_hans_lines``: ``to_hans`` of each line, in one pass over the body (e.g. the
    converter's ``convert_many``); the mark holds no character whose form depends on the
    script of the rest of the text, so it is found in the same lines either way."""
    hint = _("write the text, or remove the line")
    for key in ("title", "summary"):
        raw = m.get(key)
        values = raw.values() if isinstance(raw, dict) else [raw]
        for v in values:
            if isinstance(v, str) and PLACEHOLDER_MARK in to_hans(v):
                ctx.warn((key,), _("placeholder left in '{key}'").format(key=key), hint)
            elif key == "summary" and isinstance(v, str) and not v.strip() and key in m:
                ctx.warn((key,), _("empty summary"), _("write one, or remove the 'summary' line"))
    lines = body.splitlines()
    simplified = to_hans_lines(lines) if to_hans_lines else [to_hans(line) for line in lines]
    for n, (line, hans) in enumerate(zip(lines, simplified, strict=True)):
        text = line.strip()
        if PLACEHOLDER_MARK in hans:
            col = line.find(line.lstrip()[:1]) + 1 if line.strip() else 1
            ctx.diags.warning(ctx.rel, body_line + n, col, _("placeholder left in the text"), hint)
        elif re.fullmatch(r"#{1,6}\s*(?:[一二三四五六七八九十]+、|\d+[.、])?\s*", text):
            ctx.diags.warning(
                ctx.rel, body_line + n, 1, _("empty heading"), _("write the heading, or remove it")
            )


def validate_report(
    doc: ParsedDoc,
    diags: Diagnostics,
    orgs: dict[str, Org],
    metrics: dict[str, Metric],
    tags_by_key: dict[str, Tag],
    to_hans: Callable[[str], str],
    detect: Callable[[str], str],
    broken_orgs: Collection[str] = (),
    types_by_key: dict[str, Tag] | None = None,
    broken: Mapping[str, Collection[str]] | None = None,
    to_hans_lines: Callable[[list[str]], list[str]] | None = None,
) -> Report | None:
    """``broken_orgs``: organizations whose file exists but is reported broken; their reports
    are not also told that the organization is unknown. ``broken``: the same for the entries
    of the registries ("metrics", "tags", "types": keys refused there, or ``ANY``)."""
    broken = broken or {}
    broken_tags = broken.get("tags", ())
    rel = doc.source.rel
    ctx = Ctx(rel, doc.front, diags)
    parts = rel.split("/")
    # content/reports/<org>/<year>-<slug>.md
    if len(parts) != 4:
        diags.error(
            rel,
            1,
            1,
            _("a report must sit at content/reports/<org>/<year>-<slug>.md"),
            _("move it into its organization's folder"),
        )
        return None
    org_key, filename = parts[2], parts[3]
    match = REPORT_NAME_RE.match(filename)
    if not match:
        diags.error(
            rel,
            1,
            1,
            _("report file name '{filename}' must be <year>-<slug>.md").format(filename=filename),
            _("the slug uses a-z, 0-9 and '-', e.g. 2024-annual-summary.md"),
        )
        return None
    if org_key in broken_orgs:
        return None  # the organization's file has errors of its own: fix those first
    if org_key not in orgs:
        diags.error(
            rel,
            1,
            1,
            _("unknown organization '{org_key}' (the report's folder)").format(org_key=org_key),
            did_you_mean(org_key, orgs) + _("; organizations are content/orgs/<key>.yaml"),
        )
        return None
    year = int(match["year"])
    if not REPORT_YEARS[0] <= year <= REPORT_YEARS[1]:
        diags.error(
            rel,
            1,
            1,
            _(
                "the year in the file name, {year}, is not a year of reports ({first} to {last})"
            ).format(year=match["year"], first=REPORT_YEARS[0], last=REPORT_YEARS[1]),
            _("name the file after the year reported on, e.g. 2024-annual-summary.md"),
        )
        return None
    m = doc.front.value
    check_keys(ctx, m, (), REPORT_KEYS, ("title",), what=_("front matter"))
    if "date" not in m and "period" not in m:
        ctx.err(
            (), _("missing required key 'date' in front matter"), _("or 'period: {from: …, to: …}'")
        )
    title = local_text(ctx, m.get("title"), ("title",), "title", required="title" in m)
    when = _when(ctx, m, year) if "date" in m or "period" in m else None
    meta, source = _meta(ctx, m, types_by_key or {}, to_hans, broken.get("types", ()))
    tag_slugs: list[str] = []
    raw_tags = m.get("tags", [])
    if isinstance(raw_tags, str):
        raw_tags = [raw_tags]
    if not isinstance(raw_tags, list):
        ctx.err(("tags",), _("'tags' must be a list of tag names"), _("e.g. tags: [巡察整改]"))
        raw_tags = []
    for i, t in enumerate(raw_tags):
        if not isinstance(t, str):
            ctx.err(
                ("tags", i),
                _("a tag must be text, not {kind}").format(kind=type_name(t)),
                ctx.loc.misread(("tags", i)),
            )
            continue
        tag = tags_by_key.get(to_hans(t.strip()))
        if tag is None:
            if ANY in broken_tags or to_hans(t.strip()) in broken_tags:
                continue  # refused in tags.yaml: the error is there
            parts = [p.strip() for p in _TAG_JOINERS.split(t) if p.strip()]
            hint = did_you_mean(to_hans(t), tags_by_key) + _(
                "; tags are defined in content/tags.yaml"
            )
            if len(parts) > 1 and all(to_hans(p) in tags_by_key for p in parts):
                # 党的建设，巡察整改: one text with a Chinese comma, not two tags
                hint = _(
                    "'{t}' is one text: write each tag as an item of a list, e.g. tags: [{parts}]"
                ).format(t=t, parts=", ".join(parts))
            ctx.err(("tags", i), _("unknown tag '{t}'").format(t=t), hint)
            continue
        if tag.slug not in tag_slugs:
            tag_slugs.append(tag.slug)
    lang = m.get("lang")
    if lang is not None and lang not in ("zh-Hans", "zh-Hant"):
        shown = f"'{lang}'" if isinstance(lang, str) else type_name(lang)
        ctx.err(("lang",), _("'lang' must be zh-Hans or zh-Hant, not {shown}").format(shown=shown))
        lang = None
    script = lang or detect(doc.body)
    mvals = _metrics(ctx, m.get("metrics"), metrics, broken.get("metrics", ()))
    draft = _bool(ctx, m, "draft", (), False)
    placeholders(ctx, m, doc.body, doc.body_line, to_hans, to_hans_lines)
    if not title or when is None or "title" not in m:
        return None
    return Report(
        org=org_key,
        year=year,
        slug=match["slug"],
        title=title,
        date=when.end,
        summary=local_text(ctx, m.get("summary"), ("summary",), "summary"),
        tags=tuple(tag_slugs),
        script=script,
        draft=draft,
        source=source,
        metrics=mvals,
        body=doc.body,
        body_line=doc.body_line,
        path=rel,
        when=None if when.kind == "day" else when,
        meta=meta,
    )


def validate_translation(doc: ParsedDoc, diags: Diagnostics) -> Translation | None:
    ctx = Ctx(doc.source.rel, doc.front, diags)
    m = doc.front.value
    check_keys(ctx, m, (), TRANSLATION_KEYS, ("title",), what=_("translation front matter"))
    title, summary = m.get("title"), m.get("summary")
    if "title" in m and (not isinstance(title, str) or not title.strip()):
        ctx.err(("title",), _("'title' of a translation must be English text"))
        return None
    if summary is not None and not isinstance(summary, str):
        ctx.err(("summary",), _("'summary' of a translation must be English text"))
        summary = None
    status = m.get("status")
    if status is not None and status not in TRANSLATION_STATUSES:
        ctx.err(
            ("status",),
            _("unknown translation status {status!r}").format(status=status),
            _("expected one of: {names}").format(names=", ".join(TRANSLATION_STATUSES)),
        )
        status = None
    if not isinstance(title, str):
        return None
    return Translation(
        title.strip(),
        summary.strip() if summary else None,
        doc.body,
        doc.body_line,
        doc.source.rel,
        status,
    )


def validate_page(doc: ParsedDoc, diags: Diagnostics, detect: Callable[[str], str]) -> Page | None:
    rel = doc.source.rel
    ctx = Ctx(rel, doc.front, diags)
    name = rel.rsplit("/", 1)[-1]
    match = PAGE_NAME_RE.match(name)
    if not match or rel.count("/") != 2:
        diags.error(
            rel,
            1,
            1,
            _("page file name '{name}' must be <name>.md in content/pages/").format(name=name),
            _("use a-z, 0-9 and '-', e.g. about.md"),
        )
        return None
    m = doc.front.value
    check_keys(ctx, m, (), ("title", "lang"), ("title",), what=_("page front matter"))
    title = local_text(ctx, m.get("title"), ("title",), "title", required="title" in m)
    lang = m.get("lang")
    if lang is not None and lang not in ("zh-Hans", "zh-Hant"):
        shown = f"'{lang}'" if isinstance(lang, str) else type_name(lang)
        ctx.err(("lang",), _("'lang' must be zh-Hans or zh-Hant, not {shown}").format(shown=shown))
        lang = None
    if not title:
        return None
    return Page(match["name"], title, doc.body, doc.body_line, rel, lang or detect(doc.body))


# --- the whole site ------------------------------------------------------------------------


def build_site(
    config: SiteConfig,
    org_files: Iterable[ParsedYaml],
    metrics_file: ParsedYaml | None,
    tags_file: ParsedYaml | None,
    report_docs: Iterable[ParsedDoc],
    page_docs: Iterable[ParsedDoc],
    data_files: Iterable[ParsedYaml],
    diags: Diagnostics,
    to_hans: Callable[[str], str],
    detect: Callable[[str], str],
    drafts: bool = False,
    memo: dict[tuple[object, ...], tuple[Report | None, tuple[Diagnostic, ...]]] | None = None,
    types_file: ParsedYaml | None = None,
    to_hans_lines: Callable[[list[str]], list[str]] | None = None,
) -> Site:
    """The model of the whole site. ``memo`` (``serve`` keeps one from build to build): each
    report's result and messages by everything it is made from, i.e. its file and translation,
    the registries and the phrase list; after the build it holds this build's entries only."""
    orgs: dict[str, Org] = {}
    org_files = list(org_files)
    located: dict[str, Located] = {}
    for pf in org_files:
        org = validate_org(pf, diags, config)
        if org is not None:
            orgs[org.key] = org
            located[org.key] = pf.data
    link_orgs(orgs, located, diags)
    broken_orgs = {
        d.path.removeprefix("content/orgs/").removesuffix(".yaml")
        for d in diags.errors
        if d.path.startswith("content/orgs/") and d.path.endswith(".yaml")
    } - orgs.keys()
    # a registry that did not load (its errors are said) is one error, not one per reference
    failed = {d.path for d in diags.errors}
    broken: dict[str, set[str]] = {
        name: {ANY} if f"content/{name}.yaml" in failed else set()
        for name in ("metrics", "tags", "types")
    }
    metrics = validate_metrics(metrics_file, diags, broken["metrics"])
    tags = validate_tags(tags_file, diags, to_hans, broken=broken["tags"])
    tags_by_key = {t.key: t for t in tags.values()}
    types = validate_tags(types_file, diags, to_hans, what="type", broken=broken["types"])
    types_by_key = {t.key: t for t in types.values()}

    translations: dict[str, ParsedDoc] = {}
    originals: list[ParsedDoc] = []
    for doc in report_docs:
        if doc.source.rel.endswith(".en.md"):
            translations[doc.source.rel.removesuffix(".en.md") + ".md"] = doc
        else:
            originals.append(doc)
    reports: list[Report] = []
    seen_paths: set[str] = set()
    # one string (its hash is computed once, not once per report)
    registry = repr(
        (
            [(pf.source.rel, pf.source.digest) for pf in org_files],
            metrics_file.source.digest if metrics_file else None,
            tags_file.source.digest if tags_file else None,
            types_file.source.digest if types_file else None,
            config.phrases,  # what to_hans converts with
            sorted(broken_orgs),
        )
    )
    fresh: dict[tuple[object, ...], tuple[Report | None, tuple[Diagnostic, ...]]] = {}
    for doc in originals:
        seen_paths.add(doc.source.rel)
        tdoc = translations.get(doc.source.rel)
        key = (
            doc.source.rel,
            doc.source.digest,
            tdoc.source.digest if tdoc else None,
            registry,
        )
        found = memo.get(key) if memo is not None else None
        if found is None:
            own = Diagnostics()
            rep = validate_report(
                doc,
                own,
                orgs,
                metrics,
                tags_by_key,
                to_hans,
                detect,
                broken_orgs,
                types_by_key,
                broken,
                to_hans_lines,
            )
            if rep is not None and tdoc is not None:
                tr = validate_translation(tdoc, own)
                if tr is not None:
                    rep = _with_translation(rep, tr)
            found = (rep, tuple(own.items))
        fresh[key] = found
        rep, problems = found
        diags.extend(problems)
        if rep is None:
            continue
        if rep.draft and not drafts:
            continue
        reports.append(rep)
    # an original that did not parse is reported at itself: its translation has one
    failed = {d.path for d in diags.errors}
    for rel, tdoc in sorted(translations.items()):
        if rel not in seen_paths and rel not in failed:
            diags.error(
                tdoc.source.rel,
                1,
                1,
                _("translation has no original report"),
                _("expected {rel} beside it").format(rel=rel),
            )

    page_translations: dict[str, ParsedDoc] = {}
    pages: list[Page] = []
    page_docs = list(page_docs)
    for doc in page_docs:
        if doc.source.rel.endswith(".en.md"):
            page_translations[doc.source.rel.removesuffix(".en.md") + ".md"] = doc
    for doc in page_docs:
        if doc.source.rel.endswith(".en.md"):
            continue
        page = validate_page(doc, diags, detect)
        if page is None:
            continue
        tdoc = page_translations.pop(doc.source.rel, None)
        if tdoc is not None:
            tr = validate_translation(tdoc, diags)
            if tr is not None:
                page = Page(
                    page.name, page.title, page.body, page.body_line, page.path, page.script, tr
                )
        pages.append(page)
    for rel, tdoc in sorted(page_translations.items()):
        if rel in failed:
            continue
        diags.error(
            tdoc.source.rel,
            1,
            1,
            _("translation has no original page"),
            _("expected {rel} beside it").format(rel=rel),
        )

    if memo is not None:
        memo.clear()
        memo.update(fresh)
    data = {pf.source.rel.removeprefix("content/data/"): pf.data.value for pf in data_files}
    return Site(
        config=config,
        orgs=dict(sorted(orgs.items())),
        metrics=metrics,
        tags=dict(sorted(tags.items())),
        reports=tuple(sorted(reports, key=lambda r: (r.org, r.year, r.slug))),
        pages=tuple(sorted(pages, key=lambda p: p.name)),
        data=data,
        types=dict(sorted(types.items())),
    )


def _with_translation(rep: Report, tr: Translation) -> Report:
    from dataclasses import replace

    return replace(rep, translation=tr)
