"""``site-builder import``: reports in other formats turned into reports of the site.

read (readers/: text, docx, html, pdf, markdown) -> clutter -> outline -> front matter ->
figures -> Markdown (convert.py, pure) -> write (run.py, the I/O edge). The document model is
in document.py. See docs/importing.md.
"""
