"""The tool's own language: gettext catalogs for everything it says to the person running it.

English is the source text; ``site_builder/locale/<lang>/LC_MESSAGES/site_builder.po`` holds
the zh-Hans and zh-Hant translations (``scripts/messages.sh`` extracts and updates them). The
catalog of the chosen language is read with Babel and compiled in memory when first needed, so
a wheel ships the ``.po`` files alone and nothing is generated at build time.

The language is chosen once per process, in this order: ``--lang`` (every command), the
environment variable ``SITE_BUILDER_LANG``, the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``:
``zh_CN``/``zh_SG`` give zh-Hans, ``zh_TW``/``zh_HK``/``zh_MO`` give zh-Hant), else English.

Messages are marked ``_("unknown level '{level}'").format(level=...)``: placeholders are named,
so a translation may put them in another order. ``N_()`` marks a text whose translation is
looked up later (Click's ``help=`` strings, evaluated when the module is imported).

Click looks up its own texts ("Usage:", "Error: No such option") with ``gettext.gettext`` of
the default domain; :func:`set_language` routes those lookups in Click's modules through the
same catalog, which holds translations for the ones a user meets (see ``clicktext.py``).
"""

from __future__ import annotations

import gettext
import io
import os
from functools import cache
from importlib import resources

LANGUAGES = ("en", "zh-Hans", "zh-Hant")
ENV = "SITE_BUILDER_LANG"
DOMAIN = "site_builder"
# the catalog folder of each translated language (gettext's locale names: underscores)
_FOLDER = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}
_HANT_REGIONS = ("tw", "hk", "mo")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def parse_language(value: str) -> str | None:
    """One of :data:`LANGUAGES` for a language tag or locale name (``zh-Hant``, ``zh_TW.UTF-8``,
    ``zh-cn``, ``en_US``), or None when it names none of them."""
    tag = value.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if not tag:
        return None
    parts = tag.split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    if "hant" in parts[1:]:
        return "zh-Hant"
    if "hans" in parts[1:]:
        return "zh-Hans"
    return "zh-Hant" if any(p in _HANT_REGIONS for p in parts[1:]) else "zh-Hans"


def locale_language(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """The language the POSIX locale asks for: the first of ``LC_ALL``, ``LC_MESSAGES`` and
    ``LANG`` that is set decides, as it does for every other program; English unless Chinese."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            found = parse_language(value)
            return found if found == "zh-Hans" or found == "zh-Hant" else "en"
    return "en"


def choose_language(option: str | None, environ: dict[str, str] | None = None) -> str:
    """``--lang`` if given, else ``SITE_BUILDER_LANG`` if it names a language, else the locale."""
    env: dict[str, str] | os._Environ[str] = os.environ if environ is None else environ
    for value in (option, env.get(ENV)):
        if value:
            found = parse_language(value)
            if found is not None:
                return found
    return locale_language(env)


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (English: none, the source text is English)."""
    folder = _FOLDER.get(language)
    if folder is None:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = resources.files("site_builder") / "locale" / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=folder)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    """Speak ``language`` (one of :data:`LANGUAGES`) from now on, Click's texts included."""
    global _current, _language
    if language not in LANGUAGES:
        raise ValueError(language)
    _language = language
    _current = _translations(language)
    _route_click()


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """``message`` in the current language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation, to be looked up later with :func:`_`."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (Chinese has one)."""
    return _current.ngettext(singular, plural, n)


def _route_click() -> None:
    """Click's modules bind ``gettext.gettext`` at import; point those names at this catalog."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
