"""Which organizations an edit cannot have touched, for ``serve``'s carry-over of charts from
one build to the next (``derive.charts.derive_charts(stable=…)``). Pure.

What each page depends on is not kept here: it is recorded while the page's view reads the
model (``record.py``).
"""

from __future__ import annotations

import dataclasses

from site_builder.model import Report, Site


def _facts_of(rep: Report) -> Report:
    """A report without its body text: what organization figures and listings read of it."""
    tr = rep.translation
    if tr is not None:
        tr = dataclasses.replace(tr, body="", body_line=0)
    return dataclasses.replace(rep, body="", body_line=0, translation=tr)


def stable_orgs(old: Site | None, new: Site) -> frozenset[str]:
    """Organizations whose derived facts (``derive``: figures, roll-ups, listed reports, child
    organizations) and own charts cannot differ between the site ``old`` and the site ``new``.

    None when a configuration or registry file changed. Otherwise every organization except
    those with a report added, removed or changed other than in its body text, and their
    ancestors (which list, add up and compare it). A report object the validation memo kept
    (``validate.build_site``) is unchanged by identity, so this costs next to nothing."""
    if old is None or (old.config, old.orgs, old.metrics, old.tags, old.types) != (
        new.config,
        new.orgs,
        new.metrics,
        new.tags,
        new.types,
    ):
        return frozenset()
    before = {r.ident: r for r in old.reports}
    after = {r.ident: r for r in new.reports}
    dirty: set[str] = set()
    for ident in before.keys() | after.keys():
        a, b = before.get(ident), after.get(ident)
        if a is b:
            continue
        if a is None or b is None or _facts_of(a) != _facts_of(b):
            dirty.update(r.org for r in (a, b) if r is not None)
    for key in list(dirty):
        seen = {key}
        parent = new.orgs[key].parent if key in new.orgs else None
        while parent is not None and parent in new.orgs and parent not in seen:
            dirty.add(parent)
            seen.add(parent)
            parent = new.orgs[parent].parent
    return frozenset(new.orgs.keys() - dirty)
