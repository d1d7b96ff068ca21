"""Target kinds for the virtualization fabric: hosts, clusters, CSVs, teams, VMs and replication."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypedDict

from msgspec import UNSET

from preflight.estate.model import Estate, Target, target_kind
from preflight.inventory.clusters import Cluster, Csv, ReplicaBroker
from preflight.inventory.common import Unset
from preflight.inventory.hosts import Host, Nic, ReplicaServer, Team
from preflight.inventory.paths import Missing, absent_path
from preflight.inventory.refs import CSVS, HOST_TEAMS, HOSTS, REPLICATED_VMS, VM_TEAMS, VMS, ObjectRef
from preflight.inventory.vms import Vm, VmAdapter


# Link types (what a rule's `@name` paths read); any value may also be Missing(path).
class HostLinks(TypedDict):
    """Links of a host: its OS version and release, its cluster, and its VMs."""

    os_version: str
    os_release: str | None
    cluster: Cluster | None
    vm_count: int
    running_vm_count: int
    guest_os: list[str]


class ClusterLinks(TypedDict):
    """Links of a cluster: its node hosts, their lowest OS version, smallest memory and VMs."""

    nodes: list[Host]
    node_count: int
    os_version: str
    os_release: str | None
    min_node_memory_gb: float
    vm_count: int


class CsvLinks(TypedDict):
    """A CSV carries its cluster's links plus the cluster itself."""

    cluster: Cluster


class HostTeamLinks(TypedDict):
    """A host team carries its host's links plus the host and the NICs its members name."""

    host: Host
    member_nics: list[Nic]


class VmLinks(TypedDict):
    """Links of a VM: its host with the host's OS, and the host's cluster."""

    host: Host
    host_os_version: str
    host_os_release: str | None
    cluster: Cluster | None


class VmTeamLinks(TypedDict):
    """A guest team carries its VM's links plus the VM and the adapters its members name."""

    vm: Vm
    member_adapters: list[VmAdapter]


class ReplicatedVmLinks(TypedDict):
    """A replicated VM carries its VM links plus where it replicates to and that server's settings."""

    replica_host: Host | None
    replica_broker_cluster: Cluster | None
    replica_settings: ReplicaServer | None | Unset


def _host_links(estate: Estate, host: Host, path: str) -> dict[str, Any]:  # Any: a HostLinks value or Missing
    vms = estate.vms_on(host.name)
    os_version = estate.os_version_of(host, path)
    return {
        "os_version": os_version,
        "os_release": estate.release_of(None if isinstance(os_version, Missing) else os_version),
        "cluster": estate.index.cluster_of(host),
        "vm_count": len(vms),
        "running_vm_count": sum(1 for vm in vms if vm.state == "Running"),
        "guest_os": [vm.guest_os.caption for vm in vms if vm.guest_os is not UNSET and vm.guest_os.caption is not UNSET],
    }


@target_kind("hosts", "Virtualization hosts (Hyper-V, ESX/ESXi, Virtual Server)", model=Host, links=HostLinks)
def _hosts(estate: Estate) -> Iterator[Target]:
    for i, host in enumerate(estate.snapshot.hosts):
        path = f"$.hosts[{i}]"
        yield Target("hosts", host.name, host, _host_links(estate, host, path), path,
                     at_risk=tuple(vm.name for vm in estate.vms_on(host.name)))


def _cluster_links(estate: Estate, cluster: Cluster, path: str) -> dict[str, Any]:  # Any: as _host_links
    nodes = estate.index.nodes(cluster)
    lowest = estate.lowest_os_version(nodes, [estate.path_of(node) for node in nodes], f"{path}.nodes")
    memories = [n.hardware.memory_gb for n in nodes if n.hardware is not UNSET and n.hardware.memory_gb is not UNSET]
    return {
        "nodes": nodes,
        "node_count": len(nodes),
        "os_version": lowest,
        "os_release": None if isinstance(lowest, Missing) else estate.release_of(lowest),
        "min_node_memory_gb": min(memories) if memories and len(memories) == len(nodes) else Missing(
            f"{path}.nodes[*].hardware.memory_gb"),
        "vm_count": sum(len(estate.vms_on(n.name)) for n in nodes),
    }


@target_kind("clusters", "Failover clusters", model=Cluster, links=ClusterLinks)
def _clusters(estate: Estate) -> Iterator[Target]:
    for i, cluster in enumerate(estate.snapshot.clusters):
        path = f"$.clusters[{i}]"
        vms = tuple(vm.name for node in cluster.nodes for vm in estate.vms_on(node))
        yield Target("clusters", cluster.name, cluster, _cluster_links(estate, cluster, path), path,
                     at_risk=vms, members=tuple(cluster.nodes))


