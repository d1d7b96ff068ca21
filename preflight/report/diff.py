"""The result of `preflight diff`: two sides (snapshot or JSON report), their finding diff and changed facts."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.inventory.facts_diff import ObjectChange
from preflight.inventory.snapshot import Snapshot
from preflight.report.baseline import FindingKey, FindingsDiff


@dataclass(frozen=True)
class DiffSide:
    """One side of a diff: its file, whether it was a snapshot or a report, its findings, and the snapshot
    (None for a report) with the as-of instant it was checked at."""

    file: str
    kind: str   # "snapshot" or "report"
    findings: tuple[FindingKey, ...]
    snapshot: Snapshot | None = None
    as_of: str | None = None


@dataclass(frozen=True)
class EstateDiff:
    """The whole comparison: both sides, the finding diff, and the changed facts (None unless both are snapshots)."""

    old: DiffSide
    new: DiffSide
    findings: FindingsDiff
    facts: tuple[ObjectChange, ...] | None

    @property
    def worsened(self) -> bool:
        """True when a finding is new or regressed (exit 1)."""
        return bool(self.findings.new or self.findings.regressed)
