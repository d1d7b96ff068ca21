"""Render a plan as one PowerShell 2.0 script (`preflight verify --script plan.ps1`).

The script is the fixed header (`script_header.py`: transcript, -StartAt, -Force, -WhatIf/-Confirm, and the
function `Invoke-PreflightStep`, which runs every step the same way), then each step as ONE statement, a
call of `Invoke-PreflightStep` whose values are literals (number, server, action, channel, object,
parameters, moves, flags) and whose -Test / -Body are script blocks, then `Complete-PreflightRun`. The
header runs a `-Via 'WinRM'` body inside `Invoke-Command -ComputerName`; DCOM and Local bodies run on the
workstation. Every value that comes from a snapshot goes through `ps_quote`; comments hold only text written
here (step numbers, action names, durations), never snapshot values.
"""

from __future__ import annotations

from preflight.remediation.actions import ACTIONS
from preflight.remediation.literals import ps_int
from preflight.remediation.literals import ps_quote as q
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_header import FOOTER, HEADER, HEADER_COMMANDS

INDENT = "    "
FUNCTION = "Invoke-PreflightStep"


def header() -> str:
    """The script's scaffolding: every top-level statement that is not a step (the header before the first
    step, and the closing `Complete-PreflightRun`); no snapshot value."""
    return HEADER + FOOTER + "\n"


def script_commands(plan: Plan) -> frozenset[str]:
    """Every command name a rendered script of `plan` may contain."""
    names = set(HEADER_COMMANDS)
    for step in plan.steps:
        names.update(ACTIONS[step.action].commands)
    return frozenset(names)


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


def step_test(step: Step) -> list[str]:
    """The -Test of a step: PowerShell that outputs $true when the step's effect already holds (the header then
    logs "already done" and skips it). `$false` for an action without a test: the step always runs."""
    spec = ACTIONS[step.action]
    return spec.test(step.invocation()) if spec.test else ["$false"]


def step_body(step: Step) -> list[str]:
    """The -Body of a step: the action's commands, as its channel runs them (the header wraps WinRM bodies
    in Invoke-Command -ComputerName)."""
    return ACTIONS[step.action].render(step.invocation())


def _block(name: str, lines: list[str], last: bool) -> list[str]:
    return [f"{INDENT}-{name} {{", *(INDENT * 2 + line for line in lines), INDENT + "}" + ("" if last else " `")]


def flags(step: Step) -> list[str]:
    """The -Flags of a step: what the header function and the emulator read about it."""
    return [name for name, on in (("restart", step.restart), ("point-of-no-return", step.point_of_no_return),
                                  ("manual", step.manual)) if on]


def _moves(step: Step) -> str:
    pairs = [f"@({q(m.vm)}, {q(m.target)})" for m in step.moves]
    # A lone inner array needs the unary comma, or PowerShell flattens @(@(a, b)) into @(a, b).
    return f"@(,{pairs[0]})" if len(pairs) == 1 else f"@({', '.join(pairs)})"


def render_step(step: Step, total: int) -> list[str]:
    """One step as ONE statement: a call of `Invoke-PreflightStep` whose values are all literals (the data
    the emulator reads back), with the step's -Test and -Body script blocks; a comment line above it."""
    params = "; ".join(f"{q(k)} = {q(v)}" for k, v in step.params)
    head = (f"{FUNCTION} -Number {ps_int(step.number)} -Server {q(step.server)} -Action {q(step.action)} "
            f"-Via {q(step.channel)}")
    target = f"{INDENT}-ObjectKind {q(step.object_kind)} -ObjectName {q(step.object_name)}"
    if step.item is not None:
        target += f" -Item {q(step.item)}"
    data = [target, f"{INDENT}-Parameters @{{{' ' + params + ' ' if params else ''}}}",
            f"{INDENT}-Moves {_moves(step)} -Flags @({', '.join(q(f) for f in flags(step))})"]
    if step.blocked:  # no commands at all: the header function only warns that the step is skipped
        data.append(f"{INDENT}-Blocked {q(step.blocked)}")
        return _step_comment(step, total) + [line + " `" for line in (head, *data[:-1])] + [data[-1]]
    lines = [line + " `" for line in (head, *data)]
    lines += _block("Test", step_test(step), last=False) + _block("Body", step_body(step), last=True)
    return _step_comment(step, total) + lines


def render_script(plan: Plan) -> str:
    """The whole script for `plan`."""
    total = len(plan.steps)
    out = [HEADER.rstrip("\n"), "",
           f"# Plan: {total} steps, {plan.restarts} restarts, about {plan.duration_min} min, "
           f"{plan.vm_downtime_min} VM-minutes of downtime."]
    if total == 0:
        out.append("# Nothing to do: the plan is empty.")
    for index, section in enumerate(plan.sections, start=1):
        out += ["", f"# ===== Section {index} of {len(plan.sections)}: one server ====="]
        for step in section.steps:
            out += [""] + render_step(step, total)
    out += ["", FOOTER]
    return "\n".join(out) + "\n"
