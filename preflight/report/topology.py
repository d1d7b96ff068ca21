"""The estate's management topology for reports: VMM server -> clusters -> nodes -> VMs.

Each node carries the worst severity of the failing findings on it, so a reader sees the blast
radius of a host-level blocker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from preflight.engine.findings import Finding, Severity, Status
from preflight.estate import Estate
from preflight.inventory.clusters import Cluster
from preflight.inventory.hosts import Host
from preflight.inventory.refs import ITEM_OWNER_KINDS


class TopologyNode(NamedTuple):
    """One object of the topology tree (a tuple: a 25k-VM tree is built in a blink, and it is immutable)."""

    kind: str
    name: str
    worst: Severity | None = None
    findings: int = 0
    children: tuple[TopologyNode, ...] = ()


# The tree node kind of each target kind's objects; an item (a team, a CSV) marks the object that owns it.
_TREE_KIND = {"vmm_servers": "vmm", "clusters": "cluster", "hosts": "host", "vms": "vm", "replicated_vms": "vm"}
UNMANAGED = "(not managed by VMM)"
STANDALONE = "(standalone hosts)"


def _worst_by_object(findings: Iterable[Finding]) -> dict[tuple[str, str], tuple[Severity, int]]:
    """(tree kind, casefolded name) -> (worst severity, number of failing findings)."""
    result: dict[tuple[str, str], tuple[Severity, int]] = {}
    for finding in findings:
        ref = finding.target.ref
        if ref.kind in ITEM_OWNER_KINDS and ref.owner is not None:
            ref = ref.owner
        if finding.status is not Status.FAIL or ref.kind not in _TREE_KIND:
            continue
        key = (_TREE_KIND[ref.kind], ref.name.casefold())
        worst, count = result.get(key, (finding.severity, 0))
        result[key] = (finding.severity if finding.severity.rank > worst.rank else worst, count + 1)
    return result


def build_topology(estate: Estate, findings: Iterable[Finding]) -> tuple[TopologyNode, ...]:
    """The VMM server -> clusters -> nodes -> VMs tree of `estate`, each node with its own worst failing severity.

    Hosts outside any cluster hang under a "(standalone hosts)" group of their VMM server; hosts no VMM
    server manages (or whose VMM server is not in the snapshot) go under a "(not managed by VMM)" root.
    """
    marks = _worst_by_object(findings)

    def node(kind: str, name: str, children: tuple[TopologyNode, ...] = ()) -> TopologyNode:
        worst, count = marks.get((kind, name.casefold()), (None, 0))
        return TopologyNode(kind, name, worst, count, children)

    def host_node(host: Host) -> TopologyNode:
        return node("host", host.name, tuple(node("vm", vm.name) for vm in estate.vms_on(host.name)))

    snapshot, index = estate.snapshot, estate.index

    def vmm_of(name: str | None) -> int:
        """The VMM server object's id ('not managed' is 0) for a `managed_by` name."""
        server = index.vmm_servers.get(name)
        return id(server) if server is not None else 0

    clusters_of: dict[int, list[tuple[Cluster, list[Host]]]] = defaultdict(list)
    hosts_of: dict[int, list[Host]] = defaultdict(list)  # standalone hosts per VMM server (0 = unmanaged)
    clustered: set[int] = set()
    for cluster in snapshot.clusters:
        nodes = index.nodes(cluster)
        owner = cluster.managed_by or next((n.managed_by for n in nodes if n.managed_by), None)
        clusters_of[vmm_of(owner)].append((cluster, nodes))
        clustered.update(id(n) for n in nodes)
    for host in snapshot.hosts:
        if id(host) not in clustered:
            hosts_of[vmm_of(host.managed_by)].append(host)

    def children_of(owner: int) -> tuple[TopologyNode, ...]:
        items = [node("cluster", c.name, tuple(host_node(n) for n in nodes)) for c, nodes in clusters_of.get(owner, ())]
        if hosts_of.get(owner):
            items.append(TopologyNode("group", STANDALONE, None, 0, tuple(host_node(h) for h in hosts_of[owner])))
        return tuple(items)

    roots = [node("vmm", server.name, children_of(id(server))) for server in snapshot.vmm_servers]
    if clusters_of.get(0) or hosts_of.get(0):
        roots.append(TopologyNode("group", UNMANAGED, None, 0, children_of(0)))
    return tuple(roots)


def rolled_up(node: TopologyNode) -> Severity | None:
    """The worst severity on `node` or anywhere below it."""
    worst = node.worst
    for child in node.children:
        below = rolled_up(child)
        if below is not None and (worst is None or below.rank > worst.rank):
            worst = below
    return worst
