"""Emulator fidelity (issue 11): a CSV block cache size change on Windows Server 2012 waits for node restarts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from remedy import findings_of

from preflight.engine.findings import Status
from preflight.inventory import read_snapshot
from preflight.pipeline import CheckRequest, verify
from preflight.remediation.apply import apply_plan
from preflight.remediation.runbook import Plan

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ROOT / "fixtures" / "estates"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _verify(name: str):
    report, emulated, plan = verify(CheckRequest((ESTATES / name,), as_of=NOW))
    assert report.verification is not None
    return report.verification, emulated, plan


def test_a_2012_cache_size_change_restarts_every_node_one_at_a_time_after_it() -> None:
    v, _, plan = _verify("fabric-2012.json")
    cache = next(s for s in plan.steps if s.action == "set-csv-block-cache" and s.object_name == "HVCLUS01")
    later = [s for s in plan.steps if s.number > cache.number]
    for node in ("HV201", "HV202", "HV203", "HV204"):
        mine = [s.action for s in later if s.server == node]
        assert mine == ["drain-node", "restart-computer", "resume-node"], (node, mine)
    paused: set[str] = set()
    for step in later:  # never two nodes of the cluster out at once
        if step.action == "drain-node":
            assert not paused, f"step {step.number} drains {step.server} while {paused} is paused"
            paused.add(step.server)
        elif step.action == "resume-node":
            paused.discard(step.server)
    restart = next(s for s in later if s.action == "restart-computer")
    assert restart.note == "activates the CSV block cache size set on HVCLUS01"
    fates = {(f.rule, f.target): f.outcome for f in v.findings}
    assert fates[("CSV006", "HVCLUS01")] == "resolved"
    assert not [f for f in v.introduced if f.rule == "CSV006"]


def test_without_the_node_restarts_the_cache_size_is_still_pending_in_the_emulator() -> None:
    snapshot = read_snapshot(ESTATES / "fabric-2012.json")
    _, _, plan = _verify("fabric-2012.json")
    only = [s for s in plan.steps if s.action == "set-csv-block-cache"]
    state, outcomes = apply_plan(Plan(tuple(dataclasses.replace(s, number=1) for s in only)), snapshot, as_of=NOW)
    assert outcomes[0].result == "applied"
    pending = [f for f in findings_of(state.export(), ["CSV006"], NOW) if f.status is Status.FAIL]
    assert pending and all(n in pending[0].message for n in ("HV201", "HV202", "HV203", "HV204")), pending



def test_nodes_not_restarted_since_a_cache_change_get_their_own_turns() -> None:
    from casefiles import load_cases
    from remedy import snapshot_of

    from preflight.remediation.plan import build_plan
    case = next(c for c in load_cases() if c.rule == "CSV006" and c.id == "node-not-restarted")
    snapshot = snapshot_of(case.snapshot)
    findings = [f for f in findings_of(snapshot, ["CSV006"], case.now) if f.status is Status.FAIL]
    plan = build_plan(findings, snapshot, include_upgrade=False)
    assert [(s.server, s.action) for s in plan.steps] == [
        (node, action) for node in ("HV22", "HV23") for action in ("drain-node", "restart-computer", "resume-node")]
    restarts = [s for s in plan.steps if s.action == "restart-computer"]
    assert all(s.findings == (findings[0].fingerprint,) for s in restarts)
    state, outcomes = apply_plan(plan, snapshot, as_of=case.now)
    assert all(o.result == "applied" for o in outcomes), outcomes
    assert not [f for f in findings_of(state.export(), ["CSV006"], case.now) if f.status is Status.FAIL]


def test_restarting_cluster_nodes_by_hand_in_the_emulator_takes_their_vms_down() -> None:
    from casefiles import load_cases
    from remedy import snapshot_of

    from preflight.emulator import EmulatedEstate, Request, Result, apply
    case = next(c for c in load_cases() if c.rule == "CSV006" and c.id == "node-not-restarted")
    state = EmulatedEstate(snapshot_of(case.snapshot), case.now)
    assert apply(state, Request("restart-cluster-nodes", "clusters", "HVCLUS01", {"nodes": "HV22, HV99"})).result \
        is Result.FAILED
    running = {vm.name for vm in state.snapshot.vms if vm.host in ("HV22", "HV23") and vm.state == "Running"}
    done = apply(state, Request("restart-cluster-nodes", "clusters", "HVCLUS01", {"nodes": "HV22, HV23"}))
    assert done.result is Result.APPLIED
    assert {o.vm for o in state.outages} == running  # nobody drained them first
    assert all(h.last_boot == case.now for h in state.snapshot.hosts if h.name in ("HV22", "HV23"))
