"""What an action is: parameters, preconditions, effects, cost, and the PowerShell that carries it out."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from preflight.inventory.moves import Move
from preflight.inventory.versions import WS2012, parse_version

COMPUTER_KINDS = ("vmm_servers", "sql_servers", "hosts", "library_servers")


@dataclass(frozen=True)
class Param:
    """One parameter of an action: a name, what it means, and (optionally) the values it may take."""

    name: str
    description: str
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    integer: bool = False
    required: bool = True

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

    def p(self, key: str, default: str = "") -> str:
        """A parameter value (empty when absent)."""
        return str(self.params.get(key, default))

    @property
    def os_at_least_2012(self) -> bool:
        """True when the server runs Windows Server 2012 (6.2) or later."""
        return parse_version(self.os_version or "") >= WS2012


Renderer = Callable[[Invocation], list[str]]


@dataclass(frozen=True)
class ActionSpec:
    """A remediation action of the catalog.

    `commands` lists every command name the rendered PowerShell may contain; tests parse generated
    scripts and fail on any other. `remote` actions run inside `Invoke-Command -ComputerName <server>`;
    others run on the admin workstation and name the server themselves (WMI, cluster cmdlets).
    `phase` orders actions on one server; `after_restart` ones run after that server's restart.
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
    phase: int
    manual: bool = False
    point_of_no_return: bool = False
    after_restart: bool = False
    remote: bool = True
    internal: bool = False
    restart_when: Callable[[Mapping[str, str]], bool] | None = None

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
