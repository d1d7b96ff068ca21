"""Draining cluster nodes: the planner's moves follow VMs earlier drains moved, and the emulator applies
exactly the moves the script performs, checks them itself, and counts the VMs left on a node.

The reproduction of issue 9: a three-node 2008 R2 cluster whose nodes all need a hotfix restart, with
four 20 GB highly available VMs. The first drain moves VM2 to HV82; the drain of HV82 used to move only
the VMs the snapshot placed there, so VM2 stayed on HV82 through its restart, and neither the runbook
nor the emulator (which chose its own targets) said so.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from casefiles import BASES_DIR
from remedy import CATALOG, findings_of, fix_finding, snapshot_of

from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.emulator.restart import drain_node
from preflight.engine.findings import Finding, Status
from preflight.inventory.moves import Move
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import CheckRequest, verify
from preflight.remediation.apply import apply_plan
from preflight.remediation.plan import build_plan
from preflight.remediation.powershell import render_script
from preflight.remediation.runbook import Plan, Step, VmOutage

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _cluster(vms: list[tuple[str, str, float, bool]], memory_gb: tuple[float, float, float] = (64, 64, 64)) -> dict:
    """The 2008 R2 base grown to nodes HV81-HV83 (Xeon, SP1, no hotfixes: each needs KB2550569 and a restart)."""
    data = json.loads((BASES_DIR / "cluster2008r2.json").read_text(encoding="utf-8"))
    third = copy.deepcopy(data["hosts"][1])
    third.update(name="HV83", fqdn="hv83.contoso.local")
    data["hosts"].append(third)
    data["clusters"][0]["nodes"].append("HV83")
    for host, memory in zip(data["hosts"], memory_gb):
        host["hotfixes"] = []
        host["hardware"]["memory_gb"] = memory
    template = data["vms"][0]
    data["vms"] = [dict(copy.deepcopy(template), name=name, host=host, memory_gb=memory, highly_available=ha)
                   for name, host, memory, ha in vms]
    return data


ISSUE_VMS = [("VM1", "HV81", 20, True), ("VM2", "HV81", 20, True), ("VM3", "HV82", 20, True), ("VM4", "HV83", 20, True)]


def _plan(data: dict) -> tuple[Snapshot, Plan]:
    snapshot = snapshot_of(data)
    findings = [f for f in findings_of(snapshot, list(CATALOG.rules), NOW) if f.status.value == "fail"]
    return snapshot, build_plan(findings, snapshot, include_upgrade=False)


def _left_on_restarting_nodes(plan: Plan, snapshot: Snapshot) -> list[tuple[int, str, str]]:
    """(restart step, node, VM) for every running VM on a node when it restarts, replaying the plan's moves."""
    where = {vm.name: vm.host.casefold() for vm in snapshot.vms if vm.state == "Running"}
    left = []
    for step in plan.steps:
        for move in step.moves:
            assert where[move.vm] == move.source.casefold(), f"step {step.number} moves {move.vm} from where it is not"
            where[move.vm] = move.target.casefold()
        if step.action == "restart-computer":
            left += [(step.number, step.server, vm) for vm, host in where.items() if host == step.server.casefold()]
    return left


def _emulated_downtime(plan: Plan, snapshot: Snapshot) -> tuple[int, set[str], list]:
    state, outcomes = apply_plan(plan, snapshot)
    assert [o for o in outcomes if o.result not in ("applied", "no-change", "manual")] == []
    return sum(o.minutes for o in state.outages), {o.vm for o in state.outages}, outcomes


def test_issue_reproduction_no_vm_stays_on_a_node_through_its_restart(tmp_path: Path) -> None:
    data = _cluster(ISSUE_VMS)
    path = tmp_path / "hvclus08.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report, _, plan = verify(CheckRequest((path,), as_of=NOW))
    snapshot = snapshot_of(data)
    assert [s.server for s in plan.steps if s.action == "restart-computer"] == ["HV81", "HV82", "HV83"]
    assert _left_on_restarting_nodes(plan, snapshot) == []
    # HV82's drain moves VM2 too, which HV81's drain put there (the old plan moved VM3 alone)
    hv82 = next(s for s in plan.steps if s.action == "drain-node" and s.server == "HV82")
    assert {m.vm for m in hv82.moves} == {"VM2", "VM3"}
    assert "-Name 'VM2' | Where-Object { $_.OwnerNode.Name -eq 'HV" in "\n".join(render_script(plan).split("Section 2 of")[1:])
    downtime, down, _ = _emulated_downtime(plan, snapshot)
    assert plan.vm_downtime_min == downtime == 0 and down == set()
    assert all(o.result == "applied" for o in report.verification.steps if o.action != "manual")


