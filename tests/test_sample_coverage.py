"""The sample estates exercise every rule pack: each pack fails somewhere and passes somewhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from preflight.engine.findings import Status
from preflight.pipeline import CheckRequest, run_check

ESTATES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "estates").glob("*.[jt][so][om]*"))
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_every_pack_is_exercised_by_the_sample_estates() -> None:
    failing: dict[str, set[str]] = defaultdict(set)
    passing: dict[str, set[str]] = defaultdict(set)
    packs: set[str] = set()
    for estate in ESTATES:
        report, _, evaluation = run_check(CheckRequest((estate,), as_of=NOW))
        packs.update(report.packs)
        pack_of = {rule.code: rule.pack for rule in report.rules}
        for finding in report.findings:
            if finding.status is Status.FAIL:
                failing[finding.pack].add(estate.name)
        for code, tally in evaluation.tallies.items():
            if tally.get(Status.PASS):
                passing[pack_of[code]].add(estate.name)
    assert {e.name for e in ESTATES} >= {"ready.json", "blocked.json", "mixed.toml", "fabric-2012.json", "dr-2012.json"}
    for pack in sorted(packs):
        assert failing[pack], f"no sample estate makes a rule of {pack} fail"
        assert passing[pack], f"no sample estate makes a rule of {pack} pass"
