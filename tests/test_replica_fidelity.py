"""Emulator and planner fidelity for Hyper-V Replica (issue 11): certificates kept and chosen by name, listener ports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from casefiles import BASES_DIR
from remedy import findings_of, snapshot_of

from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.engine.findings import Status
from preflight.pipeline import CheckRequest, verify
from preflight.remediation.apply import apply_plan
from preflight.remediation.plan import build_plan
from preflight.remediation.powershell import render_step

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _verify(name: str):
    report, emulated, plan = verify(CheckRequest((ESTATES / name,), as_of=NOW))
    assert report.verification is not None
    return report.verification, emulated, plan


def _replica_base() -> dict:
    return json.loads((BASES_DIR / "replica.json").read_text(encoding="utf-8"))


def _plan_and_apply(data: dict, codes: list[str]):
    snapshot = snapshot_of(data)
    findings = [f for f in findings_of(snapshot, codes, NOW) if f.status is Status.FAIL]
    plan = build_plan(findings, snapshot, include_upgrade=False)
    state, outcomes = apply_plan(plan, snapshot, as_of=NOW)
    return plan, state, outcomes


def test_switching_a_vm_to_certificate_authentication_keeps_its_thumbprint() -> None:
    v, emulated, plan = _verify("dr-2012.json")
    step = next(s for s in plan.steps if s.action == "set-replica-authentication" and s.object_name == "EXCH01")
    exch = next(vm for vm in emulated.vms if vm.name == "EXCH01")
    assert exch.replication.authentication_type == "Certificate"
    assert exch.replication.certificate_thumbprint == step.param_dict["thumbprint"]
    assert not [f for f in v.introduced if f.rule == "REP006"]


def test_a_host_gets_the_certificate_naming_itself_and_the_broker_the_one_naming_the_broker() -> None:
    _, _, plan = _verify("dr-2012.json")
    thumbprints = {s.object_name: s.param_dict.get("thumbprint") for s in plan.steps if s.action == "set-replica-authentication"}
    # a node of a broker cluster takes the broker's settings (no step of its own): the broker gets the one
    # certificate naming its client access point, not a node's; the primaries get the one naming themselves
    assert "DR-HVC01" not in thumbprints
    assert thumbprints["CL-DR"].startswith("9A7C55")      # CN=dr-hvr-brk.contoso.local, not DR-HVC01's 7E6D5C


def test_the_broker_certificate_is_chosen_by_name_not_by_position() -> None:
    data = _replica_base()
    for node in data["hosts"]:
        if node.get("cluster") == "CLDR":
            node["certificates"].reverse()  # the node's own certificate comes first now
    data["clusters"][0]["replica_broker"]["replica"]["allowed_authentication_type"] = "Kerberos"
    data["vms"][1]["replication"]["authentication_type"] = "Certificate"
    plan, state, outcomes = _plan_and_apply(data, ["REP003"])
    broker = next(s for s in plan.steps if s.action == "set-replica-authentication" and s.object_kind == "clusters")
    assert broker.param_dict["thumbprint"].startswith("B07F3C"), broker
    assert {o.number: o.result for o in outcomes}[broker.number] == "applied"
    settings = state.snapshot.clusters[0].replica_broker.replica
    assert settings.certificate_thumbprint == broker.param_dict["thumbprint"]


def test_the_emulator_refuses_a_node_certificate_for_the_broker() -> None:
    state = EmulatedEstate(snapshot_of(_replica_base()))
    node_cert = next(c["thumbprint"] for c in _replica_base()["hosts"][2]["certificates"] if "hvdr01" in c["subject"])
    done = apply(state, Request("set-replica-authentication", "clusters", "CLDR",
                                {"authentication": "Certificate", "thumbprint": node_cert, "replica_server": "HVRBROKER"}))
    assert done.result is Result.FAILED and "hvrbroker.contoso.local" in done.reason


def test_moving_replication_to_https_opens_the_https_listener_not_the_http_one() -> None:
    data = _replica_base()
    hv02 = next(h for h in data["hosts"] if h["name"] == "HV02")
    hv02["domain"] = "fabrikam.local"  # untrusted: REP004 moves APP01 and HV02 to certificates
    hv02["certificates"] = [dict(data["hosts"][0]["certificates"][0], thumbprint="D1D2D3D4E5F60718293A4B5C6D7E8F9012345678",
                                 subject="CN=hv02.contoso.local", dns_names=["hv02.contoso.local"])]
    next(r for r in hv02["firewall_rules"] if r["local_port"] == 80)["enabled"] = False  # REP007: HTTP closed today
    plan, state, _ = _plan_and_apply(data, ["REP004", "REP007"])
    opened = [s for s in plan.steps if s.action == "enable-firewall-rule"]
    assert [s.param_dict["rule"] for s in opened] == ["VIRT-HVRHTTPSL-In-TCP-NoScope"], opened
    # the step the planner adds runs on the host, in its OS's dialect (Enable-NetFirewallRule from 2012 on)
    assert [(s.object_kind, s.object_name, s.server, s.os_version) for s in opened] == [("hosts", "HV02", "HV02", "6.2.9200")]
    assert "Enable-NetFirewallRule -Name 'VIRT-HVRHTTPSL-In-TCP-NoScope'" in "\n".join(render_step(opened[0], len(plan.steps)))
    rules = {r.name: r.enabled for r in next(h for h in state.snapshot.hosts if h.name == "HV02").firewall_rules}
    assert rules == {"VIRT-HVRHTTPL-In-TCP-NoScope": False, "VIRT-HVRHTTPSL-In-TCP-NoScope": True}
    assert not [f for f in findings_of(state.export(), ["REP004", "REP007"], NOW) if f.status is Status.FAIL]
