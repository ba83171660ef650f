"""Fixtures of the comparison tests: the shipped model and the two Ghouta example articles."""

from __future__ import annotations

import pytest

from khabar.compare.model import ShippedModel, load_model
from khabar.load import load_article
from khabar.types import Article


@pytest.fixture(scope="session")
def model() -> ShippedModel:
    """The shipped comparison model (khabar/models/similarity.npz)."""
    return load_model()


@pytest.fixture(scope="session")
def examples(examples_dir) -> list[Article]:
    """The two example articles: one story (a denial of talks in eastern Ghouta) told by two outlets."""
    return [load_article(str(examples_dir / n)) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
