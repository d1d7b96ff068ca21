"""One index over a snapshot, shared by every stage: the estate, the planner, the emulator and the topology.

Windows names are case-insensitive, so every lookup folds case here and nowhere else. A host is found
by its NetBIOS name or its FQDN; a VM by its name together with its host (two VMs may share a name on
different hosts: a Hyper-V Replica copy, or test VMs), or by its name alone when that is unambiguous.
Where two records share a key the first in snapshot order wins, as a scan of the lists would find it.

The index also knows where each entity sits (`path_of`, ``$.hosts[3]``), so that a field named in a
finding's `missing` list uses the same ``$.list[index].field`` dialect as load errors.

The emulator changes its own copy of a snapshot: `move_vm` keeps the VMs-by-host lists current;
after a rename it builds a new index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from preflight.inventory.clusters import Cluster
from preflight.inventory.collecting import paused_collections
from preflight.inventory.common import known
from preflight.inventory.hosts import Host
from preflight.inventory.refs import COMPUTER_LISTS, Named
from preflight.inventory.servers import Domain, LibraryServer, SqlServer, VmmServer
from preflight.inventory.snapshot import ENTITY_LISTS, Snapshot
from preflight.inventory.vms import Vm

_E = TypeVar("_E", bound=Named)


class ByName(Generic[_E]):
    """Entities of one list by case-folded name (the first of a name wins)."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[_E]) -> None:
        self._items: dict[str, _E] = {}
        for item in items:
            self._items.setdefault(item.name.casefold(), item)

    def get(self, name: str | None) -> _E | None:
        """The entity called `name` (any case), or None."""
        return self._items.get(name.casefold()) if name else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.casefold() in self._items


