"""The snapshot index every stage reads: lookups by name or FQDN, the cluster of a Replica Broker, nodes and VMs."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from preflight.inventory import decode_snapshot
from preflight.inventory.index import SnapshotIndex

BASES = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "_bases"


def _index(base: str, edit=lambda data: None) -> SnapshotIndex:
    data = json.loads((BASES / f"{base}.json").read_text(encoding="utf-8"))
    edit(data)
    return SnapshotIndex(decode_snapshot(msgspec.json.encode(data), f"{base}.json", ".json"))


def test_a_broker_is_found_by_name_or_fqdn_and_a_cluster_without_one_is_skipped() -> None:
    def second_cluster_without_broker_data(data: dict) -> None:
        data["clusters"].insert(0, dict(data["clusters"][0], name="CLNOBROKER", nodes=[]))
        del data["clusters"][0]["replica_broker"]   # not collected: neither a broker nor an error
    index = _index("replica", second_cluster_without_broker_data)
    assert index.broker_cluster("hvrbroker").name == "CLDR"
    assert index.broker_cluster("HVRBROKER.contoso.local").name == "CLDR"
    assert index.broker_cluster("CLNOBROKER") is None
    assert index.broker_cluster(None) is None and index.broker_cluster("") is None


def test_a_node_is_its_host_and_a_name_no_host_has_is_a_key_error() -> None:
    index = _index("cluster2012")
    assert index.node("hv22").name == "HV22"
    with pytest.raises(KeyError, match="cluster node 'HV99' is not a host of the snapshot"):
        index.node("HV99")


def test_a_vm_by_name_alone_is_the_first_of_that_name_and_an_unknown_name_is_none() -> None:
    def namesake(data: dict) -> None:
        data["vms"].append(dict(data["vms"][-1], name="WEB21", host="HV08"))
    index = _index("cluster2012", namesake)
    assert index.vm("web21").host == "HV21"
    assert index.vm("WEB21", "hv08").host == "HV08"
    assert index.vm("NOSUCHVM") is None and index.vm("NOSUCHVM", "HV21") is None


def test_lookups_of_no_name_find_nothing_and_a_vmm_server_without_hosts_manages_none() -> None:
    index = _index("vmm")
    assert index.host(None) is None and index.host("") is None
    managing = {host.managed_by for host in index.snapshot.hosts if host.managed_by}
    (server,) = managing
    assert index.managed_host_count(server.lower()) == sum(1 for h in index.snapshot.hosts if h.managed_by == server) > 1
    assert index.managed_host_count("NO-SUCH-VMM") == 0


def test_an_index_over_a_copy_sharing_the_vms_reuses_their_lookups_and_refuses_another_list() -> None:
    original = _index("replica")
    copy = msgspec.structs.replace(original.snapshot, hosts=list(original.snapshot.hosts))   # the VMs list shared
    shared = SnapshotIndex(copy, vms_of=original)
    vm = copy.vms[0]
    assert shared.vm(vm.name, vm.host) is vm and list(shared.vms_named(vm.name)) == list(original.vms_named(vm.name))
    assert list(shared.vms_on(vm.host)) == list(original.vms_on(vm.host))
    other = msgspec.structs.replace(original.snapshot, vms=list(original.snapshot.vms))
    with pytest.raises(ValueError, match=r"^vms_of indexes another list of VMs$"):
        SnapshotIndex(other, vms_of=original)


def test_vms_whose_host_or_name_is_written_in_two_cases_are_one_group_in_snapshot_order() -> None:
    def mixed_case(data: dict) -> None:   # on HV21, named in two cases: a VM name in two cases too
        template = data["vms"][-1]
        data["vms"] += [dict(template, name=name, host=host)
                        for name, host in (("APP1", "hv21"), ("APP2", "HV21"), ("app1", "Hv21"), ("APP3", "hv21"))]
    index = _index("cluster2012", mixed_case)
    on_host = [vm.name for vm in index.vms_on("hV21")]
    in_snapshot = [vm.name for vm in index.snapshot.vms if vm.host.casefold() == "hv21"]
    assert on_host == in_snapshot and on_host[-4:] == ["APP1", "APP2", "app1", "APP3"]
    assert [vm.name for vm in index.vms_named("App1")] == ["APP1", "app1"]   # in snapshot order
    assert "app1" in index.shared_vm_names() and "app2" not in index.shared_vm_names()