def test_the_emulator_counts_the_vm_the_old_drain_left_behind() -> None:
    """The plan as it was before the fix: drains listing only the VMs the snapshot put on each node."""
    snapshot = snapshot_of(_cluster(ISSUE_VMS))
    steps: list[Step] = []
    old = {"HV81": (("VM1", "HV83"), ("VM2", "HV82")), "HV82": (("VM3", "HV83"),), "HV83": (("VM4", "HV82"),)}
    for node, moves in old.items():
        steps += [Step(0, "drain-node", node, "hosts", node, (("cluster", "HVCLUS08"),), duration_min=5,
                       moves=tuple(Move(vm, node, target) for vm, target in moves)),
                  Step(0, "install-hotfix", node, "hosts", node, (("kb", "KB2550569"),), restart=True, duration_min=10),
                  Step(0, "restart-computer", node, "hosts", node, duration_min=10),
                  Step(0, "resume-node", node, "hosts", node, (("cluster", "HVCLUS08"),), duration_min=1)]
    plan = Plan(tuple(dataclasses.replace(s, number=i) for i, s in enumerate(steps, start=1)))
    assert plan.vm_downtime_min == 0, "the old runbook predicted no downtime"
    assert [(n, vm) for _, n, vm in _left_on_restarting_nodes(plan, snapshot)] == [
        ("HV82", "VM2"), ("HV83", "VM1"), ("HV83", "VM3")]
    state, _ = apply_plan(plan, snapshot)
    assert [(o.vm, o.minutes) for o in state.outages] == [("VM2", 20), ("VM1", 20), ("VM3", 20)]
    assert all("left on" in o.reason for o in state.outages)


def test_vms_that_cannot_move_are_the_downtime_both_the_runbook_and_the_emulator_predict() -> None:
    # LEGACY is not highly available; HUGE fits on no other node by the time HV83 (drained last) is worked on
    vms = [*ISSUE_VMS, ("LEGACY", "HV82", 4, False), ("HUGE", "HV83", 80, True)]
    snapshot, plan = _plan(_cluster(vms, memory_gb=(96, 64, 128)))
    predicted = {o.vm for s in plan.steps for o in s.vms_down}
    assert predicted == {"LEGACY", "HUGE"}
    downtime, down, _ = _emulated_downtime(plan, snapshot)
    assert down == predicted
    assert plan.vm_downtime_min == downtime > 0
    left = {vm for _, _, vm in _left_on_restarting_nodes(plan, snapshot)}
    assert left == predicted, "only the VMs the runbook says are down stay on a restarting node"


def test_the_drain_picks_the_node_with_most_memory_and_never_overcommits_or_moves_a_non_ha_vm() -> None:
    # HV81 is drained first: HV82 has 30 GB free, HV83 50 GB (after the 2 GB parent reserve)
    vms = [("BIG", "HV81", 24, True), ("MID", "HV81", 20, True), ("TOOBIG", "HV81", 52, True), ("PINNED", "HV81", 1, False),
           ("X2", "HV82", 32, True), ("X3", "HV83", 12, True)]
    snapshot, plan = _plan(_cluster(vms, memory_gb=(128, 64, 64)))
    drain = plan.steps[0]
    assert (drain.action, drain.server) == ("drain-node", "HV81")
    assert drain.moves == (Move("BIG", "HV81", "HV83"), Move("MID", "HV81", "HV82"))
    assert sorted(o.vm for o in drain.vms_down) == ["PINNED", "TOOBIG"]
    assert {o.reason.split("(")[1] for o in drain.vms_down} == {"not highly available)", "no other node has the memory)"}
    downtime, down, _ = _emulated_downtime(plan, snapshot)
    assert plan.vm_downtime_min == downtime and down == {o.vm for s in plan.steps for o in s.vms_down}


def _state(vms: list[tuple[str, str, float, bool]], memory_gb: tuple[float, float, float] = (64, 64, 64)) -> EmulatedEstate:
    return EmulatedEstate(snapshot_of(_cluster(vms, memory_gb)))


def test_the_emulator_moves_exactly_the_listed_vms_and_counts_the_rest_as_down() -> None:
    state = _state([("A", "HV81", 8, True), ("B", "HV81", 8, True), ("C", "HV81", 8, True)])
    outages = drain_node(state, "HV81", (Move("B", "HV81", "HV83"),), 25)
    assert state.vm("B").host == "HV83"
    assert [(o.vm, o.minutes) for o in outages] == [("A", 25), ("C", 25)]
    assert "hv81" in state.paused


