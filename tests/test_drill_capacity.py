"""Node-failure drills book the memory each restarted VM takes, so survivors are never overcommitted."""

from __future__ import annotations

import math
import random

import msgspec
import pytest

from benchmarks.generate import generate_estate
from preflight.emulator import run_drills
from preflight.emulator.state import HOST_RESERVE_GB
from preflight.inventory.snapshot import Snapshot


def three_nodes(vm_memory: list[float], node_memory: tuple[int, int, int]) -> Snapshot:
    """One cluster of three nodes (memory as given); the VMs, all running and highly available, on the first."""
    data = generate_estate(3, 0, seed=1)
    data["hosts"] = data["hosts"][:3]
    nodes = [h["name"] for h in data["hosts"]]
    for host, memory in zip(data["hosts"], node_memory):
        host["cluster"], host["hardware"]["memory_gb"] = "CL001", memory
        host["windows_features"] = ["Hyper-V", "Failover-Clustering"]
    data["clusters"] = [{"name": "CL001", "nodes": nodes, "managed_by": data["vmm_servers"][0]["name"]}]
    data["vcenters"] = []
    data["vms"] = [{"name": f"VM{i}", "host": nodes[0], "state": "Running", "memory_gb": memory, "highly_available": True}
                   for i, memory in enumerate(vm_memory)]
    return msgspec.convert(data, Snapshot)


def node_drill(snapshot: Snapshot, node: str):
    return next(r for r in run_drills(snapshot) if r.fault == "node-fails" and r.target.endswith("/" + node))


def test_restarted_vms_use_up_the_survivors_memory() -> None:
    # each survivor has 32 - 2 (host reserve) = 30 GB free: room for one 20 GB VM each, not two
    snapshot = three_nodes([20, 20, 20], (64, 32, 32))
    first = snapshot.hosts[0].name
    drill = node_drill(snapshot, first)
    assert sorted(drill.restarted) == ["VM0", "VM1"] and drill.down == ("VM2",)


def test_largest_vms_are_placed_first() -> None:
    snapshot = three_nodes([4, 24, 4], (64, 32, 8))   # 30 GB and 6 GB free
    drill = node_drill(snapshot, snapshot.hosts[0].name)
    assert sorted(drill.restarted) == ["VM0", "VM1", "VM2"] and drill.down == ()
    snapshot = three_nodes([4, 28, 4], (64, 32, 6))   # 30 GB and 4 GB free: 28 fits, then 2 GB and 4 GB left
    drill = node_drill(snapshot, snapshot.hosts[0].name)
    assert drill.restarted[0] == "VM1" and sorted(drill.restarted) == ["VM0", "VM1"] and drill.down == ("VM2",)


def _reference_placement(vms: list[dict], free: list[float | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rule as documented, the slow way: largest VM first (then by name); each highly available VM to the
    survivor with the most memory free that fits it, the first such node on a tie; a node whose memory is
    unknown takes none. Returns (down, restarted)."""
    room = [-math.inf if f is None else f for f in free]
    down, restarted = [], []
    for vm in sorted(sorted(vms, key=lambda v: v["name"]), key=lambda v: v["memory_gb"], reverse=True):
        best = max(range(len(room)), key=lambda i: (room[i], -i), default=None)
        if vm["highly_available"] and best is not None and room[best] >= vm["memory_gb"]:
            room[best] -= vm["memory_gb"]
            restarted.append(vm["name"])
        else:
            down.append(vm["name"])
    return tuple(down), tuple(restarted)


@pytest.mark.parametrize("seed", range(40))
def test_a_failed_nodes_vms_land_as_the_documented_rule_places_them(seed: int) -> None:
    """One to five survivors of random memory (some not collected), up to 14 VMs of random sizes on the failed node."""
    rng = random.Random(seed)
    survivors = [rng.choice([None, 8, 16, 18, 34, 66]) for _ in range(rng.randint(1, 5))]
    sizes = [rng.choice([1.0, 2.0, 4.0, 6.0, 8.0, 16.0]) for _ in range(rng.randint(1, 14))]
    data = msgspec.to_builtins(three_nodes(sizes, (512, 32, 32)))
    template = data["hosts"][1]
    data["hosts"][1:] = [dict(template, name=f"HVN{i:02}", hardware=dict(template["hardware"], memory_gb=gb))
                         for i, gb in enumerate(survivors, start=1)]
    for host in data["hosts"][1:]:
        if host["hardware"]["memory_gb"] is None:
            del host["hardware"]["memory_gb"]
    data["clusters"][0]["nodes"] = [h["name"] for h in data["hosts"]]
    for vm in data["vms"]:
        vm["highly_available"] = rng.random() < 0.8
    drill = node_drill(msgspec.convert(data, Snapshot), data["hosts"][0]["name"])
    free = [None if gb is None else gb - HOST_RESERVE_GB for gb in survivors]
    assert (drill.down, drill.restarted) == _reference_placement(data["vms"], free)
