"""Hyper-V Replica support: the `replica_servers` target kind and derived facts.

`replica_servers` lists every computer that takes part in Hyper-V Replica: hosts with replica
settings, hosts that are the primary or the replica of a replicated VM, and each cluster's Hyper-V
Replica Broker (whose settings are the cluster's replica endpoint). Facts added here:

- replica_servers: `@role` (host/broker), `@replica_endpoint`, `@settings`, `@os_version`,
  `@os_release`, `@hyperv_role`, `@certificate_uses`, `@firewall_stores`, `@primary_of`, `@replica_of`
- clusters: `@replica_participants`
- replicated_vms: `@primary_fqdn`, `@primary_replica_settings`, `@replica_node_cluster`,
  `@domains_trusted`, `@same_site`, `@frequency_sec`, `@failover_ip_configured`

NIC team facts live in `preflight.estate.team_facts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from msgspec import UNSET

from preflight.estate.model import Derived, Estate, Target, facts, target_kind
from preflight.inventory.clusters import Cluster, ReplicaBroker
from preflight.inventory.common import Unset
from preflight.inventory.hosts import Host, ReplicaServer
from preflight.inventory.paths import Missing, absent_path, field_path
from preflight.inventory.versions import WS2012, parse_version
from preflight.inventory.vms import Replication, Vm

_ABSENT = (None, UNSET)


@dataclass(frozen=True, slots=True)
class Store:
    """One computer's collected list (certificates or firewall rules) and where it sits in the snapshot."""

    computer: str
    items: Any   # Any: a list of Certificate or of FirewallRule (or UNSET), read by the replica checks
    path: str


@dataclass(frozen=True, slots=True)
class CertificateUse:
    """A certificate a replica participant must hold: which thumbprint, naming which FQDN, in which stores."""

    purpose: str
    # Any: str, None or Missing; the catalog reads these types through msgspec, which cannot express that union
    thumbprint: Any
    thumbprint_path: str
    fqdn: Any
    stores: tuple[Store, ...] = field(default_factory=tuple)
    by_name: bool = False  # no thumbprint: any certificate in the store that names `fqdn` will do


def _field(obj: object, attr: str, path: str) -> Any:  # Any: the type of the field named by `attr`
    value = getattr(obj, attr, UNSET)
    return Missing(f"{path}.{attr}") if value is UNSET else value


@dataclass(frozen=True, slots=True)
class _Index:
    """Positions of hosts and VMs, and VMs by the replica server they name (built once per estate)."""

    host_position: dict[int, int]
    vm_position: dict[int, int]
    vms_by_replica: dict[str, list[tuple[int, str]]]


def _index(estate: Estate) -> _Index:
    # Cached on the estate so every target and fact stays linear in the size of the estate.
    cached = estate.__dict__.get("_replica_index")
    if cached is None:
        by_replica: dict[str, list[tuple[int, str]]] = {}
        for position, vm in enumerate(estate.snapshot.vms):
            if vm.replication not in _ABSENT:
                by_replica.setdefault(vm.replication.replica_server.casefold(), []).append((position, vm.name))
        cached = _Index({id(h): i for i, h in enumerate(estate.snapshot.hosts)},
                        {id(v): i for i, v in enumerate(estate.snapshot.vms)}, by_replica)
        estate.__dict__["_replica_index"] = cached
    return cached


def _host_path(estate: Estate, host: Host) -> str:
    return f"$.hosts[{_index(estate).host_position[id(host)]}]"


def _broker_cluster_of(estate: Estate, host: Host) -> Cluster | None:
    cluster = estate.index.cluster_of(host)
    return cluster if cluster is not None and cluster.replica_broker not in _ABSENT else None


def _hyperv_role(computers: list[Host], paths: list[str]) -> Derived[bool]:
    for host, path in zip(computers, paths, strict=True):
        if host.platform != "hyperv":
            return False
        if host.windows_features is UNSET:
            return Missing(f"{path}.windows_features")
        if not any(f.casefold() == "hyper-v" for f in host.windows_features):
            return False
    return bool(computers)


def _primary_vms(estate: Estate, host: Host) -> list[Vm]:
    return [vm for vm in estate.vms_on(host.name)
            if vm.replication not in _ABSENT and vm.replication.mode == "Primary"]


