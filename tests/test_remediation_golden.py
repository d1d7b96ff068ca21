"""Golden runbooks for the sample estates: order, restarts, downtime and what the upgrade deletes.

The tests only compare; regenerating is a separate, explicit step (`make golden`, then review the diff).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_runbooks import ESTATES, GOLDEN, current, golden_path

KINDS = ("runbook.txt", "plan.json")  # what a change board signs off; every field of every step


@pytest.mark.parametrize("estate", ESTATES, ids=[p.name for p in ESTATES])
def test_runbook_matches_golden(estate: Path) -> None:
    now = current(estate)
    for kind in KINDS:
        golden = golden_path(estate, kind)
        assert golden.exists(), f"no golden {golden.name}: run `make golden` and review it"
        assert now[kind] == golden.read_text(encoding="utf-8"), golden.name


def test_every_golden_belongs_to_a_sample_estate() -> None:
    for kind in KINDS:
        assert sorted(p.name for p in GOLDEN.glob(f"*.{kind}")) == sorted(golden_path(e, kind).name for e in ESTATES)


def test_no_environment_variable_turns_the_comparison_into_a_rewrite(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """The old PREFLIGHT_REGEN_GOLDEN=1 made these tests compare output with itself."""
    monkeypatch.setenv("PREFLIGHT_REGEN_GOLDEN", "1")
    estate = ESTATES[0]
    before = golden_path(estate).read_bytes()
    test_runbook_matches_golden(estate)
    assert golden_path(estate).read_bytes() == before
