"""The one `Report` object every formatter renders: verdict, findings, counts and provenance."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from preflight.engine.catalog import Catalog
from preflight.engine.evaluate import Evaluation
from preflight.engine.findings import SEVERITIES_WORST_FIRST, Finding, Severity, Status
from preflight.engine.rules import Rule
from preflight.report.topology import TopologyNode

if TYPE_CHECKING:
    from preflight.remediation.verification import Verification

REPORT_SCHEMA = "preflight/report/v1"


class Verdict(str, Enum):
    """Go or no-go for the change."""

    GO = "go"
    NO_GO = "no-go"


@dataclass(frozen=True)
class InputFile:
    """One snapshot file the report rests on."""

    path: str
    sha256: str
    snapshot: str
    collected_at: datetime
    collector: str


@dataclass(frozen=True)
class Report:
    """Everything a formatter may show. Built once per run; never mutated."""

    verdict: Verdict
    fail_on: Severity
    strict: bool
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]
    packs: dict[str, str]
    inputs: tuple[InputFile, ...]
    tool_version: str
    generated_at: datetime
    elapsed_seconds: float
    objects: int
    checks: int
    status_counts: dict[Status, int]
    severity_counts: dict[Severity, int]
    topology: tuple[TopologyNode, ...] = ()
    verification: Verification | None = None
    tallies: dict[str, dict[Status, int]] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> tuple[Finding, ...]:
        """Findings with status fail, worst first."""
        return tuple(f for f in self.findings if f.status is Status.FAIL)

    @property
    def unknowns(self) -> tuple[Finding, ...]:
        """Findings the snapshot could not decide."""
        return tuple(f for f in self.findings if f.status is Status.UNKNOWN)

    def blocking(self) -> tuple[Finding, ...]:
        """Findings that make the verdict no-go."""
        return tuple(f for f in self.findings if _blocks(f, self.fail_on, self.strict))

    def rule(self, code: str) -> Rule | None:
        """The rule with this code, if it was evaluated."""
        return next((r for r in self.rules if r.code == code), None)


def _blocks(finding: Finding, fail_on: Severity, strict: bool) -> bool:
    if finding.severity.rank < fail_on.rank:
        return False
    return finding.status is Status.FAIL or (strict and finding.status is Status.UNKNOWN)


def decide(findings: tuple[Finding, ...], fail_on: Severity, strict: bool) -> Verdict:
    """No-go when a failing rule (or, with `strict`, an unknown one) is at or above `fail_on`."""
    return Verdict.NO_GO if any(_blocks(f, fail_on, strict) for f in findings) else Verdict.GO


def build_report(
    catalog: Catalog,
    evaluation: Evaluation,
    inputs: tuple[InputFile, ...],
    *,
    fail_on: Severity,
    strict: bool,
    tool_version: str,
    generated_at: datetime,
    elapsed_seconds: float,
    topology: tuple[TopologyNode, ...] = (),
) -> Report:
    """Assemble the report of one run."""
    severity_counts = Counter(f.severity for f in evaluation.findings if f.status is Status.FAIL)
    statuses = evaluation.status_counts()
    return Report(
        verdict=decide(evaluation.findings, fail_on, strict),
        fail_on=fail_on,
        strict=strict,
        findings=evaluation.findings,
        rules=tuple(sorted(catalog.rules.values(), key=lambda r: r.code)),
        packs={pack_id: info.version for pack_id, info in sorted(catalog.packs.items())},
        inputs=inputs,
        tool_version=tool_version,
        generated_at=generated_at,
        elapsed_seconds=elapsed_seconds,
        objects=evaluation.objects,
        checks=evaluation.checks,
        status_counts={s: statuses.get(s, 0) for s in Status},
        severity_counts={s: severity_counts.get(s, 0) for s in SEVERITIES_WORST_FIRST},
        topology=topology,
        tallies={code: {s: tally.get(s, 0) for s in Status} for code, tally in evaluation.tallies.items()},
    )
