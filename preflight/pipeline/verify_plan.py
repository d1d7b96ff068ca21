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


def _upgrades(snapshot: Snapshot) -> tuple[UpgradeResult, ...]:
    return tuple(run_vmm_upgrade(EmulatedEstate(snapshot), s.name)
                 for s in snapshot.vmm_servers if s.vmm not in (None, UNSET))


def verify(request: CheckRequest) -> tuple[Report, Snapshot, Plan]:
    """The report of the original estate with `verification` filled in, the emulated estate, and the plan."""
    catalog = load_rules(request.rule_dirs)
    estate, inputs = load_estate(request.snapshots, catalog)
    report, _, _ = run_evaluation(catalog, estate, inputs, request)
    snapshot = estate.snapshot
    plan = build_plan(report.findings, snapshot)
    state, outcomes = apply_plan(plan, snapshot, as_of=report.as_of.instant)
    emulated = state.export()
    check_references(emulated, default_file=EMULATED)  # the emulator must leave a consistent estate
    # re-checked at the emulated end of the run: what the plan dated (a backup, a restart) is in the past then
    finished = dataclasses.replace(report.as_of, instant=state.clock or report.as_of.instant)
    after, _, _ = check_snapshot(emulated, [(EMULATED, emulated.snapshot)],
                                 dataclasses.replace(request, as_of=finished), catalog=catalog)
    fates, introduced = compare(report.findings, after.findings, plan, outcomes, state.renames)
    remaining = [fate(f, UNRESOLVED, "") for f in after.findings
                 if f.status is Status.FAIL and f.severity is Severity.BLOCKER]
    plan = mark_failed_steps(plan, outcomes)
    verification = Verification(plan, tuple(outcomes), tuple(fates), tuple(introduced), tuple(remaining),
                                _upgrades(emulated), tuple(run_drills(snapshot)), tuple(run_drills(emulated)))
    return dataclasses.replace(report, verification=verification), emulated, plan