@target_kind("csvs", "Cluster Shared Volumes (named CLUSTER/volume)", model=Csv, links=CsvLinks, inherits="clusters")
def _csvs(estate: Estate) -> Iterator[Target]:
    for cluster_target in estate.targets("clusters"):
        cluster = cluster_target.obj
        if cluster.csvs is UNSET:
            continue
        for j, csv in enumerate(cluster.csvs):
            links = dict(cluster_target.links, cluster=cluster)
            yield Target.of(ObjectRef(CSVS, csv.name, cluster_target.ref), csv, links,
                            f"{cluster_target.json_path}.csvs[{j}]", at_risk=cluster_target.at_risk,
                            members=cluster_target.members)


@target_kind("host_teams", "NIC teams on hosts (named HOST/team)", model=Team, links=HostTeamLinks, inherits="hosts")
def _host_teams(estate: Estate) -> Iterator[Target]:
    for host_target in estate.targets("hosts"):
        host = host_target.obj
        if host.teams is UNSET:
            continue
        nics = {n.name.casefold(): n for n in host.nics} if host.nics is not UNSET else {}
        for j, team in enumerate(host.teams):
            members = [nics.get(m.name.casefold()) for m in team.members]
            links = dict(host_target.links, host=host, member_nics=[n for n in members if n is not None])
            yield Target.of(ObjectRef(HOST_TEAMS, team.name, host_target.ref), team, links,
                            f"{host_target.json_path}.teams[{j}]", at_risk=host_target.at_risk)


def _some_vms(estate: Estate, keep: Callable[[Vm], bool] | None) -> Iterator[Target]:
    """The targets of the VMs `keep` accepts (of every VM when it is None)."""
    per_host: dict[str, dict[str, Any]] = {}   # what a VM's links say of its host, worked out once per host
    shared = estate.index.shared_vm_names()
    for i, vm in enumerate(estate.snapshot.vms):
        if keep is not None and not keep(vm):
            continue
        host_links = per_host.get(vm.host)
        if host_links is None:
            host = estate.index.host(vm.host)
            os_version = estate.os_version_of(host, estate.path_of(host))
            host_links = per_host[vm.host] = {
                "host": host,
                "host_os_version": os_version,
                "host_os_release": None if isinstance(os_version, Missing) else estate.release_of(os_version),
                "cluster": estate.index.cluster_of(host),
            }
        # A VM's name identifies it unless another VM shares it: only then does its identity name its host.
        owner = ObjectRef(HOSTS, vm.host) if shared and vm.name.casefold() in shared else None
        yield Target.of(ObjectRef(VMS, vm.name, owner), vm, host_links, f"$.vms[{i}]")   # links shared: see Target


@target_kind("vms", "Virtual machines", model=Vm, links=VmLinks, select=_some_vms)
def _vms(estate: Estate) -> Iterator[Target]:
    return _some_vms(estate, None)


def _has_teams(vm: Vm) -> bool:
    return vm.teams is not UNSET and bool(vm.teams)


def _is_replicated(vm: Vm) -> bool:
    return vm.replication not in (None, UNSET)


@target_kind("vm_teams", "NIC teams inside VMs (named VM/team)", model=Team, links=VmTeamLinks, inherits="vms")
def _vm_teams(estate: Estate) -> Iterator[Target]:
    for vm_target in estate.targets_where(VMS, _has_teams):
        vm = vm_target.obj
        adapters = {a.name.casefold(): a for a in vm.adapters} if vm.adapters is not UNSET else {}
        for j, team in enumerate(vm.teams):
            members = [adapters.get(m.name.casefold()) for m in team.members]
            links = dict(vm_target.links, vm=vm, member_adapters=[a for a in members if a is not None])
            yield Target.of(ObjectRef(VM_TEAMS, team.name, vm_target.ref), team, links,
                            f"{vm_target.json_path}.teams[{j}]", at_risk=(vm.name,))


@target_kind("replicated_vms", "VMs with Hyper-V Replica configured (Get-VMReplication)", model=Vm,
             links=ReplicatedVmLinks, inherits="vms")
def _replicated_vms(estate: Estate) -> Iterator[Target]:
    for vm_target in estate.targets_where(VMS, _is_replicated):
        vm = vm_target.obj
        replica_name = vm.replication.replica_server
        replica_host = estate.host(replica_name)
        broker_cluster = estate.index.broker_cluster(replica_name)
        broker = broker_cluster.replica_broker if broker_cluster is not None else None
        settings: ReplicaServer | None | Unset | Missing
        if isinstance(broker, ReplicaBroker):
            settings = broker.replica
        elif replica_host is not None:   # a node of a broker cluster works with the broker's settings
            settings, _ = estate.replica_settings(replica_host)
        else:
            settings = Missing(absent_path("hosts", vm.replication.replica_server))
        links = dict(vm_target.links, replica_host=replica_host, replica_broker_cluster=broker_cluster,
                     replica_settings=settings)
        yield Target.of(ObjectRef(REPLICATED_VMS, vm.name, vm_target.ref.owner), vm, links, vm_target.json_path,
                        at_risk=(vm.name,))
