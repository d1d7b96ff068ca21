"""Render a plan as one PowerShell 2.0 script (`preflight verify --script plan.ps1`).

The script is the fixed header (script_header.py: transcript, -StartAt, -Force, -WhatIf/-Confirm, and
`Invoke-PreflightStep`, which runs every step the same way), then one `Invoke-PreflightStep` call per plan
step, then `Complete-PreflightRun`. Every value that comes from a snapshot goes through `ps_quote`; comments
hold only text written here (step numbers, action names, durations), never snapshot values.
"""

from __future__ import annotations

from preflight.remediation.actions import ACTIONS
from preflight.remediation.literals import ps_int
from preflight.remediation.literals import ps_quote as q
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_header import END_OF_HEADER, FOOTER, HEADER, HEADER_COMMANDS

INDENT = "    "

__all__ = ["END_OF_HEADER", "HEADER", "render_script", "render_step", "script_commands", "step_flags"]


def script_commands(plan: Plan) -> frozenset[str]:
    """Every command name a rendered script of `plan` may contain."""
    names = set(HEADER_COMMANDS)
    for step in plan.steps:
        names.update(ACTIONS[step.action].commands)
    return frozenset(names)


def step_flags(step: Step) -> tuple[str, ...]:
    """The flags of a step's call, in a fixed order: what the header treats differently."""
    return tuple(flag for flag, on in (("restart", step.restart), ("point-of-no-return", step.point_of_no_return),
                                        ("manual", step.manual), ("blocked", bool(step.blocked))) if on)


def _array(values: tuple[str, ...] | list[str]) -> str:
    return "@(" + ", ".join(q(v) for v in values) + ")"


def _moves(step: Step) -> str:
    pairs = [f"@({q(m.vm)}, {q(m.target)})" for m in step.moves]
    # A lone inner array needs the unary comma, or PowerShell flattens @(@(a, b)) into @(a, b).
    return "@(," + pairs[0] + ")" if len(pairs) == 1 else "@(" + ", ".join(pairs) + ")"


def _block(lines: list[str]) -> str:
    return "{\n" + "".join(INDENT + line + "\n" for line in lines) + "}"


def _step_comment(step: Step, total: int) -> list[str]:
    spec = ACTIONS[step.action]
    lines = [f"# Step {step.number} of {total}: {step.action} ({spec.title.split('(')[0].strip()}); "
             f"about {step.duration_min} min; restart needed: {'yes' if step.restart else 'no'}; "
             f"VMs down: {len(step.vms_down)}"]
    if step.point_of_no_return:
        lines.append("# POINT OF NO RETURN: this step cannot be undone; it asks for confirmation first.")
    if step.manual:
        lines.append("# MANUAL: the script prints the instruction and waits until you type DONE (-Force: it does not wait).")
    return lines


def render_step(step: Step, total: int) -> list[str]:
    """The lines of one step: a comment, then its one `Invoke-PreflightStep` call (a simple form of the contract)."""
    spec = ACTIONS[step.action]
    inv = step.invocation()
    params = "; ".join(f"{q(k)} = {q(v)}" for k, v in step.params)
    call = (f"Invoke-PreflightStep -Number {ps_int(step.number)} -Server {q(step.server)} -Action {q(step.action)} "
            f"-Via {q(spec.via)} -ObjectKind {q(step.object_kind)} -ObjectName {q(step.object_name)} "
            f"-Item {q(step.item or '')} -Parameters @{{{' ' + params + ' ' if params else ''}}} -Moves {_moves(step)} "
            f"-Flags {_array(step_flags(step))}")
    if step.blocked:
        call += f" -Reason {q(step.blocked)}"
        return _step_comment(step, total) + [call]
    media = spec.media_for(inv)
    if media:
        call += f" -Media {_array(media)}"
    test = spec.test(inv) if spec.test else None
    if test:
        call += " -Test " + _block(test)
    call += " -Body " + _block(spec.render(inv))
    return _step_comment(step, total) + call.split("\n")


def render_script(plan: Plan) -> str:
    """The whole script for `plan`."""
    total = len(plan.steps)
    out = [HEADER.rstrip("\n"), "",
           f"# Plan: {total} steps, {plan.restarts} restarts, about {plan.duration_min} min, "
           f"{plan.vm_downtime_min} VM-minutes of downtime."]
    if total == 0:
        out.append("# Nothing to do: the plan is empty.")
    for index, section in enumerate(plan.sections, start=1):
        out += ["", f"# ===== Section {index} of {len(plan.sections)}: steps {section.steps[0].number} to "
                f"{section.steps[-1].number} ====="]
        for step in section.steps:
            out += [""] + render_step(step, total)
    out += ["", FOOTER]
    return "\n".join(out) + "\n"
