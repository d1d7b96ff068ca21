"""`preflight diff OLD NEW`: each side a snapshot (checked now) or a JSON report (read); findings compared by
fingerprint and, when both sides are snapshots, the facts that changed per object."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from preflight.errors import InputError
from preflight.inventory.facts_diff import changed_facts
from preflight.inventory.read import read_input, to_utf8
from preflight.pipeline.check import CheckRequest, run_check
from preflight.report.baseline import FindingKey, compare_findings, is_report_document, read_report_findings
from preflight.report.diff import DiffSide, EstateDiff


def _is_report(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    return is_report_document(to_utf8(read_input(path), str(path)))


def load_side(path: Path, request: CheckRequest) -> DiffSide:
    """A JSON report is read as it is; anything else is checked as a snapshot with `request`'s rules and as-of."""
    if _is_report(path):
        return DiffSide(str(path), "report", read_report_findings(path))
    if path.suffix.lower() not in (".json", ".toml"):
        raise InputError(str(path), None, "expected a snapshot (.json or .toml) or a JSON report (--format json)")
    report, estate, _ = run_check(dataclasses.replace(request, snapshots=(path,)))
    return DiffSide(str(path), "snapshot", tuple(FindingKey.of(f) for f in report.findings), estate.snapshot,
                    report.as_of.instant.isoformat())


def run_diff(old: Path, new: Path, request: CheckRequest) -> EstateDiff:
    """Compare two sides (each a snapshot or a JSON report)."""
    before, after = load_side(old, request), load_side(new, request)
    facts = (changed_facts(before.snapshot, after.snapshot)
             if before.snapshot is not None and after.snapshot is not None else None)
    return EstateDiff(before, after, compare_findings(before.findings, after.findings), facts)
