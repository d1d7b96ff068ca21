"""SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab): the rule catalog, one result per failing or
unknown check, each placed on the line of its object's entry in the snapshot file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from preflight.engine.findings import Finding, Severity, Status
from preflight.engine.rules import Rule
from preflight.formatters.locations import Place, SourceLines
from preflight.formatters.registry import formatter
from preflight.formatters.snippets import finding_powershell, shared
from preflight.project import DEFAULT_DOCS_URL, docs_url, home_url, rule_doc_url
from preflight.report import InputFile, Report
from preflight.report.baseline import BaselineGate
from preflight.report.waivers import Waiver
from preflight.resources import builtin_rules_dir
from preflight.safe_text import json_document

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.BLOCKER: "error", Severity.LOSS: "error", Severity.WARNING: "warning", Severity.ADVISORY: "note"}
FINGERPRINT_KEY = "preflightFinding/v1"
MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results ("Results per run: 25,000", docs.github.com,
code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit)."""
CAPPED_RULE = "PF-CAPPED"

SRCROOT = "%SRCROOT%"


def artifact_uri(path: str, root: Path | None = None) -> str:
    """A URI for a snapshot path with no `..` in it: relative to `root` (the working directory) when the
    file lies under it, the way a repository checkout names its files; an absolute file:// URI otherwise."""
    root = Path(os.path.abspath(root or Path.cwd()))
    absolute = Path(os.path.abspath(path))
    if absolute.is_relative_to(root):
        return quote(absolute.relative_to(root).as_posix())
    return absolute.as_uri()


def _artifact_location(path: str, index: int, root: Path) -> dict[str, Any]:
    uri = artifact_uri(path, root)
    location: dict[str, Any] = {"uri": uri, "index": index}
    if not uri.startswith("file:"):
        location["uriBaseId"] = SRCROOT
    return location


def rule_help_uri(rule: Rule, docs: str = DEFAULT_DOCS_URL) -> str | None:
    """The rule's page: rules/CODE.md under the docs address `docs` for a built-in rule, else the rule's
    first reference (if any)."""
    builtin = builtin_rules_dir().resolve()
    if Path(rule.file).resolve().is_relative_to(builtin):
        return rule_doc_url(rule.code, docs)
    return rule.references[0] if rule.references else None


def _help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.title}**", "", rule.rationale, "", f"**Fix:** {rule.remediation}"]
    if rule.powershell:
        parts += ["", "```powershell", rule.powershell, "```"]
    if rule.references:
        parts += ["", *(f"- <{url}>" for url in rule.references)]
    return "\n".join(parts)


def rule_descriptor(rule: Rule, docs: str = DEFAULT_DOCS_URL) -> dict[str, Any]:
    """A reportingDescriptor for one rule (`docs`: the docs base address its helpUri is under)."""
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
    help_uri = rule_help_uri(rule, docs)
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def _artifact(item: InputFile, root: Path | None = None) -> dict[str, Any]:
    location = _artifact_location(item.path, 0, root or Path.cwd())
    del location["index"]
    return {
        "location": location,
        "description": {"text": item.snapshot},
        "hashes": {"sha-256": item.sha256},
        "mimeType": "application/toml" if item.path.lower().endswith(".toml") else "application/json",
        "properties": {"collected_at": item.collected_at.isoformat(), "collector": item.collector},
    }


