"""Draining a cluster node: the planner's runbook and the emulator each place VMs by free memory.

One estate where every plausible placement mistake gives a different, asserted answer:

    HVCLUS01, node HV21 is drained (96 GB; 55 GB running, so 39 GB would be free on it)
      HV21 runs  BIG 24 GB HA · APPA 12 GB HA · APPB 12 GB HA · LAB 4 GB not HA · TINY 3 GB HA
                 (and IDLE 2 GB HA, switched off: it neither moves nor goes down)
      HV22: 38 GB - 2 GB reserve - SQL22 16 GB running = 20 GB free (OLD22, 50 GB, is off and uses none)
      HV23: 22 GB - 2 GB reserve - APP23 8 GB running  = 12 GB free

Right answer, largest VM first, each onto the node with the most memory free that fits it:
    BIG  no node has 24 GB free                -> down
    APPA HV22 (20) over HV23 (12)              -> HV22, 8 GB left
    APPB HV23 has exactly 12, HV22 only 8      -> HV23, 0 left
    LAB  not highly available                  -> down
    TINY HV22 (8)                              -> HV22, 5 left

Each mistake changes it: moving onto the drained node sends BIG to HV21; the least free memory sends APPA to
HV23 and APPB to HV22; migrating non-HA VMs moves LAB; forgetting what was placed (overcommit) sends APPB to
HV22 too; a strict "more than needed" downs APPB; smallest first places TINY before the big ones.
"""

from __future__ import annotations

import json

import msgspec
from casefiles import BASES_DIR
from remedy import fix_finding, snapshot_of

from preflight.emulator import EmulatedEstate
from preflight.emulator.restart import drain_node
from preflight.engine.findings import Finding
from preflight.inventory import decode_snapshot
from preflight.remediation.apply import apply_plan
from preflight.remediation.plan import HOST_RESERVE_GB, build_plan

EXPECTED_MOVES = {"APPA": "HV22", "APPB": "HV23", "TINY": "HV22"}
EXPECTED_DOWN = {"BIG": "no other node has the memory", "LAB": "not highly available"}


def _vm(name: str, memory: float, ha: bool, state: str = "Running", host: str = "HV21") -> dict:
    return {"name": name, "host": host, "state": state, "memory_gb": memory, "highly_available": ha}


def drain_estate() -> dict:
    data = json.loads((BASES_DIR / "cluster2012.json").read_text(encoding="utf-8"))
    memory = {"HV21": 96, "HV22": 38, "HV23": 22}
    for host in data["hosts"]:
        if host["name"] in memory:
            host["hardware"]["memory_gb"] = memory[host["name"]]
    data["vms"] = [vm for vm in data["vms"] if vm["host"] != "HV21"] + [
        _vm("BIG", 24, True), _vm("APPA", 12, True), _vm("APPB", 12, True), _vm("LAB", 4, False), _vm("TINY", 3, True),
        _vm("IDLE", 2, True, state="Off"), _vm("OLD22", 50, True, state="Off", host="HV22")]
    return data


def _hotfix_on(node: str) -> Finding:
    return fix_finding("hosts", node, "HFX002", "install-hotfix", {"kb": "KB2316412"})


def _planned_moves(drain) -> dict[str, str]:
    return {move.vm: move.target for move in drain.moves}


def test_estate_is_what_the_docstring_says() -> None:
    state = EmulatedEstate(decode_snapshot(msgspec.json.encode(drain_estate()), "drain.json", ".json"))
    assert {h: state.free_memory_gb(state.host(h)) for h in ("HV21", "HV22", "HV23")} == {
        "HV21": 96 - HOST_RESERVE_GB - 55, "HV22": 20, "HV23": 12}


def test_planner_drains_by_free_memory_without_overcommitting() -> None:
    snapshot = snapshot_of(drain_estate())
    plan = build_plan([_hotfix_on("HV21")], snapshot, include_upgrade=False)
    assert [s.action for s in plan.steps] == ["drain-node", "install-hotfix", "restart-computer", "resume-node"]
    drain = plan.steps[0]
    assert drain.param_dict["cluster"] == "HVCLUS01"
    assert _planned_moves(drain) == EXPECTED_MOVES
    work = plan.steps[1].duration_min + plan.steps[2].duration_min
    assert {o.vm: (o.minutes, o.reason) for o in drain.vms_down} == {
        vm: (work, f"cannot live-migrate off HV21 ({why})") for vm, why in EXPECTED_DOWN.items()}
    assert drain.note == "3 VM(s) live-migrated"
    assert plan.steps[2].vms_down == (), "VMs left on a drained node were counted at the drain"


def test_drain_live_migrates_only_where_memory_allows() -> None:
    """The emulator applies the planned moves, checking each target's memory itself, leaves the VMs that cannot
    move down for the node's window, and keeps the node paused until it is resumed."""
    drain = build_plan([_hotfix_on("HV21")], snapshot_of(drain_estate()), include_upgrade=False).steps[0]
    state = EmulatedEstate(decode_snapshot(msgspec.json.encode(drain_estate()), "drain.json", ".json"))
    outages = drain_node(state, "HV21", drain.moves, 20)
    assert {o.vm: o.minutes for o in outages} == dict.fromkeys(EXPECTED_DOWN, 20)
    assert {vm.name: vm.host for vm in state.snapshot.vms if vm.name in EXPECTED_MOVES} == EXPECTED_MOVES
    assert {vm.name for vm in state.vms_on("HV21")} == {"BIG", "LAB", "IDLE"}
    assert [state.free_memory_gb(state.host(h)) for h in ("HV22", "HV23")] == [5, 0]
    assert "hv21" in state.paused
    assert state.outages == outages


