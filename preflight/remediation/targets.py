"""Where a fix acts: a finding's target (an `ObjectRef`) resolved to the object changed and the server it runs on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from preflight.inventory.common import known
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.refs import CLUSTERS, CSVS, HOSTS, ITEM_OWNER_KINDS, REPLICATED_VMS, VM_KINDS, VMS, ObjectRef
from preflight.inventory.servers import SqlServer
from preflight.inventory.snapshot import Snapshot
from preflight.inventory.vms import Vm
from preflight.remediation.actions import ACTIONS

REPLICA_ACTIONS = frozenset(name for name, spec in ACTIONS.items() if spec.replica_side)


@dataclass(frozen=True)
class Resolved:
    """The object an action changes and the computer (or cluster) its commands run on or against.

    For an item (`item`: a team, a CSV) `server` is its owner (host, VM, cluster); for a VM, its host.
    """

    object_kind: str
    object_name: str
    server: str
    item: str | None = None
    os_version: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


def os_version(index: SnapshotIndex, name: str) -> str | None:
    """The OS version of the computer (or a cluster's first node) `name` from whichever record has it."""
    for record in index.computers(name):
        if not isinstance(record, SqlServer) and known(record.os) and known(record.os.version):
            return str(record.os.version)
    cluster = index.cluster(name)
    if cluster is not None and cluster.nodes:
        return os_version(index, cluster.nodes[0])
    return None


def _replica_side(index: SnapshotIndex, name: str, action: str) -> list[Resolved]:
    host = index.host(name)
    cluster = index.cluster_of(host) if host is not None else index.broker_cluster(name)
    if host is not None and (cluster is None or cluster.replica_broker is None or not known(cluster.replica_broker)):
        return [Resolved(HOSTS, host.name, host.name, os_version=os_version(index, host.name))]
    # a node of a broker cluster works with the broker's settings (see Estate.replica_settings): fix those
    if cluster is None or cluster.replica_broker is None or not known(cluster.replica_broker):
        return []
    if action == "enable-firewall-rule":  # the listener rule must be open on every node
        return [Resolved(HOSTS, n, n, os_version=os_version(index, n)) for n in cluster.nodes]
    return [Resolved(CLUSTERS, cluster.name, cluster.name, os_version=os_version(index, cluster.name),
                     extra=(("replica_server", cluster.replica_broker.name),))]


def _vm(index: SnapshotIndex, ref: ObjectRef) -> Vm | None:
    return index.vm(ref.name, ref.owner.name if ref.owner is not None else None)


def resolve(index: SnapshotIndex, ref: ObjectRef, action: str) -> list[Resolved]:
    """The objects an action fixing a finding on `ref` changes; empty when it cannot be placed."""
    kind, name = ref.kind, ref.name
    if kind in (REPLICATED_VMS, "replica_servers") and action in REPLICA_ACTIONS:
        own: list[Resolved] = []
        if kind == REPLICATED_VMS:
            vm = _vm(index, ref)
            if vm is None or vm.replication is None or not known(vm.replication):
                return []
            if action == "set-replica-authentication":  # the VM's own replication switches too (Set-VMReplication)
                own = [Resolved(VMS, vm.name, vm.host, os_version=os_version(index, vm.host))]
            name = vm.replication.replica_server
        return _replica_side(index, name, action) + own
    if kind in ITEM_OWNER_KINDS and ref.owner is not None:
        owner = ref.owner
        if kind not in ACTIONS[action].targets and "*" not in ACTIONS[action].targets:  # computer-level fix: the owner
            return resolve(index, owner, action)
        extra: tuple[tuple[str, str], ...] = (("cluster", owner.name),) if kind == CSVS else ()
        return [Resolved(kind, ref.label, owner.name, name, os_version(index, owner.name), extra)]
    if kind in VM_KINDS:
        vm = _vm(index, ref)
        if vm is None:
            return [Resolved(VMS, name, name)]
        return [Resolved(VMS, name, vm.host, os_version=os_version(index, vm.host))]
    if kind == "replica_servers":
        found = _replica_side(index, name, action)
        return found or [Resolved(kind, name, name)]
    return [Resolved(kind, name, name, os_version=os_version(index, name))]


def estate_domain(snapshot: Snapshot) -> str | None:
    """The domain most computers of the estate belong to (the one to join), or the only domain listed."""
    counts = Counter(str(x.domain) for items in (snapshot.vmm_servers, snapshot.sql_servers, snapshot.hosts)
                     for x in items if isinstance(x.domain, str))
    if counts:
        return counts.most_common(1)[0][0]
    return snapshot.domains[0].name if snapshot.domains else None
