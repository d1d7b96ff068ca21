"""The verify pipeline: check -> plan -> render the script, parse it back and run it in the emulator -> re-check the emulated estate in memory ->
simulate the VMM 2012 upgrade -> fault drills before and after.

The re-check runs the normal rule engine on the emulator's exported snapshot: the engine and the emulator
are independent, so a finding that stays failing after its fix "ran" is a disagreement the report shows
rather than hides.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from preflight.emulator import EmulatedEstate, Result, UpgradeResult, apply, run_drills
from preflight.engine.catalog_model import Catalog
from preflight.engine.findings import Severity, Status
from preflight.errors import InputError
from preflight.inventory.collecting import paused_collections
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.read import read_input, to_utf8
from preflight.inventory.references import check_references
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline.check import CheckRequest, check_snapshot, load_estate, load_rules, run_evaluation
from preflight.remediation.apply import request_for
from preflight.remediation.fates import compare, fate, mark_failed_steps, run_damage
from preflight.remediation.plan import build_plan
from preflight.remediation.powershell import render_script
from preflight.remediation.renames import RENAME, refused_renames
from preflight.remediation.runbook import Plan
from preflight.remediation.script_run import ScriptRun, run_script
from preflight.remediation.verification import UNRESOLVED, Verification
from preflight.report import Report
from preflight.report.model import InputFile

EMULATED = "<emulated estate>"
UPGRADE = "upgrade-vmm-2012"


def _upgrades(run: ScriptRun) -> tuple[UpgradeResult, ...]:
    """VMM 2012 setup on each server where the script runs it, on the estate as the script has left it there."""
    return tuple(point.setup for point in run.checkpoints if point.action == UPGRADE)


def _paused(state: EmulatedEstate) -> list[str]:
    """Cluster nodes left paused, by their names."""
    return [getattr(state.host(key), "name", key) for key in state.paused]


def _refused_at_start(plan: Plan, snapshot: Snapshot, index: SnapshotIndex) -> frozenset[str]:
    """Computers whose planned rename the emulator refuses on the estate as it is (a VMM management server):
    the plan then need not follow them, and the script is run once instead of twice. A rename only marks
    the new name pending until the restart, so the renames are tried on a view of the estate, not a copy."""
    renames = [s for s in plan.steps if s.action == RENAME and not s.blocked]
    if not renames:
        return frozenset()
    probe = EmulatedEstate(snapshot, view=True, index=index)
    failed = {s.number for s in renames if apply(probe, request_for(s, plan)).result is Result.FAILED}
    return refused_renames(plan.steps, failed)


def _reloaded(request: CheckRequest, catalog: Catalog, inputs: tuple[InputFile, ...]) -> Snapshot:
    """The estate read again from its files (a second script run starts from it as it was), which must not have
    changed since the first reading."""
    estate, again = load_estate(request.snapshots, catalog)
    for first, now in zip(inputs, again, strict=True):
        if first.sha256 != now.sha256:
            raise InputError(first.path, None, "changed while verify ran; run verify again")
    return estate.snapshot


def read_script(path: Path) -> str:
    """The text of a script an admin edited (UTF-8, or UTF-16 with a byte order mark as Windows PowerShell
    writes it); unreadable or non-text input is an `InputError` naming the file."""
    return to_utf8(read_input(path), str(path)).decode("utf-8")


def verify(request: CheckRequest, script: str | None = None) -> tuple[Report, Snapshot, Plan]:
    """The report of the original estate with `verification` filled in, the emulated estate, and the plan.

    The plan is rendered as its script, parsed back and executed in the emulator; with `script` (the text
    of a script an admin edited) that script is executed instead, and the plan shown is the one it describes.
    """
    with paused_collections():
        return _verify(request, script)


def _verify(request: CheckRequest, script: str | None) -> tuple[Report, Snapshot, Plan]:
    catalog = load_rules(request.rule_dirs)
    estate, inputs = load_estate(request.snapshots, catalog)
    report, _, _ = run_evaluation(catalog, estate, inputs, request)
    snapshot, index = estate.snapshot, estate.index
    # this run's own snapshot: the drills read it first, then the script changes it in place (no copy)
    drills_before = tuple(run_drills(snapshot, index))
    plan = build_plan(report.findings, snapshot, index=index)
    predicted = _refused_at_start(plan, snapshot, index)
    if predicted:   # a rename that cannot happen: the steps after it keep the old name
        plan = build_plan(report.findings, snapshot, refused_renames=predicted, index=index)
    in_place = EmulatedEstate(snapshot, report.as_of.instant, view=True, index=index)
    run = run_script(render_script(plan) if script is None else script, plan, snapshot, skip=(UPGRADE,), state=in_place)
    refused = refused_renames(run.plan.steps, {o.number for o in run.outcomes if o.result == "failed"})
    if refused != predicted and script is None:   # the run disagrees with the prediction: plan and run once more
        snapshot = _reloaded(request, catalog, inputs)   # the first run changed the loaded estate
        plan = build_plan(report.findings, snapshot, refused_renames=refused)
        run = run_script(render_script(plan), plan, snapshot, skip=(UPGRADE,), as_of=report.as_of.instant)
    plan, state, outcomes = run.plan, run.state, list(run.outcomes)
    emulated = state.export(keep=False)   # the state is not emulated further: no copy
    check_references(emulated, default_file=EMULATED)  # the emulator must leave a consistent estate
    # re-checked at the emulated end of the run: what the plan dated (a backup, a restart) is in the past then
    finished = dataclasses.replace(report.as_of, instant=state.clock or report.as_of.instant)
    after, after_estate, _ = check_snapshot(emulated, [(EMULATED, emulated.snapshot)],   # only its findings are read
                                            dataclasses.replace(request, as_of=finished, topology=False), catalog=catalog)
    fates, introduced = compare(report.findings, after.findings, plan, outcomes, state.renames)
    remaining = [fate(f, UNRESOLVED, "") for f in after.findings
                 if f.status is Status.FAIL and f.severity is Severity.BLOCKER]
    plan = mark_failed_steps(plan, outcomes)
    drills = drills_before, tuple(run_drills(emulated, after_estate.index))
    verification = Verification(plan, tuple(outcomes), tuple(fates), tuple(introduced), tuple(remaining),
                                _upgrades(run), *drills,
                                run.unmodelled, script is not None,
                                tuple(f"{s.number} ({s.action} {s.object_name})" for s in run.missing),
                                any(s.action == UPGRADE for s in run.missing),
                                tuple(run_damage(plan, state.outages, _paused(state))))
    return dataclasses.replace(report, verification=verification), emulated, plan
