"""One table of reference fields (inventory/refs.py): the load-time check and the emulator's rename read it."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from preflight.emulator import EmulatedEstate
from preflight.emulator.restart import _rename_everywhere
from preflight.errors import InputError
from preflight.inventory.references import check_references
from preflight.inventory.refs import COMPUTER_LISTS, REFERENCE_FIELDS, RefField
from preflight.inventory.snapshot import ENTITY_LISTS, Snapshot

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
SAMPLES = [msgspec.json.decode((ESTATES / name).read_bytes(), type=Snapshot)
           for name in ("ready.json", "blocked.json", "fabric-2012.json", "dr-2012.json")]


def _holder(field: RefField) -> tuple[Snapshot, int, str]:
    """A sample snapshot, the index of an entity whose `field` names something, and that path suffix."""
    for sample in SAMPLES:
        snapshot = msgspec.json.decode(msgspec.json.encode(sample), type=Snapshot)
        for index, entity in enumerate(getattr(snapshot, field.entity)):
            for suffix, _ in field.names(entity):
                return snapshot, index, suffix
    # no sample fills this field: point the first entity at an entry it may name (borrowed from another sample)
    for sample in SAMPLES:
        snapshot = msgspec.json.decode(msgspec.json.encode(sample), type=Snapshot)
        entities, targets = getattr(snapshot, field.entity), getattr(snapshot, field.target)
        if not targets:
            model = next(getattr(other, field.target)[0] for other in SAMPLES if getattr(other, field.target))
            targets.append(type(model)(name=model.name))   # just the name: it references nothing itself
        if entities and field.owner(entities[0]) is not None:
            name = targets[0].name
            setattr(field.owner(entities[0]), field.path[-1], [name] if field.many else name)
            return snapshot, 0, next(suffix for suffix, _ in field.names(entities[0]))
    raise AssertionError(f"no sample estate has {field.entity} and {field.target}")


@pytest.mark.parametrize("field", REFERENCE_FIELDS, ids=[f"{f.entity}.{f.dotted}" for f in REFERENCE_FIELDS])
def test_every_reference_field_is_checked_at_load(field: RefField) -> None:
    snapshot, index, suffix = _holder(field)
    entity = getattr(snapshot, field.entity)[index]
    owner = field.owner(entity)
    current = getattr(owner, field.path[-1])
    setattr(owner, field.path[-1], ["NOSUCH"] if field.many else "NOSUCH")
    with pytest.raises(InputError) as caught:
        check_references(snapshot, "estate.json")
    assert caught.value.path == f"$.{field.entity}[{index}].{suffix}" and "'NOSUCH' does not name" in str(caught.value)
    setattr(owner, field.path[-1], current)


@pytest.mark.parametrize("field", [f for f in REFERENCE_FIELDS if f.target in COMPUTER_LISTS],
                         ids=lambda f: f"{f.entity}.{f.dotted}")
def test_a_renamed_computer_is_renamed_in_every_field_that_names_it(field: RefField) -> None:
    snapshot, index, _ = _holder(field)
    old = next(name for _, name in field.names(getattr(snapshot, field.entity)[index]))
    state = EmulatedEstate(snapshot)
    _rename_everywhere(state, old, "RENAMED01")
    renamed = state.snapshot
    names = [name for _, name in field.names(getattr(renamed, field.entity)[index])]
    assert "RENAMED01" in names and old not in names
    check_references(renamed, "estate.json")  # nothing still names the old computer
    assert not any(item.name.casefold() == old.casefold() for kind in COMPUTER_LISTS for item in getattr(renamed, kind))
    assert json.dumps(msgspec.to_builtins(renamed)).count("RENAMED01") >= 2  # the computer and the reference


def _cluster2012(edit) -> Snapshot:
    data = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "_bases" / "cluster2012.json")
                      .read_text(encoding="utf-8"))
    data["clusters"].append({"name": "HVCLUS02", "nodes": []})
    edit(data)
    return msgspec.json.decode(msgspec.json.encode(data), type=Snapshot)


def test_a_host_naming_another_cluster_than_the_one_that_lists_it_is_refused() -> None:
    def moved(data: dict) -> None:
        data["hosts"][1]["cluster"] = "HVCLUS02"   # HVCLUS01 still lists HV22 as a node
    with pytest.raises(InputError) as raised:
        check_references(_cluster2012(moved), "estate.json")
    assert str(raised.value) == ("estate.json: $.hosts[1].cluster: 'HVCLUS02' but cluster 'HVCLUS01' lists this host "
                                 "as a node")

    def spelt_otherwise(data: dict) -> None:   # node names and cluster names match whatever their case
        data["clusters"][0]["nodes"] = [node.lower() for node in data["clusters"][0]["nodes"]]
        data["hosts"][1]["cluster"] = "hvclus01"
    check_references(_cluster2012(spelt_otherwise), "estate.json")


def _teaming(edit) -> Snapshot:
    data = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "_bases" / "teaming.json")
                      .read_text(encoding="utf-8"))
    edit(data)
    return msgspec.json.decode(msgspec.json.encode(data), type=Snapshot)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["hosts"][0]["teams"][1]["members"][1].update(name="NIC9"),
     "$.hosts[0].teams[1].members[1].name: 'NIC9' does not name an entry of this host's nics"),
    (lambda d: d["hosts"][0]["virtual_switches"][1].update(net_adapter="NIC9"),
     "$.hosts[0].virtual_switches[1].net_adapter: 'NIC9' does not name a NIC or team of this host"),
])
def test_a_team_member_or_switch_adapter_must_name_one_of_the_hosts_nics(edit, expected: str) -> None:
    with pytest.raises(InputError) as raised:
        check_references(_teaming(edit), "estate.json")
    assert str(raised.value) == f"estate.json: {expected}"


def test_switches_may_name_a_team_and_nothing_is_checked_where_nics_were_not_collected() -> None:
    check_references(_teaming(lambda d: None), "estate.json")   # External sits on VMTeam, a team of the host

    def nics_not_collected(data: dict) -> None:
        del data["hosts"][0]["nics"]
    check_references(_teaming(nics_not_collected), "estate.json")


@pytest.mark.parametrize("kind", [kind for kind in ENTITY_LISTS if kind != "vms"])
def test_a_name_listed_twice_in_one_list_is_refused_whatever_its_case(kind: str) -> None:
    """VMs are one per host and name (or id), see test_identity; every other entity is one per name."""
    snapshot = next(msgspec.json.decode(msgspec.json.encode(s), type=Snapshot) for s in SAMPLES if getattr(s, kind))
    entries = getattr(snapshot, kind)
    check_references(snapshot, "estate.json")
    entries.append(msgspec.structs.replace(entries[0], name=entries[0].name.swapcase()))
    with pytest.raises(InputError) as raised:
        check_references(snapshot, "estate.json")
    assert str(raised.value) == (
        f"estate.json: $.{kind}[{len(entries) - 1}].name: duplicate name '{entries[0].name.swapcase()}' in {kind}")


def test_of_several_vms_naming_no_host_the_first_listed_is_reported_and_case_does_not_matter() -> None:
    snapshot = msgspec.json.decode(msgspec.json.encode(SAMPLES[0]), type=Snapshot)
    vms = snapshot.vms
    assert len(vms) >= 3
    vms[0].host = vms[0].host.swapcase()   # the same host, in another case: it resolves
    vms[-1].host, vms[1].host = "HVGONE01", "HVGONE02"   # two hosts the snapshot lacks; the second listed first
    with pytest.raises(InputError) as raised:
        check_references(snapshot, "estate.json")
    assert str(raised.value) == "estate.json: $.vms[1].host: 'HVGONE02' does not name an entry of hosts"
