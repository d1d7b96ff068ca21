"""The emulated estate: a private deep copy of a snapshot that actions, restarts and faults change.

This model is independent of the rule engine on purpose (it imports only the inventory model): the
engine says what is wrong, the emulator says what Windows, the cluster and the installers would do,
and `preflight verify` checks the two against each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from preflight.inventory.common import known
from preflight.inventory.snapshot import Snapshot

HOST_RESERVE_GB = 2.0
"""Memory kept for the parent partition when placing VMs (a planning margin, not a documented limit)."""
RESTART_MIN = 10
"""Minutes a restart takes from shutdown until the services are back."""


def copy_snapshot(snapshot: Snapshot) -> Snapshot:
    """A deep, independent copy of a snapshot (round trip through the normal encoding)."""
    return msgspec.json.decode(msgspec.json.encode(snapshot), type=Snapshot)


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
    """A mutable estate with name lookups, pending restarts and a record of VM outages."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = copy_snapshot(snapshot)
        self.pending: dict[str, Pending] = {}
        self.outages: list[Outage] = []
        self.paused: set[str] = set()
        self.renames: dict[str, str] = {}
        self._vms_by_host: dict[str, list[Any]] | None = None
        self._hosts_by_name: dict[str, Any] | None = None

    def reindex(self) -> None:
        """Forget the name indexes (after a rename changes names everywhere)."""
        self._vms_by_host = None
        self._hosts_by_name = None

    def move_vm(self, vm: Any, host: str) -> None:
        """Place `vm` on `host`, keeping the VMs-by-host index current."""
        if self._vms_by_host is not None:
            self._vms_by_host.get(vm.host.casefold(), []).remove(vm)
            self._vms_by_host.setdefault(host.casefold(), []).append(vm)
        vm.host = host

    # ----- lookups ------------------------------------------------------------------------
    @staticmethod
    def _find(items: list[Any], name: str) -> Any:
        key = name.casefold()
        return next((item for item in items if item.name.casefold() == key), None)

    def host(self, name: str) -> Any:
        """The host with this name or FQDN, or None."""
        if self._hosts_by_name is None:
            self._hosts_by_name = {}
            for h in reversed(self.snapshot.hosts):  # the first host of a name wins, as a scan would find it
                if known(h.fqdn):
                    self._hosts_by_name[h.fqdn.casefold()] = h
            for h in reversed(self.snapshot.hosts):
                self._hosts_by_name[h.name.casefold()] = h
        return self._hosts_by_name.get(name.casefold())

    def cluster(self, name: str) -> Any:
        """The cluster with this name, or None."""
        return self._find(self.snapshot.clusters, name)

    def vm(self, name: str) -> Any:
        """The VM with this name, or None."""
        return self._find(self.snapshot.vms, name)

    def computer(self, name: str) -> Any:
        """A VMM server, SQL Server, host or library server with this name, or None."""
        for items in (self.snapshot.vmm_servers, self.snapshot.sql_servers, self.snapshot.hosts,
                      self.snapshot.library_servers):
            found = self._find(items, name)
            if found is not None:
                return found
        return None

    def computers(self, name: str) -> list[Any]:
        """Every record of the computer `name` (one machine may be VMM, SQL and library server)."""
        key = name.casefold()
        return [item for items in (self.snapshot.vmm_servers, self.snapshot.sql_servers, self.snapshot.hosts,
                                   self.snapshot.library_servers)
                for item in items if item.name.casefold() == key]

    def vms_on(self, host: str) -> list[Any]:
        """VMs placed on a host (in snapshot order)."""
        if self._vms_by_host is None:
            self._vms_by_host = {}
            for vm in self.snapshot.vms:
                self._vms_by_host.setdefault(vm.host.casefold(), []).append(vm)
        return list(self._vms_by_host.get(host.casefold(), ()))

    def cluster_of(self, host: Any) -> Any:
        """The cluster a host is a node of, or None."""
        return self.cluster(host.cluster) if getattr(host, "cluster", None) else None

    def free_memory_gb(self, host: Any) -> float | None:
        """Memory left on a host for more running VMs, or None when its memory is not in the snapshot."""
        if not known(host.hardware) or not known(host.hardware.memory_gb):
            return None
        used = sum(vm.memory_gb for vm in self.vms_on(host.name)
                   if vm.state == "Running" and known(vm.memory_gb))
        return host.hardware.memory_gb - HOST_RESERVE_GB - used

    def pending_for(self, name: str) -> Pending:
        """The pending changes of a computer (created on first use)."""
        return self.pending.setdefault(name.casefold(), Pending())

    def export(self) -> Snapshot:
        """The current state as a snapshot in the normal format (a copy; the emulator keeps its own)."""
        snapshot = copy_snapshot(self.snapshot)
        snapshot.snapshot.collector.name = "preflight-emulator"
        return snapshot
