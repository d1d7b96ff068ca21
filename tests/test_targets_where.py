"""Kinds that inherit the VMs' links (teams inside VMs, replicated VMs) build only the VM targets they need:
the result must equal filtering the whole list of VM targets, facts included."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import pytest
from test_catalog_links import ESTATES, OS_RELEASES

from preflight.estate import FACT_PROVIDERS, Estate, Target
from preflight.inventory import load_estate_snapshots

INHERITING = ("vm_teams", "replicated_vms")


def _shape(target: Target) -> tuple[object, ...]:
    return (target.kind, target.name, target.ref, target.json_path, target.at_risk, target.members, id(target.obj),
            sorted(target.links), [target.links[name] for name in sorted(target.links)])


def _both_ways(estate_file: Path, kind: str) -> tuple[list[Target], list[Target], Estate]:
    snapshot, infos = load_estate_snapshots([estate_file])
    few = Estate(snapshot, infos, OS_RELEASES)
    selected = few.targets(kind)
    every = Estate(snapshot, infos, OS_RELEASES)
    every.targets("vms")   # the whole list first: the kind then filters it
    return selected, every.targets(kind), few


@pytest.mark.parametrize("estate_file", ESTATES, ids=[p.name for p in ESTATES])
def test_kinds_built_from_some_vms_equal_those_built_from_every_vm(estate_file: Path) -> None:
    for kind in INHERITING:
        selected, filtered, few = _both_ways(estate_file, kind)
        assert [_shape(t) for t in selected] == [_shape(t) for t in filtered], kind
        assert "vms" not in few._targets   # the few VMs were built on their own, not the whole list


def test_the_estates_have_teams_inside_vms_and_replicated_vms() -> None:
    """So the comparison above is not between two empty lists."""
    for kind in INHERITING:
        assert any(_both_ways(estate_file, kind)[0] for estate_file in ESTATES), kind


class _Probe(TypedDict):
    probe: str


def test_facts_a_pack_adds_to_vms_reach_the_kinds_built_from_some_vms(monkeypatch: pytest.MonkeyPatch) -> None:
    def probe(estate: Estate, target: Target) -> _Probe:
        return {"probe": f"seen {target.name}"}

    monkeypatch.setitem(FACT_PROVIDERS, "vms", [probe])
    for kind in INHERITING:
        estate_file = next(file for file in ESTATES if _both_ways(file, kind)[0])
        selected, filtered, _ = _both_ways(estate_file, kind)
        assert selected and all(t.links["probe"].startswith("seen ") for t in selected)
        assert [_shape(t) for t in selected] == [_shape(t) for t in filtered]
