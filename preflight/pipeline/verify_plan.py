"""The verify pipeline: check -> plan -> apply in the emulator -> re-check the emulated estate in memory ->
simulate the VMM 2012 upgrade -> fault drills before and after.

The re-check runs the normal rule engine on the emulator's exported snapshot: the engine and the emulator
are independent, so a finding that stays failing after its fix "ran" is a disagreement the report shows
rather than hides.
"""

from __future__ import annotations

import dataclasses

from msgspec import UNSET

from preflight.emulator import EmulatedEstate, UpgradeResult, run_drills, run_vmm_upgrade
from preflight.engine.findings import Severity, Status
from preflight.inventory.collecting import rarer_collections
from preflight.inventory.references import check_references
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline.check import CheckRequest, check_snapshot, load_estate, load_rules, run_evaluation
from preflight.remediation.apply import apply_plan
from preflight.remediation.fates import compare, fate, mark_failed_steps
from preflight.remediation.plan import build_plan
from preflight.remediation.runbook import Plan
from preflight.remediation.verification import UNRESOLVED, Verification
from preflight.report import Report

EMULATED = "<emulated estate>"


UPGRADE_CHANGES = ("vmm_servers", "hosts", "vcenters")
"""The entity lists VMM 2012 setup changes (its server, the hosts and vCenters it manages: `emulator/upgrade.py`)."""


def _upgrades(snapshot: Snapshot) -> tuple[UpgradeResult, ...]:
    """VMM 2012 setup on each VMM server, each from the same emulated estate.

    A setup that rolls back changes nothing, so one state serves the servers in turn until a setup
    succeeds; each state copies only the lists setup changes, never the VMs.
    """
    results: list[UpgradeResult] = []
    state: EmulatedEstate | None = None
    for server in snapshot.vmm_servers:
        if server.vmm in (None, UNSET):
            continue
        if state is None:
            state = EmulatedEstate(snapshot, private=UPGRADE_CHANGES)
        results.append(run_vmm_upgrade(state, server.name))
        if results[-1].succeeded:
            state = None
    return tuple(results)


def verify(request: CheckRequest) -> tuple[Report, Snapshot, Plan]:
    """The report of the original estate with `verification` filled in, the emulated estate, and the plan."""
    with rarer_collections():
        return _verify(request)


def _verify(request: CheckRequest) -> tuple[Report, Snapshot, Plan]:
    catalog = load_rules(request.rule_dirs)
    estate, inputs = load_estate(request.snapshots, catalog)
    report, _, _ = run_evaluation(catalog, estate, inputs, request)
    snapshot = estate.snapshot
    plan = build_plan(report.findings, snapshot)
    state, outcomes = apply_plan(plan, snapshot)
    emulated = state.export(keep=False)   # the state is not emulated further: no copy
    check_references(emulated, default_file=EMULATED)  # the emulator must leave a consistent estate
    after, after_estate, _ = check_snapshot(emulated, [(EMULATED, emulated.snapshot)],
                                            dataclasses.replace(request, as_of=report.as_of), catalog=catalog,
                                            topology=False)   # only its findings are read
    fates, introduced = compare(report.findings, after.findings, plan, outcomes, state.renames)
    remaining = [fate(f, UNRESOLVED, "") for f in after.findings
                 if f.status is Status.FAIL and f.severity is Severity.BLOCKER]
    plan = mark_failed_steps(plan, outcomes)
    drills = tuple(run_drills(snapshot, estate.index)), tuple(run_drills(emulated, after_estate.index))
    verification = Verification(plan, tuple(outcomes), tuple(fates), tuple(introduced), tuple(remaining),
                                _upgrades(emulated), *drills)
    return dataclasses.replace(report, verification=verification), emulated, plan
