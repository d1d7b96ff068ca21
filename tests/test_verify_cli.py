"""`preflight verify` and `preflight drill` as a user runs them: exit codes, outputs, script, emitted snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psparse import parse
from preflight.cli.app import main
from preflight.inventory import read_snapshot
from preflight.inventory.references import check_references

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"


def test_ready_estate_verifies_and_writes_script_and_snapshot(tmp_path: Path, capsys) -> None:
    script, emitted = tmp_path / "plan.ps1", tmp_path / "after.json"
    code = main(["verify", str(ESTATES / "ready.json"), "--script", str(script), "--emit-snapshot", str(emitted)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "VERIFY: PASSED" in out and "upgrade-vmm-2012" in out
    parsed = parse(script.read_text(encoding="utf-8"))
    assert parsed.errors() == [] and "Start-Process" in parsed.command_names()
    check_references(read_snapshot(emitted), str(emitted))


def test_blocked_estate_fails_verification_with_reasons(tmp_path: Path, capsys) -> None:
    report = tmp_path / "verify.json"
    assert main(["verify", str(ESTATES / "blocked.json"), "-o", str(report)]) == 1
    data = json.loads(report.read_text(encoding="utf-8"))["verification"]
    assert data["passed"] is False
    assert any(u["succeeded"] is False and u["failed_checks"] for u in data["upgrade"])
    unresolved = [f for f in data["findings"] if f["outcome"] == "unresolved"]
    assert unresolved and all(f["reason"] for f in unresolved)
    assert any(f["outcome"] == "resolved" for f in data["findings"])
    assert data["plan"]["totals"]["steps"] == len(data["plan"]["steps"])


def test_bad_input_is_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["verify", str(bad)]) == 2
    assert main(["drill", str(bad)]) == 2


@pytest.mark.parametrize("estate", sorted(p.name for p in ESTATES.glob("*.json")))
def test_drill_reports_every_fault_as_json(estate: str, capsys) -> None:
    code = main(["drill", str(ESTATES / estate), "-f", "json"])
    drills = json.loads(capsys.readouterr().out)["drills"]
    assert code == (1 if any(d["down"] for d in drills) else 0)
    assert all(d["fault"] in ("team-member-fails", "node-fails", "storage-path-lost", "replica-link-drops") for d in drills)
