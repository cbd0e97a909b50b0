"""What a page depends on, recorded while its view reads the model (Lektor's
``record_dependency``, made automatic). Pure.

A page's view reads the model through ``Recorded`` proxies of the site, the derived values,
the charts and the rendered bodies. Every value it reads is noted as a *fact*: a path from a
root or a model entity to the value, e.g. ``("report", "acwf/2018-x", "title")``,
``("derived", "reports_by_year", 2024, "#ids")`` (which reports a list holds, in order) or
``("site", "orgs", "#has", "nat")``. Entities (reports, organizations, pages, metrics, tags,
an organization's facts) are named by their identity, not by where the view found them, so a
report listed on a year page and read on its own page is one fact.

The next build resolves the facts a page read against its model (:class:`Facts`): when every
fact has the digest it had, the page would render the same, and is kept. So a new field shown
on some page is a dependency as soon as a view reads it; no list of fields is kept by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from site_builder.derive.aggregate import Derived, OrgFacts
from site_builder.model import Metric, Org, Page, Report, Site, Tag, Translation

Path = tuple[Any, ...]
"""A fact: the steps from a root to a value (attribute names, mapping keys, ``#`` steps)."""

GONE = "gone"
"""The digest of a fact whose path leads nowhere in a model (a removed report, say)."""


def digest(value: object) -> str:
    """A short stable digest of a model value: ``repr`` of frozen dataclasses, tuples, dicts (in
    their deterministic build order), enums, dates and numbers is the same in every process, and
    tells ``1`` from ``1.0``."""
    text = repr(value).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def encode(path: Path) -> str:
    """A fact as the state file keeps it."""
    return json.dumps(path, ensure_ascii=False, separators=(",", ":"))


_NAMERS: dict[type, Callable[[Any], Path]] = {
    Report: lambda v: ("report", v.ident),
    OrgFacts: lambda v: ("facts", v.org.key),
    Org: lambda v: ("org", v.key),
    Metric: lambda v: ("metric", v.key),
    Tag: lambda v: ("tag", v.slug),
    Page: lambda v: ("page", v.name),
}


def _entity(value: object) -> Path | None:
    """The name of a model entity, or None for a plain value."""
    namer = _NAMERS.get(type(value))
    return namer(value) if namer is not None else None


class Recorder:
    """The facts read since the last ``clear`` (one page's render)."""

    __slots__ = ("_names", "reads")

    def __init__(self) -> None:
        self.reads: set[Path] = set()
        self._names: dict[Path, str] = {}

    def clear(self) -> None:
        self.reads = set()

    def names(self) -> tuple[str, ...]:
        """The facts read, encoded; equal names are one object (they travel from workers)."""
        names = self._names
        out = []
        for path in self.reads:
            name = names.get(path)
            if name is None:
                name = names[path] = encode(path)
            out.append(name)
        return tuple(out)

    def wrap(self, root: str, value: Any) -> Any:
        """``value`` (the site, derived values, charts or bodies) as views should read it."""
        return Recorded(value, (root,), self)

    def entity(self, value: Any) -> Any:
        """A model entity (a report, say) as views should read it."""
        return _wrap(value, (), self)


def _wrap(value: Any, path: Path, rec: Recorder, top: bool = False) -> Any:
    cls = type(value)
    namer = _NAMERS.get(cls)
    if namer is not None:
        return Recorded(value, namer(value), rec)
    if cls is Translation:
        return Recorded(value, path, rec)
    if cls is dict and top:
        return _Mapping(value, path, rec)
    if cls is tuple and value and type(value[0]) in _NAMERS:
        return _Sequence(value, path, rec)
    rec.reads.add(path)
    return value


class Recorded:
    """A model object whose attributes, as they are read, are recorded as facts."""

    __slots__ = ("_obj", "_path", "_rec")

    def __init__(self, obj: Any, path: Path, rec: Recorder) -> None:
        self._obj = obj
        self._path = path
        self._rec = rec

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._obj, attr)
        # the attributes of the roots (site.orgs, derived.reports_by_year, …) are mappings
        # whose keys are recorded one by one
        return _wrap(value, (*self._path, attr), self._rec, top=len(self._path) == 1)

    def __repr__(self) -> str:
        return f"Recorded({self._path!r})"


class _Mapping:
    """A mapping of a root, read key by key."""

    __slots__ = ("_obj", "_path", "_rec")

    def __init__(self, obj: dict[Any, Any], path: Path, rec: Recorder) -> None:
        self._obj = obj
        self._path = path
        self._rec = rec

    def __getitem__(self, key: Any) -> Any:
        try:
            value = self._obj[key]
        except KeyError:
            self._rec.reads.add((*self._path, "#has", key))
            raise
        return _wrap(value, (*self._path, key), self._rec)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self._obj:
            return self[key]
        self._rec.reads.add((*self._path, "#has", key))
        return default

    def __contains__(self, key: object) -> bool:
        self._rec.reads.add((*self._path, "#has", key))
        return key in self._obj

    def __len__(self) -> int:
        self._rec.reads.add((*self._path, "#len"))
        return len(self._obj)

    def __iter__(self) -> Iterator[Any]:
        self._rec.reads.add((*self._path, "#keys"))
        return iter(self._obj)

    def keys(self) -> Any:
        self._rec.reads.add((*self._path, "#keys"))
        return self._obj.keys()

    def values(self) -> Iterator[Any]:
        return (self[k] for k in self.keys())

    def items(self) -> Iterator[tuple[Any, Any]]:
        return ((k, self[k]) for k in self.keys())


