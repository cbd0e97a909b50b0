"""Fixtures for the importer: a site with the example's registries, and the seed reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

SEEDS = Path(__file__).resolve().parent / "seeds"


@pytest.fixture
def registry_site(tmp_path: Path) -> Path:
    """A site with the example site's site.yaml, organizations, metrics and tags, no reports."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content" / "orgs", root / "content" / "orgs")
    for name in ("metrics.yaml", "tags.yaml"):
        shutil.copy(REPO / "content" / name, root / "content" / name)
    return root