def _physical(place: Place | None, artifacts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if place is None:
        return {}
    return {"physicalLocation": {"artifactLocation": dict(artifacts[place.file]), "region": {"startLine": place.line}}}


def _result(finding: Finding, rule_index: dict[str, int], place: dict[str, Any], rule: Rule | None,
            lapsed: Waiver | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [{
        "name": finding.target.name, "kind": finding.target.kind,
        "fullyQualifiedName": f"{finding.target.kind}/{finding.target.name}",
    }], **place}
    properties: dict[str, Any] = {"severity": finding.severity.value, "pack": finding.pack,
                                  "evidence": [{"path": e.path, "value": e.value} for e in finding.evidence]}
    if finding.at_risk:
        properties["atRiskVmCount"] = len(finding.at_risk)
    if finding.missing:
        properties["missing"] = list(finding.missing)
    if rule is not None and finding.status is Status.FAIL and not shared(rule) and (powershell := finding_powershell(finding, rule)):
        properties["powershell"] = powershell  # this object's own; a snippet shared by all is in the rule's help
    message = finding.message
    if lapsed is not None:   # a waiver named it but has expired: say why an accepted finding is open again
        properties["waiverExpired"] = lapsed.as_dict()
        message += f" ({lapsed.expired_note})"
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }
    if finding.status is Status.FAIL:
        result.update(kind="fail", level=LEVELS[finding.severity])
    else:  # SARIF: a result whose kind is not "fail" must have level "none"
        result.update(kind="review", level="none")
    return result


def _capped_descriptor() -> dict[str, Any]:
    return {"id": CAPPED_RULE, "name": "results-capped",
            "shortDescription": {"text": f"More than {MAX_RESULTS:,} results: the rest are in the JSON report"},
            "fullDescription": {"text": f"Code scanning accepts at most {MAX_RESULTS:,} results per run; preflight "
                                        "keeps the worst ones (failures by severity, then unknowns) and says how "
                                        "many it left out."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["preflight"]}}


def _capped_result(omitted: int, total: int, index: int, place: dict[str, Any]) -> dict[str, Any]:
    text = (f"{omitted:,} of {total:,} results are not in this SARIF log (code scanning accepts "
            f"{MAX_RESULTS:,} per run); the JSON report (-f json) lists every finding")
    location = {"logicalLocations": [{"name": "run", "kind": "module", "fullyQualifiedName": "preflight/run"}], **place}
    return {"ruleId": CAPPED_RULE, "ruleIndex": index, "kind": "fail", "level": "error", "message": {"text": text},
            "locations": [location], "partialFingerprints": {FINGERPRINT_KEY: CAPPED_RULE},
            "properties": {"omittedResults": omitted, "totalResults": total}}


def build_sarif(report: Report, root: Path | None = None, docs: str | None = None) -> dict[str, Any]:
    """The SARIF log of the report as a JSON-ready dict; artifact URIs are relative to `root` (default:
    the working directory) for files under it; `informationUri` and built-in rules' `helpUri` are under
    `docs` (default: `project.docs_url()`, PREFLIGHT_DOCS_URL or the project's own docs). Over `MAX_RESULTS`
    findings, the worst `MAX_RESULTS - 1` are kept and one more result (with a notification) says how many
    were left out."""
    root = Path(os.path.abspath(root or Path.cwd()))
    docs = docs_url() if docs is None else docs
    rules = [rule_descriptor(rule, docs) for rule in report.rules]
    rule_index = {rule.code: i for i, rule in enumerate(report.rules)}
    files = [item.path for item in report.inputs]
    lines = SourceLines(files)
    artifacts = {file: _artifact_location(file, index, root) for index, file in enumerate(files)}
    findings = [f for f in report.findings if f.rule in rule_index]
    omitted = len(findings) - MAX_RESULTS + 1 if len(findings) > MAX_RESULTS else 0
    kept = findings[:len(findings) - omitted]   # findings come worst first: failures by severity, then unknowns
    lapsed = report.waivers.expired_waiver if report.waivers else (lambda _: None)
    results = [_result(f, rule_index, _physical(lines.place(f.target), artifacts), report.rule(f.rule), lapsed(f))
               for f in kept]
    # waived findings ride along as suppressed results, within the same per-run limit
    results += waived_results(report, rule_index, lambda f: _physical(lines.place(f.target), artifacts))[
        :max(0, MAX_RESULTS - len(results) - (1 if omitted else 0))]
    notifications: list[dict[str, Any]] = []
    if omitted:
        rules.append(_capped_descriptor())
        results.insert(0, _capped_result(omitted, len(findings), len(rules) - 1, _physical(lines.header(), artifacts)))
        notifications.append({"level": "warning", "message": {"text": results[0]["message"]["text"]},
                              "descriptor": {"id": CAPPED_RULE, "index": len(rules) - 1}})
    if report.baseline is not None:
        mark_baseline(results, report.baseline)
    invocation: dict[str, Any] = {
        "executionSuccessful": True,
        "properties": {"verdict": report.verdict.value, "verdictReason": report.verdict_reason(),
                       "failOn": report.fail_on.value, "unknownPolicy": report.unknown_policy.value,
                       "strict": report.strict, "asOf": report.as_of.instant.isoformat(),
                       "asOfChosen": report.as_of.describe(),
                       "missingData": [m.as_dict() for m in report.missing_data()]}}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "preflight", "version": report.tool_version, "semanticVersion": report.tool_version,
                "informationUri": home_url(docs), "rules": rules, "properties": {"packs": report.packs},
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
            "invocations": [invocation],
            "artifacts": [_artifact(item, root) for item in report.inputs],
            "results": results,
            "properties": {"verdict": report.verdict.value, "omittedResults": omitted, **_baseline_summary(report)},
        }],
    }


