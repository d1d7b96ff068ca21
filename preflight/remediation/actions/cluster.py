"""Restart cluster nodes one at a time: what a Windows Server 2012 CSV block cache size change waits for.

The planner never emits this action as one step: it expands it into a drain, a restart and a resume of
each listed node, placed by the same rules as any node's own restart (VMs live-migrated by free memory,
one node at a time). `render` is what one node's turn amounts to, for the catalog and a hand-run.
"""

from __future__ import annotations

from msgspec import UNSET

from preflight.remediation.actions.base import ActionSpec, Invocation, Param, Planning, register
from preflight.remediation.actions.phases import Phase
from preflight.remediation.literals import ps_quote as q


def node_list(value: str) -> list[str]:
    """The node names of the `nodes` parameter (comma-separated)."""
    return [n.strip() for n in value.split(",") if n.strip()]


def _render(inv: Invocation) -> list[str]:
    lines = ["Import-Module FailoverClusters"]
    for node in node_list(inv.p("nodes")):
        lines += [f"Suspend-ClusterNode -Cluster {q(inv.object_name)} -Name {q(node)} -Drain | Out-Null",
                  f"Restart-Computer -ComputerName {q(node)} -Force",
                  f"Wait-PreflightComputer -ComputerName {q(node)}",
                  f"Resume-ClusterNode -Cluster {q(inv.object_name)} -Name {q(node)} | Out-Null"]
    return lines


def _derive(plan: Planning, params: dict[str, str]) -> str | None:
    """The nodes that have not started since the cache size changed (all nodes when that time is unknown)."""
    cluster = plan.index.cluster(plan.where.object_name)
    if cluster is None:
        return f"no cluster named '{plan.where.object_name}'"
    changed = cluster.shared_volume_block_cache_size_changed_at
    nodes = [h for h in plan.index.nodes(cluster)
             if changed in (None, UNSET) or h.last_boot is UNSET or h.last_boot < changed]
    params.setdefault("nodes", ", ".join(h.name for h in nodes))
    return None if params["nodes"] else f"{cluster.name}: every node has restarted since the change"


register(ActionSpec(
    "restart-cluster-nodes", "Restart cluster nodes one at a time (drain, restart, resume)",
    (Param("nodes", "Nodes to restart, comma-separated (derived: those not started since the change)"),),
    ("clusters",), ("the other nodes have memory for each node's VMs in turn",),
    ("each node has started since the change",), restart=False, offline=False, duration_min=16,
    commands=("Import-Module", "Suspend-ClusterNode", "Restart-Computer", "Wait-PreflightComputer", "Resume-ClusterNode",
              "Out-Null"), render=_render, phase=Phase.DRAIN, remote=False, derive=_derive))
