"""Every rule's fix, planned and applied in the emulator, makes the rule pass (or says why it cannot)."""

from __future__ import annotations

import copy
import json

import pytest
from casefiles import Case, load_cases
from psparse import parse
from remedy import CATALOG, findings_of, fix_finding, snapshot_of

from preflight.engine.findings import Finding, Status
from preflight.inventory import encode_json
from preflight.remediation.apply import apply_plan
from preflight.remediation.plan import build_plan, fix_order_problems
from preflight.remediation.powershell import render_script, script_commands
from preflight.remediation.runbook import Plan, Step, VmOutage

FIXED = {code for code, rule in CATALOG.rules.items() if rule.fix is not None}
CASES = [c for c in load_cases() if c.rule in FIXED and any(e.status == "fail" for e in c.expect)]
# Disagreements the emulator found between a rule's check and its fix (to be fixed in the rule pack).
KNOWN_MISMATCHES: dict[str, str] = {}


def _marks(case: Case) -> list:
    reason = KNOWN_MISMATCHES.get(f"{case.rule}-{case.id}")
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


PARAMS = [pytest.param(c, id=f"{c.rule}-{c.id}", marks=_marks(c)) for c in CASES]


@pytest.mark.parametrize("case", PARAMS)
def test_fix_resolves_its_rule_in_the_emulator(case: Case) -> None:
    snapshot = snapshot_of(case.snapshot)
    findings = [f for f in findings_of(snapshot, [case.rule], case.now) if f.status is Status.FAIL]
    assert findings, f"{case.rule}-{case.id}: the case should fail"
    plan = build_plan(findings, snapshot, include_upgrade=False)
    assert fix_order_problems(plan) == []
    state, outcomes = apply_plan(plan, snapshot, as_of=case.now)
    after = {f.target.name.casefold(): f for f in findings_of(state.export(), [case.rule], case.now)
             if f.status is Status.FAIL}
    by_step = {o.number: o for o in outcomes}
    for finding in findings:
        if finding.target.name.casefold() not in after and state.renames.get(finding.target.name.casefold(), "").casefold() not in after:
            continue  # resolved
        steps = [s for s in plan.steps if finding.fingerprint in s.findings]
        assert steps, f"{case.rule}: no step planned for {finding.target.name}"
        reasons = [s.blocked or by_step[s.number].reason for s in steps
                   if s.manual or s.blocked or by_step[s.number].result == "failed"]
        assert reasons and all(reasons), (
            f"{case.rule} on {finding.target.name}: the fix ran but the rule still fails: {after.get(finding.target.name.casefold())}")
    # applying the same plan again changes nothing (but where VMs run: a drain's moves are planned for the
    # placement it was built on, and a rerun from the moved placement moves them again or is refused)
    again, _ = apply_plan(plan, state.export(), as_of=case.now)
    assert _settled(again.export(), plan) == _settled(state.export(), plan)


def _settled(snapshot, plan: Plan) -> dict:
    data = json.loads(encode_json(snapshot))
    if any(s.action == "drain-node" for s in plan.steps):
        for vm in data["vms"]:
            vm.pop("host", None)
    return data


@pytest.mark.parametrize("case", CASES[::3], ids=[f"{c.rule}-{c.id}" for c in CASES[::3]])
def test_plan_script_parses_and_uses_declared_commands(case: Case) -> None:
    snapshot = snapshot_of(case.snapshot)
    plan = build_plan(findings_of(snapshot, [case.rule], case.now), snapshot)
    parsed = parse(render_script(plan))
    assert parsed.errors() == []
    assert parsed.command_names() <= script_commands(plan)


def _vmm_base(cases=load_cases()) -> dict:
    """A copy of the VMM base estate (tests edit it; the loaded cases are shared)."""
    return copy.deepcopy(next(c for c in cases if c.rule == "VMM010").snapshot)


