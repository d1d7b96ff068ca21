"""check -> plan -> apply in the emulator -> re-check the emulated estate -> simulate the upgrade -> drills.

The re-check runs the normal pipeline on the emulator's exported snapshot: the rule engine and the
emulator are independent, so a finding that stays failing after its fix "ran" is a disagreement the
report shows rather than hides.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from msgspec import UNSET

from preflight.emulator import EmulatedEstate, run_drills, run_vmm_upgrade
from preflight.engine.findings import Finding, Severity, Status
from preflight.inventory import encode_json
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import CheckRequest, run_check
from preflight.remediation.apply import StepOutcome, apply_plan
from preflight.remediation.plan import build_plan
from preflight.remediation.runbook import Plan
from preflight.remediation.verification import (
    INTRODUCED,
    REGRESSED,
    RESOLVED,
    UNRESOLVED,
    FindingFate,
    Verification,
)
from preflight.report import Report


def _key(finding: Finding, renames: dict[str, str]) -> tuple[str, str, str]:
    name = finding.target.name
    head, sep, tail = name.partition("/")
    name = renames.get(head.casefold(), head) + sep + tail
    return finding.rule, finding.target.kind, name.casefold()


def _why(finding: Finding, plan: Plan, outcomes: dict[int, StepOutcome], after: Finding | None) -> str:
    steps = [s for s in plan.steps if finding.fingerprint in s.findings]
    if not steps:
        return "no fix action for this rule" if not finding.fix_action else "the fix could not be placed on an object"
    for step in steps:
        outcome = outcomes.get(step.number)
        if step.manual:
            return f"manual action (step {step.number}): {step.param_dict.get('instruction', '') or step.action}"
        if step.blocked:
            return f"step {step.number} cannot be planned: {step.blocked}"
        if outcome is not None and outcome.result == "failed":
            return f"precondition failed at step {step.number} ({step.action}): {outcome.reason}"
    detail = f": {after.message}" if after is not None else ""
    return f"the plan's steps ran but the rule still fails{detail}"


def _fate(finding: Finding, outcome: str, reason: str) -> FindingFate:
    return FindingFate(finding.rule, finding.target.kind, finding.target.name, finding.severity.value, outcome, reason,
                       finding.message)


def compare(before: Report, after: Report, plan: Plan, outcomes: list[StepOutcome],
            renames: dict[str, str]) -> tuple[list[FindingFate], list[FindingFate]]:
    """Every original finding as resolved, unresolved or regressed; and the findings the plan introduced."""
    by_number = {o.number: o for o in outcomes}
    now = {_key(f, {}): f for f in after.findings}
    fates = []
    for finding in before.findings:
        later = now.get(_key(finding, renames))
        if later is None or later.status is not Status.FAIL:
            if finding.status is Status.FAIL:
                fates.append(_fate(finding, RESOLVED, ""))
            continue  # an unknown that stays unknown or becomes known-good is not a fate worth listing
        if finding.status is Status.UNKNOWN:
            fates.append(_fate(later, REGRESSED, "was not decidable before; fails after the plan"))
        else:
            fates.append(_fate(finding, UNRESOLVED, _why(finding, plan, by_number, later)))
    seen = {_key(f, renames) for f in before.findings}
    introduced = [_fate(f, INTRODUCED, "fails only after the plan") for f in after.findings
                  if f.status is Status.FAIL and _key(f, {}) not in seen]
    return fates, introduced


def _upgrades(snapshot: Snapshot) -> tuple:
    return tuple(run_vmm_upgrade(EmulatedEstate(snapshot), s.name)
                 for s in snapshot.vmm_servers if s.vmm not in (None, UNSET))


def verify(request: CheckRequest) -> tuple[Report, Snapshot, Plan]:
    """The report of the original estate with `verification` filled in, the emulated estate, and the plan."""
    report, estate, _ = run_check(request)
    snapshot = estate.snapshot
    plan = build_plan(report.findings, snapshot)
    state, outcomes = apply_plan(plan, snapshot)
    emulated = state.export()
    with tempfile.TemporaryDirectory(prefix="preflight-verify-") as folder:
        path = Path(folder) / "emulated.json"
        path.write_bytes(encode_json(emulated))
        after, _, _ = run_check(dataclasses.replace(request, snapshots=(path,), as_of=report.as_of))
    fates, introduced = compare(report, after, plan, outcomes, state.renames)
    remaining = [_fate(f, UNRESOLVED, "") for f in after.findings
                 if f.status is Status.FAIL and f.severity is Severity.BLOCKER]
    plan = mark_failed_steps(plan, outcomes)
    verification = Verification(plan, tuple(outcomes), tuple(fates), tuple(introduced), tuple(remaining),
                                _upgrades(emulated), tuple(run_drills(snapshot)), tuple(run_drills(emulated)))
    return dataclasses.replace(report, verification=verification), emulated, plan


def mark_failed_steps(plan: Plan, outcomes: list[StepOutcome]) -> Plan:
    """The plan with every step that failed in the emulator marked as one that cannot run, with the reason.

    The runbook and the script then say so up front (the script skips it with a warning) instead of
    leaving an admin to discover at 2 a.m. a step the emulator already saw fail.
    """
    failed = {o.number: o.reason for o in outcomes if o.result == "failed"}
    steps = tuple(dataclasses.replace(s, blocked=f"fails in the emulator: {failed[s.number]}")
                  if s.number in failed and not s.blocked else s for s in plan.steps)
    return dataclasses.replace(plan, steps=steps)
