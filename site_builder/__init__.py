"""site_builder: a static bilingual report-site generator.

The build is a pipeline of typed stages (see ``pipeline.py``):
load -> parse -> validate -> model -> derive -> render -> write.
"""

__version__ = "0.1.0"