def test_old_waik_out_before_new_in_and_services_after_the_restart() -> None:
    data = _vmm_base()
    server = data["vmm_servers"][0]
    server["installed_software"][1]["version"] = "1.1.0.0"
    server["services"][0].update(state="Stopped", start_mode="Manual")
    server["windows_features"] = ["NET-Framework"]
    snapshot = snapshot_of(data)
    now = load_cases()[0].now
    plan = build_plan(findings_of(snapshot, ["VMM007", "VMM008", "VMM009", "VMM010", "VMM011"], now), snapshot)
    actions = [s.action for s in plan.steps]
    assert actions.index("uninstall-software") < actions.index("install-software")
    assert actions.index("set-service-start-mode") < actions.index("start-service")
    assert actions[-1] == "upgrade-vmm-2012" and plan.steps[-1].point_of_no_return
    _state, outcomes = apply_plan(plan, snapshot)
    assert all(o.result in ("applied", "no-change") for o in outcomes), outcomes


def test_every_vmm_server_is_upgraded_in_its_own_os_dialect() -> None:
    data = _vmm_base()
    vmm01 = data["vmm_servers"][0]
    spare = {"name": "VMM00", "vmm": None}   # listed first: a computer VMM is not installed on yet
    unknown_os = dict(vmm01, name="VMM02", os={k: v for k, v in vmm01["os"].items() if k != "version"})
    no_os = {k: v for k, v in dict(vmm01, name="VMM03").items() if k != "os"}
    data["vmm_servers"] = [spare, vmm01, unknown_os, no_os]
    plan = build_plan([], snapshot_of(data))
    upgrades = [(s.server, s.object_kind, s.os_version, s.param_dict["sql_server"]) for s in plan.steps
                if s.action == "upgrade-vmm-2012"]
    assert upgrades == [("VMM01", "vmm_servers", "6.1.7601", "SQL01"), ("VMM02", "vmm_servers", None, "SQL01"),
                        ("VMM03", "vmm_servers", None, "SQL01")]


def _collation_fix(collation: str) -> Finding:
    return fix_finding("sql_servers", "SQL01", "SQL004", "rebuild-sql-collation", {"collation": collation})


def test_a_destructive_step_is_preceded_by_a_backup_of_the_database_it_puts_at_risk_and_a_blocked_one_is_not() -> None:
    snapshot = snapshot_of(_vmm_base())   # VMM01's database lives on SQL01
    plan = build_plan([_collation_fix("SQL_Latin1_General_CP1_CI_AS")], snapshot, include_upgrade=False)
    assert [(s.action, s.server, s.blocked) for s in plan.steps] == [
        ("backup-vmm-database", "VMM01", None), ("rebuild-sql-collation", "SQL01", None)]
    blocked = build_plan([_collation_fix("Latin1_General_CS_AS")], snapshot, include_upgrade=False)
    assert [(s.action, bool(s.blocked)) for s in blocked.steps] == [("rebuild-sql-collation", True)]  # never runs


def test_a_backup_asked_for_where_the_database_was_not_collected_is_a_blocked_step() -> None:
    data = _vmm_base()
    del data["vmm_servers"][0]["vmm"]["database"]
    backup = fix_finding("vmm_servers", "VMM01", "ORG002", "backup-vmm-database")
    plan = build_plan([backup], snapshot_of(data), include_upgrade=False)
    assert [(s.action, s.server, s.blocked) for s in plan.steps] == [
        ("backup-vmm-database", "VMM01", "VMM01: where the VMM database lives (vmm.database) was not collected")]


def test_a_plan_refuses_an_index_built_over_another_snapshot() -> None:
    from preflight.inventory.index import SnapshotIndex
    snapshot, other = snapshot_of(_vmm_base()), snapshot_of(_vmm_base())
    with pytest.raises(ValueError, match=r"^the index given is not over the snapshot planned for$"):
        build_plan([], snapshot, index=SnapshotIndex(other))
    assert build_plan([], snapshot, index=SnapshotIndex(snapshot)) == build_plan([], snapshot)


def test_hotfixes_share_one_restart_and_standalone_vms_are_down_for_it() -> None:
    data = _vmm_base()
    data["hosts"][0]["hotfixes"] = []
    snapshot = snapshot_of(data)
    codes = [c for c in CATALOG.rules if CATALOG.rules[c].fix and CATALOG.rules[c].fix.action == "install-hotfix"]
    findings = [f for f in findings_of(snapshot, codes, load_cases()[0].now) if f.status is Status.FAIL]
    plan = build_plan(findings, snapshot, include_upgrade=False)
    hv01 = [s for s in plan.steps if s.server == "HV01"]
    assert [s.action for s in hv01].count("install-hotfix") >= 1   # the base host lacks a hotfix a rule asks for
    assert [s.action for s in hv01].count("restart-computer") == 1
    assert hv01[-1].action == "restart-computer"
    assert hv01[-1].vms_down == (VmOutage("WEB01", 10, "host HV01 restarts"),)
    assert plan.restarts == 1 and plan.vm_downtime_min == 10


