"""One shared harness runs every per-rule case file (ids CODE-case)."""

from __future__ import annotations

import pytest
from casefiles import Case, load_cases, run_case

from preflight.pipeline import load_rules

CATALOG = load_rules()
CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_case(case: Case) -> None:
    problems = run_case(case, CATALOG)
    assert problems == [], f"{case.rule}: " + "; ".join(problems)


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
