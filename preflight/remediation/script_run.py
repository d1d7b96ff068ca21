"""Verify the script, not the plan beside it: render, parse back, and execute the parsed steps in the emulator.

`run_script` takes script text (the rendered one, or one an admin edited) and the plan the estate's findings
call for. Each parsed `Invoke-PreflightStep` call becomes a runbook step: the plan's own step when the call
names the same action, object and values (so it keeps the findings it fixes, its cost and outages), else a
step built from the action catalog with the script's values. A call whose -Test/-Body is not what the action
renders for those values is "not modelled (body edited)": it is executed as the action it declares (so the
steps after it are judged on that assumption), and, like any statement the emulator cannot read, it makes
the result incomplete: never a pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from preflight.emulator import EmulatedEstate, Request
from preflight.emulator.reach import Checkpoint, execute
from preflight.emulator.script import ParsedScript, ScriptStep, normalize, parse_script, top_level_statements
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.snapshot import Snapshot
from preflight.remediation.actions import ACTIONS
from preflight.remediation.powershell import header, render_script, step_body, step_test
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_header import HEADER
from preflight.remediation.targets import os_version

BODY_EDITED = "not modelled (body edited)"
_CHANNEL_PROBLEM = "not modelled (action '{action}' does not run over {via})"


@dataclass(frozen=True)
class StepOutcome:
    """What the emulator did with one step."""

    number: int
    action: str
    object_name: str
    result: str
    reason: str = ""


@dataclass(frozen=True)
class ScriptRun:
    """The plan as the script has it, the emulated estate after the run, each step's outcome, and every
    statement (or step) the emulator could not model."""

    plan: Plan
    state: EmulatedEstate
    outcomes: tuple[StepOutcome, ...]
    unmodelled: tuple[str, ...]
    checkpoints: tuple[Checkpoint, ...] = ()
    """The estate where the script reaches each skipped step (VMM setup): what the upgrade would meet."""
    missing: tuple[Step, ...] = ()
    """Steps of the plan the script does not have (an admin removed them)."""


def _exact(step: Step | ScriptStep) -> tuple[Any, ...]:
    if isinstance(step, ScriptStep):
        r = step.request
        return (r.action, step.server.casefold(), r.kind, r.name.casefold(), r.item, tuple(sorted(r.params.items())),
                r.moves)
    return (step.action, step.server.casefold(), step.object_kind, step.object_name.casefold(), step.item,
            tuple(sorted(step.params)), step.moves)


def _loose(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return key[:5]


def _step_of(call: ScriptStep, plan: Plan, used: set[int], index: Callable[[], SnapshotIndex]) -> Step:
    """The runbook step of one parsed call (the plan's own when it matches)."""
    exact = _exact(call)
    candidates = [s for s in plan.steps if id(s) not in used]
    match = next((s for s in candidates if _exact(s) == exact), None)
    loose = match or next((s for s in candidates if _loose(_exact(s)) == _loose(exact)), None)
    request = call.request
    if loose is not None:
        used.add(id(loose))
        step = dataclasses.replace(loose, number=call.number, via=call.via, blocked=call.blocked or None,
                                   params=tuple(request.params.items()), moves=request.moves)
        if match is None:  # values changed by hand: what the action does with them, not what the plan said
            spec = ACTIONS[call.action]
            step = dataclasses.replace(step, restart=spec.needs_restart(request.params) and not call.blocked, note="values edited")
        return step
    spec = ACTIONS[call.action]
    return Step(call.number, call.action, call.server, request.kind, request.name, tuple(request.params.items()),
                request.item, os_version(index(), call.server), restart=spec.needs_restart(request.params) and not call.blocked,
                duration_min=spec.duration_min, manual=spec.manual, point_of_no_return=spec.point_of_no_return,
                blocked=call.blocked or None, moves=request.moves, via=call.via)


def _problem(call: ScriptStep, step: Step) -> str | None:
    spec = ACTIONS[call.action]
    if call.via not in spec.vias:
        return _CHANNEL_PROBLEM.format(action=call.action, via=call.via)
    if call.blocked:
        return None if not call.body and not call.test else BODY_EDITED
    if call.body != normalize("\n".join(step_body(step))) or call.test != normalize("\n".join(step_test(step))):
        return BODY_EDITED
    return None


def plan_from_script(parsed: ParsedScript, plan: Plan, snapshot: Snapshot) -> tuple[Plan, list[ScriptStep], list[str], list[Step]]:
    """The runbook the script describes, the calls the emulator can execute, what it cannot model, and the
    steps of `plan` that no call of the script matches."""
    index = cache(lambda: SnapshotIndex(snapshot))   # built once, and only for a step the plan does not have
    unmodelled = [str(u) for u in parsed.unmodelled]
    used: set[int] = set()
    steps: list[Step] = []
    runnable: list[ScriptStep] = []
    for call in parsed.steps:
        where = f"line {call.line}: step {call.number} ({call.action} {call.request.name})"
        spec = ACTIONS.get(call.action)
        if spec is None:
            unmodelled.append(f"{where}: not modelled (no action '{call.action}')")
            continue
        problems = spec.problems(call.request.params)
        if problems and not call.blocked:
            unmodelled.append(f"{where}: not modelled ({'; '.join(problems)})")
            continue
        step = _step_of(call, plan, used, index)
        steps.append(step)
        problem = _problem(call, step)
        if problem:
            unmodelled.append(f"{where}: {problem}")
        if problem != _CHANNEL_PROBLEM.format(action=call.action, via=call.via):
            runnable.append(call)
    missing = [s for s in plan.steps if id(s) not in used]
    return dataclasses.replace(plan, steps=tuple(steps)), runnable, unmodelled, missing


HEADER_LINES = HEADER.rstrip("\n") + "\n"
"""The header as every rendered script starts with it (`render_script`)."""


@cache
def _header_statements() -> frozenset[str]:
    """The script header's top-level statements (parsed once: the header is the same for every script)."""
    return top_level_statements(header())


def drain_minutes(steps: Sequence[Step], at: int) -> int:
    """Minutes a drained node is out: the steps the script runs up to its resume (not skipped or manual ones)."""
    total = 0
    for step in steps[at + 1:]:
        if step.action == "resume-node" and step.server.casefold() == steps[at].server.casefold():
            break
        if not step.blocked and not step.manual:
            total += step.duration_min
    return total


def run_script(text: str, plan: Plan, snapshot: Snapshot, skip: tuple[str, ...] = ("upgrade-vmm-2012",),
               state: EmulatedEstate | None = None, as_of: datetime | None = None) -> ScriptRun:
    """Parse `text` and execute its steps in order on `state` (default: a fresh emulation of `snapshot` starting
    at `as_of`; the emulator's clock moves on by each step's minutes)."""
    parsed = parse_script(text, _header_statements(), known_prefix=HEADER_LINES)
    script_plan, runnable, unmodelled, missing = plan_from_script(parsed, plan, snapshot)
    state = state or EmulatedEstate(snapshot, as_of)
    by_call = {id(call): step for call, step in zip(parsed.steps, _aligned(parsed, script_plan), strict=True)}
    steps = list(script_plan.steps)
    pairs: list[tuple[ScriptStep, Request]] = []
    for call in runnable:
        request = call.request
        if call.action == "drain-node":
            step = by_call[id(call)]
            minutes = drain_minutes(steps, steps.index(step)) if step is not None else 0
            request = dataclasses.replace(request, params={"cluster": request.p("cluster"), "minutes": str(minutes)})
        pairs.append((call, request))
    def duration(call: ScriptStep) -> int:
        step = by_call.get(id(call))
        return step.duration_min if step is not None else 0

    runs, checkpoints = execute(state, pairs, skip, duration)
    outcomes = tuple(StepOutcome(r.number, r.action, r.object_name, r.result.value, r.reason) for r in runs)
    return ScriptRun(script_plan, state, outcomes, tuple(unmodelled), tuple(checkpoints), tuple(missing))


def _aligned(parsed: ParsedScript, script_plan: Plan) -> list[Step | None]:
    """The runbook step of each parsed call, None for calls that became no step (unknown action, bad values)."""
    remaining = list(script_plan.steps)
    out: list[Step | None] = []
    for call in parsed.steps:
        if remaining and remaining[0].number == call.number and remaining[0].action == call.action:
            out.append(remaining.pop(0))
        else:
            out.append(None)
    return out


def apply_plan(plan: Plan, snapshot: Snapshot, skip: tuple[str, ...] = ("upgrade-vmm-2012",),
               as_of: datetime | None = None) -> tuple[EmulatedEstate, list[StepOutcome]]:
    """Render `plan` as its script and run the script in the emulator at `as_of` (blocked steps are not applied)."""
    run = run_script(render_script(plan), plan, snapshot, skip, as_of=as_of)
    if run.unmodelled:  # the renderer and the reader disagree: a bug here, not an input problem
        raise AssertionError(f"the rendered script does not read back: {run.unmodelled[0]}")
    return run.state, list(run.outcomes)