def _endpoint_certificate(settings: ReplicaServer | None | Unset, path: str, fqdn: str | Missing,
                          stores: tuple[Store, ...]) -> list[CertificateUse]:
    if not isinstance(settings, ReplicaServer) or not settings.enabled:
        return []
    allowed = settings.allowed_authentication_type
    if allowed is UNSET:
        return [CertificateUse("replica server", Missing(f"{path}.allowed_authentication_type"), path, fqdn, stores)]
    if "certificate" not in allowed.casefold():
        return []
    thumbprint = _field(settings, "certificate_thumbprint", path)
    return [CertificateUse("replica server", thumbprint, f"{path}.certificate_thumbprint", fqdn, stores)]


def _node_certificates(settings: ReplicaServer | Unset, nodes: list[Host], node_paths: list[str]) -> list[CertificateUse]:
    """With certificate authentication on a cluster each node also needs a certificate naming the node itself
    (Set-VMReplicationServer, 2012: two certificates per node, the node's and the broker's)."""
    if not isinstance(settings, ReplicaServer) or not settings.enabled or settings.allowed_authentication_type is UNSET:
        return []
    if "certificate" not in settings.allowed_authentication_type.casefold():
        return []
    return [CertificateUse(f"node certificate of {node.name}", None, f"{path}.certificates", _field(node, "fqdn", path),
                           (Store(node.name, node.certificates, f"{path}.certificates"),), by_name=True)
            for node, path in zip(nodes, node_paths, strict=True)]


def _primary_certificates(estate: Estate, host: Host, fqdn: str | Missing, stores: tuple[Store, ...]) -> list[CertificateUse]:
    uses: dict[str, CertificateUse] = {}
    for vm in _primary_vms(estate, host):
        if not isinstance(vm.replication, Replication) or vm.replication.authentication_type != "Certificate":
            continue
        path = f"$.vms[{_index(estate).vm_position[id(vm)]}].replication"
        thumbprint = _field(vm.replication, "certificate_thumbprint", path)
        key = thumbprint.casefold() if isinstance(thumbprint, str) else repr(thumbprint)
        uses.setdefault(key, CertificateUse(f"primary of {vm.name}", thumbprint, f"{path}.certificate_thumbprint",
                                            fqdn, stores))
    return list(uses.values())


def _vms_replicating_to(estate: Estate, names: set[str]) -> tuple[str, ...]:
    by_replica = _index(estate).vms_by_replica
    return tuple(vm for _, vm in sorted({item for name in names for item in by_replica.get(name, ())}))


class ReplicaServerLinks(TypedDict):
    """Links of a replica participant (any value may also be Missing(path))."""

    role: Literal["host", "broker"]
    replica_endpoint: bool
    settings: ReplicaServer | None
    os_version: str
    os_release: str | None
    hyperv_role: bool
    cluster: Cluster | None
    certificate_uses: list[CertificateUse]
    firewall_stores: list[Store]
    primary_of: list[str]
    replica_of: list[str]


@target_kind("replica_servers", "Hyper-V Replica participants: primary and replica hosts, and cluster Replica Brokers",
             model=Host | ReplicaBroker, links=ReplicaServerLinks)
