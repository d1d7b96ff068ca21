"""On a node of a cluster with a Hyper-V Replica Broker the broker's settings are in force; the node's are ignored.

Source: Virtualization team blog 2012-03-27 (rules/sources/network.toml `net-replica-broker`): the broker
writes the cluster's replication settings to the cluster database and every node works with that copy.
"""

from __future__ import annotations

import json
from pathlib import Path

from report_estates import report_of, write_snapshot

DR = Path(__file__).resolve().parent.parent / "fixtures" / "estates" / "dr-2012.json"


def _dr() -> tuple[dict, dict, dict]:
    """dr-2012 with APP01 replicating straight to DR-HVC01, a node of CL-DR (broker DR-HVR-BRK)."""
    data = json.loads(DR.read_text(encoding="utf-8"))
    (node,) = [h for h in data["hosts"] if h["name"] == "DR-HVC01"]
    (cluster,) = [c for c in data["clusters"] if c["name"] == "CL-DR"]
    (app01,) = [v for v in data["vms"] if v["name"] == "APP01"]
    assert app01["replication"]["replica_server"] == "DR-HVC01"
    return data, node, cluster


def _rep002(data: dict, tmp_path: Path) -> list:
    report = report_of(write_snapshot(data, tmp_path / "estate.json"))
    return [f for f in report.findings if f.rule == "REP002" and f.target.name == "APP01"]


def test_a_node_that_disagrees_with_its_broker_is_ignored(tmp_path: Path) -> None:
    data, node, _ = _dr()
    node["replica"] = {"enabled": False}          # the node's own block says "not a Replica server"
    assert _rep002(data, tmp_path) == []          # the broker's settings (enabled) are the ones in force


def test_the_broker_settings_decide_for_a_vm_replicating_to_a_node(tmp_path: Path) -> None:
    data, node, cluster = _dr()
    cluster["replica_broker"]["replica"]["enabled"] = False
    assert node["replica"]["enabled"] is True     # the node still claims to be enabled
    (finding,) = _rep002(data, tmp_path)            # the node's "enabled" does not hide the broker's "disabled"
    assert [(e.path, e.value) for e in finding.evidence] == [("@replica_settings.enabled", "false")]


def test_a_broker_cluster_is_one_replica_server_whatever_its_nodes_claim(tmp_path: Path) -> None:
    data, _, _ = _dr()
    (other,) = [h for h in data["hosts"] if h["name"] == "DR-HVC02"]
    other["windows_features"] = ["Failover-Clustering"]   # no Hyper-V role; its own replica block says enabled
    report = report_of(write_snapshot(data, tmp_path / "estate.json"))
    failing = {f.target.name for f in report.findings if f.rule == "REP001"}
    assert failing == {"DR-HVR-BRK"}   # the broker, with its nodes, not the node as a Replica server of its own


def test_a_fix_for_a_vm_replicating_to_a_node_changes_the_broker_not_the_node() -> None:
    from report_estates import NOW

    from preflight.pipeline import CheckRequest, run_check
    from preflight.remediation.plan import build_plan

    report, estate, _ = run_check(CheckRequest((DR,), as_of=NOW))
    plan = build_plan(report.findings, estate.snapshot, include_upgrade=False)
    auth = [s for s in plan.steps if s.action == "set-replica-authentication" and s.object_kind != "vms"]
    assert [(s.object_kind, s.object_name) for s in auth] == [("clusters", "CL-DR")]   # never the node DR-HVC01
    app01 = {f.fingerprint for f in report.findings if f.target.name == "APP01" and f.fix_action == "set-replica-authentication"}
    assert app01 and app01 <= set(auth[0].findings)
