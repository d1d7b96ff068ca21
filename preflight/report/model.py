"""The one `Report` object every formatter renders: verdict, findings, counts and provenance."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from preflight.engine.catalog import Catalog
from preflight.engine.evaluate import Evaluation
from preflight.engine.findings import SEVERITIES_WORST_FIRST, STATUSES, Checked, Finding, Severity, Status
from preflight.engine.rules import Rule
from preflight.inventory.as_of import AsOf
from preflight.report.baseline import BaselineGate, FindingKey, baseline_gate
from preflight.report.topology import TopologyNode
from preflight.report.waivers import WaiverFile, WaiverOutcome, apply_waivers

if TYPE_CHECKING:
    from preflight.remediation.verification import Verification

REPORT_SCHEMA = "preflight/report/v1"


class Verdict(str, Enum):
    """Go, no-go, or incomplete: nothing fails but the snapshot lacks data a deciding check needs."""

    GO = "go"
    NO_GO = "no-go"
    INCOMPLETE = "incomplete"


class UnknownPolicy(str, Enum):
    """What an unknown check at or above `--fail-on` does to the verdict."""

    INCOMPLETE = "incomplete"  # the default: the verdict is INCOMPLETE (never GO)
    ALLOW = "allow"            # --allow-unknown: unknown counts as pass
    STRICT = "strict"          # --strict: unknown counts as a failure (NO-GO)


@dataclass(frozen=True)
class MissingData:
    """The fields one object lacks for the checks that decide the verdict."""

    kind: str
    name: str
    fields: tuple[str, ...]
    rules: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """The JSON shape every format writes: kind, name, fields and rules."""
        return {"kind": self.kind, "name": self.name, "fields": list(self.fields), "rules": list(self.rules)}


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
    unknown_policy: UnknownPolicy
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]
    packs: dict[str, str]
    inputs: tuple[InputFile, ...]
    tool_version: str
    as_of: AsOf
    elapsed_seconds: float
    objects: int
    checks: int
    status_counts: dict[Status, int]
    severity_counts: dict[Severity, int]
    topology: tuple[TopologyNode, ...] = ()
    verification: Verification | None = None
    tallies: dict[str, dict[Status, int]] = field(default_factory=dict)
    empty: bool = False
    waivers: WaiverOutcome | None = None
    baseline: BaselineGate | None = None

    @property
    def waived_count(self) -> int:
        """Failing or unknown checks a waiver in force took out of the verdict."""
        return len(self.waivers.waived) if self.waivers else 0

    def gated(self) -> tuple[Finding, ...]:
        """The findings that may decide the verdict: all counted ones, or with --baseline only the new or regressed."""
        if self.baseline is None:
            return self.findings
        return tuple(f for f in self.findings if self.baseline.counts(f))
    passed: tuple[Checked, ...] | None = None  # every pass and n/a with --include-passed; None when not asked for

    @property
    def strict(self) -> bool:
        """Unknowns at or above `fail_on` count as failures (--strict)."""
        return self.unknown_policy is UnknownPolicy.STRICT

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
        return tuple(f for f in self.gated() if _blocks(f, self.fail_on, self.strict))

    def deciding_unknowns(self) -> tuple[Finding, ...]:
        """Unknown findings at or above `fail_on`: the checks that keep the verdict from GO."""
        return tuple(f for f in self.gated() if f.status is Status.UNKNOWN and f.severity.rank >= self.fail_on.rank)

    def missing_data(self) -> tuple[MissingData, ...]:
        """Per object, the fields the deciding unknown checks lack (what to collect to reach a verdict)."""
        return missing_by_object(self.deciding_unknowns())

    def verdict_reason(self) -> str:
        """One sentence saying why the verdict is what it is."""
        return verdict_reason(self)

    def rule(self, code: str) -> Rule | None:
        """The rule with this code, if it was evaluated."""
        return next((r for r in self.rules if r.code == code), None)


def _blocks(finding: Finding, fail_on: Severity, strict: bool) -> bool:
    if finding.severity.rank < fail_on.rank:
        return False
    return finding.status is Status.FAIL or (strict and finding.status is Status.UNKNOWN)


def decide(findings: tuple[Finding, ...], fail_on: Severity, policy: UnknownPolicy, *, empty: bool = False) -> Verdict:
    """NO-GO when a failing rule (or, with --strict, an unknown one) is at or above `fail_on`; else
    INCOMPLETE when an unknown one is there (unless --allow-unknown) or the estate holds no object at
    all; else GO. GO therefore means every applicable check at or above `fail_on` was evaluated and passed.
    """
    strict = policy is UnknownPolicy.STRICT
    if any(_blocks(f, fail_on, strict) for f in findings):
        return Verdict.NO_GO
    if empty:
        return Verdict.INCOMPLETE
    if policy is UnknownPolicy.INCOMPLETE and any(
            f.status is Status.UNKNOWN and f.severity.rank >= fail_on.rank for f in findings):
        return Verdict.INCOMPLETE
    return Verdict.GO


def missing_by_object(findings: tuple[Finding, ...]) -> tuple[MissingData, ...]:
    """Group unknown findings by object: the missing field paths and the rules that need them."""
    grouped: dict[tuple[str, str], tuple[dict[str, None], dict[str, None]]] = {}
    for finding in findings:
        fields, rules = grouped.setdefault((finding.target.kind, finding.target.name), ({}, {}))
        fields.update(dict.fromkeys(finding.missing))
        rules[finding.rule] = None
    return tuple(MissingData(kind, name, tuple(fields), tuple(rules)) for (kind, name), (fields, rules) in grouped.items())


def verdict_reason(report: Report) -> str:
    """Why the verdict is what it is, in one sentence (shared by every format)."""
    reason = _verdict_reason(report)
    if report.baseline is not None:
        known = len(report.findings) - len(report.gated())
        reason += (f" (only findings new or regressed since the baseline {report.baseline.file} count: "
                   f"{known} known finding{'s' if known != 1 else ''} did not)")
    return reason


def _verdict_reason(report: Report) -> str:
    level = report.fail_on.value
    nothing = "nothing new or regressed" if report.baseline is not None else "nothing"
    if report.verdict is Verdict.NO_GO:
        extra = " or cannot be evaluated there (--strict)" if report.strict else ""
        what = "a new or regressed finding" if report.baseline is not None else "a rule"
        return f"no-go: {what} fails at or above '{level}'{extra}"
    if report.verdict is Verdict.INCOMPLETE:
        if report.empty:
            return "incomplete: the snapshot describes no server, host, cluster or VM, so nothing was checked"
        count = len(report.deciding_unknowns())
        return (f"incomplete: {nothing} fails at or above '{level}', but {count} check{'s' if count != 1 else ''} "
                f"there could not be evaluated (data not collected); collect it, or pass --allow-unknown")
    if report.unknown_policy is UnknownPolicy.ALLOW and report.deciding_unknowns():
        return f"go: {nothing} fails at or above '{level}' (unknown checks counted as pass: --allow-unknown)"
    if report.baseline is not None:
        return f"go: {nothing} fails at or above '{level}'"
    return f"go: every applicable check at or above '{level}' was evaluated and passed"


def build_report(
    catalog: Catalog,
    evaluation: Evaluation,
    inputs: tuple[InputFile, ...],
    *,
    fail_on: Severity,
    unknown_policy: UnknownPolicy,
    tool_version: str,
    as_of: AsOf,
    elapsed_seconds: float,
    topology: tuple[TopologyNode, ...] = (),
    empty: bool = False,
    waivers: tuple[WaiverFile, ...] = (),
    baseline: tuple[str, tuple[FindingKey, ...]] | None = None,
    include_passed: bool = False,
) -> Report:
    """Assemble the report of one run (`empty`: the estate holds no object to check).

    `waivers` take the findings they name out of the verdict (they stay in the report as waived);
    `baseline` (file, its findings) lets only findings new or regressed since then decide the verdict.
    """
    outcome = apply_waivers(evaluation.findings, waivers, as_of.instant) if waivers else None
    findings = outcome.counted if outcome else evaluation.findings
    gate = baseline_gate(baseline[0], baseline[1], findings) if baseline is not None else None
    severity_counts = Counter(f.severity for f in findings if f.status is Status.FAIL)
    statuses = evaluation.status_counts()
    for item in outcome.waived if outcome else ():
        statuses[item.finding.status] -= 1   # a waived check is counted as waived, not as fail or unknown
    return Report(
        verdict=decide(tuple(f for f in findings if gate is None or gate.counts(f)), fail_on, unknown_policy, empty=empty),
        fail_on=fail_on,
        unknown_policy=unknown_policy,
        findings=findings,
        rules=tuple(sorted(catalog.rules.values(), key=lambda r: r.code)),
        packs={pack_id: info.version for pack_id, info in sorted(catalog.packs.items())},
        inputs=inputs,
        tool_version=tool_version,
        as_of=as_of,
        elapsed_seconds=elapsed_seconds,
        objects=evaluation.objects,
        checks=evaluation.checks,
        status_counts={s: statuses.get(s, 0) for s in STATUSES},
        severity_counts={s: severity_counts.get(s, 0) for s in SEVERITIES_WORST_FIRST},
        topology=topology,
        tallies={code: {s: tally.get(s, 0) for s in STATUSES} for code, tally in evaluation.tallies.items()},
        empty=empty,
        waivers=outcome,
        baseline=gate,
        passed=evaluation.passed if include_passed else None,
    )
