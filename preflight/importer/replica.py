"""Hyper-V Replica beyond Get-VMReplicationServer: a Replica server's authorization entries and a cluster's Broker.

`hyperv.replication_auth` is Get-VMReplicationAuthorizationEntry of a host (AllowedPrimaryServer,
ReplicaStorageLocation, TrustGroup); `cluster.replica_broker` is the collector's flat row per resource of type
"Virtual Machine Replication Broker" with the Name and DnsName private properties of the Network Name resource
in the broker's group (its client access point). No row means the cluster has no Replica Broker.
"""

from __future__ import annotations

from typing import Any

import msgspec

from preflight.importer import computers as c
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import Missing
from preflight.inventory.names import ComputerName, DnsNameOrWildcard

BROKER_TYPE = "Virtual Machine Replication Broker"


def _valid(value: Any, kind: Any, what: str) -> Any:
    """The value when the snapshot model accepts it as `kind`, else Missing naming what is wrong."""
    if isinstance(value, Missing):
        return value
    try:
        return msgspec.convert(str(value).strip(), kind)
    except msgspec.ValidationError:
        return Missing(f"{what} {str(value)[:60]!r} is not a valid name")


def authorization_entries(bundle: Bundle, host: str) -> tuple[list[dict[str, Any]], str] | Missing:
    """`replica.authorization_entries` of a host; one unreadable entry makes the list not collected (a partial
    list would let a rule conclude a primary server is not authorized)."""
    got = c.many(bundle, host, "hyperv.replication_auth")
    if isinstance(got, Missing):
        return got
    items, where = got
    entries = []
    for item in items:
        server = _valid(prop(item, "AllowedPrimaryServer"), DnsNameOrWildcard, "AllowedPrimaryServer")
        if isinstance(server, Missing):
            return Missing(f"{where}: {server.reason}")
        entry: dict[str, Any] = {"allowed_primary_server": server}
        for key, name in (("replica_storage_location", "ReplicaStorageLocation"), ("trust_group", "TrustGroup")):
            value = prop(item, name)
            if isinstance(value, str) and value.strip():
                entry[key] = value.strip()
        entries.append(entry)
    return entries, f"{where}: AllowedPrimaryServer, ReplicaStorageLocation, TrustGroup"


def broker(bundle: Bundle, cluster: str, obj: ObjectImport) -> None:
    """`replica_broker` of a cluster: its client access point's name, or null when the cluster has no broker."""
    got = c.many(bundle, cluster, "cluster.replica_broker")
    if isinstance(got, Missing):
        obj.miss("replica_broker", got.reason)
        return
    rows, where = got
    if not rows:
        obj.put("replica_broker", None, f"{where}: no resource of type {BROKER_TYPE}")
        return
    if len(rows) > 1:
        obj.miss("replica_broker", f"{where}: {len(rows)} {BROKER_TYPE} resources, a cluster has one")
        return
    row = rows[0]
    name = prop(row, "NetworkName")
    if isinstance(name, Missing) or not str(name).strip():
        obj.miss("replica_broker", f"{where}: the broker's group {prop(row, 'Group')!r} has no Network Name resource "
                 "with a Name private property (NetworkName)")
        return
    name = _valid(str(name).upper(), ComputerName, "NetworkName")
    if isinstance(name, Missing):
        obj.miss("replica_broker", f"{where}: {name.reason}")
        return
    obj.put("replica_broker", {"name": name}, f"{where}: NetworkName (Name private property of the group's Network Name)")
    # DnsName is the access point's DNS label; its domain suffix is not exported
    obj.miss("replica_broker.fqdn", f"{where}: DnsName is a DNS label without the domain suffix")
    obj.miss("replica_broker.replica", "the broker's Get-VMReplicationServer settings are not a bundle source")
