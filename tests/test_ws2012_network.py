"""Hyper-V Replica and NIC Teaming behaviour the per-rule case files cannot show on their own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from casefiles import BASES_DIR, ROOT, apply_edits

from preflight.engine.catalog import load_catalog
from preflight.engine.checks.base import Context
from preflight.engine.checks.replica import primary_matches
from preflight.engine.evaluate import evaluate, evaluate_rule
from preflight.errors import CatalogError
from preflight.estate import Estate
from preflight.inventory import decode_snapshot
from preflight.pipeline import load_estate, load_rules
from preflight.resources import builtin_rules_dir

CATALOG = load_rules()
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _estate(base: str, edits: dict[str, Any] | None = None) -> Estate:
    data = json.loads((BASES_DIR / f"{base}.json").read_text(encoding="utf-8"))
    snapshot = decode_snapshot(msgspec.json.encode(apply_edits(data, edits or {})), base, ".json")
    return Estate(snapshot, [(base, snapshot.snapshot)], CATALOG.os_releases())


def _status(code: str, estate: Estate, name: str, now: datetime = NOW) -> str:
    rule = CATALOG.rules[code]
    target = next(t for t in estate.targets(rule.target) if t.name == name)
    return evaluate_rule(rule, target, Context(now=now)).status.value


@pytest.mark.parametrize(("fqdn", "pattern", "accepted"), [
    ("hv01.contoso.local", "*.contoso.local", True),
    ("HV01.Contoso.Local", "*.CONTOSO.local", True),
    ("hv01.branch.contoso.local", "*.contoso.local", True),
    ("hv01.contoso.local", "hv01.contoso.local", True),
    ("hv02.contoso.local", "hv01.contoso.local", False),
    ("hv01.fabrikam.local", "*.contoso.local", False),
    ("hv01.contoso.local.fabrikam.local", "*.contoso.local", False),
    ("contoso.local", "*.contoso.local", False),
    ("hv01.contoso.local", "*", True),
])
def test_authorisation_wildcards(fqdn: str, pattern: str, accepted: bool) -> None:
    assert primary_matches(fqdn, pattern) is accepted


def test_clustered_primary_is_authorised_by_its_broker_name_not_its_node() -> None:
    """A VM on a node of a cluster with a broker replicates as the broker: the replica authorises the broker FQDN."""
    edits = {"set": {
        "vms[APP01].host": "HVDR01",
        "hosts[HV02].replica.authorization_entries": [{"allowed_primary_server": "hvdr01.contoso.local"}],
    }}
    assert _status("REP008", _estate("replica", edits), "APP01") == "fail"
    edits["set"]["hosts[HV02].replica.authorization_entries"] = [{"allowed_primary_server": "hvrbroker.contoso.local"}]
    assert _status("REP008", _estate("replica", edits), "APP01") == "pass"


@pytest.mark.parametrize(("offset", "field", "expected"), [
    (timedelta(seconds=-1), "not_before", "pass"),     # became valid a second ago
    (timedelta(seconds=1), "not_before", "fail"),      # valid from a second from now
    (timedelta(seconds=1), "not_after", "pass"),       # expires in a second
    (timedelta(seconds=0), "not_after", "pass"),       # expires at the run time
    (timedelta(seconds=-1), "not_after", "fail"),      # expired a second ago
])
def test_certificate_validity_is_judged_at_the_run_time(offset: timedelta, field: str, expected: str) -> None:
    moment = (NOW + offset).isoformat()
    estate = _estate("replica", {"set": {f"hosts[HVDR01].certificates[0].{field}": moment}})
    assert _status("REP006", estate, "HVRBROKER", now=NOW) == expected


def test_the_same_certificate_is_fine_before_it_expires_and_not_after() -> None:
    estate = _estate("replica")
    assert _status("REP006", estate, "HVRBROKER", now=datetime(2027, 2, 28, tzinfo=UTC)) == "pass"
    assert _status("REP006", estate, "HVRBROKER", now=datetime(2027, 3, 2, tzinfo=UTC)) == "fail"


@pytest.mark.parametrize("spelling", ["HyperVPort", "HyperVPorts"])
@pytest.mark.parametrize("code", ["NIC009", "NIC011"])
def test_both_hyperv_port_spellings_are_accepted(code: str, spelling: str) -> None:
    """The 2012 help names the algorithm HyperVPort but its example uses HyperVPorts; both are the same setting."""
    estate = _estate("teaming", {"set": {"hosts[HV12].teams[VMTeam].load_balancing_algorithm": spelling}})
    assert _status(code, estate, "HV12/VMTeam") == "pass"


@pytest.mark.parametrize(("version", "expected"), [("6.2.9200", "fail"), ("6.3.9600", "pass")])
def test_dynamic_balancing_only_from_2012_r2(version: str, expected: str) -> None:
    estate = _estate("teaming", {"set": {"hosts[HV12].os.version": version,
                                         "hosts[HV12].teams[VMTeam].load_balancing_algorithm": "Dynamic"}})
    assert _status("NIC009", estate, "HV12/VMTeam") == expected


def test_replica_servers_are_participants_and_brokers() -> None:
    estate = _estate("replica")
    targets = {t.name: t for t in estate.targets("replica_servers")}
    assert set(targets) == {"HV01", "HV02", "HVRBROKER"}, "cluster nodes take part through their broker"
    broker = targets["HVRBROKER"]
    assert broker.links["role"] == "broker" and broker.members == ("HVDR01", "HVDR02")
    assert broker.at_risk == ("SQL01",)
    assert targets["HV01"].links["primary_of"] == ["APP01", "SQL01"]


def test_items_check_needs_exactly_one_mode(tmp_path: Path) -> None:
    pack = tmp_path / "bad.toml"
    pack.write_text("""
