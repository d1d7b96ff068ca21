"""Cluster nodes a plan restarts for a change made elsewhere: a Windows Server 2012 CSV block cache size.

On Windows Server 2012 a node uses a new SharedVolumeBlockCacheSizeInMB only after it restarts (2012 R2
applies it at once). So a plan that sets the size on a 2012 cluster restarts every 2012 node after it,
and a `restart-cluster-nodes` fix (CSV006: nodes not started since an earlier change) restarts the nodes
it lists. Each such node gets the planner's usual node turn: drain by free memory, restart, resume, one
node at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from preflight.inventory.common import known
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.versions import WS2012, parse_version
from preflight.remediation.actions.cluster import node_list

CACHE_SIZE = "set-csv-block-cache"
RESTART_NODES = "restart-cluster-nodes"


@dataclass
class NodeRestart:
    """Why a node restarts, and the findings that restart resolves."""

    node: str
    reason: str
    findings: list[str] = field(default_factory=list)


def node_restarts(drafts: Iterable[Any], index: SnapshotIndex) -> tuple[dict[str, NodeRestart], set[str]]:
    """(node (casefolded) -> its restart, clusters (casefolded) whose cache size is set before those restarts)."""
    restarts: dict[str, NodeRestart] = {}
    size_first: set[str] = set()
    for draft in drafts:
        if draft.blocked or draft.action not in (CACHE_SIZE, RESTART_NODES):
            continue
        cluster = index.cluster(draft.where.object_name)
        if cluster is None:
            continue
        if draft.action == CACHE_SIZE:
            nodes = [h.name for h in index.nodes(cluster)
                     if known(h.os) and known(h.os.version) and parse_version(h.os.version).within(WS2012)]
            reason, findings = f"activates the CSV block cache size set on {cluster.name}", []
            if nodes:
                size_first.add(draft.where.server.casefold())
        else:
            nodes = [h.name for h in (index.host(n) for n in node_list(draft.params.get("nodes", ""))) if h is not None]
            reason, findings = f"starts the node after the CSV block cache size change on {cluster.name}", draft.findings
        for node in nodes:
            turn = restarts.setdefault(node.casefold(), NodeRestart(node, reason))
            turn.findings += [f for f in findings if f not in turn.findings]
    return restarts, size_first
