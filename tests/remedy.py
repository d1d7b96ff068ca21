"""Test helpers: evaluate rules on a case snapshot, plan the fixes, apply them in the emulator."""

from __future__ import annotations

import msgspec

from preflight.engine.checks.base import Context
from preflight.engine.evaluate import evaluate_rule, finding_for
from preflight.engine.findings import Finding, Severity, Status, TargetRef
from preflight.estate import Estate
from preflight.inventory import decode_snapshot
from preflight.inventory.references import check_references
from preflight.inventory.refs import ObjectRef
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import load_rules

CATALOG = load_rules()


def snapshot_of(data: dict, name: str = "case.json") -> Snapshot:
    snapshot = decode_snapshot(msgspec.json.encode(data), name, ".json")
    check_references(snapshot, name)
    return snapshot


def findings_of(snapshot: Snapshot, codes: list[str], now) -> list[Finding]:
    estate = Estate(snapshot, [("case.json", snapshot.snapshot)], CATALOG.os_releases())
    found = []
    for code in codes:
        rule = CATALOG.rules[code]
        for target in estate.targets(rule.target):
            outcome = evaluate_rule(rule, target, Context(now=now))
            if outcome.status in (Status.FAIL, Status.UNKNOWN):
                found.append(finding_for(rule, target, outcome))
    return found


def fix_finding(kind: str, name: str, rule: str, action: str | None = None, params: dict[str, str] | None = None,
                *, owner: str | None = None, status: Status = Status.FAIL) -> Finding:
    """A finding of `rule` on one object asking for `action` with `params` (as an organisation's own rule may), to
    plan fixes without evaluating rules; no action: a manual step. `owner`: the host of an item such as a team."""
    ref = ObjectRef(kind, name, ObjectRef("hosts", owner)) if owner else ObjectRef(kind, name)
    return Finding(rule, rule.lower(), "org", Severity.WARNING, status, TargetRef.of(ref), "m", "Do it by hand.",
                   fix_action=action, fix_params=tuple((params or {}).items()))
