"""The emulated estate: a private deep copy of a snapshot that actions, restarts and faults change.

This model is independent of the rule engine on purpose (it imports only the inventory model): the
engine says what is wrong, the emulator says what Windows, the cluster and the installers would do,
and `preflight verify` checks the two against each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec

from preflight.inventory.collecting import paused_collections
from preflight.inventory.common import known
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.names import TEXT_MAX
from preflight.inventory.snapshot import ENTITY_LISTS, Snapshot

if TYPE_CHECKING:  # setup.py imports this module: only the type is needed here
    from preflight.emulator.setup import UpgradeResult

HOST_RESERVE_GB = 2.0
"""Memory kept for the parent partition when placing VMs (a planning margin, not a documented limit)."""
EMULATED_SUFFIX = " (emulated after the plan)"
"""Appended to the name of an estate the emulator exports (`verify --emit-snapshot`)."""
RESTART_MIN = 10
"""Minutes a restart takes from shutdown until the services are back."""


def copy_snapshot(snapshot: Snapshot, lists: tuple[str, ...] | None = None,
                  changing: Callable[[Any], bool] | None = None) -> Snapshot:
    """A deep, independent copy of a snapshot (round trip through the normal encoding); with `lists`, only those
    entity lists are copied and the others are `snapshot`'s own (for a caller that changes records of those
    lists alone: VMM setup changes its server, hosts and vCenters, never the 100,000 VMs); with `changing` as
    well, only the records of those lists it is true for are copied, the others shared in new lists (setup on
    one server changes only it and what it manages)."""
    with paused_collections():
        if lists is None:
            return msgspec.json.decode(msgspec.json.encode(snapshot), type=Snapshot)
        records = {kind: getattr(snapshot, kind) for kind in lists}
        chosen = {kind: [changing is None or changing(r) for r in items] for kind, items in records.items()}
        part = msgspec.structs.replace(snapshot, **{
            kind: [r for r, copy in zip(records[kind], chosen[kind], strict=True) if copy] if kind in lists else []
            for kind in ENTITY_LISTS})
        copied = msgspec.json.decode(msgspec.json.encode(part), type=Snapshot)
        merged = {}
        for kind, items in records.items():   # each copied record where its original stood, the others shared
            copies = iter(getattr(copied, kind))
            merged[kind] = [next(copies) if copy else r for r, copy in zip(items, chosen[kind], strict=True)]
        return msgspec.structs.replace(snapshot, **merged)


@dataclass
class Pending:
    """Changes Windows applies at the next restart of a computer."""

    hotfixes: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    new_name: str | None = None
    domain: str | None = None

    def __bool__(self) -> bool:
        return bool(self.hotfixes or self.features or self.new_name or self.domain)


@dataclass(frozen=True)
class Outage:
    """A VM that was down, for how long, and why."""

    vm: str
    minutes: int
    reason: str


class EmulatedEstate:
    """A mutable estate: the shared `SnapshotIndex` over its own copy, plus pending restarts and VM outages.

    `as_of` is the instant the change starts; `clock` moves on as the run's steps take their time (a
    backup, a setting change, a restart are dated when they happen; without `as_of` nothing is dated).
    `backups` holds the databases backed up so far in this run, as (SQL Server, instance, database) keys.
    """

    def __init__(self, snapshot: Snapshot, as_of: datetime | None = None, *, view: bool = False,
                 index: SnapshotIndex | None = None) -> None:
        """A state over a copy of `snapshot`; with `view`, over `snapshot` itself (the caller's to change: a
        copy already, or read only), which may then reuse an `index` already built over it."""
        self.snapshot = snapshot if view else copy_snapshot(snapshot)
        if index is not None and index.snapshot is not self.snapshot:
            raise ValueError("the index given is not over the emulated snapshot")
        self.as_of = as_of
        self.pending: dict[str, Pending] = {}
        self.outages: list[Outage] = []
        self.paused: set[str] = set()
        self.renames: dict[str, str] = {}
        self.setups: dict[str, UpgradeResult] = {}
        """What VMM 2012 setup did on each server it ran on (casefolded name), rolled back or not."""
        self.backups: set[tuple[str, str, str]] = set()
        self.elapsed_min = 0
        self.index = index if index is not None else SnapshotIndex(self.snapshot)

    @property
    def clock(self) -> datetime | None:
        """The emulated instant: `as_of` plus the minutes the run has taken so far (None without `as_of`)."""
        return None if self.as_of is None else self.as_of + timedelta(minutes=self.elapsed_min)

    def advance(self, minutes: int) -> None:
        """Let `minutes` pass (a step took that long)."""
        self.elapsed_min += max(minutes, 0)

    def fork(self, lists: tuple[str, ...] | None = None, changing: Callable[[Any], bool] | None = None) -> EmulatedEstate:
        """An independent copy of this estate and of what the run has done so far (to try a step without keeping
        it); with `lists`, only those entity lists are copied: the step tried may change records of those alone
        (and of them only the records `changing` is true for, when given)."""
        copied = copy_snapshot(self.snapshot, lists, changing)
        shared_vms = copied.vms is self.snapshot.vms
        other = EmulatedEstate(copied, self.as_of, view=True,
                               index=SnapshotIndex(copied, vms_of=self.index) if shared_vms else None)
        other.pending = {k: Pending(list(p.hotfixes), list(p.features), p.new_name, p.domain) for k, p in self.pending.items()}
        other.paused, other.renames, other.backups = set(self.paused), dict(self.renames), set(self.backups)
        other.elapsed_min = self.elapsed_min
        return other

    def reindex(self) -> None:
        """Rebuild the name index (after a rename changes names everywhere)."""
        self.index = SnapshotIndex(self.snapshot)

    def move_vm(self, vm: Any, host: str) -> None:
        """Place `vm` on `host`, keeping the VMs-by-host index current."""
        self.index.move_vm(vm, host)

    # ----- lookups ------------------------------------------------------------------------
    def host(self, name: str) -> Any:
        """The host with this name or FQDN, or None."""
        return self.index.host(name)

    def cluster(self, name: str) -> Any:
        """The cluster with this name, or None."""
        return self.index.cluster(name)

    def vm(self, name: str, host: str | None = None) -> Any:
        """The VM with this name (on `host`, when given), or None."""
        return self.index.vm(name, host)

    def computer(self, name: str) -> Any:
        """A VMM server, SQL Server, host or library server with this name, or None."""
        return self.index.computer(name)

    def computers(self, name: str) -> list[Any]:
        """Every record of the computer `name` (one machine may be VMM, SQL and library server)."""
        return self.index.computers(name)

    def vms_on(self, host: str) -> list[Any]:
        """VMs placed on a host (in snapshot order)."""
        return list(self.index.vms_on(host))

    def cluster_of(self, host: Any) -> Any:
        """The cluster a host is a node of, or None."""
        return self.index.cluster_of(host)

    def free_memory_gb(self, host: Any) -> float | None:
        """Memory left on a host for more running VMs, or None when its memory is not in the snapshot."""
        if not known(host.hardware) or not known(host.hardware.memory_gb):
            return None
        used = sum(vm.memory_gb for vm in self.index.vms_on(host.name)   # the index's list: no copy
                   if vm.state == "Running" and known(vm.memory_gb))
        return host.hardware.memory_gb - HOST_RESERVE_GB - used

    def pending_for(self, name: str) -> Pending:
        """The pending changes of a computer (created on first use)."""
        return self.pending.setdefault(name.casefold(), Pending())

    def export(self, keep: bool = True) -> Snapshot:
        """The current state as a snapshot in the normal format: a copy, so the emulator keeps its own; with
        `keep=False` the state's own snapshot, handed over (no emulation may change it afterwards)."""
        snapshot = copy_snapshot(self.snapshot) if keep else self.snapshot
        snapshot.snapshot.collector.name = "preflight-emulator"
        if not snapshot.snapshot.name.endswith(EMULATED_SUFFIX):   # never mistaken for a real inventory of the estate
            snapshot.snapshot.name = snapshot.snapshot.name[:TEXT_MAX - len(EMULATED_SUFFIX)] + EMULATED_SUFFIX
        return snapshot
