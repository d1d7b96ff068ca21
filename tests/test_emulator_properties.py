"""Property-based cross-checks: the rule engine and the emulated VMM 2012 setup agree on what blocks the upgrade;
the rendered script reads back as the plan, executes as the plan predicts, and a rerun changes nothing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from casefiles import load_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from remedy import CATALOG, findings_of, snapshot_of

from preflight.emulator import EmulatedEstate, run_vmm_upgrade
from preflight.emulator.script import parse_script, top_level_statements
from preflight.engine.findings import Severity, Status
from preflight.inventory import decode_snapshot, encode_json
from preflight.inventory.references import check_references
from preflight.remediation.apply import apply_plan, apply_steps
from preflight.remediation.fates import mark_failed_steps
from preflight.remediation.plan import build_plan
from preflight.remediation.powershell import flags, header, render_script
from preflight.remediation.script_run import run_script

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Rules that restate one of VMM 2012 setup's own prerequisite checks, and the emulator's id for that check.
SETUP_RULES = {
    "VMM001": "vmm-2008r2-sp1", "VMM002": "os-version", "VMM003": "os-full-installation", "VMM004": "domain-member",
    "VMM005": "computer-name-length", "VMM006": "computer-name-scvmm", "VMM007": "no-older-waik",
    "VMM008": "waik-windows7", "VMM010": "winrm-running", "VMM012": "winrm-version", "VMM013": "ha-domain-account",
    "VMM014": "ha-dkm", "SQL001": "sql-not-express", "SQL002": "sql-version-edition", "SQL003": "sql-64-bit",
    "SQL004": "sql-collation", "SQL005": "sql-name-length", "SQL007": "sql-trust",
}
CODES = [c for c in SETUP_RULES if c in CATALOG.rules]
BASE = next(c for c in load_cases() if c.rule == "VMM010").snapshot

WAIKS = {"none": [], "old": [("1.1.0.0",)], "new": [("2.0.0.0",)], "both": [("1.1.0.0",), ("2.0.0.0",)]}


@st.composite
def estates(draw) -> dict:
    data = copy.deepcopy(BASE)
    server, sql = data["vmm_servers"][0], data["sql_servers"][0]
    server["name"] = draw(st.sampled_from(["VMM01", "VMMMANAGEMENT016", "FAB-SCVMM-01"]))
    for host in data["hosts"]:
        host["managed_by"] = server["name"]
    for other in (*data["library_servers"], *data["vcenters"]):
        other["managed_by"] = server["name"]
    server["domain"] = draw(st.sampled_from(["contoso.local", None]))
    server["os"].update(version=draw(st.sampled_from(["6.1.7601", "6.2.9200"])),
                        edition=draw(st.sampled_from(["Enterprise", "Web"])),
                        installation_type=draw(st.sampled_from(["Full", "Core"])))
    server["vmm"]["version"] = draw(st.sampled_from(["2.0.4521.0", "2.0.4271.0"]))
    server["vmm"]["service_pack"] = 1 if server["vmm"]["version"] == "2.0.4521.0" else 0
    ha = draw(st.booleans())
    server["vmm"].update(highly_available=ha, service_account=draw(st.sampled_from(["domain", "local-system"])),
                         dkm_container=draw(st.sampled_from([None, "CN=VMMDKM,DC=contoso,DC=local"])))
    software = [s for s in server["installed_software"] if "Automated Installation Kit" not in s["name"]]
    software += [{"name": "Windows Automated Installation Kit", "version": v} for (v,) in WAIKS[draw(st.sampled_from(sorted(WAIKS)))]]
    server["installed_software"] = software
    server["services"][0].update(state=draw(st.sampled_from(["Running", "Stopped"])), version=draw(st.sampled_from(["2.0", "1.1"])))
    sql_name = draw(st.sampled_from(["SQL01", "SQLSERVERCLUSTER1"]))
    sql.update(name=sql_name, edition=draw(st.sampled_from(["Enterprise", "Express", "Standard", "Workgroup"])),
               version=draw(st.sampled_from(["10.50.2500.0", "10.0.5500.0", "11.0.2100.60"])),
               architecture=draw(st.sampled_from(["x64", "x86"])),
               collation=draw(st.sampled_from(["SQL_Latin1_General_CP1_CI_AS", "Latin1_General_CS_AS"])),
               domain=draw(st.sampled_from(["contoso.local", "fabrikam.local"])))
    server["vmm"]["database"]["server"] = sql_name
    return data


def _engine_blockers(snapshot) -> set[str]:
    return {SETUP_RULES[f.rule] for f in findings_of(snapshot, CODES, NOW)
            if f.status is Status.FAIL and f.severity is Severity.BLOCKER}


def _setup_failures(snapshot) -> set[str]:
    result = run_vmm_upgrade(EmulatedEstate(snapshot), snapshot.vmm_servers[0].name)
    assert not result.undetermined
    assert result.succeeded == (not result.failed)
    return {c.id for c in result.failed}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_engine_blocks_exactly_when_emulated_setup_rolls_back(data: dict) -> None:
    snapshot = snapshot_of(data)
    assert _engine_blockers(snapshot) == _setup_failures(snapshot)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_after_the_plan_engine_and_setup_still_agree_and_the_export_is_valid(data: dict) -> None:
    snapshot = snapshot_of(data)
    plan = build_plan(findings_of(snapshot, sorted(CATALOG.rules), NOW), snapshot, include_upgrade=False)
    state, _ = apply_plan(plan, snapshot)
    exported = decode_snapshot(encode_json(state.export()), "emulated.json", ".json")
    check_references(exported, "emulated.json")
    blockers = _engine_blockers(exported)
    assert blockers == _setup_failures(exported)
    if not blockers:  # a plan that clears every setup blocker leaves an estate VMM 2012 setup accepts
        assert run_vmm_upgrade(EmulatedEstate(exported), exported.vmm_servers[0].name).succeeded


def _as_called(step) -> tuple:
    return (step.number, step.server, step.action, step.channel, step.object_kind, step.object_name, step.item,
            step.param_dict, step.moves, tuple(flags(step)), step.blocked or "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_the_rendered_script_reads_back_and_executes_as_the_plan_predicts_and_reruns_as_a_no_op(data: dict) -> None:
    snapshot = snapshot_of(data)
    plan = build_plan(findings_of(snapshot, sorted(CATALOG.rules), NOW), snapshot)
    script = render_script(plan)
    parsed = parse_script(script, top_level_statements(header()))
    assert parsed.unmodelled == ()
    assert [(s.number, s.server, s.action, s.via, s.request.kind, s.request.name, s.request.item, dict(s.request.params),
             s.request.moves, s.flags, s.blocked) for s in parsed.steps] == [_as_called(s) for s in plan.steps]
    predicted, predicted_outcomes = apply_steps(plan, snapshot)
    state, outcomes = apply_plan(plan, snapshot)
    assert outcomes == predicted_outcomes   # the channels the planner chose reach every server
    assert encode_json(state.export()) == encode_json(predicted.export())
    # the script verify writes skips the steps the emulator saw fail; it runs clean, and a rerun is a no-op
    emitted = mark_failed_steps(plan, outcomes)
    first = run_script(render_script(emitted), emitted, snapshot)
    again = run_script(render_script(emitted), emitted, snapshot, state=first.state)
    for run in (first, again):
        assert [o for o in run.outcomes if o.result == "failed" and not o.reason.startswith("not planned")] == []
    assert encode_json(first.state.export()) == encode_json(state.export())
    assert encode_json(again.state.export()) == encode_json(state.export())
