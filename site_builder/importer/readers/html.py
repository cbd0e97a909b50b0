"""A saved web page: the article only, by trafilatura (it drops navigation, sidebars, footers
and comments by the page's structure); what it keeps of the page's own clutter lines (时间:…,
分享到 …) the clutter pass removes. The page's title comes from its metadata."""

from __future__ import annotations

from site_builder.importer.document import Block, Kind, RawDocument
from site_builder.importer.readers import ReadError
from site_builder.messages import _


def read_html(data: bytes) -> RawDocument:
    import trafilatura
    from lxml import html as lxml_html

    text = trafilatura.extract(
        data,
        output_format="txt",
        include_tables=True,
        include_comments=False,
        include_images=False,
        favor_recall=True,
        deduplicate=False,
    )
    meta = trafilatura.extract_metadata(data)
    title = meta.title if meta is not None and meta.title else None
    if not text:
        # a very short page trafilatura finds no article in: the body's text, line by line
        try:
            root = lxml_html.fromstring(data)
        except (ValueError, TypeError) as exc:
            raise ReadError(_("cannot read the page as HTML"), str(exc)) from None
        for bad in root.xpath("//script|//style|//nav|//header|//footer"):
            bad.drop_tree()
        text = "\n".join(t.strip() for t in root.itertext() if t.strip())
    if not text or not text.strip():
        raise ReadError(
            _("no article text found in the page"),
            _("save the page as 'Web page, complete' or copy its text into a .txt file"),
        )
    blocks = [Block(Kind.LINE, ln.strip()) for ln in text.split("\n") if ln.strip()]
    return RawDocument(blocks, encoding=None, title=title)
