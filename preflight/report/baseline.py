"""Findings compared by fingerprint: a previous JSON report as a baseline, and the four-way finding diff.

A fingerprint (engine/findings.py) depends only on the rule and the object's identity, so the same
finding in two runs has the same fingerprint whatever its message, evidence or severity say today.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import msgspec

from preflight.engine.findings import Finding, Severity, Status
from preflight.errors import InputError, split_validation_error
from preflight.inventory.read import read_input, to_utf8

REPORT_SCHEMA_ID = "preflight/report/v1"


@dataclass(frozen=True)
class FindingKey:
    """What a diff needs of one finding: its fingerprint, rule, object, severity, status and message."""

    fingerprint: str
    rule: str
    kind: str
    name: str
    severity: Severity
    status: Status
    message: str

    @classmethod
    def of(cls, finding: Finding) -> FindingKey:
        """The key of a finding of this run."""
        return cls(finding.fingerprint, finding.rule, finding.target.kind, finding.target.name, finding.severity,
                   finding.status, finding.message)

    def as_dict(self) -> dict[str, str]:
        """The JSON shape of a finding in a diff."""
        return {"fingerprint": self.fingerprint, "rule": self.rule, "kind": self.kind, "name": self.name,
                "severity": self.severity.value, "status": self.status.value, "message": self.message}


class _Target(msgspec.Struct):
    kind: str
    name: str


class _FindingDoc(msgspec.Struct):
    rule: str
    severity: Literal["blocker", "loss", "warning", "advisory"]
    status: Literal["fail", "unknown"]
    target: _Target
    fingerprint: str
    message: str = ""


class _Header(msgspec.Struct):
    schema: str = ""


class _ReportDoc(msgspec.Struct):
    schema: str
    findings: list[_FindingDoc]


def is_report_document(data: bytes) -> bool:
    """True when JSON bytes are a preflight JSON report (its top-level `schema`), not a snapshot."""
    try:
        raw = json.loads(data)
    except ValueError:
        return False
    return isinstance(raw, dict) and raw.get("schema") == REPORT_SCHEMA_ID


def read_report_findings(path: Path) -> tuple[FindingKey, ...]:
    """The counted findings (fail and unknown) of a JSON report written by `--format json`.

    Anything else (a snapshot, another tool's JSON, a report of another schema) is an `InputError`.
    """
    file = str(path)
    data = to_utf8(read_input(path), file)
    try:
        schema = msgspec.json.decode(data, type=_Header).schema
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise InputError(file, None, f"not a preflight JSON report ({exc}); write one with preflight check --format json -o FILE") from None
    if schema != REPORT_SCHEMA_ID:
        raise InputError(file, "$.schema", f"expected {REPORT_SCHEMA_ID!r} (a preflight JSON report: preflight check "
                                           f"--format json -o FILE), got {schema[:60]!r}")
    try:
        doc = msgspec.json.decode(data, type=_ReportDoc)
    except msgspec.ValidationError as exc:
        field, kind, problem = split_validation_error(exc)
        text = {"missing": "required key is missing", "unknown": "unknown key"}.get(kind or "", problem)
        raise InputError(file, field, f"{text} (expected a preflight JSON report: preflight check --format json -o FILE)") from None
    return tuple(FindingKey(f.fingerprint, f.rule, f.target.kind, f.target.name, Severity(f.severity), Status(f.status),
                            f.message) for f in doc.findings)


def _worse(old: FindingKey, new: FindingKey) -> bool:
    """Severity went up, or a check that could not be evaluated now fails."""
    return new.severity.rank > old.severity.rank or (old.status is Status.UNKNOWN and new.status is Status.FAIL)


@dataclass(frozen=True)
class FindingsDiff:
    """Findings by fingerprint: new, resolved (gone), regressed (severity up, or unknown -> fail), unchanged."""

    new: tuple[FindingKey, ...]
    resolved: tuple[FindingKey, ...]
    regressed: tuple[tuple[FindingKey, FindingKey], ...]
    unchanged: tuple[tuple[FindingKey, FindingKey], ...]

    @property
    def worsened(self) -> frozenset[str]:
        """Fingerprints of the findings that are new or regressed: what a baseline gate counts."""
        return frozenset([k.fingerprint for k in self.new] + [new.fingerprint for _, new in self.regressed])


def compare_findings(old: tuple[FindingKey, ...], new: tuple[FindingKey, ...]) -> FindingsDiff:
    """Compare two runs' findings by fingerprint (each list in its own order, worst first as reports write them)."""
    before = {k.fingerprint: k for k in old}
    after = {k.fingerprint: k for k in new}
    regressed: list[tuple[FindingKey, FindingKey]] = []
    unchanged: list[tuple[FindingKey, FindingKey]] = []
    for key in new:
        previous = before.get(key.fingerprint)
        if previous is not None:
            (regressed if _worse(previous, key) else unchanged).append((previous, key))
    return FindingsDiff(tuple(k for k in new if k.fingerprint not in before),
                        tuple(k for k in old if k.fingerprint not in after), tuple(regressed), tuple(unchanged))


@dataclass(frozen=True)
class BaselineGate:
    """`check --baseline FILE`: only findings new or regressed since the baseline decide the verdict."""

    file: str
    diff: FindingsDiff

    @cached_property
    def _worsened(self) -> frozenset[str]:
        return self.diff.worsened

    @cached_property
    def _new(self) -> frozenset[str]:
        return frozenset(k.fingerprint for k in self.diff.new)

    def counts(self, finding: Finding) -> bool:
        """True when the finding is new or regressed since the baseline."""
        return finding.fingerprint in self._worsened

    def state(self, finding: Finding) -> str:
        """'new', 'regressed' or 'known' (the baseline had it, no worse)."""
        if finding.fingerprint in self._new:
            return "new"
        return "regressed" if finding.fingerprint in self._worsened else "known"

    def as_dict(self) -> dict[str, object]:
        """The JSON shape: the baseline file and the fingerprints in each class."""
        return {"file": self.file, "new": [k.fingerprint for k in self.diff.new],
                "regressed": [n.fingerprint for _, n in self.diff.regressed],
                "unchanged": len(self.diff.unchanged), "resolved": [k.fingerprint for k in self.diff.resolved]}


def baseline_gate(file: str, baseline: tuple[FindingKey, ...], findings: tuple[Finding, ...]) -> BaselineGate:
    """The gate comparing this run's counted findings with a baseline's."""
    return BaselineGate(file, compare_findings(baseline, tuple(FindingKey.of(f) for f in findings)))
