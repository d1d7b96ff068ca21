"""Tested rule metadata: every rule is documented, sourced and has passing and failing cases."""

from __future__ import annotations

import re

import pytest
from casefiles import load_cases

from preflight.pipeline import load_rules

CATALOG = load_rules()
CASES = load_cases()
RULES = sorted(CATALOG.rules.values(), key=lambda r: r.code)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented_and_sourced(rule) -> None:
    assert rule.title and len(rule.title) < 120
    assert len(rule.rationale) > 40, "rationale must say why it matters"
    assert len(rule.remediation) > 20, "remediation must say how to fix it"
    assert rule.sources and all(s in CATALOG.sources for s in rule.sources)
    assert "{name}" in rule.message, "the message must name the object"
    assert rule.powershell, "every rule shows the PowerShell a person would run to check or fix it"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_passing_and_failing_cases(rule) -> None:
    cases = [c for c in CASES if c.rule == rule.code]
    assert cases, f"no case file fixtures/rules/{rule.code}.toml"
    statuses = {e.status for c in cases for e in c.expect}
    assert "fail" in statuses, f"{rule.code} has no failing case"
    assert "pass" in statuses, f"{rule.code} has no passing case"


def test_every_case_file_names_a_rule() -> None:
    unknown = {c.rule for c in CASES} - set(CATALOG.rules)
    assert not unknown, f"case files for rules that do not exist: {sorted(unknown)}"


def test_every_matrix_row_has_a_known_source() -> None:
    for matrix in CATALOG.matrices.values():
        for table, rows in matrix.tables.items():
            for row in rows:
                assert row.get("source") in CATALOG.sources, f"{matrix.id}.{table}: {row}"


def test_every_source_can_be_rechecked() -> None:
    """Each source carries an address or a file; the tool's own policies are tagged `site`."""
    vague = sorted(k for k, s in CATALOG.sources.items() if not (s.url or s.file))
    assert not vague, f"sources with neither url nor file: {vague}"
    for policy in ("net-busy-host-policy", "vmm-other-roles", "preflight-policy", "vmm-backup-window"):
        assert CATALOG.sources[policy].confidence == "site", policy


def test_matrix_rows_name_known_inclusion_sources() -> None:
    for matrix in CATALOG.matrices.values():
        for table, rows in matrix.tables.items():
            for row in rows:
                if "included_in" in row:
                    assert row.get("included_in_source") in CATALOG.sources, f"{matrix.id}.{table}: {row}"


def test_vss_frequency_range_cites_the_page_that_states_it() -> None:
    """The 1-12 hour range is on the 2012 Enable-VMReplication page; the 2012 R2 page gives no range."""
    rows = CATALOG.matrices["hyperv-replica"].tables["vss_frequency"]
    assert rows and {row["source"] for row in rows} == {"net-ps-enable-vmreplication-2012"}