@pytest.mark.parametrize("move, why", [
    (Move("A", "HV81", "HV82"), "has 22 GB free"),                       # 40 GB on a 64 GB node
    (Move("P", "HV81", "HV82"), "not a clustered (highly available) VM"),
    (Move("A", "HV81", "HV81"), "is not another node of cluster HVCLUS08"),
    (Move("A", "HV81", "HV99"), "is not another node of cluster HVCLUS08"),
    (Move("X", "HV81", "HV82"), "no such VM on HV81"),
    (Move("Z", "HV82", "HV83"), "no such VM on HV81"),                   # the move names another node as its source
    (Move("S", "HV81", "HV82"), "moving 'S': moved twice by one drain"),
])
def test_the_emulator_refuses_a_move_the_cluster_would_refuse_and_changes_nothing(move: Move, why: str) -> None:
    state = _state([("A", "HV81", 40, True), ("S", "HV81", 2, True), ("P", "HV81", 2, False), ("Z", "HV83", 2, True),
                    ("W", "HV82", 40, True)])
    before = [(vm.name, vm.host) for vm in state.snapshot.vms]
    done = apply(state, Request("drain-node", "hosts", "HV81", {"cluster": "HVCLUS08", "minutes": "20"},
                                moves=(Move("S", "HV81", "HV83"), move)))
    assert done.result is Result.FAILED and why in done.reason
    assert [(vm.name, vm.host) for vm in state.snapshot.vms] == before
    assert state.paused == set() and state.outages == []


def test_the_emulator_refuses_a_move_onto_a_paused_node_and_counts_memory_of_earlier_moves() -> None:
    state = _state([("A", "HV81", 20, True), ("B", "HV81", 20, True), ("C", "HV82", 20, True)], memory_gb=(64, 64, 48))
    assert drain_node(state, "HV82", (Move("C", "HV82", "HV83"),), 20) == []
    done = apply(state, Request("drain-node", "hosts", "HV81", {"minutes": "20"}, moves=(Move("A", "HV81", "HV82"),)))
    assert done.result is Result.FAILED and "HV82 is paused" in done.reason
    # HV83 now holds C (20 of its 46 GB): A fits, then B does not
    done = apply(state, Request("drain-node", "hosts", "HV81", {"minutes": "20"},
                                moves=(Move("A", "HV81", "HV83"), Move("B", "HV81", "HV83"))))
    assert done.result is Result.FAILED and "moving 'B' (20 GB): HV83 has 6 GB free" in done.reason


def test_a_rerun_drain_leaves_a_vm_another_node_owns_where_it_is() -> None:
    """The script moves only VMs the node still owns: after the node was resumed, its drain runs again without
    failing on the VM it moved the first time (Z now runs on HV83)."""
    state = _state([("A", "HV81", 8, True), ("Z", "HV83", 2, True)])
    done = apply(state, Request("drain-node", "hosts", "HV81", {"cluster": "HVCLUS08", "minutes": "20"},
                                moves=(Move("Z", "HV81", "HV82"), Move("A", "HV81", "HV82"))))
    assert done.result is not Result.FAILED, done.reason
    assert (state.vm("Z").host, state.vm("A").host) == ("HV83", "HV82")


def test_a_move_may_name_its_source_node_by_fqdn() -> None:
    state = _state([("A", "HV81", 8, True)])
    fqdn = state.host("HV81").fqdn
    assert fqdn and fqdn.casefold() != "hv81"
    done = apply(state, Request("drain-node", "hosts", "HV81", {"minutes": "20"}, moves=(Move("A", fqdn, "HV82"),)))
    assert done.result is Result.APPLIED, done.reason
    assert state.vm("A").host == "HV82"


def test_a_namesake_outside_the_cluster_does_not_pass_for_a_moved_vm() -> None:
    """Only a VM on another node of the cluster is one an earlier run moved; a VM of the same name on a standalone
    host (a Replica copy, a test VM) is not, and the move of a VM the node does not own is refused."""
    data = _cluster([("A", "HV81", 8, True), ("Q", "HV81", 2, True)])
    standalone = copy.deepcopy(data["hosts"][0])
    standalone.update(name="HV89", fqdn="hv89.contoso.local", cluster=None)
    data["hosts"].append(standalone)
    data["vms"][1]["host"] = "HV89"   # Q lives on HV89, outside the cluster
    state = EmulatedEstate(snapshot_of(data))
    done = apply(state, Request("drain-node", "hosts", "HV81", {"minutes": "20"}, moves=(Move("Q", "HV81", "HV82"),)))
    assert done.result is Result.FAILED and "moving 'Q': no such VM on HV81" in done.reason