def test_cluster_node_is_drained_by_memory_then_resumed() -> None:
    case = next(c for c in load_cases() if "cluster2012" in str(c.snapshot.get("snapshot", {}).get("name", "")) or
                any(h.get("cluster") for h in c.snapshot.get("hosts", [])))
    data = case.snapshot
    node = next(h for h in data["hosts"] if h.get("cluster"))
    node["hotfixes"] = []
    snapshot = snapshot_of(data)
    finding = fix_finding("hosts", node["name"], "HFX002", "install-hotfix", {"kb": "KB2316412"})
    plan = build_plan([finding], snapshot, include_upgrade=False)
    assert [s.action for s in plan.steps] == ["drain-node", "install-hotfix", "restart-computer", "resume-node"]
    drain = plan.steps[0]
    moved = drain.moves
    running = [vm for vm in data["vms"] if vm["host"] == node["name"] and vm.get("state") == "Running"]
    assert len(moved) + len(drain.vms_down) == len(running)
    assert plan.steps[2].vms_down == (), "VMs left on a drained node were counted at the drain"
    state, outcomes = apply_plan(plan, snapshot)
    assert all(o.result == "applied" for o in outcomes), outcomes
    assert {o.vm for o in state.outages} == {o.vm for o in drain.vms_down}


def test_one_replica_server_gets_one_authentication_change_allowing_what_every_vm_needs() -> None:
    import copy
    import json

    from casefiles import BASES_DIR

    data = json.loads((BASES_DIR / "replica.json").read_text(encoding="utf-8"))
    web = copy.deepcopy(next(v for v in data["vms"] if v["name"] == "APP01"))
    web["name"] = "WEB01"
    web["replication"]["authentication_type"] = "Certificate"
    data["vms"].append(web)
    snapshot = snapshot_of(data)

    def finding(rule: str, vm: str, authentication: str) -> Finding:
        return fix_finding("replicated_vms", vm, rule, "set-replica-authentication", {"authentication": authentication})

    plan = build_plan([finding("REP003", "WEB01", "CertificateAndKerberos"), finding("REP004", "APP01", "Certificate")],
                      snapshot, include_upgrade=False)
    server_steps = [s for s in plan.steps if s.action == "set-replica-authentication" and s.object_kind != "vms"]
    assert len(server_steps) == 1
    assert server_steps[0].param_dict["authentication"] == "CertificateAndKerberos"
    assert len(server_steps[0].findings) == 2
    vm_steps = {s.object_name: s.param_dict["authentication"] for s in plan.steps if s.object_kind == "vms"}
    assert vm_steps == {"APP01": "Certificate"}  # WEB01 keeps Certificate; the server now allows it


def _plan(*steps: tuple) -> Plan:
    return Plan(tuple(Step(n, action, server, kind, server, params, restart=restart)
                      for n, (action, server, kind, params, restart) in enumerate(steps, start=1)))


WAIK_OUT = ("uninstall-software", "VMM01", "vmm_servers", (("pattern", "Windows AIK"),), False)
WAIK_IN = ("install-software", "VMM01", "vmm_servers", (("package", "waik-windows7"),), False)
HOTFIX = ("install-hotfix", "HV01", "hosts", (("kb", "KB2316412"),), True)
RESTART = ("restart-computer", "HV01", "hosts", (), False)


