"""JUnit XML for CI dashboards (Jenkins, GitLab, Azure DevOps): a testsuite per rule pack, a testcase per
failing or unknown (rule, object), per waived one, per passing one with --include-passed, and one per rule
(skipped when the rule had nothing to check)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TextIO

from preflight.engine.findings import Checked, Finding, Status
from preflight.engine.rules import Rule
from preflight.formatters.registry import formatter
from preflight.report import Report
from preflight.report.waivers import Waiver

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _failure_text(finding: Finding, lapsed: Waiver | None, report: Report) -> str:
    lines = [finding.message, *(f"evidence: {e.path} = {e.value}" for e in finding.evidence)]
    if finding.at_risk:
        lines.append(f"at risk: {len(finding.at_risk)} VM(s)")
    lines.append(f"fix: {finding.remediation}")
    if lapsed is not None:
        lines.append(lapsed.expired_note)
    if report.baseline is not None:
        lines.append(f"baseline: {report.baseline.state(finding)} (against {report.baseline.file})")
    return "\n".join(lines)


def case_name(finding: Finding | Checked) -> str:
    """The stable test name of one (rule, object): rule code and object, and the host of a namesake VM."""
    name = f"{finding.rule} {finding.target.kind}/{finding.target.name}"
    host = finding.target.ref.vm_host
    return name + (f" on {host}" if host else "")


def _passed_case(suite: ET.Element, checked: Checked) -> None:
    """A passing (rule, object) under --include-passed, named as its failure would be, with its evidence."""
    case = ET.SubElement(suite, "testcase", classname=_clean(f"{checked.pack}.{checked.rule}"), name=_clean(case_name(checked)))
    if checked.evidence:
        out = ET.SubElement(case, "system-out")
        out.text = _clean("\n".join(f"evidence: {e.path} = {e.value}" for e in checked.evidence))


def _case(suite: ET.Element, finding: Finding, report: Report) -> None:
    """A testcase for a counted finding, naming the expired waiver that named it and its baseline state."""
    lapsed = report.waivers.expired_waiver(finding) if report.waivers else None
    case = ET.SubElement(suite, "testcase", classname=_clean(f"{finding.pack}.{finding.rule}"), name=_clean(case_name(finding)))
    note = f" ({lapsed.expired_note})" if lapsed is not None else ""
    if finding.status is Status.FAIL:
        failure = ET.SubElement(case, "failure", message=_clean(finding.message + note), type=finding.severity.value)
        failure.text = _clean(_failure_text(finding, lapsed, report))
    else:
        reason = f"not evaluated: the snapshot lacks {', '.join(finding.missing) or 'the data'}"
        ET.SubElement(case, "skipped", message=_clean(reason + note))


def _rule_case(suite: ET.Element, rule: Rule, tally: dict[Status, int]) -> bool:
    """One test per rule named by code and title (never by a count): passed when the rule checked at least
    one object, skipped when it had nothing to check. Returns True when skipped."""
    case = ET.SubElement(suite, "testcase", classname=_clean(f"{rule.pack}.{rule.code}"), name=_clean(f"{rule.code} {rule.title}"))
    counts = {status: tally.get(status, 0) for status in Status}
    checked = counts[Status.PASS] + counts[Status.FAIL] + counts[Status.UNKNOWN]
    if not checked:
        why = "no object it applies to" if counts[Status.NOT_APPLICABLE] else f"no {rule.target} object"
        ET.SubElement(case, "skipped", message=_clean(f"nothing to check: the snapshot has {why}"))
        return True
    out = ET.SubElement(case, "system-out")
    out.text = (f"{counts[Status.PASS]} pass, {counts[Status.FAIL]} fail, {counts[Status.UNKNOWN]} unknown, "
                f"{counts[Status.NOT_APPLICABLE]} not applicable")
    return False


def _properties(suite: ET.Element, report: Report, pack: str) -> None:
    properties = ET.SubElement(suite, "properties")
    for name, text in (("pack_version", report.packs.get(pack, "")), ("verdict", report.verdict.value),
                       ("verdict_reason", report.verdict_reason()), ("as_of", report.as_of.instant.isoformat()),
                       ("as_of_chosen", report.as_of.describe())):
        ET.SubElement(properties, "property", name=name, value=_clean(text))


def build_junit(report: Report) -> ET.Element:
    """The <testsuites> element of the report, valid against the Jenkins JUnit schema (junit-10.xsd):
    <testsuites> carries no `timestamp` or `skipped`; those are per suite."""
    by_pack: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_pack[finding.pack].append(finding)
    rules_by_pack: dict[str, list[Rule]] = defaultdict(list)
    for rule in report.rules:
        rules_by_pack[rule.pack].append(rule)
    passed_by_pack: dict[str, list[Checked]] = defaultdict(list)
    for checked in report.passed or ():
        if checked.status is Status.PASS:
            passed_by_pack[checked.pack].append(checked)
    root = ET.Element("testsuites", name="preflight")
    totals = {"tests": 0, "failures": 0}
    for pack in sorted(set(report.packs) | set(by_pack)):
        suite = ET.SubElement(root, "testsuite", name=pack, timestamp=report.as_of.instant.isoformat(),
                              hostname=_clean(", ".join(i.snapshot for i in report.inputs)))
        _properties(suite, report, pack)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for finding in by_pack.get(pack, ()):
            _case(suite, finding, report)
            counts["tests"] += 1
            counts["failures" if finding.status is Status.FAIL else "skipped"] += 1
        waived_cases(suite, report, pack, counts)
        # with --include-passed each passing (rule, object) is its own test, so a dashboard tracks objects;
        # not-applicable checks are no test at all (the rule's own case says when it had nothing to check)
        for checked in passed_by_pack.get(pack, ()):
            _passed_case(suite, checked)
            counts["tests"] += 1
        for rule in rules_by_pack.get(pack, ()):
            counts["skipped"] += _rule_case(suite, rule, report.tallies.get(rule.code, {}))
            counts["tests"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
        suite.set("errors", "0")
        totals["tests"] += counts["tests"]
        totals["failures"] += counts["failures"]
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    root.set("time", f"{report.elapsed_seconds:.3f}")
    return root


def waived_cases(suite: ET.Element, report: Report, pack: str, counts: dict[str, int]) -> None:
    """A skipped test case per waived finding of `pack`, its message the waiver's reason, approver, ticket
    and expiry; `counts` (tests, skipped) are updated."""
    for item in report.waivers.waived if report.waivers else ():
        finding, waiver = item.finding, item.waiver
        if finding.pack != pack:
            continue
        case = ET.SubElement(suite, "testcase", classname=_clean(f"{finding.pack}.{finding.rule}"),
                             name=_clean(case_name(finding)))
        reason = (f"waived: {waiver.reason} (approved by {waiver.approver}, ticket {waiver.ticket}, "
                  f"expires {waiver.expires_text})")
        ET.SubElement(case, "skipped", message=_clean(reason))
        counts["tests"] += 1
        counts["skipped"] += 1


@formatter("junit", (".xml",), "JUnit XML: a testsuite per pack, a testcase per failing or unknown check "
                              "(and per passing one with --include-passed) and per rule", reads_topology=False)
def write_junit(report: Report, stream: TextIO) -> None:
    """Write JUnit XML."""
    tree = ET.ElementTree(build_junit(report))
    ET.indent(tree, space="  ")
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    tree.write(stream, encoding="unicode")
    stream.write("\n")
