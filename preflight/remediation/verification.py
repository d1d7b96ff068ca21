"""The result of `preflight verify`: the plan, what the emulator did, and every finding's fate."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.emulator import DrillResult, UpgradeResult
from preflight.remediation.apply import StepOutcome
from preflight.remediation.runbook import Plan

RESOLVED, UNRESOLVED, REGRESSED, INTRODUCED = "resolved", "unresolved", "regressed", "introduced"


@dataclass(frozen=True)
class FindingFate:
    """An original (or newly introduced) finding and what the plan did to it."""

    rule: str
    target_kind: str
    target: str
    severity: str
    outcome: str
    reason: str
    message: str


@dataclass(frozen=True)
class Verification:
    """Plan, emulated application, re-check, simulated VMM 2012 upgrade and fault drills."""

    plan: Plan
    steps: tuple[StepOutcome, ...]
    findings: tuple[FindingFate, ...]
    introduced: tuple[FindingFate, ...]
    remaining_blockers: tuple[FindingFate, ...]
    upgrades: tuple[UpgradeResult, ...]
    drills_before: tuple[DrillResult, ...]
    drills_after: tuple[DrillResult, ...]

    @property
    def upgrade_ok(self) -> bool:
        """Every simulated VMM 2012 upgrade succeeded (vacuously true with no VMM server to upgrade)."""
        return all(u.succeeded for u in self.upgrades)

    @property
    def refused_points_of_no_return(self) -> tuple[StepOutcome, ...]:
        """Outcomes of point-of-no-return steps the emulator refused (setup rolls back, no earlier backup)."""
        final = {s.number for s in self.plan.steps if s.point_of_no_return}
        return tuple(o for o in self.steps if o.number in final and o.result == "failed")

    @property
    def passed(self) -> bool:
        """No blocker left, nothing introduced, the simulated upgrade succeeds, and every point of no return can run."""
        return (not self.remaining_blockers and not self.introduced and self.upgrade_ok
                and not self.refused_points_of_no_return)

    def count(self, outcome: str) -> int:
        """Original findings with this outcome."""
        return sum(1 for f in self.findings if f.outcome == outcome)
