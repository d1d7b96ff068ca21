"""What an action is: parameters, preconditions, effects, cost, and the PowerShell that carries it out."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from preflight.inventory.index import SnapshotIndex
from preflight.inventory.moves import Move
from preflight.inventory.refs import COMPUTER_LISTS
from preflight.inventory.versions import WS2012, parse_version
from preflight.remediation.actions.phases import Phase, runs_after_restart

if TYPE_CHECKING:  # targets.py imports the catalog: only the type is needed here
    from preflight.remediation.targets import Resolved

COMPUTER_KINDS = COMPUTER_LISTS

WINRM, DCOM, LOCAL = "WinRM", "DCOM", "Local"
CHANNELS = (WINRM, DCOM, LOCAL)
"""How a step reaches its server: inside `Invoke-Command -ComputerName` (needs the WinRM service running
there); from the admin workstation over WMI/DCOM, the service control manager or admin shares (no WinRM);
or locally on the workstation (AD and cluster cmdlets that name a domain controller or a cluster)."""


@dataclass(frozen=True)
class Param:
    """One parameter of an action: a name, what it means, and (optionally) the values it may take."""

    name: str
    description: str
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    integer: bool = False
    required: bool = True

    shown: bool = True
    """False for a parameter the runbook line leaves out (a manual step's instruction is printed on its own)."""

    def problem(self, value: str | None) -> str | None:
        """Why `value` is not acceptable for this parameter, or None."""
        if value is None or value == "":
            return f"parameter '{self.name}' is missing" if self.required else None
        if self.choices and value.casefold() not in {c.casefold() for c in self.choices}:
            return f"parameter '{self.name}' is {value!r}; expected one of {', '.join(self.choices)}"
        if self.pattern and not re.fullmatch(self.pattern, value):
            return f"parameter '{self.name}' is {value!r}; expected {self.pattern}"
        if self.integer and not (value.isascii() and value.isdigit()):
            return f"parameter '{self.name}' is {value!r}; expected a whole number"
        return None


@dataclass(frozen=True)
class Invocation:
    """One use of an action: where it runs, on what object, with which bound parameters."""

    action: str
    server: str
    object_kind: str
    object_name: str
    params: Mapping[str, str] = field(default_factory=dict)
    item: str | None = None
    os_version: str | None = None
    moves: tuple[Move, ...] = ()
    via: str = ""
    """How the step reaches its server (a `CHANNELS` name); empty means the action's first channel."""

    def p(self, key: str, default: str = "") -> str:
        """A parameter value (empty when absent)."""
        return str(self.params.get(key, default))

    @property
    def os_at_least_2012(self) -> bool:
        """True when the server runs Windows Server 2012 (6.2) or later."""
        return parse_version(self.os_version or "") >= WS2012


Renderer = Callable[[Invocation], list[str]]


@dataclass(frozen=True)
class Planning:
    """What an action reads from the estate when the planner completes its parameters for one object."""

    index: SnapshotIndex
    where: Resolved
    finding_target: str
    estate_domain: Callable[[], str | None]
    """The domain most computers of the estate belong to (computed only when an action asks)."""


Deriver = Callable[[Planning, dict[str, str]], "str | None"]
"""Fills in the parameters a rule cannot bind (in place) and says why the action cannot be done, or None."""


@dataclass(frozen=True)
class ActionSpec:
    """A remediation action of the catalog.

    `commands` lists every command name the rendered PowerShell may contain; tests parse generated
    scripts and fail on any other. `render` gives a step's Body, `test` its idempotence Test: PowerShell
    that outputs $true when the effect already holds (the script then skips the step; None: the Body is
    harmless to repeat, or a person does the step). `remote` actions run inside `Invoke-Command
    -ComputerName <server>`; others run on the admin workstation and name the server themselves (WMI,
    cluster cmdlets); `channels` lists the ways (CHANNELS) an action can reach its server when that is more
    than the one `remote` implies, and a renderer follows `Invocation.via`.
    `phase` (from the one table in `phases.py`) orders actions on one server; those of a phase after
    `Phase.RESTART` run after that server's restart. `derive` completes the parameters from the estate
    and says which planning precondition fails; `runs_after` names actions that must come first on the
    same server (`fix_order_problems` reports a plan that breaks it); a `replica_side` action fixing a
    replicated VM or a Replica server acts on the Replica server (host or broker), not on the VM;
    `applies` says whether a use on an object of a kind, with these parameters, is needed at all; `scope` keys
    an effect shared by many objects, so the planner plans it once.
    """

    name: str
    title: str
    params: tuple[Param, ...]
    targets: tuple[str, ...]
    preconditions: tuple[str, ...]
    effects: tuple[str, ...]
    restart: bool
    offline: bool
    duration_min: int
    commands: tuple[str, ...]
    render: Renderer
    phase: Phase
    manual: bool = False
    point_of_no_return: bool = False
    test: Renderer | None = None
    scope: Callable[[Mapping[str, str]], tuple[str, ...]] | None = None
    """For an effect not tied to the object (an AD container serves a whole domain): the key under which the
    planner keeps one step however many objects ask for it."""
    remote: bool = True
    internal: bool = False
    restart_when: Callable[[Mapping[str, str]], bool] | None = None
    derive: Deriver | None = None
    runs_after: tuple[str, ...] = ()
    replica_side: bool = False
    applies: Callable[[str, Mapping[str, str]], bool] | None = None
    channels: tuple[str, ...] = ()

    @property
    def vias(self) -> tuple[str, ...]:
        """The channels this action can use, preferred first."""
        return self.channels or ((WINRM,) if self.remote else (LOCAL,))

    @property
    def after_restart(self) -> bool:
        """Whether this action runs after its server's restart (its phase says so)."""
        return runs_after_restart(self.phase)

    def needed(self, object_kind: str, params: Mapping[str, str]) -> bool:
        """Whether this use of the action (on an object of `object_kind`) changes anything worth a step."""
        return self.applies(object_kind, params) if self.applies else True

    def problems(self, params: Mapping[str, str]) -> list[str]:
        """Parameter problems that stop this action from being rendered or applied."""
        return [p for p in (spec.problem(params.get(spec.name)) for spec in self.params) if p]

    def needs_restart(self, params: Mapping[str, str]) -> bool:
        """Whether this use of the action needs the server restarted to take effect."""
        return self.restart_when(params) if self.restart_when else self.restart


ACTIONS: dict[str, ActionSpec] = {}


def register(spec: ActionSpec) -> ActionSpec:
    """Add an action to the catalog (names are unique)."""
    if spec.name in ACTIONS:
        raise ValueError(f"action {spec.name!r} registered twice")
    ACTIONS[spec.name] = spec
    return spec
