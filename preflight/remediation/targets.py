"""Where a fix acts: a finding's target (kind, name) resolved to the object changed and the server it runs on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from msgspec import UNSET

from preflight.inventory.snapshot import Snapshot
from preflight.remediation.actions import ACTIONS

REPLICA_ACTIONS = frozenset(name for name, spec in ACTIONS.items() if spec.replica_side)


@dataclass(frozen=True)
class Resolved:
    """The object an action changes and the computer (or cluster) its commands run on or against."""

    object_kind: str
    object_name: str
    server: str
    item: str | None = None
    os_version: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


def named(items: list[Any], name: str) -> Any:
    """The item of `items` called `name` (case-insensitively), or None."""
    return next((i for i in items if i.name.casefold() == name.casefold()), None)


def _host(snapshot: Snapshot, name: str) -> Any:
    key = name.casefold()
    return next((h for h in snapshot.hosts if h.name.casefold() == key or str(h.fqdn).casefold() == key), None)


def os_version(snapshot: Snapshot, name: str) -> str | None:
    """The OS version of the computer `name` from whichever record has it."""
    for items in (snapshot.vmm_servers, snapshot.hosts, snapshot.library_servers):
        record = named(items, name)
        if record is not None and record.os is not UNSET and record.os.version is not UNSET:
            return record.os.version
    cluster = named(snapshot.clusters, name)
    if cluster is not None and cluster.nodes:
        return os_version(snapshot, cluster.nodes[0])
    return None


def _replica_side(snapshot: Snapshot, name: str, action: str) -> list[Resolved]:
    host = _host(snapshot, name)
    if host is not None:
        return [Resolved("hosts", host.name, host.name, os_version=os_version(snapshot, host.name))]
    for cluster in snapshot.clusters:
        broker = cluster.replica_broker
        if broker not in (None, UNSET) and name.casefold() in (broker.name.casefold(), str(broker.fqdn).casefold()):
            if action == "enable-firewall-rule":  # the listener rule must be open on every node
                return [Resolved("hosts", n, n, os_version=os_version(snapshot, n)) for n in cluster.nodes]
            return [Resolved("clusters", cluster.name, cluster.name, os_version=os_version(snapshot, cluster.name),
                             extra=(("replica_server", broker.name),))]
    return []


def resolve(snapshot: Snapshot, kind: str, name: str, action: str) -> list[Resolved]:
    """The objects an action fixing a finding on (kind, name) changes; empty when it cannot be placed."""
    if kind in ("replicated_vms", "replica_servers") and action in REPLICA_ACTIONS:
        own: list[Resolved] = []
        if kind == "replicated_vms":
            vm = named(snapshot.vms, name)
            if vm is None or vm.replication in (None, UNSET):
                return []
            if action == "set-replica-authentication":  # the VM's own replication switches too (Set-VMReplication)
                own = [Resolved("vms", vm.name, vm.host, os_version=os_version(snapshot, vm.host))]
            name = vm.replication.replica_server
        return _replica_side(snapshot, name, action) + own
    if kind in ("csvs", "host_teams", "vm_teams"):
        owner, _, item = name.partition("/")
        if kind not in ACTIONS[action].targets and "*" not in ACTIONS[action].targets:  # computer-level fix: the owner
            owner_kind = {"csvs": "clusters", "host_teams": "hosts", "vm_teams": "vms"}[kind]
            return resolve(snapshot, owner_kind, owner, action)
        server = owner
        extra: tuple[tuple[str, str], ...] = (("cluster", owner),) if kind == "csvs" else ()
        return [Resolved(kind, name, server, item, os_version(snapshot, owner), extra)]
    if kind in ("vms", "replicated_vms"):
        vm = named(snapshot.vms, name)
        return [Resolved("vms", name, vm.host if vm else name, os_version=os_version(snapshot, vm.host) if vm else None)]
    if kind == "replica_servers":
        found = _replica_side(snapshot, name, action)
        return found or [Resolved(kind, name, name)]
    return [Resolved(kind, name, name, os_version=os_version(snapshot, name))]


def estate_domain(snapshot: Snapshot) -> str | None:
    """The domain most computers of the estate belong to (the one to join), or the only domain listed."""
    counts = Counter(str(x.domain) for items in (snapshot.vmm_servers, snapshot.sql_servers, snapshot.hosts)
                     for x in items if isinstance(x.domain, str))
    if counts:
        return counts.most_common(1)[0][0]
    return snapshot.domains[0].name if snapshot.domains else None
