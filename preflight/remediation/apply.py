"""Apply a plan's steps to the emulator, in order, and record what each one did."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.inventory.snapshot import Snapshot
from preflight.remediation.runbook import Plan, Step


@dataclass(frozen=True)
class StepOutcome:
    """What the emulator did with one step."""

    number: int
    action: str
    object_name: str
    result: str
    reason: str = ""


def _node_work_minutes(plan: Plan, drain: Step) -> int:
    """Minutes a drained node is out: the steps the script runs on it up to the resume (not skipped or manual ones)."""
    total = 0
    for step in plan.steps[drain.number:]:
        if step.action == "resume-node":
            break
        if not step.blocked and not step.manual:
            total += step.duration_min
    return total


def request_for(step: Step, plan: Plan) -> Request:
    """The emulator request for a plan step: a drain carries exactly the moves the script performs and how
    long the node is out (the emulator checks the moves and counts the VMs left on the node itself)."""
    params = step.param_dict
    if step.action == "drain-node":
        params = {"cluster": params.get("cluster", ""), "minutes": str(_node_work_minutes(plan, step))}
    return Request(step.action, step.object_kind, step.object_name, params, step.item, step.moves, step.server)


def apply_plan(plan: Plan, snapshot: Snapshot, skip: tuple[str, ...] = ("upgrade-vmm-2012",)) -> tuple[EmulatedEstate, list[StepOutcome]]:
    """Run every step (except `skip` actions) in the emulator; blocked steps are not applied."""
    state = EmulatedEstate(snapshot)
    outcomes = []
    for step in plan.steps:
        if step.action in skip:
            continue
        if step.blocked:
            outcomes.append(StepOutcome(step.number, step.action, step.object_name, Result.FAILED.value,
                                        f"not planned: {step.blocked}"))
            continue
        done = apply(state, request_for(step, plan))
        outcomes.append(StepOutcome(step.number, step.action, step.object_name, done.result.value, done.reason))
    return state, outcomes