def _replica_servers(estate: Estate) -> Iterator[Target]:
    for i, host in enumerate(estate.snapshot.hosts):
        path = f"$.hosts[{i}]"
        names = {host.name.casefold()} | ({host.fqdn.casefold()} if host.fqdn is not UNSET else set())
        primary_of = [vm.name for vm in _primary_vms(estate, host)]
        replica_of = _vms_replicating_to(estate, names)
        settings, settings_path = estate.replica_settings(host)
        broker_cluster = _broker_cluster_of(estate, host)
        # A broker cluster's Replica server is its broker (listed below, nodes as members): a node is listed
        # on its own only as the primary or the named replica of a VM.
        enabled = broker_cluster is None and settings not in _ABSENT and settings.enabled
        if not (enabled or primary_of or replica_of):
            continue
        fqdn = _field(host, "fqdn", path)
        stores: tuple[Store, ...] = (Store(host.name, host.certificates, f"{path}.certificates"),)
        uses = _primary_certificates(estate, host, fqdn, stores)
        if broker_cluster is None:
            uses = _endpoint_certificate(host.replica, f"{path}.replica", fqdn, stores) + uses
        os_version = estate.os_version_of(host, path)
        links = {
            "role": "host", "replica_endpoint": broker_cluster is None,
            "settings": Missing(settings_path) if settings is UNSET else settings,
            "os_version": os_version,
            "os_release": None if isinstance(os_version, Missing) else estate.release_of(os_version),
            "hyperv_role": _hyperv_role([host], [path]),
            "cluster": estate.index.cluster_of(host),
            "certificate_uses": uses,
            "firewall_stores": [Store(host.name, host.firewall_rules, f"{path}.firewall_rules")],
            "primary_of": primary_of, "replica_of": list(replica_of),
        }
        yield Target("replica_servers", host.name, host, links, path,
                     at_risk=tuple(dict.fromkeys([*primary_of, *replica_of])))
    for i, cluster in enumerate(estate.snapshot.clusters):
        broker = cluster.replica_broker
        if broker in _ABSENT:
            continue
        path = f"$.clusters[{i}].replica_broker"
        nodes = estate.index.nodes(cluster)
        node_paths = [_host_path(estate, n) for n in nodes]
        names = {broker.name.casefold()} | ({broker.fqdn.casefold()} if broker.fqdn is not UNSET else set())
        stores = tuple(Store(n.name, n.certificates, f"{p}.certificates") for n, p in zip(nodes, node_paths, strict=True))
        os_version = estate.lowest_os_version(nodes, node_paths, "nodes")
        broker_replica_of = list(_vms_replicating_to(estate, names))
        links = {
            "role": "broker", "replica_endpoint": True,
            "settings": Missing(f"{path}.replica") if broker.replica is UNSET else broker.replica,
            "os_version": os_version,
            "os_release": None if isinstance(os_version, Missing) else estate.release_of(os_version),
            "hyperv_role": _hyperv_role(nodes, node_paths),
            "cluster": cluster,
            "certificate_uses": _endpoint_certificate(broker.replica, f"{path}.replica", _field(broker, "fqdn", path), stores)
            + _node_certificates(broker.replica, nodes, node_paths),
            "firewall_stores": [Store(n.name, n.firewall_rules, f"{p}.firewall_rules") for n, p in zip(nodes, node_paths, strict=True)],
            "primary_of": [], "replica_of": broker_replica_of,
        }
        yield Target("replica_servers", broker.name, broker, links, path,
                     at_risk=tuple(broker_replica_of), members=tuple(cluster.nodes))


# ----- replicated VMs ----------------------------------------------------------------------


def _replica_computers(estate: Estate, target: Target) -> list[Host]:
    cluster = target.links.get("replica_broker_cluster")
    if cluster is not None:
        return estate.index.nodes(cluster)
    host = target.links.get("replica_host")
    return [host] if host is not None else []


def _replica_domain(estate: Estate, target: Target) -> tuple[Any, str]:
    """The replica side's domain and the path of the field it comes from."""
    cluster = target.links.get("replica_broker_cluster")
    if cluster is not None and cluster.domain is not UNSET:
        return cluster.domain, field_path(estate.path_of(cluster), "domain")
    computers = _replica_computers(estate, target)
    if not computers:
        return UNSET, absent_path("hosts", target.obj.replication.replica_server)
    return computers[0].domain, field_path(estate.path_of(computers[0]), "domain")


def _replica_site_path(estate: Estate, target: Target) -> str:
    """The path of the `site` field that leaves the replica side's site unknown."""
    computers = _replica_computers(estate, target)
    unset = next((c for c in computers if c.site is UNSET), computers[0] if computers else None)
    if unset is None:
        return field_path(absent_path("hosts", target.obj.replication.replica_server), "site")
    return field_path(estate.path_of(unset), "site")


def _replica_site(estate: Estate, target: Target) -> str | Unset:
    sites = {h.site.casefold() if h.site is not UNSET else UNSET for h in _replica_computers(estate, target)}
    return UNSET if not sites or UNSET in sites or len(sites) > 1 else next(iter(sites))


