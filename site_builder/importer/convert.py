"""From what a reader found to a report: clutter, outline, front matter, figures, Markdown.

Pure: the caller reads the file and writes the results (``site_builder.importer.run``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from site_builder.chinese import HANS, HANT, detect_script
from site_builder.errors import Diagnostic
from site_builder.importer import frontmatter as fm
from site_builder.importer.clutter import classify, clean_line
from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.figures import (
    UNITS,
    Figure,
    KnownMetric,
    Proposal,
    find_figures,
    match_keys,
)
from site_builder.importer.frontmatter import OrgInfo, scalar
from site_builder.importer.outline import structure
from site_builder.messages import _

KEY_THRESHOLD = 0.25  # measured on the seed reports: see tests/importer/test_gold.py


@dataclass(frozen=True, slots=True)
class Registry:
    """What the importer reads of the site: organizations, metrics and tags."""

    orgs: tuple[OrgInfo, ...] = ()
    metrics: tuple[KnownMetric, ...] = ()
    tags: tuple[str, ...] = ()

    def org_name(self, key: str) -> str | None:
        for o in self.orgs:
            if o.key == key:
                return o.names[-1] if o.names else None
        return None


@dataclass(frozen=True, slots=True)
class Options:
    org: str | None = None
    year: int | None = None
    slug: str | None = None


@dataclass(slots=True)
class Imported:
    """One imported report: its path and text, the review file, and the numbers for the
    summary."""

    source: str  # the input, as the user named it
    path: str = ""  # content/reports/<org>/<year>-<slug>.md
    text: str = ""
    review_path: str | None = None
    review_text: str | None = None
    images: dict[str, bytes] = field(default_factory=dict)  # site-relative path -> bytes
    encoding: str | None = None
    script: str = ""
    headings: dict[int, int] = field(default_factory=dict)  # level -> count
    outline: list[tuple[int, str]] = field(default_factory=list)
    paragraphs: int = 0
    clutter: int = 0
    proposals: list[tuple[int, Proposal]] = field(default_factory=list)  # (file line, proposal)
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (value, why)
    notes: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


def script_of(text: str) -> str:
    info = detect_script(text)
    if info.script in (HANS, HANT):
        return info.script
    return HANT if len(info.hant_only) > len(info.hans_only) else HANS


_MD_LEAD = re.compile(r"^(\s*)([#>+*=-]|\d+[.)])")


def _escape(text: str) -> str:
    """Text as a Markdown paragraph: nothing in it reads as markup."""
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`").replace("_", "\\_")
    text = text.replace("<", "&lt;")
    m = _MD_LEAD.match(text)
    if m:
        mark = m.group(2)
        text = m.group(1) + (mark[:-1] + "\\" + mark[-1]) + text[m.end() :]
    return text


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|") or " "


def clip(fig: Figure, before: int = 40, after: int = 24) -> str:
    """The figure's sentence for a comment: at most ``before`` characters before it and
    ``after`` after it."""
    s, at = fig.sentence, fig.at
    start, end = max(0, at - before), min(len(s), at + len(fig.raw) + after)
    return ("…" if start else "") + s[start:end] + ("…" if end < len(s) else "")


_HEADER_UNIT = re.compile(r"^(?P<label>.*?)\s*[（(](?P<unit>[^）)]{1,3})[）)]\s*$")
_NUMBER_CELL = re.compile(r"^[约約近超过逾]*\d+(?:,\d{3})*(?:\.\d+)?[万萬亿億]?[余餘多]?$")


def _row_text(header: Sequence[str], row: Sequence[str]) -> str:
    """A table row as a sentence for the figure finder: a number under a header that names a
    unit (``场次（场）`` or ``人次``) reads ``宣讲场次3000场``, labelled by the row's first cell."""
    parts = []
    for i, (h, c) in enumerate(zip(header, row, strict=False)):
        m = _HEADER_UNIT.match(h)
        unit = m["unit"] if m else (h if h in UNITS else "")
        if i and unit and _NUMBER_CELL.match(c.strip()):
            label = m["label"] if m else ""
            parts.append(f"{row[0]}{label}{c.strip()}{unit}")
        else:
            parts.append(f"{h}{c}")
    return "，".join(parts) + "。"