def test_three_moves_onto_one_node_add_up() -> None:
    state = _state([("A", "HV81", 22, True), ("B", "HV81", 22, True), ("C", "HV81", 22, True)], memory_gb=(96, 64, 64))
    moves = tuple(Move(name, "HV81", "HV83") for name in "ABC")
    done = apply(state, Request("drain-node", "hosts", "HV81", {"minutes": "20"}, moves=moves))
    assert done.result is Result.FAILED and "moving 'C' (22 GB): HV83 has 18 GB free" in done.reason


def test_a_move_onto_a_node_whose_memory_was_not_collected_is_refused() -> None:
    data = _cluster([("A", "HV81", 8, True)])
    del data["hosts"][1]["hardware"]["memory_gb"]
    state = EmulatedEstate(snapshot_of(data))
    done = apply(state, Request("drain-node", "hosts", "HV81", {"minutes": "20"}, moves=(Move("A", "HV81", "HV82"),)))
    assert done.result is Result.FAILED and done.reason == "moving 'A': the memory of HV82 is not in the snapshot"


def _teaming_fix(host: str, mode: str, algorithm: str = "HyperVPort") -> Finding:
    """An organisation's rule asking for a team's mode (set-teaming-mode: takes the host's network down, no restart)."""
    return fix_finding("host_teams", "VMTeam", "ORG001", "set-teaming-mode", {"mode": mode, "algorithm": algorithm},
                       owner=host)


def test_an_offline_action_drains_a_node_without_restarting_it_and_takes_a_standalone_hosts_vms_down() -> None:
    data = _cluster([*ISSUE_VMS, ("VM5", "HV81", 4, False)])
    for host in data["hosts"]:
        del host["hotfixes"]   # not collected: no hotfix restart in this plan
    data["hosts"].append(dict(copy.deepcopy(data["hosts"][0]), name="HV90", fqdn="hv90.contoso.local", cluster=None))
    data["vms"].append(dict(data["vms"][0], name="SOLO", host="HV90", highly_available=False))
    snapshot = snapshot_of(data)
    plan = build_plan([_teaming_fix("HV81", "Lacp"), _teaming_fix("HV90", "Lacp")], snapshot, include_upgrade=False)
    assert [(s.action, s.server, s.restart, s.vms_down, s.moves) for s in plan.steps] == [
        ("set-teaming-mode", "HV90", False, (VmOutage("SOLO", 5, "set-teaming-mode takes HV90 offline"),), ()),
        ("drain-node", "HV81", False, (VmOutage("VM5", 5, "cannot live-migrate off HV81 (not highly available)"),),
         (Move("VM1", "HV81", "HV83"), Move("VM2", "HV81", "HV82"))),
        ("set-teaming-mode", "HV81", False, (), ()),
        ("resume-node", "HV81", False, (), ()),
    ]
    blocked = build_plan([_teaming_fix("HV81", "Dynamic", "Fast"), _teaming_fix("HV90", "Dynamic", "Fast")], snapshot,
                         include_upgrade=False)
    problems = ("parameter 'mode' is 'Dynamic'; expected one of Static, SwitchIndependent, Lacp; parameter 'algorithm' "
                "is 'Fast'; expected one of TransportPorts, IPAddresses, MacAddresses, HyperVPort, Dynamic")
    assert [(s.action, s.server, s.vms_down, s.blocked) for s in blocked.steps] == [
        ("set-teaming-mode", "HV90", (), problems), ("set-teaming-mode", "HV81", (), problems)]


def test_turns_go_by_rank_then_by_name_a_node_owing_only_a_restart_among_the_nodes() -> None:
    data = _cluster(ISSUE_VMS)
    for host in data["hosts"]:
        del host["hotfixes"]
    hotfix = {"kb": "KB2550569"}
    findings = [fix_finding("hosts", "HV81", "X0", "install-hotfix", hotfix, status=Status.UNKNOWN),  # not a failure
                fix_finding("clusters", "HVCLUS08", "X1", "restart-cluster-nodes", {"nodes": "HV82"}),
                fix_finding("hosts", "HV83", "X2", "install-hotfix", hotfix),
                fix_finding("replica_servers", "ZREP", "X3"),   # not in the estate: a manual step of its own
                fix_finding("clusters", "HVCLUS08", "X4"), fix_finding("hosts", "HV81", "X5")]
    plan = build_plan(findings, snapshot_of(data), include_upgrade=False)
    assert [(s.action, s.server) for s in plan.steps] == [
        ("manual", "HV81"),                                                                  # nodes by name (rank 5)
        ("drain-node", "HV82"), ("restart-computer", "HV82"), ("resume-node", "HV82"),     # owes only a restart
        ("drain-node", "HV83"), ("install-hotfix", "HV83"), ("restart-computer", "HV83"), ("resume-node", "HV83"),
        ("manual", "ZREP"),                                                                  # any other kind (6)
        ("manual", "HVCLUS08"),                                                              # clusters last (7)
    ]
