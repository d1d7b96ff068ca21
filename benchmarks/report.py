"""A report with many findings, for timing the formatters on the size of report a large estate can produce."""

from __future__ import annotations

import dataclasses
from collections import Counter

from preflight.engine.findings import Finding, Status, TargetRef
from preflight.report import Report


def many_findings(report: Report, count: int) -> Report:
    """`report` with its findings repeated on numbered copies of their objects until there are about `count`.

    Each copy keeps the finding's rule, message, evidence and remediation (the text a formatter writes) and
    gets its own object name (``HV0001~2``), so grouping by object works as on a real estate.
    """
    originals = report.findings
    if not originals:
        raise ValueError("the report has no findings to repeat")
    copies: list[Finding] = []
    for round_ in range(-(-count // len(originals))):
        for finding in originals:
            ref = finding.target.ref
            if round_:
                ref = dataclasses.replace(ref, name=f"{ref.name}~{round_}")
            copies.append(dataclasses.replace(finding, target=TargetRef.of(ref), fingerprint=""))
    copies = copies[:count]
    statuses = Counter(f.status for f in copies)
    severities = Counter(f.severity for f in copies if f.status is Status.FAIL)
    return dataclasses.replace(
        report, findings=tuple(copies),
        status_counts={status: statuses.get(status, 0) for status in report.status_counts},
        severity_counts={severity: severities.get(severity, 0) for severity in report.severity_counts},
    )
