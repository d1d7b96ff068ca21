"""Fault drills: inject one fault at a time into a copy of the estate and see which VMs go down.

Faults: each NIC team member failing, each cluster node failing, each node losing its storage path
(CSV I/O redirected through the coordinator node over a cluster network, when one is left), and each
Hyper-V Replica link dropping (replication suspended, health warning; the VM keeps running).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgspec import UNSET

from preflight.emulator.restart import place
from preflight.emulator.state import EmulatedEstate, known
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


def _running(state: EmulatedEstate, host: str) -> list[Any]:
    return [vm for vm in state.vms_on(host) if vm.state == "Running"]


def _switches_of(host: Any, team: Any) -> set[str]:
    names = {team.virtual_switch.casefold()} if isinstance(team.virtual_switch, str) else set()
    for switch in host.virtual_switches if known(host.virtual_switches) else []:
        if known(switch.net_adapter) and switch.net_adapter.casefold() == team.name.casefold():
            names.add(switch.name.casefold())
    return names


def _team_member_drills(state: EmulatedEstate) -> list[DrillResult]:
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
                for vm in _running(state, host.name):
                    if not known(vm.adapters):
                        down.append(vm.name)
                        assumed = True
                    elif any(isinstance(a.switch_name, str) and a.switch_name.casefold() in switches for a in vm.adapters):
                        down.append(vm.name)
                note = "team down" + (": VMs' adapters not collected, assumed on the team's switch" if assumed else "")
                results.append(DrillResult("team-member-fails", target, down=tuple(down), note=note))
    return results


def _node_drills(state: EmulatedEstate) -> list[DrillResult]:
    results = []
    for cluster in state.snapshot.clusters:
        for node_name in cluster.nodes:
            node = state.host(node_name)
            if node is None:
                continue
            state.paused.add(node.name.casefold())  # a failed node takes no VMs
            down, restarted = [], []
            moved: list[tuple[Any, str]] = []
            for vm in sorted(_running(state, node.name), key=lambda v: (-(v.memory_gb if known(v.memory_gb) else 0), v.name)):
                target = place(state, vm, node, {node.name.casefold()})
                if target is None:
                    down.append(vm.name)
                else:
                    moved.append((vm, vm.host))
                    state.move_vm(vm, target.name)
                    restarted.append(vm.name)
            for vm, original in moved:
                state.move_vm(vm, original)
            state.paused.discard(node.name.casefold())
            results.append(DrillResult("node-fails", f"{cluster.name}/{node.name}", down=tuple(down),
                                       restarted=tuple(restarted),
                                       note="highly available VMs restart on the surviving nodes with memory free"))
    return results


def _storage_drills(state: EmulatedEstate) -> list[DrillResult]:
    results = []
    for cluster in state.snapshot.clusters:
        if not known(cluster.csvs) or not cluster.csvs:
            continue
        networks = cluster.networks if known(cluster.networks) else None
        usable = [n for n in networks or [] if n.role >= 1 and n.state not in ("Down", "Partitioned", "Unavailable")]
        for node_name in cluster.nodes:
            vms = tuple(vm.name for vm in _running(state, node_name))
            others = [n for n in cluster.nodes if n.casefold() != node_name.casefold()]
            owned = [c.name for c in cluster.csvs if known(c.owner_node) and c.owner_node.casefold() == node_name.casefold()]
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


def _replica_drills(state: EmulatedEstate) -> list[DrillResult]:
    results = []
    for vm in state.snapshot.vms:
        if vm.replication in (None, UNSET) or vm.replication.mode != "Primary":
            continue
        vm.replication.state, vm.replication.health = "Suspended", "Warning"
        results.append(DrillResult("replica-link-drops", f"{vm.name} -> {vm.replication.replica_server}",
                                   degraded=(vm.name,), note="replication suspended, health Warning; the VM keeps running"))
    return results


def run_drills(snapshot: Snapshot) -> list[DrillResult]:
    """Every drill, each on its own fresh copy of the estate."""
    results: list[DrillResult] = []
    for drill in (_team_member_drills, _node_drills, _storage_drills, _replica_drills):
        results.extend(drill(EmulatedEstate(snapshot)))
    return results