def _failover_ip_configured(vm: Vm, path: str) -> Derived[bool]:
    if vm.adapters is UNSET:
        return Missing(f"{path}.adapters")
    pending = None
    for position, adapter in enumerate(vm.adapters):
        if adapter.failover_ip is UNSET:
            pending = pending or Missing(f"{path}.adapters[{position}].failover_ip")
        elif adapter.failover_ip is not None:
            return True
    return pending or False


class ReplicationFacts(TypedDict):
    """Facts of a replicated VM (any value may also be Missing(path))."""

    primary_fqdn: Derived[str]
    primary_replica_settings: Derived[ReplicaServer | None]
    replica_node_cluster: Derived[str | None]
    domains_trusted: Derived[bool]
    same_site: Derived[bool]
    frequency_sec: Derived[int | None]
    failover_ip_configured: Derived[bool]


@facts("replicated_vms")
def _replication_facts(estate: Estate, target: Target) -> ReplicationFacts:
    """Primary identity, replica topology, trust, sites and defaults of one replicated VM."""
    vm, host = target.obj, target.links["host"]
    host_path = _host_path(estate, host)
    primary_cluster = _broker_cluster_of(estate, host)
    broker = primary_cluster.replica_broker if primary_cluster is not None else None
    if primary_cluster is not None and isinstance(broker, ReplicaBroker):
        primary_fqdn = broker.fqdn if broker.fqdn is not UNSET else Missing(field_path(estate.path_of(primary_cluster), "replica_broker.fqdn"))
        primary_settings = broker.replica if broker.replica is not UNSET else Missing(
            field_path(estate.path_of(primary_cluster), "replica_broker.replica"))
    else:
        primary_fqdn = _field(host, "fqdn", host_path)
        primary_settings = _field(host, "replica", host_path)
    replica_name = vm.replication.replica_server
    replica_host = target.links.get("replica_host")
    if target.links.get("replica_broker_cluster") is not None:
        node_cluster: Derived[str | None] = None
    elif replica_host is None:
        node_cluster = Missing(absent_path("hosts", replica_name))
    else:
        node_cluster = replica_host.cluster
    known = replica_host is not None or target.links.get("replica_broker_cluster") is not None
    replica_domain, replica_domain_path = _replica_domain(estate, target)
    replica_site = _replica_site(estate, target)
    frequency: Derived[int | None] = vm.replication.frequency_sec
    if frequency is UNSET:
        # Windows Server 2012 has no ReplicationFrequencySec: the interval is a fixed 5 minutes.
        version = target.links.get("host_os_version")
        frequency = None if isinstance(version, str) and parse_version(version).within(WS2012) else Missing(
            f"{target.json_path}.replication.frequency_sec")
    return {
        "primary_fqdn": primary_fqdn,
        "primary_replica_settings": primary_settings,
        "replica_node_cluster": node_cluster,
        "domains_trusted": (estate.trusted(host.domain, replica_domain, f"{host_path}.domain", replica_domain_path)
                            if known else Missing(absent_path("hosts", replica_name))),
        "same_site": (Missing(f"{host_path}.site") if host.site is UNSET else
                      Missing(_replica_site_path(estate, target)) if replica_site is UNSET else
                      host.site.casefold() == replica_site),
        "frequency_sec": frequency,
        "failover_ip_configured": _failover_ip_configured(vm, target.json_path),
    }


class ClusterReplicaFacts(TypedDict):
    """Nodes taking part in Hyper-V Replica, with their roles (or Missing(path))."""

    replica_participants: Derived[list[str]]


@facts("clusters")
def _cluster_replica_facts(estate: Estate, target: Target) -> ClusterReplicaFacts:
    """Nodes that take part in Hyper-V Replica: enabled as Replica servers, or primary of a replicated VM.

    Either makes the Replica Broker required (the broker is needed when the primary or the replica
    server is in a failover cluster).
    """
    participants: list[str] = []
    pending: Missing | None = None
    for node in target.links["nodes"]:
        roles = []
        if node.replica is UNSET:
            pending = pending or Missing(field_path(estate.path_of(node), "replica"))
        elif node.replica is not None and node.replica.enabled:
            roles.append("Replica server")
        primaries = [vm.name for vm in _primary_vms(estate, node)]
        if primaries:
            roles.append("primary of " + ", ".join(primaries))
        if roles:
            participants.append(f"{node.name} ({'; '.join(roles)})")
    return {"replica_participants": participants if participants or pending is None else pending}
