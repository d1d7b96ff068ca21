"""How the emulator carries out one action: the request, the result, and the registry of effects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from preflight.emulator.state import EmulatedEstate
from preflight.inventory.moves import Move


class Result(str, Enum):
    """What happened when the emulator applied an action."""

    APPLIED = "applied"
    NO_CHANGE = "no-change"
    FAILED = "failed"
    MANUAL = "manual"


@dataclass(frozen=True)
class Request:
    """An action on one object: `kind` is the object kind (hosts, host_teams, csvs, ...), `name` its label,
    `item` a team or CSV, and `server` the computer or cluster the commands run on (a team's host, a CSV's
    cluster, a VM's host: how the emulator finds the object, never by splitting `name`); a drain carries
    the live migrations the script performs in `moves`."""

    action: str
    kind: str
    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    item: str | None = None
    moves: tuple[Move, ...] = ()
    server: str | None = None

    def p(self, key: str) -> str:
        """A parameter value (empty when absent)."""
        return str(self.params.get(key, "") or "")


@dataclass(frozen=True)
class Applied:
    """The result of applying a request, with the reason when it failed or was manual."""

    result: Result
    reason: str = ""
    restart_pending: bool = False


class Refused(Exception):
    """A precondition failed the way the real tool would fail; the message says why."""


Effect = Callable[[EmulatedEstate, Request], Applied]
EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    """Register the emulator's implementation of the action `name`."""

    def register(fn: Effect) -> Effect:
        EFFECTS[name] = fn
        return fn

    return register


def ok(changed: bool, restart_pending: bool = False) -> Applied:
    """APPLIED when something changed, else NO_CHANGE."""
    return Applied(Result.APPLIED if changed else Result.NO_CHANGE, restart_pending=restart_pending)


def apply(state: EmulatedEstate, request: Request) -> Applied:
    """Apply one request; a failed precondition leaves the estate unchanged and says why."""
    fn = EFFECTS.get(request.action)
    if fn is None:
        return Applied(Result.FAILED, f"the emulator has no model of action '{request.action}'")
    try:
        return fn(state, request)
    except Refused as exc:
        return Applied(Result.FAILED, str(exc))


@effect("manual")
def _manual(state: EmulatedEstate, request: Request) -> Applied:
    return Applied(Result.MANUAL, f"manual action: {request.p('instruction') or 'to be done by hand'}")


@effect("migrate-library-server")
def _migrate_library(state: EmulatedEstate, request: Request) -> Applied:
    return Applied(Result.MANUAL, "manual action: move the library content to a Windows Server 2008 R2 server "
                                  "and remove the Windows Server 2003 library server")
