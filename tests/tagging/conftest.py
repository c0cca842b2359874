"""Fixtures for the tagging tests: the shipped taxonomy and a small generic one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.models import Tagging
from monitor.tagging import Taxonomy, load_taxonomy, tag_article

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "taxonomy.toml"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shipped() -> Taxonomy:
    return load_taxonomy(SHIPPED)


@pytest.fixture(scope="session")
def fruit() -> Taxonomy:
    """A taxonomy about another topic: nothing in the engine knows Kashmir."""
    return load_taxonomy(DATA / "fruit.toml")


@pytest.fixture
def tag(shipped: Taxonomy) -> Callable[..., Tagging]:
    def run(text: str, title: str | None = None) -> Tagging:
        return tag_article(title, text, shipped)

    return run


@pytest.fixture
def concepts(tag: Callable[..., Tagging]) -> Callable[..., set[str]]:
    def run(text: str, title: str | None = None) -> set[str]:
        return set(tag(text, title).concepts)

    return run
