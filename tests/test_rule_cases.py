"""One shared harness runs every per-rule case file (ids CODE-case)."""

from __future__ import annotations

import msgspec
import pytest
from casefiles import Case, load_cases

from preflight.engine.checks.base import Context
from preflight.engine.evaluate import evaluate_rule, finding_for
from preflight.engine.findings import Status
from preflight.estate import Estate
from preflight.inventory import decode_snapshot
from preflight.inventory.references import check_references
from preflight.pipeline import load_rules

CATALOG = load_rules()
CASES = load_cases()


def _estate(case: Case) -> Estate:
    snapshot = decode_snapshot(msgspec.json.encode(case.snapshot), str(case.file), ".json")
    check_references(snapshot, str(case.file))
    return Estate(snapshot, [(str(case.file), snapshot.snapshot)], CATALOG.os_releases())


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{c.id}" for c in CASES])
def test_rule_case(case: Case) -> None:
    rule = CATALOG.rules[case.rule]
    estate = _estate(case)
    outcomes = {}
    for target in estate.targets(rule.target):
        outcome = evaluate_rule(rule, target, Context(now=case.now))
        outcomes[target.name.casefold()] = (target, outcome)
    expected = {e.target.casefold(): e for e in case.expect}
    for name, expectation in expected.items():
        assert name in outcomes, f"{case.rule}: no {rule.target} target named {expectation.target!r} (have {sorted(outcomes)})"
        target, outcome = outcomes[name]
        assert outcome.status.value == expectation.status, (
            f"{case.rule} on {expectation.target}: expected {expectation.status}, got {outcome.status.value} "
            f"(evidence {outcome.evidence}, missing {outcome.missing})")
        if outcome.status in (Status.FAIL, Status.UNKNOWN):
            finding = finding_for(rule, target, outcome)
            if expectation.severity is not None:
                assert finding.severity.value == expectation.severity, (
                    f"{case.rule} on {expectation.target}: expected severity {expectation.severity}, got {finding.severity.value}")
            for text in expectation.message_contains:
                assert text in finding.message, f"{text!r} not in message {finding.message!r}"
            shown = " | ".join(f"{e.path} = {e.value}" for e in finding.evidence)
            for text in expectation.evidence_contains:
                assert text in shown, f"{text!r} not in evidence {shown!r}"
    for name, (target, outcome) in outcomes.items():
        if name not in expected:
            assert outcome.status in (Status.PASS, Status.NOT_APPLICABLE), (
                f"{case.rule} on unlisted {target.name}: {outcome.status.value} {outcome.evidence} {outcome.missing}")


# Rules no snapshot can leave unknown: every field they read is required by the schema or always derived.
NEVER_UNKNOWN = {
    "INV001": "snapshot.collected_at is required",
    "NIC002": "a team's members list is required",
    "PLT003": "platform is required, and a host without managed_by is unmanaged (null), not uncollected",
    "REP010": "a Replica server's name is required and its @role is always derived (host or broker)",
    "SQL005": "a SQL Server's name is required and @vmm_servers is always derived",
    "VMM005": "a VMM server's name is required",
    "VMM006": "a VMM server's name is required",
}


def _statuses() -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {code: set() for code in CATALOG.rules}
    for case in CASES:
        seen[case.rule].update(e.status for e in case.expect)
    return seen


def test_every_rule_with_a_where_has_a_not_applicable_case() -> None:
    seen = _statuses()
    assert sorted(code for code, rule in CATALOG.rules.items() if rule.where is not None and "n/a" not in seen[code]) == []


def test_every_rule_has_an_unknown_case_or_says_why_it_cannot_be_unknown() -> None:
    seen = _statuses()
    assert sorted(code for code in CATALOG.rules if "unknown" not in seen[code] and code not in NEVER_UNKNOWN) == []
    assert sorted(code for code in NEVER_UNKNOWN if "unknown" in seen[code]) == [], "listed but has an unknown case"
    assert set(NEVER_UNKNOWN) <= set(CATALOG.rules)


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    seen = _statuses()
    assert sorted(code for code in CATALOG.rules if not {"fail", "pass"} <= seen[code]) == []
