"""Backups before destruction, and steps the emulator predicts will fail are not emitted as runnable (issue 11)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.inventory import read_snapshot
from preflight.pipeline import CheckRequest, verify
from preflight.remediation.apply import apply_plan, apply_steps
from preflight.remediation.powershell import render_script
from preflight.remediation.runbook import Plan, Step

ROOT = Path(__file__).resolve().parent.parent
BLOCKED = ROOT / "fixtures" / "estates" / "blocked.json"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _verify(path: Path = BLOCKED):
    report, _, plan = verify(CheckRequest((path,), as_of=NOW))
    assert report.verification is not None
    return report.verification, plan


def _number(plan: Plan, action: str, name: str) -> int:
    return next(s.number for s in plan.steps if s.action == action and s.object_name.casefold() == name.casefold())


def test_blocked_estate_backs_up_the_vmm_database_before_the_collation_rebuild() -> None:
    v, plan = _verify()
    rebuild = _number(plan, "rebuild-sql-collation", "FABSQL01")
    backup = next(s for s in plan.steps if s.action == "backup-vmm-database" and s.param_dict["sql_server"] == "FABSQL01")
    assert backup.number < rebuild
    assert backup.param_dict["database"] == "VirtualManagerDB" and not backup.manual and not backup.blocked
    outcome = {o.number: o for o in v.steps}
    assert outcome[rebuild].result == "applied", outcome[rebuild].reason


def test_every_vmm_upgrade_step_comes_after_a_backup_of_its_database() -> None:
    _, plan = _verify()
    for upgrade in (s for s in plan.steps if s.action == "upgrade-vmm-2012"):
        backups = [s for s in plan.steps if s.action == "backup-vmm-database"
                   and s.object_name.casefold() == upgrade.object_name.casefold() and s.number < upgrade.number]
        assert backups, f"step {upgrade.number}: no backup of {upgrade.object_name}'s database before its upgrade"


def test_the_emulator_refuses_a_collation_rebuild_with_no_earlier_backup() -> None:
    state = EmulatedEstate(read_snapshot(BLOCKED))
    rebuild = Request("rebuild-sql-collation", "sql_servers", "FABSQL01",
                      {"collation": "SQL_Latin1_General_CP1_CI_AS", "instance": "MSSQLSERVER"})
    done = apply(state, rebuild)
    assert done.result is Result.FAILED
    assert "VirtualManagerDB" in done.reason and "backup" in done.reason
    assert state.snapshot.sql_servers[0].collation == "Latin1_General_CS_AS"  # nothing changed
    backup = Request("backup-vmm-database", "vmm_servers", "FAB-SCVMM-MGMT01",
                     {"sql_server": "FABSQL01", "instance": "MSSQLSERVER", "database": "VirtualManagerDB"})
    assert apply(state, backup).result is Result.APPLIED
    assert apply(state, rebuild).result is Result.APPLIED


def test_verify_fails_a_plan_whose_rebuild_runs_before_the_backup() -> None:
    """An admin's reordering (backup moved after the rebuild) is caught: the rebuild fails in the emulator."""
    _, plan = _verify()
    steps = list(plan.steps)
    backup = next(s for s in steps if s.action == "backup-vmm-database" and s.param_dict["sql_server"] == "FABSQL01")
    rebuild = next(s for s in steps if s.action == "rebuild-sql-collation")
    steps.remove(backup)
    steps.insert(steps.index(rebuild) + 1, backup)
    reordered = Plan(tuple(dataclasses.replace(s, number=i, blocked=None) for i, s in enumerate(steps, start=1)))
    _, outcomes = apply_plan(reordered, read_snapshot(BLOCKED), as_of=NOW)
    failed = {o.action: o.reason for o in outcomes if o.result == "failed"}
    assert "no backup" in failed["rebuild-sql-collation"]


def test_an_upgrade_without_a_backup_is_not_runnable() -> None:
    snapshot = read_snapshot(BLOCKED)
    plan = Plan((Step(1, "upgrade-vmm-2012", "FAB-SCVMM-MGMT01", "vmm_servers", "FAB-SCVMM-MGMT01",
                      point_of_no_return=True),))
    _, outcomes = apply_steps(plan, snapshot, as_of=NOW)   # the plan's own step: no channel in the way
    assert outcomes[0].result == "failed" and "no backup" in outcomes[0].reason


def test_vmm_2012_upgrades_predicted_to_roll_back_are_blocked_in_runbook_and_script() -> None:
    v, plan = _verify()
    upgrades = [s for s in plan.steps if s.action == "upgrade-vmm-2012"]
    assert len(upgrades) == 2
    for step in upgrades:
        assert step.blocked and "roll" in step.blocked, step
        assert not any(o.result == "applied" for o in v.steps if o.number == step.number)
    script = render_script(plan)
    assert "VMM2012\\setup.exe" not in script  # no upgrade is emitted as runnable
    assert script.count("-Blocked 'fails in the emulator: VMM 2012 setup rolled back") == 2
    assert not v.passed


def test_the_backup_resolves_the_stale_backup_warning() -> None:
    v, _ = _verify()
    upg005 = [f for f in v.findings if f.rule == "UPG005"]
    assert upg005 and all(f.outcome == "resolved" for f in upg005), upg005


ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))


@pytest.mark.parametrize("estate", ESTATES, ids=[p.name for p in ESTATES])
def test_no_plan_of_a_sample_estate_destroys_data_it_has_not_backed_up(estate: Path) -> None:
    v, plan = _verify(estate)
    refused = [o for o in v.steps if "at an earlier step" in o.reason]
    assert refused == [], refused
    backed_up = set()
    for step in plan.steps:
        if step.action == "backup-vmm-database":
            backed_up.add(step.object_name.casefold())
        if step.action == "upgrade-vmm-2012":
            assert step.object_name.casefold() in backed_up, f"step {step.number}: upgrade before any backup"