def test_fix_order_problems_names_each_violation() -> None:
    assert fix_order_problems(_plan(WAIK_OUT, WAIK_IN, HOTFIX, RESTART)) == []
    assert fix_order_problems(_plan(WAIK_IN, WAIK_OUT)) == [
        "step 1: install-software runs before uninstall-software (step 2)"]
    assert fix_order_problems(_plan(RESTART, HOTFIX)) == ["step 2: needs a restart the plan never does"]
    # a restart of another server is no answer; an install before any uninstall on the same server is reported
    # (conservative: the spec's runs_after does not look at which packages they are)
    assert fix_order_problems(_plan(HOTFIX, ("restart-computer", "HV02", "hosts", (), False))) == [
        "step 1: needs a restart the plan never does"]
    assert fix_order_problems(_plan(("install-software", "VMM01", "vmm_servers", (("package", "other"),), False),
                                    WAIK_OUT)) == ["step 1: install-software runs before uninstall-software (step 2)"]
    assert fix_order_problems(_plan(WAIK_IN, ("uninstall-software", "VMM02", "vmm_servers", (), False))) == []
    assert fix_order_problems(_plan(WAIK_IN, WAIK_OUT, HOTFIX)) == [
        "step 1: install-software runs before uninstall-software (step 2)", "step 3: needs a restart the plan never does"]
    assert fix_order_problems(_plan(("install-hotfix", "hv01", "hosts", (), True), RESTART)) == [], "names ignore case"


def _replica_plan(*asks: tuple[str, str], certificate: bool = False) -> Plan:
    """A plan for REP003 findings on copies of APP01 (all replicating to HV02), each asking HV02 for a type."""
    import copy
    import json

    from casefiles import BASES_DIR

    data = json.loads((BASES_DIR / "replica.json").read_text(encoding="utf-8"))
    app = next(v for v in data["vms"] if v["name"] == "APP01")
    for vm, _ in asks:
        if vm != "APP01":
            data["vms"].append(dict(copy.deepcopy(app), name=vm))
    if certificate:
        hv02 = next(h for h in data["hosts"] if h["name"] == "HV02")
        hv02["certificates"] = [{"thumbprint": "C0FFEE" * 6 + "C0FF", "subject": "CN=hv02.contoso.local",
                                 "enhanced_key_usages": ["Server Authentication"], "has_private_key": True,
                                 "not_after": "2030-01-01T00:00:00Z"}]
    findings = [fix_finding("replicated_vms", vm, "REP003", "set-replica-authentication", {"authentication": kind})
                for vm, kind in asks]
    return build_plan(findings, snapshot_of(data), include_upgrade=False)


def _server_step(plan: Plan) -> Step:
    (step,) = [s for s in plan.steps if s.action == "set-replica-authentication" and s.object_kind != "vms"]
    return step


def test_server_authentication_merge_keeps_a_certificate_and_a_block() -> None:
    one = _server_step(_replica_plan(("APP01", "Kerberos"), ("WEB01", "Kerberos")))
    assert (one.param_dict, one.blocked, len(one.findings)) == ({"authentication": "Kerberos"}, None, 2)
    blocked = _server_step(_replica_plan(("APP01", "Kerberos"), ("WEB01", "Certificate")))
    assert blocked.param_dict == {"authentication": "CertificateAndKerberos", "thumbprint": ""}
    assert blocked.blocked == "HV02: no certificate with Server Authentication and a private key"
    reverse = _server_step(_replica_plan(("APP01", "Certificate"), ("WEB01", "Kerberos")))
    assert reverse.param_dict == {"authentication": "CertificateAndKerberos", "thumbprint": ""}
    for order in ((("APP01", "Kerberos"), ("WEB01", "Certificate")), (("APP01", "Certificate"), ("WEB01", "Kerberos"))):
        merged = _server_step(_replica_plan(*order, certificate=True))
        assert merged.param_dict == {"authentication": "CertificateAndKerberos", "thumbprint": "C0FFEE" * 6 + "C0FF"}
        assert merged.blocked is None and len(merged.findings) == 2


def test_findings_without_a_place_or_with_an_internal_action_are_unplanned() -> None:
    snapshot = snapshot_of(_vmm_base())

    plan = build_plan([fix_finding("hosts", "HV01", "X001", "restart-computer"),
                       fix_finding("replicated_vms", "WEB01", "X002", "set-replica-authentication"),  # WEB01 does not replicate
                       fix_finding("hosts", "HV01", "X003", "no-such-action"), fix_finding("hosts", "HV02", "X004"),
                       fix_finding("hosts", "HV01", "X005", "upgrade-vmm-2012")], snapshot, include_upgrade=False)
    assert plan.unplanned == (("X001", "HV01"), ("X002", "WEB01"), ("X003", "HV01"), ("X005", "HV01"))
    (manual,) = plan.steps
    assert (manual.action, manual.server, manual.param_dict, manual.manual, manual.blocked) == (
        "manual", "HV02", {"instruction": "Do it by hand."}, True, None)
