"""Shared test set-up: make tests/ importable for helper modules such as casefiles, and pin the clock."""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import Phase, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The suite compiles the rule catalog every time: a test that changes how packs load sees its change, and
# nothing is written to the user's cache directory. Set on import, before collection (some modules load the
# catalog to parametrize); tests/test_rule_cache.py turns the cache on in a directory of its own.
os.environ["PREFLIGHT_CACHE_DIR"] = ""

settings.register_profile("mutation", phases=(Phase.explicit, Phase.reuse, Phase.generate))
"""`make mutation` runs the tests with ``--hypothesis-profile mutation``: a failing example kills the mutant, and
shrinking it (tens of seconds for some mutants of the planner) would tell nobody anything."""

TEST_CLOCK = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""What `--as-of now` reads during the tests: the suite gives the same results on any date."""


@pytest.fixture(autouse=True)
def _pinned_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("preflight.inventory.as_of.wall_clock", lambda: TEST_CLOCK)


@pytest.fixture(autouse=True)
def _no_docs_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """SARIF links follow PREFLIGHT_DOCS_URL: a value set on the machine must not change what tests see."""
    monkeypatch.delenv("PREFLIGHT_DOCS_URL", raising=False)