def render_body(
    blocks: Sequence[Block], footnotes: Sequence[str]
) -> tuple[list[str], list[tuple[int, str]]]:
    """The Markdown lines of the body, and the (line index, text) of every piece of running
    text, where figures are looked for."""
    lines: list[str] = []
    texts: list[tuple[int, str]] = []
    prev: Kind | None = None
    for b in blocks:
        same_run = b.kind is prev and b.kind in (Kind.ITEM, Kind.MARKDOWN)
        if lines and not same_run and lines[-1] != "":
            lines.append("")
        if b.kind is Kind.HEADING:
            lines.append("#" * max(2, min(b.level, 6)) + " " + _escape(b.text))
        elif b.kind is Kind.PARAGRAPH:
            texts.append((len(lines), b.text))
            lines.append(_escape(b.text))
        elif b.kind is Kind.ITEM:
            mark = "1." if b.ordered else "-"
            texts.append((len(lines), b.text))
            if b.lead:
                lines.append(f"{mark} **{_escape(b.lead)}**\\")
                lines.append("  " + _escape(b.text))
            else:
                lines.append(f"{mark} {_escape(b.text)}")
        elif b.kind is Kind.TABLE:
            header, *rows = b.rows
            lines.append("| " + " | ".join(_cell(c) for c in header) + " |")
            lines.append("|" + "|".join(" --- " for _ in header) + "|")
            for row in rows:
                texts.append((len(lines), _row_text(header, row)))
                lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        elif b.kind is Kind.IMAGE:
            # a placeholder, not ![](…): a relative link from the body is the same in every
            # language tree, but assets/ is at the root, so no link reaches it from all three
            lines.append(f"〔图片：{_escape(b.text)}，{_escape(b.lead)}〕")
        elif b.kind is Kind.MARKDOWN:
            if b.text.strip() and not b.text.lstrip().startswith(("#", "|", "```", "![")):
                texts.append((len(lines), b.text))
            lines.append(b.text)
        prev = b.kind
    if footnotes:
        lines += ["", "**注释**", ""]
        for n, note in enumerate(footnotes, 1):
            lines.append(f"{n}. {_escape(note)}")
    return lines, texts


