"""Fault drills: inject one fault at a time into the estate and see which VMs go down (the estate is only read).

Faults: each NIC team member failing, each cluster node failing, each node losing its storage path
(CSV I/O redirected through the coordinator node over a cluster network, when one is left), and each
Hyper-V Replica link dropping (replication suspended, health warning; the VM keeps running).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from msgspec import UNSET

from preflight.emulator.state import EmulatedEstate, known
from preflight.inventory.collecting import paused_collections
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.snapshot import Snapshot


@dataclass(frozen=True)
class DrillResult:
    """What one injected fault does to the VMs."""

    fault: str
    target: str
    down: tuple[str, ...] = ()
    restarted: tuple[str, ...] = ()
    degraded: tuple[str, ...] = ()
    note: str = ""

    @property
    def takes_vms_down(self) -> bool:
        """True when some VM is down (not merely restarted elsewhere or degraded)."""
        return bool(self.down)


class _Running:
    """The running VMs of each host, read from the estate once per drill run and shared by every drill: at
    100,000 VMs the records lie scattered in memory, and each pass over them costs more than the work done."""

    def __init__(self, state: EmulatedEstate) -> None:
        self._state = state
        self._read: dict[str, tuple[list[Any], tuple[str, ...]]] = {}
        self._sized: dict[str, list[tuple[float, str, bool]]] = {}

    def _host(self, host: str) -> tuple[list[Any], tuple[str, ...]]:
        key = host.casefold()
        if key not in self._read:   # the names too, while the records are at hand
            vms = [vm for vm in self._state.index.vms_on(host) if vm.state == "Running"]
            self._read[key] = vms, tuple(vm.name for vm in vms)
        return self._read[key]

    def vms(self, host: str) -> list[Any]:
        """The host's running VMs, in snapshot order (do not change the list)."""
        return self._host(host)[0]

    def names(self, host: str) -> tuple[str, ...]:
        """Their names, in snapshot order."""
        return self._host(host)[1]

    def largest_first(self, host: str) -> list[tuple[float, str, bool]]:
        """(memory, name, highly available) of each, by memory, largest first, then by name (memory not collected
        counts as none): two stable sorts with plain keys, cheaper than one with a composite key per VM."""
        key = host.casefold()
        if key not in self._sized:
            vms = sorted(self.vms(host), key=_NAME)
            sized = [(0.0 if vm.memory_gb is UNSET else vm.memory_gb, vm.name, vm.highly_available is True) for vm in vms]
            sized.sort(key=_FIRST, reverse=True)   # reverse keeps the name order of equal sizes (sorting is stable)
            self._sized[key] = sized
        return self._sized[key]


_NAME = attrgetter("name")
_FIRST = itemgetter(0)


def _switches_of(host: Any, team: Any) -> set[str]:
    names = {team.virtual_switch.casefold()} if isinstance(team.virtual_switch, str) else set()
    for switch in host.virtual_switches if known(host.virtual_switches) else []:
        if known(switch.net_adapter) and switch.net_adapter.casefold() == team.name.casefold():
            names.add(switch.name.casefold())
    return names


def _team_member_drills(state: EmulatedEstate, running: _Running) -> list[DrillResult]:
    results = []
    for host in state.snapshot.hosts:
        for team in host.teams if known(host.teams) else []:
            for member in team.members:
                left = [m for m in team.members if m is not member and m.operational_status != "Failed"]
                target = f"{host.name}/{team.name}: {member.name}"
                if left:
                    results.append(DrillResult("team-member-fails", target, note=f"team degraded, {len(left)} member(s) left"))
                    continue
                switches = _switches_of(host, team)
                down, assumed = [], False
                for vm in running.vms(host.name):
                    if not known(vm.adapters):
                        down.append(vm.name)
                        assumed = True
                    elif any(isinstance(a.switch_name, str) and a.switch_name.casefold() in switches for a in vm.adapters):
                        down.append(vm.name)
                note = "team down" + (": VMs' adapters not collected, assumed on the team's switch" if assumed else "")
                results.append(DrillResult("team-member-fails", target, down=tuple(down), note=note))
    return results


def _node_drills(state: EmulatedEstate, running: _Running) -> list[DrillResult]:
    results = []
    clusters: dict[str, Any] = {}
    for cluster in state.snapshot.clusters:   # the first cluster of a name, as EmulatedEstate.cluster finds it
        clusters.setdefault(cluster.name.casefold(), cluster)
    rooms: dict[int, list[tuple[str, float]]] = {}   # per cluster: no node drill changes the estate (a ledger each)
    for cluster in state.snapshot.clusters:
        nodes = [node for node in (state.host(name) for name in cluster.nodes) if node is not None]
        for node in nodes:
            owner = clusters.get(node.cluster.casefold()) if isinstance(node.cluster, str) and node.cluster else None
            down, restarted = _fail_node(state, running, node, owner, rooms)
            results.append(DrillResult("node-fails", f"{cluster.name}/{node.name}", down=tuple(down),
                                       restarted=tuple(restarted),
                                       note="highly available VMs restart on the surviving nodes with memory free"))
    return results


