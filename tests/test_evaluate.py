"""Evaluating a catalog over an estate: statuses, tallies, finding text, order, and the as-of instant per target.

A small site pack over the `vmm` case base (HV01 and HV02 Hyper-V hosts with 96 GB, ESX01 on ESXi, VMM01),
with HV01 carrying twelve VMs and a lower-case host `hv00` added, so each step of `evaluate` shows.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from casefiles import BASES_DIR
from fixture_scope import module_unless_mutating

from preflight.engine.catalog import Catalog, load_catalog
from preflight.engine.checks.base import Context
from preflight.engine.evaluate import AT_RISK_SHOWN, evaluate, evaluate_rule, finding_for
from preflight.engine.findings import Severity, Status
from preflight.estate import Estate
from preflight.inventory import decode_snapshot
from preflight.inventory.as_of import AsOf, AsOfMode
from preflight.pipeline import fix_actions

FILE = "estate.json"
COLLECTED = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)
PACK = '''
[pack]
id = "site-eval"
title = "Evaluation tests"
version = "1.0.0"

[sources.site-eval]
title = "Site standard"
confidence = "site"

[[rules]]
code = "EVA001"
name = "eva-host-memory"
title = "Host has less than 256 GB"
severity = "warning"
target = "hosts"
where = { platform = "hyperv" }
check = "condition"
params = { expect = { "hardware.memory_gb" = { ge = 256 } } }
message = "{name}|{kind}|{value}|{path}|{expected}|{at_risk_count}|{at_risk}|{members}"
rationale = "r"
remediation = "Add memory."
fix = { action = "manual", params = { instruction = "Add memory to {name} ({value} GB, {at_risk_count} VMs)" } }
sources = ["site-eval"]

[[rules]]
code = "EVA002"
name = "eva-winrm-running"
title = "WinRM is running"
severity = "blocker"
target = "vmm_servers"
check = "condition"
params = { expect = { "services[WinRM].state" = "Running" } }
message = "{name}: WinRM is {value}"
rationale = "r"
remediation = "Start WinRM."
sources = ["site-eval"]

[[rules]]
code = "EVA003"
name = "eva-vmm-name"
title = "VMM server has the agreed name"
severity = "blocker"
target = "vmm_servers"
check = "condition"
params = { expect = { "name" = "VMM-PROD" } }
message = "{name} is not VMM-PROD"
rationale = "r"
remediation = "Rename."
sources = ["site-eval"]

[[rules]]
code = "EVA004"
name = "eva-snapshot-fresh"
title = "Snapshot is at most a day old"
severity = "loss"
target = "snapshots"
check = "age"
params = { path = "collected_at", max_days = 1 }
message = "{name} is {age} days old"
rationale = "r"
remediation = "Collect again."
sources = ["site-eval"]

[[rules]]
code = "EVA005"
name = "eva-backup-fresh"
title = "VMM database backup is at most a day old"
severity = "loss"
target = "vmm_servers"
check = "age"
params = { path = "vmm.database.last_full_backup", max_days = 1 }
message = "{name}: backup {age} days old"
rationale = "r"
remediation = "Back up."
sources = ["site-eval"]
'''


@pytest.fixture(scope=module_unless_mutating)
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    directory = tmp_path_factory.mktemp("eval-rules")
    (directory / "site-eval.toml").write_text(PACK, encoding="utf-8")
    return load_catalog([directory], actions=fix_actions())


def estate(edit=None) -> Estate:
    data = json.loads((BASES_DIR / "vmm.json").read_text(encoding="utf-8"))
    data["vms"] += [{"name": f"VM{i:02}", "host": "HV01", "state": "Running"} for i in range(1, 12)]
    hv00 = dict(next(h for h in data["hosts"] if h["name"] == "HV01"), name="hv00", fqdn="hv00.contoso.local")
    data["hosts"].append(hv00)
    if edit:
        edit(data)
    snapshot = decode_snapshot(msgspec.json.encode(data), FILE, ".json")
    return Estate(snapshot, [(FILE, snapshot.snapshot)])


def _by_rule(findings, code: str) -> dict:
    return {f.target.name: f for f in findings if f.rule == code}


def test_a_failing_finding_renders_every_variable_and_makes_evidence_absolute(catalog: Catalog) -> None:
    findings = _by_rule(evaluate(catalog, estate(), COLLECTED).findings, "EVA001")
    assert sorted(findings) == ["HV01", "HV02", "hv00"], "ESX01 is not Hyper-V: n/a, no finding"
    hv01 = findings["HV01"]
    at_risk = ["WEB01", *(f"VM{i:02}" for i in range(1, 12))]
    assert hv01.message == (f"HV01|hosts|96|hardware.memory_gb|hardware.memory_gb at least 256|12|"
                            f"{', '.join(at_risk[:AT_RISK_SHOWN])} and 2 more|")
    assert (hv01.status, hv01.severity, hv01.pack, hv01.name) == (Status.FAIL, Severity.WARNING, "site-eval",
                                                                  "eva-host-memory")
    assert (hv01.target.kind, hv01.target.name) == ("hosts", "HV01")
    assert [(e.path, e.value) for e in hv01.evidence] == [("$.hosts[0].hardware.memory_gb", "96")]
    assert hv01.at_risk == tuple(at_risk) and hv01.members == ()
    assert (hv01.fix_action, hv01.fix_params) == ("manual", (("instruction", "Add memory to HV01 (96 GB, 12 VMs)"),))
    assert hv01.remediation == "Add memory."
    hv02 = findings["HV02"]
    assert hv02.message == "HV02|hosts|96|hardware.memory_gb|hardware.memory_gb at least 256|1|APP01|"
    assert [(e.path, e.value) for e in hv02.evidence] == [("$.hosts[1].hardware.memory_gb", "96")]


def test_exactly_ten_at_risk_names_are_shown_without_more() -> None:
    from preflight.engine.evaluate import _names
    assert _names(tuple(f"V{i}" for i in range(10))) == ", ".join(f"V{i}" for i in range(10))
    assert _names(tuple(f"V{i}" for i in range(11))) == ", ".join(f"V{i}" for i in range(10)) + " and 1 more"
    assert _names(()) == ""


def test_an_unknown_finding_names_what_is_missing(catalog: Catalog) -> None:
    def no_services(data):
        del data["vmm_servers"][0]["services"]
    evaluation = evaluate(catalog, estate(no_services), COLLECTED)
    finding = _by_rule(evaluation.findings, "EVA002")["VMM01"]
    assert finding.status is Status.UNKNOWN and finding.severity is Severity.BLOCKER
    assert finding.message == 'VMM01: cannot evaluate "WinRM is running": not in the snapshot: services[WinRM]'
    assert finding.missing == ("$.vmm_servers[0].services[WinRM]",)
    assert [(e.path, e.value) for e in finding.evidence] == [("$.vmm_servers[0].services[WinRM]", "not collected")]
    assert (finding.target.kind, finding.fix_action) == ("vmm_servers", None)
    assert (finding.name, finding.pack, finding.remediation) == ("eva-winrm-running", "site-eval", "Start WinRM.")
    assert evaluation.tallies["EVA002"] == {Status.UNKNOWN: 1}


def test_tallies_objects_and_order(catalog: Catalog) -> None:
    progress: list[tuple[int, int]] = []
    evaluation = evaluate(catalog, estate(), COLLECTED + timedelta(days=10), lambda done, total: progress.append((done, total)))
    assert progress == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert evaluation.tallies == {
        "EVA001": {Status.FAIL: 3, Status.NOT_APPLICABLE: 1}, "EVA002": {Status.PASS: 1},
        "EVA003": {Status.FAIL: 1}, "EVA004": {Status.FAIL: 1}, "EVA005": {Status.FAIL: 1}}
    assert evaluation.checks == 8
    assert evaluation.status_counts() == {Status.FAIL: 6, Status.NOT_APPLICABLE: 1, Status.PASS: 1}
    assert evaluation.objects == 5, "HV01, HV02, hv00, VMM01 and the snapshot: ESX01 was only n/a"
    assert not evaluation.passed, "passes and n/a are kept only when asked for (--include-passed)"
    # worst severity first, then rule, then target name ignoring case
    assert [(f.rule, f.target.name) for f in evaluation.findings] == [
        ("EVA003", "VMM01"), ("EVA004", "contoso-hq ready for VMM 2012"), ("EVA005", "VMM01"),
        ("EVA001", "hv00"), ("EVA001", "HV01"), ("EVA001", "HV02")]


def test_unknowns_come_after_every_failure(catalog: Catalog) -> None:
    def no_services(data):
        del data["vmm_servers"][0]["services"]
    findings = evaluate(catalog, estate(no_services), COLLECTED).findings
    assert [f.status for f in findings] == [Status.FAIL] * 4 + [Status.UNKNOWN]
    assert findings[-1].rule == "EVA002" and findings[0].rule == "EVA003"


def test_collected_measures_the_snapshot_at_its_own_time_and_the_rest_at_the_run_instant(catalog: Catalog) -> None:
    late = COLLECTED + timedelta(days=10)
    collected = AsOf(late, AsOfMode.COLLECTED, (("other.json", late), (FILE, COLLECTED + timedelta(hours=12))))
    findings = evaluate(catalog, estate(), collected).findings
    assert not _by_rule(findings, "EVA004"), "the snapshot is half a day old at its own collected_at"
    assert "VMM01" in _by_rule(findings, "EVA005"), "the backup is measured at the run-wide instant"
    given = evaluate(catalog, estate(), AsOf(COLLECTED + timedelta(hours=12), AsOfMode.GIVEN)).findings
    assert not _by_rule(given, "EVA004") and not _by_rule(given, "EVA005")
    assert _by_rule(evaluate(catalog, estate(), late).findings, "EVA004")


def test_evaluate_rule_statuses_and_a_crashing_check_names_rule_and_object(catalog: Catalog) -> None:
    rule = catalog.rules["EVA001"]
    targets = {t.name: t for t in estate().targets("hosts")}
    context = Context(now=COLLECTED)
    assert evaluate_rule(rule, targets["ESX01"], context).status is Status.NOT_APPLICABLE
    assert evaluate_rule(rule, targets["HV01"], context).status is Status.FAIL
    unknown = evaluate_rule(dataclasses.replace(rule, where=None), targets["ESX01"], context)
    assert (unknown.status, unknown.missing) == (Status.UNKNOWN, ("hardware",))
    assert finding_for(rule, targets["ESX01"], unknown).missing == ("$.hosts[2].hardware",)

    class Broken:
        def run(self, target, context):
            raise KeyError("boom")

    with pytest.raises(RuntimeError) as caught:
        evaluate_rule(dataclasses.replace(rule, check=Broken()), targets["HV01"], context)
    assert str(caught.value) == "rule EVA001 failed on hosts 'HV01': KeyError('boom')"
    assert isinstance(caught.value.__cause__, KeyError)


def test_link_and_absolute_paths_stay_as_they_are() -> None:
    from preflight.engine.evaluate import _absolute
    target = next(iter(estate().targets("hosts")))
    assert _absolute(target, "@sql.name") == "@sql.name"
    assert _absolute(target, "$.domains[0].name") == "$.domains[0].name"
    assert _absolute(target, "name") == f"{target.json_path}.name" == "$.hosts[0].name"


def test_a_rule_severity_can_be_raised_by_its_outcome(catalog: Catalog) -> None:
    from preflight.engine.checks.base import Outcome
    rule = catalog.rules["EVA001"]
    target = next(t for t in estate().targets("hosts") if t.name == "HV01")
    raised = finding_for(rule, target, Outcome(Status.FAIL, severity="blocker"))
    assert raised.severity is Severity.BLOCKER
    assert finding_for(rule, target, Outcome(Status.FAIL)).severity is Severity.WARNING


def test_variables_keep_numbers_and_show_everything_else(catalog: Catalog) -> None:
    from preflight.engine.checks.base import Outcome
    rule = dataclasses.replace(catalog.rules["EVA001"], message="{n:03d} {flag} {nothing} {name}")
    target = next(t for t in estate().targets("hosts") if t.name == "HV02")
    finding = finding_for(rule, target, Outcome(Status.FAIL, variables={"n": 7, "flag": True, "nothing": None}))
    assert finding.message == "007 true absent HV02"


def test_a_where_on_an_uncollected_field_makes_the_rule_unknown(catalog: Catalog) -> None:
    from preflight.engine.conditions import compile_condition
    rule = dataclasses.replace(catalog.rules["EVA001"], where=compile_condition({"hardware.memory_gb": {"ge": 1}}))
    esx = next(t for t in estate().targets("hosts") if t.name == "ESX01")
    outcome = evaluate_rule(rule, esx, Context(now=COLLECTED))
    assert (outcome.status, outcome.missing) == (Status.UNKNOWN, ("hardware",))


def test_cluster_findings_name_the_nodes_and_unset_variables_render_empty(catalog: Catalog) -> None:
    from preflight.engine.checks.base import Outcome
    data = json.loads((BASES_DIR / "cluster2012.json").read_text(encoding="utf-8"))
    snapshot = decode_snapshot(msgspec.json.encode(data), FILE, ".json")
    (cluster,) = Estate(snapshot, [(FILE, snapshot.snapshot)]).targets("clusters")
    rule = dataclasses.replace(catalog.rules["EVA003"], message="{members}|{value}|{path}|{expected}|{kind}")
    finding = finding_for(rule, cluster, Outcome(Status.FAIL))
    assert finding.message == "HV21, HV22, HV23||||clusters"
    assert finding.members == ("HV21", "HV22", "HV23")
    unknown = finding_for(rule, cluster, Outcome(Status.UNKNOWN, missing=("a", "@b")))
    assert unknown.message == 'HVCLUS01: cannot evaluate "VMM server has the agreed name": not in the snapshot: a, @b'
    assert unknown.missing == ("$.clusters[0].a", "@b")


def test_a_message_keeps_doubled_braces_and_renders_a_variable_its_check_did_not_set_empty(catalog: Catalog) -> None:
    from preflight.engine.checks.base import Outcome
    rule = dataclasses.replace(catalog.rules["EVA003"], message="{name} {{as is}} age={age}")
    (vmm,) = estate().targets("vmm_servers")
    assert finding_for(rule, vmm, Outcome(Status.FAIL)).message == "VMM01 {as is} age="
