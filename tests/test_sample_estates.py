"""The sample estates in fixtures/estates/ give the verdicts an operator would expect.

ready.json is a clean VMM 2008 R2 SP1 estate (go), blocked.json (fabrikam) has explained blockers
and losses (no-go), mixed.toml (northwind) has losses and warnings but no blocker (go only when the
gate is --fail-on blocker). Runs use a fixed `now` so freshness and backup-age rules do not age.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from preflight.cli import app
from preflight.engine.findings import Finding, Severity
from preflight.pipeline import CheckRequest, run_check
from preflight.report import Report, UnknownPolicy, Verdict

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

BLOCKED_BLOCKERS = {
    # VMM server FAB-SCVMM-MGMT01: 16-character name containing -SCVMM-, WAIK 1.1 only, WinRM stopped,
    # planned highly available without DKM.
    ("VMM005", "FAB-SCVMM-MGMT01"), ("VMM006", "FAB-SCVMM-MGMT01"), ("VMM007", "FAB-SCVMM-MGMT01"),
    ("VMM008", "FAB-SCVMM-MGMT01"), ("VMM010", "FAB-SCVMM-MGMT01"), ("VMM014", "FAB-SCVMM-MGMT01"),
    # Branch VMM server still on VMM 2008 R2 RTM, without WAIK, on a local 32-bit SQL Server 2005 Express.
    ("VMM001", "FAB-VMM-BR01"), ("VMM008", "FAB-VMM-BR01"),
    ("SQL001", "FAB-VMM-BR01"), ("SQL002", "FAB-VMM-BR01"), ("SQL003", "FAB-VMM-BR01"),
    # Case-sensitive collation on the HQ SQL Server.
    ("SQL004", "FABSQL01"),
}
# A Windows Server 2003 library server is a loss, not a blocker: the upgrade proceeds and afterwards
# the library server can only be removed.
BLOCKED_LOSSES = {("PLT001", "VC-FAB01"), ("PLT002", "ESX-FAB01"), ("PLT003", "VS-BR01"), ("UPG001", "FAB-SCVMM-MGMT01"),
                  ("UPG002", "FABLIB01")}
MIXED_LOSSES = {("PLT002", "NW-ESX01"), ("PLT003", "NW-VS01"), ("UPG001", "NWVMM01")}


def _check(name: str, fail_on: Severity = Severity.LOSS) -> Report:
    report, _, _ = run_check(CheckRequest((ESTATES / name,), fail_on=fail_on, as_of=NOW))
    return report


def _failed(report: Report, severity: Severity) -> set[tuple[str, str]]:
    return {(f.rule, f.target.name) for f in report.failures if f.severity is severity}


def _finding(report: Report, rule: str, target: str) -> Finding:
    return next(f for f in report.failures if f.rule == rule and f.target.name == target)


def test_ready_estate_is_go_with_nothing_failing_or_unknown() -> None:
    report = _check("ready.json")
    assert report.verdict is Verdict.GO
    assert report.failures == (), [f.message for f in report.failures]
    assert report.unknowns == (), [f.message for f in report.unknowns]


def test_ready_estate_is_go_even_at_the_strictest_gate() -> None:
    report, _, _ = run_check(CheckRequest((ESTATES / "ready.json",), fail_on=Severity.ADVISORY, unknown_policy=UnknownPolicy.STRICT, as_of=NOW))
    assert report.verdict is Verdict.GO


def test_blocked_estate_is_no_go_with_the_designed_blockers() -> None:
    report = _check("blocked.json", Severity.BLOCKER)
    assert report.verdict is Verdict.NO_GO
    assert _failed(report, Severity.BLOCKER) >= BLOCKED_BLOCKERS
    assert {(f.rule, f.target.name) for f in report.blocking()} >= BLOCKED_BLOCKERS


def test_blocked_estate_names_what_the_upgrade_removes() -> None:
    report = _check("blocked.json")
    assert _failed(report, Severity.LOSS) == BLOCKED_LOSSES
    vcenter = _finding(report, "PLT001", "VC-FAB01")
    assert set(vcenter.at_risk) == {"FAB-ERP01", "FAB-ERP02", "FAB-WEB01"}
    assert "ESX-FAB01, ESX-FAB02" in vcenter.message
    virtual_server = _finding(report, "PLT003", "VS-BR01")
    assert "BR-FILE01, BR-PRINT01" in virtual_server.message


def test_blocked_findings_carry_evidence_and_fix_actions() -> None:
    report = _check("blocked.json")
    collation = _finding(report, "SQL004", "FABSQL01")
    assert [e.value for e in collation.evidence] == ["Latin1_General_CS_AS"]
    assert collation.fix_action == "rebuild-sql-collation"
    assert dict(collation.fix_params) == {"collation": "SQL_Latin1_General_CP1_CI_AS"}
    assert _finding(report, "VMM008", "FAB-VMM-BR01").fix_params == (("package", "waik-windows7"),)
    assert _finding(report, "UPG002", "FABLIB01").fix_action == "migrate-library-server"
    assert _finding(report, "VMM014", "FAB-SCVMM-MGMT01").fix_action == "create-dkm-container"


def test_mixed_estate_is_no_go_at_the_default_gate_because_of_losses() -> None:
    report = _check("mixed.toml")
    assert report.verdict is Verdict.NO_GO
    assert _failed(report, Severity.BLOCKER) == set()
    assert _failed(report, Severity.LOSS) == MIXED_LOSSES
    assert {(f.rule, f.target.name) for f in report.blocking()} == MIXED_LOSSES
    assert _failed(report, Severity.WARNING) >= {("VMM011", "NWVMM01"), ("HW004", "NWVMM01"), ("UPG004", "NWVMM01")}


def test_mixed_estate_is_go_when_only_blockers_stop_the_change() -> None:
    report = _check("mixed.toml", Severity.BLOCKER)
    assert report.verdict is Verdict.GO
    assert report.failures, "the warnings and losses are still reported"


@pytest.mark.parametrize(("estate", "args", "code"), [
    ("ready.json", [], 0),
    ("blocked.json", [], 1),
    ("blocked.json", ["--fail-on", "blocker"], 1),
    ("mixed.toml", [], 1),
    ("mixed.toml", ["--fail-on", "blocker"], 0),
])
def test_cli_exit_codes(estate: str, args: list[str], code: int) -> None:
    result = CliRunner().invoke(app, ["check", str(ESTATES / estate), "--format", "json", "--quiet", *args])
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout)["verdict"] == ("go" if code == 0 else "no-go")
