"""The runbook a plan produces: ordered steps with their cost, grouped per server, and totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from preflight.inventory.moves import Move
from preflight.remediation.actions import ACTIONS, Invocation
from preflight.remediation.actions.base import WINRM


@dataclass(frozen=True)
class VmOutage:
    """A VM that is down during a step, for how long and why."""

    vm: str
    minutes: int
    reason: str


@dataclass(frozen=True)
class Step:
    """One runbook step: an action on an object, run on (or against) a server."""

    number: int
    action: str
    server: str
    object_kind: str
    object_name: str
    params: tuple[tuple[str, str], ...] = ()
    item: str | None = None
    os_version: str | None = None
    restart: bool = False
    duration_min: int = 0
    vms_down: tuple[VmOutage, ...] = ()
    findings: tuple[str, ...] = ()
    manual: bool = False
    point_of_no_return: bool = False
    blocked: str | None = None
    note: str = ""
    moves: tuple[Move, ...] = ()
    via: str = ""
    """How the step reaches its server (WinRM, DCOM, Local); empty: the action's preferred channel."""

    @property
    def channel(self) -> str:
        """The channel the step uses: `via`, else the first its action can use."""
        return self.via or ACTIONS[self.action].vias[0]

    @property
    def param_dict(self) -> dict[str, str]:
        """Parameters as a dict."""
        return dict(self.params)

    def invocation(self) -> Invocation:
        """The action invocation this step renders and the emulator applies."""
        return Invocation(self.action, self.server, self.object_kind, self.object_name, self.param_dict,
                          self.item, self.os_version, self.moves, self.channel)

    @property
    def remote(self) -> bool:
        """Whether the step's commands run inside a remote session on `server` (over WinRM)."""
        return self.channel == WINRM

    @property
    def downtime_min(self) -> int:
        """VM-minutes of downtime this step causes."""
        return sum(o.minutes for o in self.vms_down)


@dataclass(frozen=True)
class Section:
    """Consecutive steps on one server (one section of the PowerShell script)."""

    server: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Plan:
    """An ordered, de-duplicated runbook and what it costs."""

    steps: tuple[Step, ...]
    unplanned: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def sections(self) -> tuple[Section, ...]:
        """Steps grouped into runs on the same server, in plan order."""
        sections: list[Section] = []
        for step in self.steps:
            if sections and sections[-1].server.casefold() == step.server.casefold():
                sections[-1] = Section(sections[-1].server, sections[-1].steps + (step,))
            else:
                sections.append(Section(step.server, (step,)))
        return tuple(sections)

    @property
    def duration_min(self) -> int:
        """Total duration of the scripted steps, run one after another (manual steps are not estimated)."""
        return sum(s.duration_min for s in self.steps if not s.manual)

    @property
    def manual_steps(self) -> int:
        """Number of steps a person does by hand (their duration is not estimated)."""
        return sum(1 for s in self.steps if s.manual)

    @property
    def restarts(self) -> int:
        """Number of computer restarts."""
        return sum(1 for s in self.steps if s.action == "restart-computer")

    @property
    def vm_downtime_min(self) -> int:
        """Total VM-minutes of downtime."""
        return sum(s.downtime_min for s in self.steps)

    @property
    def vms_down(self) -> tuple[str, ...]:
        """Every VM that goes down at some point, once, in order of first outage."""
        seen: dict[str, None] = {}
        for step in self.steps:
            for outage in step.vms_down:
                seen.setdefault(outage.vm, None)
        return tuple(seen)

    @property
    def point_of_no_return(self) -> Step | None:
        """The first step that cannot be undone."""
        return next((s for s in self.steps if s.point_of_no_return), None)
