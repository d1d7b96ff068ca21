"""What the plan did to each finding: resolved, unresolved (and why), regressed, or introduced.

Compares the findings of the original estate with those of the emulated one; the pipeline (`pipeline/verify_plan.py`)
runs the stages and assembles the `Verification`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from preflight.emulator import Outage
from preflight.engine.findings import Finding, Status
from preflight.remediation.apply import StepOutcome
from preflight.remediation.runbook import Plan
from preflight.remediation.verification import INTRODUCED, REGRESSED, RESOLVED, UNRESOLVED, FindingFate


def _key(finding: Finding, renames: dict[str, str]) -> tuple[str, str, str, str]:
    """The finding's rule and object, with the object named as it is after the plan's computer renames."""
    ref = finding.target.ref.renamed(renames)
    return finding.rule, ref.kind, ref.label.casefold(), (ref.vm_host or "").casefold()


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


def fate(finding: Finding, outcome: str, reason: str) -> FindingFate:
    """The fate of `finding`: its rule, object, severity and message with the outcome and why."""
    return FindingFate(finding.rule, finding.target.kind, finding.target.name, finding.severity.value, outcome, reason,
                       finding.message)


def compare(before: tuple[Finding, ...], after: tuple[Finding, ...], plan: Plan, outcomes: list[StepOutcome],
            renames: dict[str, str]) -> tuple[list[FindingFate], list[FindingFate]]:
    """Every original finding as resolved, unresolved or regressed; and the findings the plan introduced."""
    by_number = {o.number: o for o in outcomes}
    now = {_key(f, {}): f for f in after}
    fates = []
    for finding in before:
        later = now.get(_key(finding, renames))
        if later is None or later.status is not Status.FAIL:
            if finding.status is Status.FAIL:
                fates.append(fate(finding, RESOLVED, ""))
            continue  # an unknown that stays unknown or becomes known-good is not a fate worth listing
        if finding.status is Status.UNKNOWN:
            fates.append(fate(later, REGRESSED, "was not decidable before; fails after the plan"))
        else:
            fates.append(fate(finding, UNRESOLVED, _why(finding, plan, by_number, later)))
    seen = {_key(f, renames) for f in before}
    introduced = [fate(f, INTRODUCED, "fails only after the plan") for f in after
                  if f.status is Status.FAIL and _key(f, {}) not in seen]
    return fates, introduced


def mark_failed_steps(plan: Plan, outcomes: list[StepOutcome]) -> Plan:
    """The plan with every step that failed in the emulator marked as one that cannot run, with the reason.

    The runbook and the script then say so up front (the script skips it with a warning) instead of
    leaving an admin to discover at 2 a.m. a step the emulator already saw fail.
    """
    failed = {o.number: o.reason for o in outcomes if o.result == "failed"}
    steps = tuple(dataclasses.replace(s, blocked=f"fails in the emulator: {failed[s.number]}")
                  if s.number in failed and not s.blocked else s for s in plan.steps)
    return dataclasses.replace(plan, steps=steps)


def run_damage(plan: Plan, outages: list[Outage], paused: Iterable[str]) -> list[str]:
    """What a script run leaves that no rule checks and the runbook does not show: VMs that went down though
    no step says so (a drain removed or moved after its restart), cluster nodes left paused (no resume)."""
    expected = {vm.casefold() for vm in plan.vms_down}
    damage = [f"VM {o.vm} is down for {o.minutes} min ({o.reason}), which the runbook does not show"
              for o in outages if o.vm.casefold() not in expected]
    return damage + [f"cluster node {node} is left paused: no step resumes it" for node in sorted(paused)]
