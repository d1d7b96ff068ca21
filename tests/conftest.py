"""Shared test set-up: make tests/ importable for helper modules such as casefiles, and pin the clock."""

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

TEST_CLOCK = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""What `--as-of now` reads during the tests: the suite gives the same results on any date."""


@pytest.fixture(autouse=True)
def _pinned_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("preflight.inventory.as_of.wall_clock", lambda: TEST_CLOCK)


@pytest.fixture(autouse=True)
def _no_docs_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """SARIF links follow PREFLIGHT_DOCS_URL: a value set on the machine must not change what tests see."""
    monkeypatch.delenv("PREFLIGHT_DOCS_URL", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _no_rule_cache() -> Iterator[None]:
    """The suite compiles the rule catalog every time: a test that changes how packs load must see its change,
    and nothing is written to the user's cache directory. Session-wide, so module fixtures that check an estate
    are covered too (tests/test_rule_cache.py turns the cache on in a directory of its own)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFLIGHT_CACHE_DIR", "")
        yield
