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
    unmodelled: tuple[str, ...] = ()
    """Statements and steps of the script the emulator could not execute: the result is incomplete."""
    edited_script: bool = False
    """The script verified is one an admin gave (`--from-script`), not the one rendered from the plan."""
    missing: tuple[str, ...] = ()
    """Steps of the plan an edited script does not have ("N (action object)", N as the plan numbers it)."""
    upgrade_missing: bool = False
    """An edited script leaves out the VMM 2012 upgrade of a server the plan upgrades."""
    damage: tuple[str, ...] = ()
    """What the script run leaves that no rule checks and the runbook does not show (`fates.run_damage`)."""

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
        """No blocker left, nothing introduced, no step of an edited script fails or is missing the upgrade,
        no damage the runbook does not show, the simulated upgrade succeeds, and every point of no return can run."""
        return (not self.remaining_blockers and not self.introduced and self.upgrade_ok and not self.failed_steps
                and not self.upgrade_missing and not self.damage and not self.refused_points_of_no_return)

    @property
    def failed_steps(self) -> tuple[StepOutcome, ...]:
        """Steps of an edited script the emulator saw fail (the real script stops there). A step of the rendered
        script that fails is instead emitted as skipped, with the reason, so it does not count here."""
        if not self.edited_script:
            return ()
        return tuple(o for o in self.steps if o.result == "failed" and not o.reason.startswith("not planned"))

    @property
    def complete(self) -> bool:
        """Every statement of the script was modelled (otherwise a pass is only INCOMPLETE)."""
        return not self.unmodelled

    def count(self, outcome: str) -> int:
        """Original findings with this outcome."""
        return sum(1 for f in self.findings if f.outcome == outcome)
