"""Golden runbooks for the sample estates: order, restarts, downtime and what the upgrade deletes.

The tests only compare; regenerating is a separate, explicit step (`make golden`, then review the diff).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golden_runbooks import ESTATES, GOLDEN, current_text, golden_path


@pytest.mark.parametrize("estate", ESTATES, ids=[p.name for p in ESTATES])
def test_runbook_matches_golden(estate: Path) -> None:
    golden = golden_path(estate)
    assert golden.exists(), f"no golden for {estate.name}: run `make golden` and review it"
    assert current_text(estate) == golden.read_text(encoding="utf-8")


def test_every_golden_belongs_to_a_sample_estate() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.runbook.txt")) == sorted(golden_path(e).name for e in ESTATES)


def test_no_environment_variable_turns_the_comparison_into_a_rewrite(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """The old PREFLIGHT_REGEN_GOLDEN=1 made these tests compare output with itself."""
    monkeypatch.setenv("PREFLIGHT_REGEN_GOLDEN", "1")
    estate = ESTATES[0]
    before = golden_path(estate).read_bytes()
    test_runbook_matches_golden(estate)
    assert golden_path(estate).read_bytes() == before