_UNKNOWN = float("-inf")
"""The room of a node whose free memory was not collected: it takes no VM."""


def _fail_node(state: EmulatedEstate, running: _Running, node: Any, cluster: Any,
               rooms: dict[int, list[tuple[str, float]]]) -> tuple[list[str], list[str]]:
    """(down, restarted) when `node` fails: its running VMs, largest first, restart on the surviving node with
    the most memory free that fits them (the first such node of the cluster's list on a tie), as a
    cluster places the VMs of a failed node; the memory each restart takes is booked in a ledger instead of moving the VM,
    so one drill costs a pass over the node's VMs, not a re-count of every candidate's VMs per VM placed.
    `rooms` caches each cluster's (node, memory free) across the drills of one estate."""
    if cluster is None:   # `node` names no cluster of the estate (state.cluster_of(node), from an index)
        return list(running.names(node.name)), []
    if id(cluster) not in rooms:
        rooms[id(cluster)] = _rooms(state, cluster)
    failed = node.name.casefold()
    # (-memory free, position in the cluster's list): the heap's top is the node with the most memory free, the
    # first such node on a tie; one heap operation a VM placed instead of a scan of every node
    room = [(-free, position) for position, (name, free) in enumerate(rooms[id(cluster)]) if name != failed]
    heapq.heapify(room)
    down, restarted = [], []
    for need, name, highly_available in running.largest_first(node.name):
        if highly_available and room and (most := -room[0][0]) != _UNKNOWN and most >= need:
            heapq.heapreplace(room, (need - most, room[0][1]))
            restarted.append(name)
        else:
            down.append(name)
    return down, restarted


def _rooms(state: EmulatedEstate, cluster: Any) -> list[tuple[str, float]]:
    """(casefolded name, memory free) of the cluster's nodes that can take VMs (not paused), in its order."""
    out = []
    for host in (state.host(name) for name in cluster.nodes):
        if host is not None and host.name.casefold() not in state.paused:
            free = state.free_memory_gb(host)
            out.append((host.name.casefold(), _UNKNOWN if free is None else free))
    return out


def _storage_drills(state: EmulatedEstate, running: _Running) -> list[DrillResult]:
    results = []
    for cluster in state.snapshot.clusters:
        if not known(cluster.csvs) or not cluster.csvs:
            continue
        networks = cluster.networks if known(cluster.networks) else None
        usable = [n for n in networks or [] if n.role >= 1 and n.state not in ("Down", "Partitioned", "Unavailable")]
        for node_name in cluster.nodes:
            vms = running.names(node_name)
            key = node_name.casefold()
            others = any(n.casefold() != key for n in cluster.nodes)
            owned = [c.name for c in cluster.csvs if known(c.owner_node) and c.owner_node.casefold() == key]
            target = f"{cluster.name}/{node_name}"
            if networks is None:
                results.append(DrillResult("storage-path-lost", target, note="cluster networks not collected: cannot tell"))
            elif usable and others:
                note = (f"CSV I/O redirected through the coordinator over {usable[0].name}"
                        + (f"; coordinator role of {', '.join(owned)} moves to another node" if owned else ""))
                results.append(DrillResult("storage-path-lost", target, degraded=vms, note=note))
            else:
                results.append(DrillResult("storage-path-lost", target, down=vms,
                                           note="no cluster network left for redirected I/O: VMs lose their disks"))
    return results


def _replica_drills(state: EmulatedEstate, running: _Running) -> list[DrillResult]:
    results = []
    for vm in state.snapshot.vms:
        if vm.replication in (None, UNSET) or vm.replication.mode != "Primary":
            continue
        results.append(DrillResult("replica-link-drops", f"{vm.name} -> {vm.replication.replica_server}",
                                   degraded=(vm.name,), note="replication suspended, health Warning; the VM keeps running"))
    return results


def run_drills(snapshot: Snapshot, index: SnapshotIndex | None = None) -> list[DrillResult]:
    """Every drill on one view of the estate: no drill changes it (node failures book memory in a ledger,
    a dropped Replica link is reported as suspended with health Warning), so nothing is copied.
    `index`: one already built over `snapshot` (the estate's), else the drills build their own."""
    state = EmulatedEstate(snapshot, view=True, index=index)
    results: list[DrillResult] = []
    with paused_collections():
        running = _Running(state)
        for drill in (_team_member_drills, _node_drills, _storage_drills, _replica_drills):
            results.extend(drill(state, running))
    return results
