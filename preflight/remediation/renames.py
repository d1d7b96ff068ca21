"""After a computer rename, the plan addresses the computer by the name it answers to at each point.

Windows keeps the old name until the restart that activates a rename: the steps of that server before its
restart (and the restart itself) still reach it as the old name; the restart waits for the computer to come
back under its new name (`comes_back_as`); every later step that names it (its after-restart steps, a later
group's step, the VMM 2012 upgrade at the end) addresses the new name, since the old one no longer resolves.
Decided here, in one pass over the ordered plan, so the script and the runbook say the same. A rename that is
blocked, or that the emulator refuses (`refused`), renames nothing: the steps after it keep the old name.
"""

from __future__ import annotations

from dataclasses import replace

from preflight.inventory.moves import Move
from preflight.remediation.runbook import Step

RENAME = "rename-computer"
RESTART = "restart-computer"
COMES_BACK_AS = "comes_back_as"
"""The restart-computer parameter naming what the computer answers to after the restart activates its rename."""


def _name(value: str, renamed: dict[str, str]) -> str:
    if "," in value:   # a list of computers (the nodes a cluster restarts in turn)
        return ",".join(_name(part, renamed) for part in value.split(","))
    return renamed.get(value.strip().casefold(), value)


def _readdressed(step: Step, renamed: dict[str, str]) -> Step:
    """`step` with each reference to a renamed computer (server, object, item, parameter values, moves) in its new name."""
    params = tuple((key, _name(value, renamed)) for key, value in step.params)
    moves = tuple(Move(m.vm, _name(m.source, renamed), _name(m.target, renamed)) for m in step.moves)
    return replace(step, server=_name(step.server, renamed), object_name=_name(step.object_name, renamed),
                   item=_name(step.item, renamed) if step.item is not None else None, params=params, moves=moves)


def follow_renames(steps: list[Step], refused: frozenset[str] = frozenset()) -> list[Step]:
    """`steps` with later steps addressing renamed computers by their new names (see the module docstring).

    `refused`: casefolded names of computers whose rename the emulator refused (the verify pipeline plans again
    without following those): such a computer keeps its name, and so do the steps after it."""
    pending: dict[str, str] = {}   # casefolded old name -> new name, until the computer's restart
    renamed: dict[str, str] = {}   # casefolded old name -> new name, from that restart on
    out: list[Step] = []
    for step in steps:
        step = _readdressed(step, renamed) if renamed else step
        key = step.server.casefold()
        if step.action == RENAME and not step.blocked and step.param_dict.get("new_name") and key not in refused:
            new = step.param_dict["new_name"]
            if new.casefold() != key:
                pending[key] = new
        elif step.action == RESTART and key in pending and not step.blocked:
            new = pending.pop(key)
            step = replace(step, params=tuple(sorted({**step.param_dict, COMES_BACK_AS: new}.items())))
            renamed[key] = new
        out.append(step)
    return out


def refused_renames(plan_steps: tuple[Step, ...], failed: set[int]) -> frozenset[str]:
    """Casefolded names of the computers whose (unblocked) rename step is among the `failed` step numbers."""
    return frozenset(s.server.casefold() for s in plan_steps if s.action == RENAME and s.number in failed and not s.blocked)