class SnapshotIndex:
    """Lookups over one snapshot: hosts by name or FQDN, clusters, VMs by host, computers by name, paths."""

    def __init__(self, snapshot: Snapshot, vms_of: SnapshotIndex | None = None) -> None:
        """The index of `snapshot`; `vms_of`: an index over a snapshot whose `vms` list this one shares (a partial
        copy that left the VMs alone, `EmulatedEstate.fork`), whose VM lookups are reused instead of rebuilt."""
        if vms_of is not None and vms_of.snapshot.vms is not snapshot.vms:
            raise ValueError("vms_of indexes another list of VMs")
        with paused_collections():   # dicts and lists over every entity: no cycles
            self._build(snapshot, vms_of)

    def _build(self, snapshot: Snapshot, vms_of: SnapshotIndex | None) -> None:
        self.snapshot = snapshot
        self.clusters: ByName[Cluster] = ByName(snapshot.clusters)
        self.domains: ByName[Domain] = ByName(snapshot.domains)
        self.vmm_servers: ByName[VmmServer] = ByName(snapshot.vmm_servers)
        self.sql_servers: ByName[SqlServer] = ByName(snapshot.sql_servers)
        self.library_servers: ByName[LibraryServer] = ByName(snapshot.library_servers)
        self._hosts: dict[str, Host] = {}
        for host in snapshot.hosts:   # names first: a host's name beats another host's FQDN
            self._hosts.setdefault(host.name.casefold(), host)
        for host in snapshot.hosts:
            if known(host.fqdn):
                self._hosts.setdefault(host.fqdn.casefold(), host)
        self._computers: dict[str, list[Any]] = defaultdict(list)
        for kind in COMPUTER_LISTS:
            for item in getattr(snapshot, kind):
                self._computers[item.name.casefold()].append(item)
        self._vms_by_host: dict[str, list[Vm]] = defaultdict(list)
        self._vms_by_name: dict[str, list[Vm]] | None = None   # built on first use: the drills never need it
        if vms_of is not None:   # by name: never changed after the build; by host: `move_vm` changes the lists
            self._vms_by_name = vms_of._by_name()
            self._vms_by_host.update((host, list(vms)) for host, vms in vms_of._vms_by_host.items())
        else:
            self._vms_by_host.update(group_vms(snapshot.vms, "host"))
        self._managed: dict[str, int] = defaultdict(int)
        for host in snapshot.hosts:
            if host.managed_by:
                self._managed[host.managed_by.casefold()] += 1
        self._paths: dict[int, str] | None = None
        self._brokers: dict[str, Cluster] | None = None

    # ----- hosts and clusters ------------------------------------------------------------------
    def host(self, name: str | None) -> Host | None:
        """The host with this name or FQDN, or None."""
        return self._hosts.get(name.casefold()) if name else None

    def node(self, name: str) -> Host:
        """The host of a cluster's node name (the reference check guarantees every node is a host)."""
        host = self.host(name)
        if host is None:
            raise KeyError(f"cluster node {name!r} is not a host of the snapshot")
        return host

    def cluster(self, name: str | None) -> Cluster | None:
        """The cluster with this name, or None."""
        return self.clusters.get(name)

    def cluster_of(self, host: Host | None) -> Cluster | None:
        """The cluster `host` is a node of (its `cluster` field), or None."""
        return self.clusters.get(host.cluster) if host is not None and host.cluster else None

    def broker_cluster(self, name: str | None) -> Cluster | None:
        """The cluster whose Replica Broker has this name or FQDN, or None.

        Built on first use from the snapshot as it is then; the emulator, which can add a broker, scans instead.
        """
        if self._brokers is None:
            self._brokers = {}
            for cluster in self.snapshot.clusters:
                broker = cluster.replica_broker
                if broker is not None and known(broker):
                    self._brokers.setdefault(broker.name.casefold(), cluster)
                    if known(broker.fqdn):
                        self._brokers.setdefault(broker.fqdn.casefold(), cluster)
        return self._brokers.get(name.casefold()) if name else None

    def nodes(self, cluster: Cluster) -> list[Host]:
        """The hosts of a cluster's `nodes`, in its order (names the snapshot lacks are left out)."""
        return [host for host in (self.host(name) for name in cluster.nodes) if host is not None]

    def managed_host_count(self, vmm_server: str) -> int:
        """How many hosts name `vmm_server` in `managed_by`."""
        return self._managed.get(vmm_server.casefold(), 0)

    # ----- VMs ---------------------------------------------------------------------------------
    def vms_on(self, host: str) -> Sequence[Vm]:
        """The VMs whose `host` is `host`, in snapshot order (do not change the list)."""
        return self._vms_by_host.get(host.casefold(), ())

    def _by_name(self) -> dict[str, list[Vm]]:
        if self._vms_by_name is None:   # VMs are never renamed, added or removed, so the table stays true
            self._vms_by_name = group_vms(self.snapshot.vms, "name")
        return self._vms_by_name

    def vms_named(self, name: str) -> Sequence[Vm]:
        """Every VM called `name` (more than one when copies or namesakes live on different hosts)."""
        return self._by_name().get(name.casefold(), ())

    def shared_vm_names(self) -> set[str]:
        """The case-folded names more than one VM carries (on different hosts)."""
        return {name for name, vms in self._by_name().items() if len(vms) > 1}

    def vm(self, name: str, host: str | None = None) -> Vm | None:
        """The VM called `name` on `host`; without `host`, the first VM of that name."""
        found = self.vms_named(name)
        if host is None:
            return found[0] if found else None
        key = host.casefold()
        return next((vm for vm in found if vm.host.casefold() == key), None)

    def move_vm(self, vm: Vm, host: str) -> None:
        """Place `vm` on `host` (the emulator's migrations), keeping the VMs-by-host lists current."""
        self._vms_by_host[vm.host.casefold()].remove(vm)
        self._vms_by_host[host.casefold()].append(vm)
        vm.host = host

    # ----- computers ---------------------------------------------------------------------------
    def computers(self, name: str) -> list[Any]:
        """Every record of the computer `name`: VMM server, SQL Server, host, library server (in that order)."""
        return list(self._computers.get(name.casefold(), ()))

    def computer(self, name: str) -> Any:
        """The first record of the computer `name`, or None."""
        found = self._computers.get(name.casefold())
        return found[0] if found else None

    # ----- where things are --------------------------------------------------------------------
    def path_of(self, entity: object) -> str | None:
        """``$.hosts[3]`` for the fourth host: the position of a top-level entity in this snapshot."""
        if self._paths is None:
            self._paths = {id(item): f"$.{kind}[{i}]" for kind in ENTITY_LISTS
                           for i, item in enumerate(getattr(self.snapshot, kind))}
        return self._paths.get(id(entity))


def group_vms(vms: list[Vm], field: str) -> dict[str, list[Vm]]:
    """The VMs by the case-folded value of a text field (`host`, `name`), each list in snapshot order.

    Grouped by the exact text first: the VMs of one host repeat its name, so case is folded once per distinct
    text, not once per VM."""
    exact: dict[str, list[Vm]] = defaultdict(list)
    for vm in vms:
        exact[getattr(vm, field)].append(vm)
    folded = {text.casefold(): group for text, group in exact.items()}
    if len(folded) == len(exact):
        return folded
    merged: dict[str, list[Vm]] = defaultdict(list)   # one name in two cases: fold per VM, keeping snapshot order
    for vm in vms:
        merged[getattr(vm, field).casefold()].append(vm)
    return merged
