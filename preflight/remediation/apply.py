"""Apply a plan to the emulator: `apply_plan` runs the plan's rendered script (`script_run`); `apply_steps`
applies the plan's steps directly, without the script and its channels, as the plan predicts them (the
property tests compare the two)."""

from __future__ import annotations

from datetime import datetime

from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.inventory.snapshot import Snapshot
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_run import StepOutcome, apply_plan, drain_minutes

__all__ = ["StepOutcome", "apply_plan", "apply_steps", "request_for"]


def request_for(step: Step, plan: Plan) -> Request:
    """The emulator request for a plan step: a drain carries exactly the moves the script performs and how
    long the node is out (the emulator checks the moves and counts the VMs left on the node itself)."""
    params = step.param_dict
    if step.action == "drain-node":
        params = {"cluster": params.get("cluster", ""), "minutes": str(drain_minutes(plan.steps, plan.steps.index(step)))}
    return Request(step.action, step.object_kind, step.object_name, params, step.item, step.moves, step.server)


def apply_steps(plan: Plan, snapshot: Snapshot, trial: tuple[str, ...] = ("upgrade-vmm-2012",),
                as_of: datetime | None = None) -> tuple[EmulatedEstate, list[StepOutcome]]:
    """Apply every step in the emulator at `as_of` as the plan has it (no script, no channels); blocked steps
    are not applied. `trial` actions (the VMM 2012 upgrade) run on a copy of the estate at their point of the
    plan: their outcome is recorded (would setup roll back? is the database backed up?), but the estate
    returned is the one before them, which the rule engine re-checks against the upgrade's prerequisites."""
    state = EmulatedEstate(snapshot, as_of)
    outcomes = []
    for step in plan.steps:
        if step.blocked:
            outcomes.append(StepOutcome(step.number, step.action, step.object_name, Result.FAILED.value,
                                        f"not planned: {step.blocked}"))
            continue
        done = apply(state.fork() if step.action in trial else state, request_for(step, plan))
        if step.action not in trial:
            state.advance(step.duration_min)
        outcomes.append(StepOutcome(step.number, step.action, step.object_name, done.result.value, done.reason))
    return state, outcomes
