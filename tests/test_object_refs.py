"""Object identity is typed: findings carry an ObjectRef (own name and owner) that every later stage reads,
and fingerprints are the ones recorded before identity was typed (baselines and waivers depend on them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_estates import report_of, write_snapshot
from test_identity import _load, _replica_data

from preflight.engine.evaluate import evaluate
from preflight.engine.findings import Finding, TargetRef, fingerprint_of
from preflight.estate import Estate
from preflight.inventory.refs import CLUSTERS, CSVS, HOST_TEAMS, HOSTS, REPLICATED_VMS, VM_TEAMS, VMS, ObjectRef
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import load_rules
from preflight.remediation.apply import apply_plan
from preflight.remediation.plan import build_plan
from preflight.report.topology import TopologyNode

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"

# Recorded with the code before this change (preflight check --format json on the sample estates).
RECORDED = [
    ("dr-2012.json", "REP006", "replica_servers", "DR-HVR-BRK", "e2c0bbfd6c464f1fbd660870fd57ecc0"),
    ("dr-2012.json", "REP009", "replicated_vms", "APP01", "65c70d07a1bb9577f9a041f531ea9040"),
    ("dr-2012.json", "NIC003", "host_teams", "HQ-HVC02/Converged", "486f3321317a06c8ae379399b6907ec4"),
    ("dr-2012.json", "NIC007", "vm_teams", "NLB01/GuestTeam", "650d5fce495667e6c2b00f5591c749fa"),
    ("dr-2012.json", "CSV012", "clusters", "CL-DR", "8450fc736ffcff26d12de57bb9c2d13c"),
    ("fabric-2012.json", "HFX001", "hosts", "HVLAB01", "fbeb039b634e79cd3ba558449bd383e2"),
    ("fabric-2012.json", "CSV007", "csvs", "HVCLUS01/Volume2", "dab15bcbd9bdf2e29e9fc0d8df8a9148"),
]


@pytest.mark.parametrize(("estate", "rule", "kind", "name", "fingerprint"), RECORDED, ids=[r[1] for r in RECORDED])
def test_fingerprints_are_the_ones_recorded_before_identity_was_typed(estate: str, rule: str, kind: str, name: str,
                                                                      fingerprint: str) -> None:
    report = report_of(ESTATES / estate)
    (finding,) = [f for f in report.findings if f.rule == rule and f.target.name == name]
    assert (finding.target.kind, finding.fingerprint) == (kind, fingerprint)


def test_namesake_fingerprints_are_the_ones_recorded_before_identity_was_typed() -> None:
    host = ObjectRef(HOSTS, "HV03")
    vm = ObjectRef(VMS, "TEST01", host)
    assert fingerprint_of("REP003", TargetRef.of(ObjectRef(REPLICATED_VMS, "TEST01", host))) == "bed45ce1988d14c78b573bd275c9201b"
    assert fingerprint_of("NIC007", TargetRef.of(ObjectRef(VM_TEAMS, "Team1", vm))) == "de18b3d3f984f9082c7265b4de7a644f"


def test_findings_on_items_carry_their_owner_typed() -> None:
    dr = report_of(ESTATES / "dr-2012.json")
    team = next(f for f in dr.findings if f.rule == "NIC003" and f.target.name == "HQ-HVC02/Converged")
    assert team.target.ref == ObjectRef(HOST_TEAMS, "Converged", ObjectRef(HOSTS, "HQ-HVC02"))
    guest = next(f for f in dr.findings if f.rule == "NIC007")
    assert guest.target.ref == ObjectRef(VM_TEAMS, "GuestTeam", ObjectRef(VMS, "NLB01"))
    fabric = report_of(ESTATES / "fabric-2012.json")
    csv = next(f for f in fabric.findings if f.rule == "CSV007")
    assert csv.target.ref == ObjectRef(CSVS, "Volume2", ObjectRef(CLUSTERS, "HVCLUS01"))
    unique = next(f for f in dr.findings if f.target.kind == REPLICATED_VMS)
    assert unique.target.ref.owner is None   # a unique VM name needs no host: its fingerprint survives a migration


def test_an_item_target_cannot_be_made_without_its_owner() -> None:
    with pytest.raises(ValueError, match="host_teams target needs its ObjectRef"):
        TargetRef(HOST_TEAMS, "HV01/Team1")


def test_renames_follow_computers_only() -> None:
    renames = {"hv01": "HV01-NEW"}
    team = ObjectRef(HOST_TEAMS, "Team1", ObjectRef(HOSTS, "HV01"))
    assert team.renamed(renames).label == "HV01-NEW/Team1"
    namesake = ObjectRef(REPLICATED_VMS, "TEST01", ObjectRef(HOSTS, "hv01"))
    assert namesake.renamed(renames).vm_host == "HV01-NEW"
    vm_spelt_like_host = ObjectRef(VM_TEAMS, "T", ObjectRef(VMS, "HV01"))   # a VM is not renamed by Rename-Computer
    assert vm_spelt_like_host.renamed(renames) is vm_spelt_like_host


def _vm_node(nodes: tuple[TopologyNode, ...], name: str) -> TopologyNode | None:
    for node in nodes:
        if node.kind == "vm" and node.name == name:
            return node
        found = _vm_node(node.children, name)
        if found is not None:
            return found
    return None


def test_a_guest_team_finding_marks_its_vm_even_when_the_vm_name_has_a_slash(tmp_path: Path) -> None:
    """VM names are free text ('NLB/01'); the old 'VM/team' split marked a VM called 'NLB' (or nothing)."""
    data = json.loads((ESTATES / "dr-2012.json").read_text(encoding="utf-8"))
    (vm,) = [v for v in data["vms"] if v["name"] == "NLB01"]
    vm["name"] = "NLB/01"
    report = report_of(write_snapshot(data, tmp_path / "estate.json"))
    (guest,) = [f for f in report.findings if f.rule == "NIC007"]
    assert guest.target.name == "NLB/01/GuestTeam" and guest.target.ref.owner == ObjectRef(VMS, "NLB/01")
    node = _vm_node(report.topology, "NLB/01")
    assert node is not None
    own = [f for f in report.failures if f.target.ref == guest.target.ref or f.target.ref == ObjectRef(VMS, "NLB/01")]
    assert node.findings == len(own) >= 1


def _namesake_findings() -> tuple[list[Finding], Snapshot]:
    data = _replica_data()
    app01 = data["vms"][0]
    copy = dict(app01, replication={key: value for key, value in app01["replication"].items() if key != "port"})
    data["vms"] += [dict(copy, name="TEST01", host=host, replication=dict(copy["replication"], replica_server="hv02.contoso.local"))
                    for host in (data["hosts"][2]["name"], data["hosts"][3]["name"])]
    snapshot = _load(data)
    catalog = load_rules()
    evaluation = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()),
                          datetime(2026, 11, 25, 12, tzinfo=UTC))
    return list(evaluation.findings), snapshot


def test_namesake_vms_each_get_their_own_fix_and_the_emulator_applies_it_to_the_right_copy() -> None:
    findings, snapshot = _namesake_findings()
    plan = build_plan(findings, snapshot, include_upgrade=False)
    vm_steps = [s for s in plan.steps if s.object_kind == VMS and s.object_name == "TEST01"]
    assert sorted(s.server for s in vm_steps) == ["HVDR01", "HVDR02"]   # one per copy, not one merged step
    state, outcomes = apply_plan(plan, snapshot)
    by_number = {o.number: o for o in outcomes}
    assert all(by_number[s.number].result == "applied" for s in vm_steps)
    copies = [vm for vm in state.snapshot.vms if vm.name == "TEST01"]
    assert [vm.replication.authentication_type for vm in copies] == ["Certificate", "Certificate"]


def test_a_fix_on_a_guest_team_reaches_the_host_of_its_vm_even_when_the_vm_name_has_a_slash() -> None:
    from preflight.inventory import decode_snapshot
    from preflight.inventory.index import SnapshotIndex
    from preflight.remediation.targets import resolve

    data = json.loads((ESTATES / "dr-2012.json").read_text(encoding="utf-8"))
    (vm,) = [v for v in data["vms"] if v["name"] == "NLB01"]
    vm["name"] = "NLB/01"
    index = SnapshotIndex(decode_snapshot(json.dumps(data).encode(), "estate.json", ".json"))
    team = ObjectRef(VM_TEAMS, "GuestTeam", ObjectRef(VMS, "NLB/01"))
    (manual,) = resolve(index, team, "manual")   # on the team itself, inside its VM
    assert (manual.object_kind, manual.object_name, manual.server, manual.item) == (
        VM_TEAMS, "NLB/01/GuestTeam", "NLB/01", "GuestTeam")
    (restart,) = resolve(index, team, "restart-computer")   # a computer-level fix goes to the VM, run on its host
    assert (restart.object_kind, restart.object_name, restart.server) == (VMS, "NLB/01", vm["host"])