class _Sequence:
    """A tuple of entities (reports, pages): which ones, in which order, is one fact; each
    entity's fields are facts of their own."""

    __slots__ = ("_obj", "_path", "_rec")

    def __init__(self, obj: tuple[Any, ...], path: Path, rec: Recorder) -> None:
        self._obj = obj
        self._path = path
        self._rec = rec

    def _ids(self) -> None:
        self._rec.reads.add((*self._path, "#ids"))

    def __len__(self) -> int:
        self._rec.reads.add((*self._path, "#len"))
        return len(self._obj)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Any]:
        self._ids()
        rec = self._rec
        return (Recorded(v, _entity(v) or (), rec) for v in self._obj)

    def __reversed__(self) -> Iterator[Any]:
        items: tuple[Any, ...] = tuple(self)
        return iter(items[::-1])

    def __getitem__(self, index: Any) -> Any:
        self._ids()
        if isinstance(index, slice):
            return _Sequence(self._obj[index], self._path, self._rec)
        return _wrap(self._obj[index], self._path, self._rec)

    def __contains__(self, item: object) -> bool:
        self._ids()
        if isinstance(item, Recorded):
            item = item._obj
        return item in self._obj


def plain(value: Any) -> Any:
    """The model object behind a recorded one (for code that needs the object itself)."""
    if isinstance(value, (Recorded, _Mapping, _Sequence)):
        return value._obj
    return value


class FactMemo:
    """What one build resolved, for the next build in the same process (``serve``): each fact's
    parsed path, the value it led to and that value's digest. A fact that leads to the very
    same object again (the validation and Markdown memos keep unchanged values) keeps its
    digest without hashing the value again."""

    __slots__ = ("entities", "entries")

    def __init__(self) -> None:
        self.entries: dict[str, tuple[list[Any], object, str]] = {}
        # the model's entities by kind and name, as that build had them
        self.entities: dict[str, Mapping[Any, Any]] = {}


class Facts:
    """The digest of any fact in one build's model, each computed once."""

    def __init__(
        self,
        roots: Mapping[str, Any],
        site: Site,
        derived: Derived,
        previous: FactMemo | None = None,
    ) -> None:
        self.roots = dict(roots)
        self.entities: dict[str, Mapping[Any, Any]] = {
            "report": {r.ident: r for r in site.reports},
            "page": {p.name: p for p in site.pages},
            "org": site.orgs,
            "metric": site.metrics,
            "tag": {t.slug: t for t in site.tags.values()},
            "facts": derived.orgs,
        }
        self._digests: dict[str, str] = {}
        self._before = previous.entries if previous is not None else {}
        self._entities_before = previous.entities if previous is not None else {}
        self.memo = FactMemo()
        self.memo.entities = self.entities

    def digest(self, fact: str) -> str:
        """The digest of the fact ``fact`` (as :func:`encode` writes it) in this model."""
        found = self._digests.get(fact)
        if found is None:
            found = self._digests[fact] = self._resolve(fact)
        return found

    def changed(self, before: Mapping[str, str]) -> set[str]:
        """The facts of ``before`` (fact -> digest) whose digest in this model differs. A fact
        about an entity that is the very object the last build in this process had (frozen,
        kept by the validation memo: an unchanged report) leads to the same value: its digest
        is the one that build resolved, without walking to the value again."""
        found: set[str] = set()
        last, entities, entities_before = self._before, self.entities, self._entities_before
        same: dict[tuple[str, Any], bool] = {}  # (kind, name) -> the very same entity object
        for fact, d in before.items():
            old = last.get(fact)
            if (
                old is not None
                and len(old[0]) > 1
                and old[0][0] in entities_before
                and isinstance(old[0][1], str)
            ):
                kind, name = old[0][0], old[0][1]
                key = (kind, name)
                kept = same.get(key)
                if kept is None:
                    entity = entities[kind].get(name)
                    kept = same[key] = entity is not None and entity is entities_before[kind].get(
                        name
                    )
                if kept:
                    self._digests[fact] = old[2]
                    self.memo.entries[fact] = old
                    if old[2] != d:
                        found.add(fact)
                    continue
            if self.digest(fact) != d:
                found.add(fact)
        return found

    def _resolve(self, fact: str) -> str:
        old = self._before.get(fact)
        path = old[0] if old is not None else json.loads(fact)
        value = self._value(path)
        if value is _GONE:
            found = GONE
        elif old is not None and old[1] is value:
            found = old[2]
        else:
            found = digest(value)
        self.memo.entries[fact] = (path, value, found)
        return found

    def _value(self, path: list[Any]) -> object:
        head, *steps = path
        try:
            # a root of the model, or an entity by its name
            value = self.roots[head] if head in self.roots else self.entities[head][steps.pop(0)]
            while steps:
                step = steps.pop(0)
                if step == "#has":
                    value = _key(steps.pop(0)) in value
                elif step == "#keys":
                    value = tuple(value)
                elif step == "#len":
                    value = len(value)
                elif step == "#ids":
                    value = tuple(_entity(v) for v in value)
                elif isinstance(value, dict):
                    value = value[_key(step)]
                else:
                    value = getattr(value, step)
        except (KeyError, AttributeError, IndexError, TypeError):
            return _GONE
        return value


_GONE = object()


def _key(step: Any) -> Any:
    """A mapping key as JSON gave it back: lists were tuples (a chart block's key)."""
    return tuple(_key(s) for s in step) if isinstance(step, list) else step
