"""Where a gate's finding in a generated page comes from: the source file to fix, at its line
and column, instead of the page in the output folder (an absolute path the user never edits).

Three kinds of source make a page's links and loads: a report's or page's Markdown (its links,
images and raw HTML: found in the file as written), a template of the site (an override in
``templates/`` that writes a link itself: found by the literal text it writes), and the
site's settings (``theme.logo`` and ``theme.favicon`` are checked against ``assets/`` when they
are validated, so they never reach the gates). The package's own templates make their links
from ``urls.py`` and are correct by construction: a finding no source explains stays at the
output file, as the bug it is.

Pure, and lazy: nothing is computed unless a gate has a finding to place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import unquote

import jinja2
from jinja2 import meta

from site_builder.gates import Place, Ref
from site_builder.load import TemplateSource

# Tails of a generated URL too common to say which template wrote them.
_GENERIC_TAIL = "/index.html"


class Origins:
    """``gates.Output.locate``: the source place of a reference in an output page.

    ``texts``: every source file by the path messages name it; ``bodies``: output page -> the
    Markdown sources its body may come from; ``page_templates``: output page -> the template
    that rendered it (called once, at the first finding); ``template_paths``: a template's
    name -> its path as messages name it."""

    def __init__(
        self,
        texts: Mapping[str, str],
        bodies: Mapping[str, Iterable[str]],
        page_templates: Callable[[], Mapping[str, str]],
        templates: Sequence[TemplateSource],
        template_paths: Mapping[str, str],
        normalize: Callable[[str], str] = str,
    ) -> None:
        self._texts = texts
        self._bodies = bodies
        self._page_templates = functools.cache(page_templates)
        self._templates = {t.name: t for t in templates}
        self._paths = template_paths
        self._normalize = normalize

    def __call__(self, page: str, ref: Ref, markdown: tuple[str, int] | None) -> Place | None:
        """``markdown``: the Markdown source and line the gates matched the reference to by its
        link, if any."""
        if markdown is not None:
            source, line = markdown
            return Place(source, line, self._column(source, line, ref.url))
        for source in sorted(self._bodies.get(page, ())):
            found = self._find(self._texts.get(source, ""), _written_forms(ref.url))
            if found is not None:
                return Place(source, *found)
        return self._in_template(page, ref.url)

    def _column(self, source: str, line: int, url: str) -> int:
        """The column of ``url`` on its line of the source (1 when it is not written there)."""
        lines = self._texts.get(source, "").split("\n")
        if not 1 <= line <= len(lines):
            return 1
        text = lines[line - 1]
        for form in _written_forms(url):
            at = text.find(form)
            if at < 0:
                same = self._normalize(text)
                at = same.find(self._normalize(form)) if len(same) == len(text) else -1
            if at >= 0:
                return at + 1
        return 1

    def _find(self, text: str, forms: Sequence[str]) -> tuple[int, int] | None:
        """Line and column of the first of ``forms`` found in ``text`` (comparing Chinese in one
        script when converting keeps the text's length)."""
        if not text:
            return None
        same = self._normalize(text)
        for form in forms:
            at = text.find(form)
            if at < 0 and len(same) == len(text):
                at = same.find(self._normalize(form))
            if at >= 0:
                before = text[:at]
                return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1
        return None

    def _in_template(self, page: str, url: str) -> Place | None:
        name = self._page_templates().get(page)
        if name is None:
            return None
        chain = self._chain(name)
        own = [t for t in chain if t.overridden]
        for t in own + [t for t in chain if not t.overridden]:
            found = self._find(t.text, _written_forms(url))
            if found is not None:
                return Place(self._paths.get(t.name, t.name), *found, template=True)
        if not own:
            return None  # the package's templates alone made it: the output file says where
        # a link put together from a value and literal text: the longest literal tail it
        # ends with ("{{ home_href }}nope.html" writes ".../index.htmlnope.html")
        plain = url.split("#")[0]
        for start in range(len(plain)):
            tail = plain[start:]
            if len(tail) < 4 or _GENERIC_TAIL.endswith(tail):
                break
            for t in own:
                found = self._find(t.text, (tail,))
                if found is not None:
                    return Place(self._paths.get(t.name, t.name), *found, template=True)
        return Place(self._paths.get(own[0].name, own[0].name), 1, 1, template=True, exact=False)

    @functools.cache  # noqa: B019 -- one Origins per build; a handful of templates
    def _chain(self, name: str) -> tuple[TemplateSource, ...]:
        """The template and those it extends, imports and includes, in that order."""
        env = jinja2.Environment()
        seen: list[str] = []
        todo = [name]
        while todo:
            current = todo.pop(0)
            if current in seen or current not in self._templates:
                continue
            seen.append(current)
            try:
                parsed = env.parse(self._templates[current].text)
            except jinja2.TemplateSyntaxError:
                continue
            todo += [n for n in meta.find_referenced_templates(parsed) if isinstance(n, str)]
        return tuple(self._templates[n] for n in seen)


def _written_forms(url: str) -> tuple[str, ...]:
    """How a reference may be written in a source: as the page has it, with ``&`` escaped in
    HTML, and percent-decoded."""
    forms = [url, url.replace("&", "&amp;"), unquote(url)]
    return tuple(dict.fromkeys(f for f in forms if f))