def convert(
    raw: RawDocument,
    source: str,
    registry: Registry,
    options: Options,
    to_hans: Callable[[str], str],
    slug_from_title: Callable[[str], str],
    to_hant: Callable[[str], str] = str,
) -> Imported:
    out = Imported(source=source, encoding=raw.encoding, notes=list(raw.notes))
    published: str | None = raw.date
    byline: str | None = None
    lead: str | None = None
    kept: list[Block] = []
    for b in raw.blocks:
        if b.kind is not Kind.LINE:
            kept.append(b)
            continue
        role = classify(b.text, to_hans)
        if role.role == "text":
            kept.append(Block(Kind.LINE, clean_line(b.text), b.level))
            continue
        out.clutter += 1
        if role.role == "published" and published is None:
            published = role.value
        elif role.role == "byline" and byline is None:
            byline = role.value
        elif role.role == "lead" and lead is None:
            lead = role.value
    # the document's title: what the format carries, else a first line that reads as one
    text_title, title_why = fm.title_of(raw.title, kept)
    if text_title is not None and title_why == "from the first line":
        kept = kept[1:]
    blocks = structure(kept)
    if not any(b.kind is not Kind.IMAGE for b in blocks):
        out.errors.append(
            Diagnostic(
                source, 1, 1, _("no text found to import"), _("is the file empty?"), code="import"
            )
        )
        return out

    paragraphs = [b.text for b in blocks if b.kind in (Kind.PARAGRAPH, Kind.ITEM, Kind.MARKDOWN)]
    all_text = "\n".join(b.text for b in blocks if b.text)
    head = "\n".join([text_title or "", blocks[0].text, *paragraphs[:3], byline or ""])

    org = options.org
    if org is None:
        org, why = fm.propose_org(head, all_text, registry.orgs, to_hans)
        if org is None:
            hint = fm.org_did_you_mean(all_text, registry.orgs, to_hans)
            if why:
                hint = why + _("; pass --org")
            out.errors.append(
                Diagnostic(
                    source,
                    1,
                    1,
                    _("cannot tell which organization the report is from"),
                    hint,
                    code="import",
                )
            )
            return out
        out.fields["org"] = (org, why)
    else:
        out.fields["org"] = (org, "from --org")

    # the year reported on: --year, else the one the title names, else the date's
    year = options.year
    title_year = re.search(r"(?<!\d)(\d{4})\s*年", text_title or "")
    if year is None and title_year and 1949 <= int(title_year[1]) <= 2100:
        year = int(title_year[1])
    date, date_why = fm.propose_date(paragraphs, published, year)
    if published and date.isoformat() != published:
        date_why += f" (the publication line says {published})"
    year = year or date.year
    shown = str(date.year) if date_why.startswith(fm.YEAR_ONLY) else date.isoformat()
    out.fields["date"] = (shown, date_why)
    out.script = script_of(all_text)
    if text_title is None:
        title = f"{registry.org_name(org) or org}{year}年工作报告"
        title_why = "no title line in the text: made from the organization and year"
        if out.script == HANT:
            title = to_hant(title)
    else:
        title = text_title
    out.fields["title"] = (title, title_why)
    # the slug from the title without what the path already says (organization, year)
    short = to_hans(title)
    for org_info in registry.orgs:
        if org_info.key == org:
            for name in sorted(org_info.names, key=len, reverse=True):
                short = short.replace(to_hans(name), "")
    short = re.sub(r"\d{4}\s*年度?", "", short).strip() or to_hans(title)
    slug = options.slug or slug_from_title(short)
    out.path = f"content/reports/{org}/{year}-{slug}.md"

    # images: saved under assets/, named in the body where they stood
    image_links: dict[str, str] = {}
    for name, data in sorted(raw.images.items()):
        site_path = f"assets/reports/{org}/{year}-{slug}/{name}"
        out.images[site_path] = data
        image_links[name] = site_path
    if image_links:
        out.notes.append(
            f"{len(image_links)} image(s) saved under assets/reports/{org}/{year}-{slug}/ and "
            "named in the text (〔图片：…〕): a report body cannot link an asset for all three "
            "language trees yet"
        )
        blocks = [
            Block(Kind.IMAGE, b.text, lead=image_links.get(b.lead, b.lead))
            if b.kind is Kind.IMAGE
            else b
            for b in blocks
        ]

    summary, summary_why = fm.propose_summary(
        lead, [b.text for b in blocks if b.kind is Kind.PARAGRAPH] or paragraphs
    )
    tags = fm.propose_tags(all_text, registry.tags, to_hans)

    body, texts = render_body(blocks, raw.footnotes)
    figures = find_figures(((i, t) for i, t in texts), to_hans)
    proposals = match_keys(figures, registry.metrics, to_hans, KEY_THRESHOLD)

    review_rel = f"import-review/{org}/{year}-{slug}.yaml"
    head_lines = [
        "---",
        f"# Imported from {source} by site-builder import: review every field and figure.",
        f"title: {scalar(title)}  # {title_why}",
        f"date: {shown}  # {date_why}",
    ]
    if summary:
        head_lines.append(f"summary: {scalar(summary)}  # {summary_why}")
    if tags:
        head_lines.append(f"tags: [{', '.join(scalar(t) for t in tags)}]  # tags the text names")
    head_lines.append(f"lang: {out.script}")
    if byline:
        head_lines.append(f"source: {scalar(byline)}  # the byline")

    def metric_lines(offset: int) -> list[str]:
        known = [p for p in proposals if p.known]
        new = [p for p in proposals if not p.known]
        lines = ["metrics:" if known else "metrics: []"]
        for p in known:
            f = p.figure
            lines.append(f"  # line {offset + f.line + 1}: {clip(f)}")
            lines.append(f"  - key: {p.key}  # {p.label}, {f.unit}")
            lines.append(f"    value: {scalar(f.value)}")
            if f.qualifier:
                lines.append(f"    qualifier: {f.qualifier}")
        if new:
            lines.append(f"  # figures no metric fits yet: define them first ({review_rel})")
        for p in new:
            f = p.figure
            lines.append(f"  # line {offset + f.line + 1}: {clip(f)}")
            lines.append(f"  # - key: {p.key}  # {p.label}, {f.unit}")
            lines.append(f"  #   value: {scalar(f.value)}")
            if f.qualifier:
                lines.append(f"  #   qualifier: {f.qualifier}")
        return lines

    # the body's first line comes after the front matter, its closing '---' and a blank line
    count = len(head_lines) + len(metric_lines(0)) + 2
    front = [*head_lines, *metric_lines(count), "---", ""]
    out.text = "\n".join(front + body).rstrip("\n") + "\n"
    out.proposals = [(count + p.figure.line + 1, p) for p in proposals]

    new = [p for p in proposals if not p.known]
    if new:
        review = [
            f"# New metrics proposed by site-builder import for {out.path}.",
            "# Nothing here is used by the build: check each definition, add the English label",
            "# and unit, copy it into content/metrics.yaml, then uncomment its entry in the report.",
        ]
        for line, p in [(ln, p) for ln, p in out.proposals if not p.known]:
            f = p.figure
            review += [
                f"# line {line}: {clip(f)}",
                f"{p.key}:",
                f"  label: {{zh: {scalar(to_hans(p.label))}, en: ''}}",
                f"  unit: {{zh: {scalar(f.unit)}, en: ''}}",
                f"  additive: {'false' if re.search(r'在职|现有|在編|在编', to_hans(f.before)) else 'true'}",
            ]
            if f.unit == "元":
                review.append("  format: currency")
            elif f.unit == "%":
                review.append("  format: percent")
        out.review_path = review_rel
        out.review_text = "\n".join(review) + "\n"

    for b in blocks:
        if b.kind is Kind.HEADING:
            out.headings[b.level] = out.headings.get(b.level, 0) + 1
            out.outline.append((b.level, b.text))
    out.paragraphs = sum(1 for b in blocks if b.kind in (Kind.PARAGRAPH, Kind.ITEM))
    out.fields["summary"] = (summary, summary_why)
    out.fields["tags"] = (", ".join(tags), "tags the text names")
    if byline:
        out.fields["source"] = (byline, "the byline")
    return out
