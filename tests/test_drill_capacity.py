"""Node-failure drills book the memory each restarted VM takes, so survivors are never overcommitted."""

from __future__ import annotations

import msgspec

from benchmarks.generate import generate_estate
from preflight.emulator import run_drills
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
