"""A computer rename is pending until its restart: the steps before the restart reach the old name, the
restart waits for the new one, every step after it addresses the new name (planner), and the emulator
holds the script to exactly that."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from preflight.cli.app import main
from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.inventory import read_snapshot
from preflight.pipeline import CheckRequest, verify
from preflight.remediation.actions import ACTIONS
from preflight.remediation.renames import follow_renames
from preflight.remediation.runbook import Step
from preflight.remediation.script_run import run_script

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OLD, NEW = "NEW-SCVMM-MGMT01", "NEW-VMM-MGMT01"


def _estate(tmp_path: Path) -> Path:
    """ready.json plus a server prepared for VMM 2012 (no VMM yet) whose name VMM setup refuses (-SCVMM-, 16
    characters) and whose WinRM is stopped: rename, restart, then start WinRM after the restart."""
    data = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))
    server = copy.deepcopy(data["vmm_servers"][0])
    server.update(name=OLD, fqdn=OLD.lower() + ".contoso.local", vmm=None, library_servers=[])
    server["installed_software"] = [s for s in server["installed_software"] if "Virtual Machine Manager" not in s["name"]]
    server["services"] = [{"name": "WinRM", "display_name": "Windows Remote Management (WS-Management)",
                           "state": "Stopped", "start_mode": "Auto", "version": "2.0"}]
    data["vmm_servers"].append(server)
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _steps(plan_steps: tuple[Step, ...]) -> list[tuple[str, str, dict[str, str]]]:
    return [(s.action, s.server, s.param_dict) for s in plan_steps if s.server in (OLD, NEW)]


def test_steps_after_the_rename_restart_address_the_new_name(tmp_path: Path) -> None:
    report, _, plan = verify(CheckRequest((_estate(tmp_path),), as_of=NOW))
    assert _steps(plan.steps) == [
        ("rename-computer", OLD, {"new_name": NEW}),               # pending until the restart: old name
        ("restart-computer", OLD, {"comes_back_as": NEW}),         # restarts the old name, waits for the new
        ("start-service", NEW, {"service": "WinRM"}),              # after the restart only the new name resolves
    ]
    verification = report.verification
    assert [o for o in verification.steps if o.result == "failed"] == []
    assert not any(s.blocked for s in plan.steps)


def test_the_restart_waits_for_the_new_name_and_its_test_asks_the_new_name() -> None:
    step = Step(1, "restart-computer", OLD, "vmm_servers", OLD, (("comes_back_as", NEW),))
    body, test = ACTIONS[step.action].render(step.invocation()), ACTIONS[step.action].test(step.invocation())  # type: ignore[misc]
    assert body[1] == f"Restart-Computer -ComputerName '{OLD}' -Force"
    assert body[2] == f"Wait-PreflightComputer -ComputerName '{NEW}' -BootedBefore $booted"
    assert f"Test-PreflightRestartPending -ComputerName '{NEW}'" in "\n".join(test) and OLD not in "\n".join(test)


def test_the_emulator_keeps_a_rename_pending_until_the_restart(tmp_path: Path) -> None:
    state = EmulatedEstate(read_snapshot(_estate(tmp_path)))
    assert apply(state, Request("rename-computer", "vmm_servers", OLD, {"new_name": NEW})).result is Result.APPLIED
    early = apply(state, Request("start-service", "vmm_servers", NEW, {"service": "WinRM"}))
    assert early.result is Result.FAILED and f"no computer named '{NEW}'" in early.reason   # not renamed yet
    assert apply(state, Request("restart-computer", "vmm_servers", OLD, {"comes_back_as": NEW})).result is Result.APPLIED
    late = apply(state, Request("start-service", "vmm_servers", OLD, {"service": "WinRM"}))
    assert late.result is Result.FAILED and f"no computer named '{OLD}'" in late.reason     # the old name is gone
    assert state.computers(NEW) and not state.computers(OLD)


def test_a_restart_waiting_for_a_name_no_rename_gives_fails(tmp_path: Path) -> None:
    state = EmulatedEstate(read_snapshot(_estate(tmp_path)))
    result = apply(state, Request("restart-computer", "vmm_servers", OLD, {"comes_back_as": NEW}))
    assert result.result is Result.FAILED and "waiting for NEW-VMM-MGMT01 times out" in result.reason


def _blocks(script: str) -> tuple[str, list[str]]:
    head, *blocks = script.split("\n# Step ")
    return head, ["# Step " + block for block in blocks]


@pytest.mark.parametrize("edit", ["old name after the restart", "rename removed"])
def test_verify_from_script_notices_a_step_addressed_by_the_wrong_name(tmp_path: Path, capsys, edit: str) -> None:
    estate, script = _estate(tmp_path), tmp_path / "plan.ps1"
    assert main(["verify", str(estate), "--script", str(script), "--as-of", "2026-11-25T12:00:00Z"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    head, blocks = _blocks(script.read_text(encoding="utf-8"))
    start = next(i for i, b in enumerate(blocks) if "-Action 'start-service'" in b and f"-Server '{NEW}'" in b)
    if edit == "old name after the restart":
        blocks[start] = blocks[start].replace(f"'{NEW}'", f"'{OLD}'")
        expected = f"no computer named '{OLD}'"
    else:
        blocks = [b for b in blocks if "-Action 'rename-computer'" not in b]
        expected = "waiting for NEW-VMM-MGMT01 times out"
    edited = tmp_path / "edited.ps1"
    edited.write_text("\n".join([head, *blocks]), encoding="utf-8")
    code = main(["verify", str(estate), "--from-script", str(edited), "--as-of", "2026-11-25T12:00:00Z"])
    out = capsys.readouterr().out
    assert code == 1 and re.search(r"STEP FAILED \d+ \((start-service|restart-computer) ", out) and expected in out, out


def test_a_rerun_of_the_renaming_script_changes_nothing(tmp_path: Path) -> None:
    estate = _estate(tmp_path)
    _, _, plan = verify(CheckRequest((estate,), as_of=NOW))
    from preflight.remediation.powershell import render_script

    script, snapshot = render_script(plan), read_snapshot(estate)
    first = run_script(script, plan, snapshot)
    again = run_script(script, plan, snapshot, state=first.state)
    renaming = [o for o in again.outcomes if o.object_name in (OLD, NEW)]
    assert [(o.action, o.result) for o in renaming] == [("rename-computer", "no-change"), ("restart-computer", "no-change"),
                                                        ("start-service", "no-change")]


def test_a_blocked_or_refused_rename_renames_nothing() -> None:
    rename = Step(0, "rename-computer", OLD, "vmm_servers", OLD, (("new_name", NEW),))
    restart = Step(0, "restart-computer", OLD, "vmm_servers", OLD)
    later = Step(0, "start-service", OLD, "vmm_servers", OLD, (("service", "WinRM"),))
    assert [s.server for s in follow_renames([rename, restart, later])] == [OLD, OLD, NEW]
    assert follow_renames([rename, restart, later], frozenset({OLD.casefold()})) == [rename, restart, later]
    blocked = Step(0, "rename-computer", OLD, "vmm_servers", OLD, (("new_name", NEW),), blocked="why")
    assert follow_renames([blocked, restart, later]) == [blocked, restart, later]


def test_a_rename_the_emulator_refuses_from_the_start_costs_one_run_of_the_script(monkeypatch) -> None:
    """blocked.json renames its VMM server, which the emulator refuses: verify predicts that on one copy of the
    estate and plans without following the rename, so the script runs once, and the refused rename still shows."""
    import preflight.pipeline.verify_plan as verify_plan

    runs = []

    def counting(*args, **kwargs):
        runs.append(args[0])
        return run_script(*args, **kwargs)

    monkeypatch.setattr(verify_plan, "run_script", counting)
    _, _, plan = verify(CheckRequest((ESTATES / "blocked.json",), as_of="collected"))
    assert len(runs) == 1
    rename = next(s for s in plan.steps if s.action == "rename-computer")
    assert rename.blocked and "renaming a computer with the VMM management server installed is not supported" in rename.blocked
    assert not [s for s in plan.steps if s.number > rename.number and "FAB-VMM-MGMT01" in (s.server, s.object_name)]
