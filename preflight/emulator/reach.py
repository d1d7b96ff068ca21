"""Run a parsed script's steps in order against the emulated estate, modelling how each reaches its server.

`WinRM` steps run inside `Invoke-Command -ComputerName`: they fail, as PowerShell remoting does, when the
WinRM service of the target is not running in the emulated estate at that moment. `DCOM` steps (WMI, the
service control manager, admin shares) and `Local` steps (AD and cluster cmdlets on the workstation) need
no WinRM. A step whose effect already holds changes nothing (the script's -Test skips it), so a second run
of the same script is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from preflight.emulator.effects import Applied, Request, Result, apply
from preflight.emulator.script import ScriptStep
from preflight.emulator.setup import UpgradeResult
from preflight.emulator.state import EmulatedEstate
from preflight.emulator.upgrade import SETUP_CHANGES, changed_by_setup, run_vmm_upgrade
from preflight.inventory.common import known


@dataclass(frozen=True)
class StepRun:
    """What the emulator did with one step of the script."""

    number: int
    action: str
    object_name: str
    result: Result
    reason: str = ""


def winrm_problem(state: EmulatedEstate, server: str) -> str | None:
    """Why `Invoke-Command -ComputerName server` fails now, or None (also when the services were not collected)."""
    for record in state.computers(server):
        services = getattr(record, "services", None)
        if services is None or not known(services):
            continue
        winrm = next((s for s in services if s.name.casefold() == "winrm"), None)
        if winrm is not None and winrm.state != "Running":
            return (f"{server}: the WinRM service is {winrm.state}, so Invoke-Command -ComputerName cannot reach it "
                    f"(start it first over DCOM: Set-Service -ComputerName or sc.exe \\\\{server} start WinRM)")
    return None


def _already_done(state: EmulatedEstate, request: Request) -> bool:
    """The -Test of steps whose effect is not re-checkable by applying again (the object changed its name)."""
    if request.action == "rename-computer":
        return state.renames.get(request.name.casefold(), "").casefold() == request.p("new_name").casefold() != ""
    if request.action == "restart-computer" and request.p("comes_back_as"):
        # its -Test: the computer answers to the new name its rename gave it (the old name no longer resolves)
        return state.renames.get(request.name.casefold(), "").casefold() == request.p("comes_back_as").casefold() \
            and not state.computers(request.name)
    if request.action == "drain-node":  # paused, and none of the VMs it moves is still there
        node = state.host(request.name)
        return node is not None and node.name.casefold() in state.paused and all(
            state.vm(move.vm, node.name) is None for move in request.moves)
    return False


def run_step(state: EmulatedEstate, step: ScriptStep, request: Request | None = None) -> Applied:
    """Apply one step (`request` overrides the parsed one, e.g. with what the caller computed around it)."""
    request = request or step.request
    if step.blocked:
        return Applied(Result.FAILED, f"not planned: {step.blocked}")
    if _already_done(state, request):
        return Applied(Result.NO_CHANGE, "already done")
    if step.via == "WinRM" and request.action != "manual":
        problem = winrm_problem(state, step.server)
        if problem:
            return Applied(Result.FAILED, problem)
    return apply(state, request)


@dataclass(frozen=True)
class Checkpoint:
    """What VMM setup does where the script runs it (a `skip` step, tried on a copy of the estate there)."""

    number: int
    action: str
    name: str
    setup: UpgradeResult


def execute(state: EmulatedEstate, steps: Iterable[tuple[ScriptStep, Request]],
            skip: tuple[str, ...] = (),
            minutes: Callable[[ScriptStep], int] = lambda step: 0) -> tuple[list[StepRun], list[Checkpoint]]:
    """Run (step, request) pairs in order; a failed step changes nothing and the run goes on, so every
    failure of the script is reported, not only the first; the estate's clock moves on by each step's
    `minutes` (as the plan has them). A `skip` action (VMM setup, which the estate returned never shows) is
    tried on a copy of the estate at that point of the script (would it be refused: no earlier backup, setup
    rolls back?) and leaves a checkpoint with what setup did there; it fails here when its channel cannot
    reach its server."""
    runs, checkpoints = [], []
    for step, request in steps:
        if request.action in skip:
            problem = winrm_problem(state, step.server) if step.via == "WinRM" and not step.blocked else None
            if problem:
                runs.append(StepRun(step.number, request.action, request.name, Result.FAILED, problem))
            elif not step.blocked:
                copy = state.fork(SETUP_CHANGES, changed_by_setup(request.name))   # only VMM setup is a `skip` action
                trial = run_step(copy, step, request)
                runs.append(StepRun(step.number, request.action, request.name, trial.result, trial.reason))
                # refused before setup ran (no earlier backup): still say what setup itself would do there
                setup = copy.setups.get(request.name.casefold()) or run_vmm_upgrade(copy, request.name)
                checkpoints.append(Checkpoint(step.number, request.action, request.name, setup))
            continue
        done = run_step(state, step, request)
        runs.append(StepRun(step.number, request.action, request.name, done.result, done.reason))
        if not step.blocked:
            state.advance(minutes(step))
    return runs, checkpoints
