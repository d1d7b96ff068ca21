"""What issue 10 left "not collected" and the collector now reads: cluster network and interface states,
Replica authorization entries, the Replica Broker role, the VMM server's SQL Server tools."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import msgspec

from preflight.importer import import_bundles
from tests.test_importer import IMPORTS


def _copy(tmp_path: Path, name: str) -> Path:
    bundle = tmp_path / name
    shutil.copytree(IMPORTS / name, bundle)
    return bundle


def _rewrite_json(file: Path, change) -> None:  # type: ignore[no-untyped-def]
    items = json.loads(file.read_bytes().decode("utf-8-sig"))
    for item in items if isinstance(items, list) else [items]:
        change(item)
    file.write_text(json.dumps(items), encoding="utf-8")


def test_cluster_network_and_interface_states_come_through_the_sourced_tables() -> None:
    for fmt in ("clixml", "json"):  # root\MSCluster is WMI: both exports carry the number
        cluster = import_bundles([IMPORTS / f"fabric-2012-{fmt}"]).snapshot.clusters[0]
        assert [(n.name, n.state) for n in cluster.networks] == [("Cluster Network 1", "Partitioned"), ("Cluster Network 2", "Up")]
        assert {i.node: i.state for i in cluster.network_interfaces} == {"HV11": "Unreachable", "HV12": "Unreachable"}


def test_a_state_number_outside_the_table_is_not_collected_and_says_why(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, "fabric-2012-json")
    _rewrite_json(bundle / "HVCLUS12" / "cluster.MSCluster_NetworkInterface.json", lambda item: item.update(State=7))
    result = import_bundles([bundle])
    interfaces = result.snapshot.clusters[0].network_interfaces
    assert all(i.state is msgspec.UNSET for i in interfaces) and {i.address for i in interfaces} == {"10.0.1.11", "10.0.1.12"}
    cluster = next(o for o in result.objects if o.kind == "clusters")
    assert "ClusterNetInterfaceState 7 is not in the sourced table" in cluster.missing["network_interfaces[HV12 - Team1].state"]