[pack]
id = "bad-items"
title = "t"
version = "1"

[[rules]]
code = "BAD001"
name = "bad-items"
title = "t"
severity = "warning"
target = "host_teams"
check = "items"
params = { each = { host_vnic = false }, same = ["link_speed_mbps"] }
message = "{name}"
rationale = "r"
remediation = "r"
sources = ["article"]
""", encoding="utf-8")
    with pytest.raises(CatalogError, match="exactly one of 'each' or 'same'"):
        load_catalog([builtin_rules_dir(), tmp_path])


def test_dr_2012_sample_estate_findings() -> None:
    """The sample estate shows one realistic problem per area; nothing of these packs is left unknown."""
    estate, _ = load_estate((ROOT / "fixtures" / "estates" / "dr-2012.json",), CATALOG)
    result = evaluate(CATALOG, estate, NOW)
    ours = {(f.rule, f.target.name, f.status.value) for f in result.findings if f.rule[:3] in ("REP", "NIC")}
    assert ours == {
        ("NIC003", "HQ-HVC02/Converged", "fail"), ("NIC005", "HQ-HV01/VM-Team", "fail"),
        ("NIC006", "DR-HVC02/Converged", "fail"), ("NIC007", "NLB01/GuestTeam", "fail"),
        ("NIC011", "HQ-HV01/VM-Team", "fail"),
        ("REP005", "APP01", "fail"), ("REP005", "EXCH01", "fail"), ("REP006", "DR-HVR-BRK", "fail"),
        ("REP007", "DR-HVR-BRK", "fail"), ("REP009", "APP01", "fail"), ("REP011", "SQL01", "fail"),
        ("REP016", "APP01", "fail"), ("REP017", "APP01", "fail"), ("REP018", "PRINT01", "fail"),
        ("REP019", "FILE01", "fail"), ("REP019", "PRINT01", "fail"),
    }
    firewall = next(f for f in result.findings if f.rule == "REP007")
    assert firewall.fix_action == "enable-firewall-rule"
    assert dict(firewall.fix_params) == {"rule": "VIRT-HVRHTTPSL-In-TCP-NoScope"}
