"""How each step reaches its server, and WinRM started first where a step needs it.

A WinRM step runs inside `Invoke-Command -ComputerName`, which fails at once when the WinRM service of the
target is not running. Walking the plan in order with each server's WinRM state (from the snapshot, then as
the plan changes it: start-mode changes, starts, restarts that bring services back by start mode), a WinRM
step on a server whose WinRM is stopped gets the plan's own WinRM fixes for that server pulled in front of
it, or new ones, over DCOM (the service control manager, `Set-Service -ComputerName`), which needs no WinRM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from preflight.inventory.common import known
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.refs import COMPUTER_LISTS
from preflight.remediation.actions import ACTIONS
from preflight.remediation.actions.base import DCOM, WINRM
from preflight.remediation.runbook import Step

SERVICE = "WinRM"
_BOOT_STARTED = ("Auto", "Boot", "System")


@dataclass
class _WinRM:
    """What the plan knows of one server's WinRM service at a point of the plan (None: not collected)."""

    running: bool | None
    mode: str | None


def _initial(index: SnapshotIndex, server: str) -> _WinRM:
    for record in index.computers(server):
        services = getattr(record, "services", None)
        if services is None or not known(services):
            continue
        for service in services:
            if service.name.casefold() == SERVICE.casefold():
                return _WinRM(service.state == "Running", str(service.start_mode) if known(service.start_mode) else None)
    return _WinRM(None, None)


def _is_winrm_service_step(step: Step, action: str | None = None) -> bool:
    return ((action is None and step.action in ("start-service", "set-service-start-mode")) or step.action == action) \
        and step.param_dict.get("service", "").casefold() == SERVICE.casefold() and not step.blocked


def _new_step(action: str, like: Step, params: tuple[tuple[str, str], ...], note: str) -> Step:
    kind = like.object_kind if like.object_kind in COMPUTER_LISTS else "hosts"
    return Step(0, action, like.server, kind, like.server, params, os_version=like.os_version,
                duration_min=ACTIONS[action].duration_min, note=note, via=DCOM)


def _bring_up(steps: list[Step], at: int, taken: set[int], winrm: _WinRM) -> list[Step]:
    """Steps that start WinRM on the server of `steps[at]` over DCOM: the plan's own later WinRM fixes for that
    server (their indexes join `taken`), else new ones."""
    step = steps[at]

    def pull(action: str) -> Step | None:
        for later in range(at + 1, len(steps)):
            other = steps[later]
            if later not in taken and other.server.casefold() == step.server.casefold() \
                    and _is_winrm_service_step(other, action):
                taken.add(later)
                return replace(other, via=DCOM)
        return None

    prelude = []
    start_mode = pull("set-service-start-mode")
    if start_mode is None and winrm.mode == "Disabled":
        start_mode = _new_step("set-service-start-mode", step, (("service", SERVICE), ("start_mode", "Auto")),
                               "WinRM is disabled: enabled over DCOM before the first step that needs it")
    if start_mode is not None:
        prelude.append(start_mode)
        winrm.mode = start_mode.param_dict.get("start_mode", winrm.mode)
    start = pull("start-service") or _new_step("start-service", step, (("service", SERVICE),),
                                                "WinRM is stopped: started over DCOM before the first step that needs it")
    prelude.append(start)
    winrm.running = True
    return prelude


def route(steps: list[Step], index: SnapshotIndex) -> list[Step]:
    """`steps` with each one's channel chosen and WinRM started (over DCOM) before any WinRM step needs it."""
    states: dict[str, _WinRM] = {}
    taken: set[int] = set()
    out: list[Step] = []
    for at, step in enumerate(steps):
        if at in taken:
            continue
        key = step.server.casefold()
        winrm = states.setdefault(key, _initial(index, step.server))
        if _is_winrm_service_step(step):
            # WinRM's own service is never reached over WinRM: it may be the very thing that is stopped
            step = replace(step, via=DCOM)
            if step.action == "set-service-start-mode":
                winrm.mode = step.param_dict.get("start_mode", winrm.mode)
            elif winrm.mode != "Disabled":
                winrm.running = True
        elif step.channel == WINRM and winrm.running is False and not step.blocked and not step.manual:
            out += _bring_up(steps, at, taken, winrm)
        if step.action == "restart-computer" and winrm.mode is not None:
            winrm.running = winrm.mode.capitalize() in _BOOT_STARTED
        out.append(replace(step, via=step.channel))
    return out

