"""SARIF 2.1.0 for code-scanning style dashboards: the rule catalog, one result per failing or unknown check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from preflight.engine.findings import Finding, Severity, Status
from preflight.engine.rules import Rule
from preflight.formatters.registry import formatter
from preflight.formatters.snippets import finding_powershell, shared
from preflight.report import InputFile, Report
from preflight.safe_text import json_visible

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.BLOCKER: "error", Severity.LOSS: "error", Severity.WARNING: "warning", Severity.ADVISORY: "note"}
FINGERPRINT_KEY = "preflightFinding/v1"


def artifact_uri(path: str) -> str:
    """A URI reference for a snapshot path: file:// for absolute paths, a relative reference otherwise."""
    candidate = Path(path)
    return candidate.as_uri() if candidate.is_absolute() else quote(candidate.as_posix())


def _help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.title}**", "", rule.rationale, "", f"**Fix:** {rule.remediation}"]
    if rule.powershell:
        parts += ["", "```powershell", rule.powershell, "```"]
    if rule.references:
        parts += ["", *(f"- <{url}>" for url in rule.references)]
    return "\n".join(parts)


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A reportingDescriptor for one rule."""
    help_text = f"{rule.rationale}\n\nFix: {rule.remediation}" + (f"\n\nPowerShell:\n{rule.powershell}" if rule.powershell else "")
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": help_text, "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"pack": rule.pack, "severity": rule.severity.value, "target": rule.target,
                       "tags": ["preflight", rule.pack, rule.severity.value, *rule.tags]},
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def _artifact(item: InputFile) -> dict[str, Any]:
    return {
        "location": {"uri": artifact_uri(item.path)},
        "description": {"text": item.snapshot},
        "hashes": {"sha-256": item.sha256},
        "mimeType": "application/toml" if item.path.lower().endswith(".toml") else "application/json",
        "properties": {"collected_at": item.collected_at.isoformat(), "collector": item.collector},
    }


def _result(finding: Finding, rule_index: dict[str, int], report: Report) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [{
        "name": finding.target.name, "kind": finding.target.kind,
        "fullyQualifiedName": f"{finding.target.kind}/{finding.target.name}",
    }]}
    if len(report.inputs) == 1:  # evidence paths point into this one file; with merged inputs we cannot tell which
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact_uri(report.inputs[0].path), "index": 0}}
    properties: dict[str, Any] = {"severity": finding.severity.value, "pack": finding.pack,
                                  "evidence": [{"path": e.path, "value": e.value} for e in finding.evidence]}
    if finding.at_risk:
        properties["atRiskVmCount"] = len(finding.at_risk)
    if finding.missing:
        properties["missing"] = list(finding.missing)
    rule = report.rule(finding.rule)
    if finding.status is Status.FAIL and not shared(rule) and (powershell := finding_powershell(finding, rule)):
        properties["powershell"] = powershell  # this object's own; a snippet shared by all is in the rule's help
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }
    if finding.status is Status.FAIL:
        result.update(kind="fail", level=LEVELS[finding.severity])
    else:  # SARIF: a result whose kind is not "fail" must have level "none"
        result.update(kind="review", level="none")
    return result


def build_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log of the report as a JSON-ready dict."""
    rule_index = {rule.code: i for i, rule in enumerate(report.rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "preflight", "version": report.tool_version, "semanticVersion": report.tool_version,
                "rules": [rule_descriptor(rule) for rule in report.rules],
                "properties": {"packs": report.packs},
            }},
            "invocations": [{"executionSuccessful": True,
                             "properties": {"verdict": report.verdict.value, "verdictReason": report.verdict_reason(),
                                            "failOn": report.fail_on.value,
                                            "unknownPolicy": report.unknown_policy.value, "strict": report.strict,
                                            "asOf": report.as_of.instant.isoformat(),
                                            "asOfChosen": report.as_of.describe(),
                                            "missingData": [m.as_dict() for m in report.missing_data()]}}],
            "artifacts": [_artifact(item) for item in report.inputs],
            "results": [_result(f, rule_index, report) for f in report.findings if f.rule in rule_index],
            "properties": {"verdict": report.verdict.value},
        }],
    }


@formatter("sarif", (".sarif", ".sarif.json"), "SARIF 2.1.0 for code-scanning dashboards")
def write_sarif(report: Report, stream: TextIO) -> None:
    """Write the SARIF log."""
    stream.write(json_visible(json.dumps(build_sarif(report), indent=2, ensure_ascii=False)) + "\n")