def mark_baseline(results: list[dict[str, Any]], gate: BaselineGate) -> None:
    """Give every result its `baselineState` (SARIF: present on one result, present on all of the run): `new`,
    `updated` (regressed: the same finding, now worse) or `unchanged`. A waived result is `unchanged` when the
    baseline had its finding, else `new`; the capped-results note is `unchanged`."""
    diff = gate.diff
    before = {k.fingerprint for k in diff.resolved} | {old.fingerprint for old, _ in (*diff.unchanged, *diff.regressed)}
    new = {k.fingerprint for k in diff.new}
    regressed = {n.fingerprint for _, n in diff.regressed}
    for result in results:
        fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
        if "suppressions" not in result and fingerprint in new:
            result["baselineState"] = "new"
        elif "suppressions" not in result and fingerprint in regressed:
            result["baselineState"] = "updated"
        else:
            result["baselineState"] = "unchanged" if fingerprint in before or fingerprint == CAPPED_RULE else "new"


def _baseline_summary(report: Report) -> dict[str, Any]:
    if report.baseline is None:
        return {}
    diff = report.baseline.diff
    return {"baseline": {"file": report.baseline.file, "new": len(diff.new), "regressed": len(diff.regressed),
                         "unchanged": len(diff.unchanged), "resolved": len(diff.resolved)}}


@formatter("sarif", (".sarif", ".sarif.json"), "SARIF 2.1.0 for code-scanning dashboards", reads_topology=False)
def write_sarif(report: Report, stream: TextIO) -> None:
    """Write the SARIF log."""
    stream.write(json_document(build_sarif(report)) + "\n")


def waived_results(report: Report, rule_index: dict[str, int],
                   place: Callable[[Finding], dict[str, Any]]) -> list[dict[str, Any]]:
    """Waived findings as results with an external, accepted suppression carrying the waiver's reason,
    approver, ticket and expiry (code scanning shows them as dismissed, not as open alerts)."""
    results = []
    for item in report.waivers.waived if report.waivers else ():
        if item.finding.rule not in rule_index:
            continue
        result = _result(item.finding, rule_index, place(item.finding), report.rule(item.finding.rule))
        waiver = item.waiver
        result["suppressions"] = [{
            "kind": "external", "status": "accepted", "justification": waiver.reason,
            "properties": {"approver": waiver.approver, "ticket": waiver.ticket, "expires": waiver.expires_text,
                           "waiver": waiver.where},
        }]
        results.append(result)
    return results
