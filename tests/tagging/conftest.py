"""Shared fixtures for the tagging tests: the shipped catalogue and a tagger built from it."""

from __future__ import annotations

import pytest

from bot.core.catalogue import Catalogue, load_catalogue
from bot.tagging import Tagger


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def tagger(catalogue: Catalogue) -> Tagger:
    """A tagger shared by tests that only read from it (retraining tests build their own)."""
    return Tagger.from_catalogue(catalogue)
