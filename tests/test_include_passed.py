"""`--include-passed`: the JSON report lists every passing and not-applicable check, so an auditor sees that a
rule ran on an object and passed, not only that nothing failed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from preflight.cli import main

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"


def _report(capsys, *extra: str) -> dict:
    main(["check", str(ESTATES / "blocked.json"), "-f", "json", "-q", "--as-of", "collected", *extra])
    return json.loads(capsys.readouterr().out)


def test_passing_and_not_applicable_checks_are_listed_with_evidence(capsys) -> None:
    report = _report(capsys, "--include-passed")
    passed = report["passed"]
    statuses = Counter(item["status"] for item in passed)
    assert statuses["pass"] == report["summary"]["status"]["pass"]
    assert statuses["n/a"] == report["summary"]["status"]["n/a"]
    assert set(statuses) == {"pass", "n/a"}
    # every (rule, object) pair is either a finding or a passed entry: nothing is left out, nothing twice
    pairs = [(f["rule"], f["target"]["kind"], f["target"]["name"]) for f in report["findings"] + passed]
    assert len(pairs) == report["summary"]["checks"] and len(set(pairs)) == len(pairs)
    winrm = next(p for p in passed if p["rule"] == "VMM010" and p["status"] == "pass")
    assert winrm == {"rule": "VMM010", "name": "vmm-winrm-running", "pack": "vmm2012", "status": "pass",
                     "target": {"kind": "vmm_servers", "name": "FAB-VMM-BR01"},
                     "evidence": [{"path": "$.vmm_servers[1].services[WinRM].state", "value": "Running"}]}


def test_without_the_option_the_report_has_no_passed_list(capsys) -> None:
    assert "passed" not in _report(capsys)
