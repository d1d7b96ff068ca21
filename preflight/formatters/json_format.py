"""JSON output: the `preflight/report/v1` contract documented in the README."""

from __future__ import annotations

from typing import Any, TextIO

from preflight.engine.findings import Checked, Finding, Status
from preflight.engine.rules import Rule
from preflight.formatters.registry import formatter
from preflight.formatters.snippets import finding_powershell
from preflight.report import REPORT_SCHEMA, Report
from preflight.safe_text import json_document


def finding_dict(finding: Finding, rule: Rule | None = None) -> dict[str, Any]:
    """One finding as a JSON-ready dict; a failing finding of a rule with a snippet carries `powershell`,
    the snippet filled with this object's own names (the same text HTML, Markdown and SARIF show)."""
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "pack": finding.pack,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "target": {"kind": finding.target.kind, "name": finding.target.name},
        "evidence": [{"path": e.path, "value": e.value} for e in finding.evidence],
        "message": finding.message,
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint,
    }
    if finding.missing:
        data["missing"] = list(finding.missing)
    if finding.at_risk:
        data["at_risk"] = {"count": len(finding.at_risk), "vms": list(finding.at_risk)}
    if finding.members:
        data["members"] = list(finding.members)
    if finding.status is Status.FAIL and (powershell := finding_powershell(finding, rule)):
        data["powershell"] = powershell
    return data


def checked_dict(checked: Checked) -> dict[str, Any]:
    """One passing or not-applicable check as a JSON-ready dict (`--include-passed`)."""
    return {"rule": checked.rule, "name": checked.name, "pack": checked.pack, "status": checked.status.value,
            "target": {"kind": checked.target.kind, "name": checked.target.name},
            "evidence": [{"path": e.path, "value": e.value} for e in checked.evidence]}


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    document = _report_dict(report)
    document.update(waiver_members(report))
    return document


def waiver_members(report: Report) -> dict[str, Any]:
    """`waived` (findings a waiver in force took out of the verdict, each with its waiver), `waivers` (every
    waiver and its state: applied, expired or stale), and `baseline` under check --baseline; a finding an
    expired waiver names carries `waiver_expired`."""
    outcome = report.waivers
    members: dict[str, Any] = {
        "waived": [{**finding_dict(w.finding, report.rule(w.finding.rule)), "waiver": w.waiver.as_dict()} for w in outcome.waived] if outcome else [],
        "waivers": [{**use.waiver.as_dict(), "state": use.state.value, "matched": len(use.matched)}
                    for use in outcome.uses] if outcome else [],
    }
    if report.baseline is not None:
        members["baseline"] = report.baseline.as_dict()
    return members


def _report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": REPORT_SCHEMA,
        "verdict": report.verdict.value,
        "verdict_reason": report.verdict_reason(),
        "fail_on": report.fail_on.value,
        "unknown_policy": report.unknown_policy.value,
        "strict": report.strict,
        "as_of": as_of_dict(report),
        "summary": {
            "severity": {s.value: n for s, n in report.severity_counts.items()},
            "status": {s.value: n for s, n in report.status_counts.items()},
            "waived": report.waived_count,
            "rules": len(report.rules),
            "objects": report.objects,
            "checks": report.checks,
            "elapsed_seconds": round(report.elapsed_seconds, 3),
        },
        "missing_data": [m.as_dict() for m in report.missing_data()],
        "findings": [_counted_dict(f, report) for f in report.findings],
        **({"passed": [checked_dict(c) for c in report.passed]} if report.passed is not None else {}),
        "tool": {"name": "preflight", "version": report.tool_version},
        "packs": report.packs,
        "inputs": [
            {"path": i.path, "sha256": i.sha256, "snapshot": i.snapshot,
             "collected_at": i.collected_at.isoformat(), "collector": i.collector}
            for i in report.inputs
        ],
        **_verification(report),
    }


def _counted_dict(finding: Finding, report: Report) -> dict[str, Any]:
    data = finding_dict(finding, report.rule(finding.rule))
    lapsed = report.waivers.expired_waiver(finding) if report.waivers else None
    if lapsed is not None:
        data["waiver_expired"] = lapsed.as_dict()
    return data


def as_of_dict(report: Report) -> dict[str, Any]:
    """The as-of instant and how it was chosen (`per_snapshot` under --as-of collected)."""
    data: dict[str, Any] = {"instant": report.as_of.instant.isoformat(), "mode": report.as_of.mode.value,
                            "chosen": report.as_of.describe()}
    if report.as_of.per_file:
        data["per_snapshot"] = {file: instant.isoformat() for file, instant in report.as_of.per_file}
    return data


@formatter("json", (".json",), "Machine-readable report (schema preflight/report/v1)", reads_topology=False)
def write_json(report: Report, stream: TextIO) -> None:
    """Write the report as JSON."""
    stream.write(json_document(report_dict(report), default=str) + "\n")


def _verification(report: Report) -> dict[str, Any]:
    """The `verification` member, present only for `preflight verify`."""
    if report.verification is None:
        return {}
    from preflight.formatters.verification import verification_dict

    return {"verification": verification_dict(report.verification)}
