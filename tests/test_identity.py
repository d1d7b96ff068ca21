"""Identity that matches the real world: a VM is one per host and name (or per host and id)."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import msgspec
import pytest

from preflight.errors import InputError
from preflight.inventory import decode_snapshot
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.references import check_references

ROOT = Path(__file__).resolve().parent.parent
BASES = ROOT / "fixtures" / "rules" / "_bases"
GUID_A = "5f0d2a3c-8e7b-4c1a-9d6e-2b4f8a1c3e5d"
GUID_B = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def _replica_data() -> dict:
    return json.loads((BASES / "replica.json").read_text(encoding="utf-8"))


def _load(data: dict):
    snapshot = decode_snapshot(msgspec.json.encode(data), "estate.json", ".json")
    check_references(snapshot, "estate.json")
    return snapshot


def _two_hosts(data: dict) -> tuple[str, str]:
    return data["hosts"][0]["name"], data["hosts"][1]["name"]


def test_a_replica_copy_on_the_replica_server_loads() -> None:
    data = _replica_data()
    first, second = _two_hosts(data)
    primary = dict(data["vms"][0], host=first, id=GUID_A)
    copy = {"name": primary["name"], "host": second, "id": GUID_A, "state": "Off"}
    data["vms"] = [primary, copy, *data["vms"][1:]]
    snapshot = _load(data)
    index = SnapshotIndex(snapshot)
    assert [vm.host for vm in index.vms_named(primary["name"].lower())] == [first, second]
    assert index.vm(primary["name"], host=second) is snapshot.vms[1]


def test_namesake_test_vms_on_different_hosts_load() -> None:
    data = _replica_data()
    first, second = _two_hosts(data)
    data["vms"] += [{"name": "TEST01", "host": first}, {"name": "test01", "host": second}]
    _load(data)


def test_two_vms_of_one_name_on_one_host_need_different_ids() -> None:
    data = _replica_data()
    first, _ = _two_hosts(data)
    data["vms"] += [{"name": "TEST01", "host": first, "id": GUID_A}, {"name": "TEST01", "host": first, "id": GUID_B}]
    _load(data)   # Hyper-V tells them apart by VMId
    data["vms"][-1]["id"] = GUID_A.upper()
    with pytest.raises(InputError) as raised:
        _load(data)
    assert str(raised.value).startswith("estate.json: $.vms[") and ".id: duplicate VM id" in str(raised.value)
    del data["vms"][-1]["id"]
    with pytest.raises(InputError) as raised:
        _load(data)
    assert f"duplicate VM 'TEST01' on host '{first}'" in str(raised.value)


def test_a_vm_id_must_be_a_guid() -> None:
    data = _replica_data()
    data["vms"][0]["id"] = "not-a-guid"
    with pytest.raises(InputError) as raised:
        _load(data)
    assert "$.vms[0].id" in str(raised.value)


def test_namesake_vms_get_findings_of_their_own_and_unique_names_keep_their_fingerprints() -> None:
    from datetime import datetime

    from preflight.engine.evaluate import evaluate
    from preflight.engine.findings import TargetRef, fingerprint_of
    from preflight.estate import Estate
    from preflight.pipeline import load_rules

    data = _replica_data()
    first, second = _two_hosts(data)
    app01 = data["vms"][0]
    copy = dict(app01, replication={key: value for key, value in app01["replication"].items() if key != "port"})
    first, second = data["hosts"][2]["name"], data["hosts"][3]["name"]   # the DR hosts
    data["vms"] += [dict(copy, name="TEST01", host=host, replication=dict(copy["replication"], replica_server="hv02.contoso.local"))
                    for host in (first, second)]   # the same failures on both
    data["vms"].append(dict(data["vms"][-1], name="SOLO01"))
    snapshot = _load(data)
    catalog = load_rules()
    evaluation = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()),
                          datetime(2026, 11, 25, 12, tzinfo=UTC))
    namesakes = [f for f in evaluation.findings if f.target.kind == "replicated_vms" and f.target.name == "TEST01"]
    assert namesakes, "the namesakes have findings"
    assert {f.target.ref.vm_host for f in namesakes} == {first, second}   # each copy has its own findings
    assert len({f.fingerprint for f in namesakes}) == len(namesakes)
    solo = [f for f in evaluation.findings if f.target.name == "SOLO01"]
    assert solo and all(f.target.ref.owner is None and f.fingerprint == fingerprint_of(f.rule, TargetRef(f.target.kind, "SOLO01"))
                        for f in solo)


@pytest.mark.parametrize(("first", "second", "clash"), [
    ({"name": "TEST01"}, {"name": "test01"}, "name"),                               # neither has an id
    ({"name": "TEST01", "id": GUID_A}, {"name": "TEST01"}, "name"),                 # only the first has one
    ({"name": "TEST01"}, {"name": "TEST01", "id": GUID_A}, "name"),                 # only the second has one
    ({"name": "TEST01", "id": GUID_A}, {"name": "TEST01", "id": GUID_A.upper()}, "id"),
    ({"name": "TEST01", "id": GUID_A}, {"name": "RENAMED", "id": GUID_A}, "id"),    # one VM, listed twice
    ({"name": "TEST01", "id": GUID_A}, {"name": "TEST01", "id": GUID_B}, None),     # two VMs Hyper-V tells apart
    ({"name": "TEST01"}, {"name": "TEST02"}, None),
])
def test_which_two_vms_on_one_host_are_one(first: dict, second: dict, clash: str | None) -> None:
    data = _replica_data()
    host, _ = _two_hosts(data)
    data["vms"] += [dict(first, host=host), dict(second, host=host)]
    if clash is None:
        _load(data)
        return
    with pytest.raises(InputError) as raised:
        _load(data)
    at = f"$.vms[{len(data['vms']) - 1}]"
    expected = {"id": f"{at}.id: duplicate VM id '{second.get('id')}' on host '{host}'",
                "name": f"{at}.name: duplicate VM '{second['name']}' on host '{host}'"}[clash]
    assert expected in str(raised.value)


def test_two_vms_of_one_name_on_one_host_clash_when_the_host_is_written_in_two_cases() -> None:
    data = _replica_data()
    host, _ = _two_hosts(data)
    data["vms"] += [{"name": "TEST01", "host": host}, {"name": "test01", "host": host.swapcase()}]
    with pytest.raises(InputError) as raised:
        _load(data)
    assert f"$.vms[{len(data['vms']) - 1}].name: duplicate VM 'test01' on host '{host.swapcase()}'" in str(raised.value)