def test_runbook_and_emulator_agree_on_the_drain() -> None:
    snapshot = snapshot_of(drain_estate())
    plan = build_plan([_hotfix_on("HV21")], snapshot, include_upgrade=False)
    state, outcomes = apply_plan(plan, snapshot)
    assert [o.result for o in outcomes] == ["applied"] * 4, outcomes
    assert {vm.name: vm.host for vm in state.snapshot.vms if vm.name in EXPECTED_MOVES} == EXPECTED_MOVES
    assert sorted(o.vm for o in state.outages) == sorted(o.vm for o in plan.steps[0].vms_down) == sorted(EXPECTED_DOWN)
    assert "hv21" not in state.paused, "resume-node brings the node back"


def test_a_node_whose_memory_is_not_collected_takes_no_vm() -> None:
    data = drain_estate()
    del next(h for h in data["hosts"] if h["name"] == "HV22")["hardware"]["memory_gb"]
    plan = build_plan([_hotfix_on("HV21")], snapshot_of(data), include_upgrade=False)
    # HV23 (12 GB) takes APPA, then has nothing left for APPB; TINY does not fit in 0 GB either
    assert _planned_moves(plan.steps[0]) == {"APPA": "HV23"}
    state = EmulatedEstate(decode_snapshot(msgspec.json.encode(data), "drain.json", ".json"))
    drain_node(state, "HV21", plan.steps[0].moves, 20)
    assert {vm.name for vm in state.vms_on("HV23")} >= {"APPA"}


def test_standalone_host_is_not_drained_and_its_vms_are_down_for_the_restart() -> None:
    plan = build_plan([_hotfix_on("HV08")], snapshot_of(drain_estate()), include_upgrade=False)
    assert [s.action for s in plan.steps] == ["install-hotfix", "restart-computer"]
    assert sorted(o.vm for o in plan.steps[1].vms_down) == ["LAB7", "LAB8"]


def test_a_vm_whose_memory_is_not_collected_moves_last_and_needs_none() -> None:
    """HALF (0.5 GB) goes first, onto HV22's last 0.5 GB; NOMEM (memory unknown, counted as 0) then takes the
    node with the most left, HV23 (0.25 GB); counting it as 1 GB would leave it down, sorting it first would
    send it to HV22."""
    data = json.loads((BASES_DIR / "cluster2012.json").read_text(encoding="utf-8"))
    memory = {"HV22": 18.5, "HV23": 10.25}   # minus 2 GB reserve and SQL22 16 GB / APP23 8 GB running
    for host in data["hosts"]:
        if host["name"] in memory:
            host["hardware"]["memory_gb"] = memory[host["name"]]
    data["vms"] = [vm for vm in data["vms"] if vm["host"] != "HV21"] + [
        _vm("HALF", 0.5, True), {"name": "NOMEM", "host": "HV21", "state": "Running", "highly_available": True}]
    expected = {"HALF": "HV22", "NOMEM": "HV23"}
    plan = build_plan([_hotfix_on("HV21")], snapshot_of(data), include_upgrade=False)
    assert _planned_moves(plan.steps[0]) == expected and plan.steps[0].vms_down == ()
    state = EmulatedEstate(decode_snapshot(msgspec.json.encode(data), "drain.json", ".json"))
    assert drain_node(state, "HV21", plan.steps[0].moves, 20) == []
    assert {vm.name: vm.host for vm in state.snapshot.vms if vm.name in expected} == expected


def test_drain_and_resume_steps_in_full() -> None:
    from preflight.inventory.moves import Move
    from preflight.remediation.runbook import Step, VmOutage
    data = drain_estate()
    data["vms"] = [vm for vm in data["vms"] if vm["host"] != "HV23"]   # HV23 runs nothing: 23 - 2 = 21 GB free
    next(h for h in data["hosts"] if h["name"] == "HV23")["hardware"]["memory_gb"] = 23
    plan = build_plan([_hotfix_on("HV21")], snapshot_of(data), include_upgrade=False)
    drain, hotfix, restart, resume = plan.steps
    work = hotfix.duration_min + restart.duration_min
    assert drain == Step(1, "drain-node", "HV21", "hosts", "HV21", (("cluster", "HVCLUS01"),),
                         os_version="6.2.9200", duration_min=drain.duration_min,
                         vms_down=(VmOutage("BIG", work, "cannot live-migrate off HV21 (no other node has the memory)"),
                                   VmOutage("LAB", work, "cannot live-migrate off HV21 (not highly available)")),
                         note="3 VM(s) live-migrated",
                         moves=(Move("APPA", "HV21", "HV23"), Move("APPB", "HV21", "HV22"), Move("TINY", "HV21", "HV23")), via="Local")
    assert drain.duration_min > 0 and restart.restart is False and hotfix.restart is True
    assert resume == Step(4, "resume-node", "HV21", "hosts", "HV21", (("cluster", "HVCLUS01"),), os_version="6.2.9200",
                          duration_min=resume.duration_min, via="Local")
    assert resume.duration_min > 0
