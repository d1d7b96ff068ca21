"""Derived facts for the Cluster Shared Volume rules (pack csv2012): ``@`` links on clusters and CSVs.

Each fact is computed from collected fields; a fact that depends on a field the snapshot lacks
is `Missing(<that field's path>)`, so the rule reports unknown and names the field.
"""

from __future__ import annotations

from typing import Any, TypedDict

from msgspec import UNSET

from preflight.estate.model import Derived, Estate, Target, facts
from preflight.inventory.clusters import Cluster, Csv
from preflight.inventory.paths import Missing, absent_path, field_path, item_path


def _node_path(estate: Estate, name: str, field: str) -> str:
    return field_path(estate.path_of(estate.index.host(name)), field)


# Any: the cluster links (a ClusterLinks value or Missing each)
def _block_cache_percent(cluster: Cluster, links: dict[str, Any], path: str) -> Derived[float]:
    size = cluster.shared_volume_block_cache_size_in_mb
    memory = links.get("min_node_memory_gb")
    if size is UNSET:
        return Missing(f"{path}.shared_volume_block_cache_size_in_mb")
    if isinstance(memory, Missing) or memory is None:
        return memory if isinstance(memory, Missing) else Missing(f"{path}.nodes")
    return round(size / (memory * 1024) * 100, 1)


def _not_restarted(estate: Estate, cluster: Cluster, path: str) -> Derived[list[str]]:
    changed = cluster.shared_volume_block_cache_size_changed_at
    if changed is UNSET:
        return Missing(f"{path}.shared_volume_block_cache_size_changed_at")
    if changed is None:
        return []
    stale = []
    for name in cluster.nodes:
        boot = estate.index.node(name).last_boot
        if boot is UNSET:
            return Missing(_node_path(estate, name, "last_boot"))
        if boot < changed:
            stale.append(f"{name} (last boot {boot.isoformat()})")
    return stale


def _system_drive_mismatch(estate: Estate, cluster: Cluster) -> Derived[list[str]]:
    drives: dict[str, str] = {}
    for name in cluster.nodes:
        hardware = estate.index.node(name).hardware
        if hardware is UNSET or hardware.system_drive is UNSET:
            return Missing(_node_path(estate, name, "hardware.system_drive"))
        drives[name] = hardware.system_drive.upper()
    if len(set(drives.values())) <= 1:
        return []
    return [f"{name} {drive}" for name, drive in drives.items()]


def _ntlm_disabled(estate: Estate, cluster: Cluster) -> Derived[list[str]]:
    disabled = []
    for name in cluster.nodes:
        enabled = estate.index.node(name).ntlm_enabled
        if enabled is UNSET:
            return Missing(_node_path(estate, name, "ntlm_enabled"))
        if not enabled:
            disabled.append(name)
    return disabled


def _partial_networks(cluster: Cluster, path: str) -> Derived[list[str]]:
    """Cluster networks that only some nodes reach: the nodes sit in different subnets."""
    if cluster.networks is UNSET:
        return Missing(f"{path}.networks")
    if cluster.network_interfaces is UNSET:
        return Missing(f"{path}.network_interfaces")
    partial = []
    for network in cluster.networks:
        if network.role == 0:
            continue
        reached = {i.node.casefold() for i in cluster.network_interfaces if i.network.casefold() == network.name.casefold()}
        if reached and len(reached) < len(cluster.nodes):
            nodes = ", ".join(n for n in cluster.nodes if n.casefold() in reached)
            subnet = f" ({network.address})" if network.address is not UNSET else ""
            partial.append(f"{network.name}{subnet} reaches only {nodes}")
    return partial


def _csv_networks(estate: Estate, cluster: Cluster, path: str) -> tuple[Derived[list[str]], Derived[list[str]]]:
    """(cluster networks that can carry CSV traffic, those of them every node reaches through a NIC team).

    A team counts when the node's interface on the network is a team interface (its adapter is named
    like one of the node's teams) with two or more members.
    """
    if cluster.networks is UNSET:
        return Missing(f"{path}.networks"), Missing(f"{path}.networks")
    usable = [n for n in cluster.networks if n.role in (1, 3) and n.state != "Down"]
    if any(n.state is UNSET for n in usable):
        missing = Missing(field_path(item_path(path, "networks", cluster.networks, next(n for n in usable if n.state is UNSET)), "state"))
        return missing, missing
    names = [n.name for n in usable if n.state == "Up"]
    if len(names) != 1:
        return names, []
    if cluster.network_interfaces is UNSET:
        return names, Missing(f"{path}.network_interfaces")
    for node in cluster.nodes:
        host = estate.index.node(node)
        interface = next((i for i in cluster.network_interfaces if i.node.casefold() == node.casefold()
                          and i.network.casefold() == names[0].casefold()), None)
        if interface is None:
            return names, []
        if interface.adapter is UNSET:
            return names, Missing(field_path(item_path(path, "network_interfaces", cluster.network_interfaces, interface), "adapter"))
        if host.teams is UNSET:
            return names, Missing(_node_path(estate, node, "teams"))
        team = next((t for t in host.teams if t.name.casefold() == interface.adapter.casefold()), None)
        if team is None or len(team.members) < 2:
            return names, []
    return names, names


def _dc_outside_cluster(estate: Estate, cluster: Cluster, path: str) -> Derived[list[str]]:
    """Domain controllers of the cluster's domain that do not run as VMs on the cluster's own nodes."""
    if cluster.domain is UNSET:
        return Missing(f"{path}.domain")
    if cluster.domain is None:
        return []
    record = estate.index.domains.get(cluster.domain)
    if record is None:
        return Missing(absent_path("domains", cluster.domain))
    if record.domain_controllers is UNSET:
        return Missing(field_path(estate.path_of(record), "domain_controllers"))
    on_cluster = {vm.name.casefold() for node in cluster.nodes for vm in estate.vms_on(node)}
    return [dc.name for dc in record.domain_controllers if dc.name.casefold() not in on_cluster]


def _newest_dc_version(estate: Estate, cluster: Cluster, path: str) -> Derived[str | None]:
    if cluster.domain is UNSET:
        return Missing(f"{path}.domain")
    if cluster.domain is None:
        return None
    return estate.newest_dc_version(cluster.domain)


class ClusterFacts(TypedDict):
    """Facts of a cluster for the CSV rules (any value may also be Missing(path))."""

    csv_networks: Derived[list[str]]
    teamed_csv_networks: Derived[list[str]]
    dc_outside_cluster: Derived[list[str]]
    block_cache_percent_of_node_memory: Derived[float]
    nodes_not_restarted_since_cache_change: Derived[list[str]]
    system_drive_mismatch: Derived[list[str]]
    ntlm_disabled_nodes: Derived[list[str]]
    partial_networks: Derived[list[str]]
    newest_dc_version: Derived[str | None]


@facts("clusters")
def cluster_facts(estate: Estate, target: Target) -> ClusterFacts:
    """CSV networks (teamed or not), DCs off the cluster, block cache share of node memory, nodes not restarted
    since a cache change, node mismatches, DC level."""
    cluster, path = target.obj, target.json_path
    csv_networks, teamed = _csv_networks(estate, cluster, path)
    return {
        "csv_networks": csv_networks,
        "teamed_csv_networks": teamed,
        "dc_outside_cluster": _dc_outside_cluster(estate, cluster, path),
        "block_cache_percent_of_node_memory": _block_cache_percent(cluster, target.links, path),
        "nodes_not_restarted_since_cache_change": _not_restarted(estate, cluster, path),
        "system_drive_mismatch": _system_drive_mismatch(estate, cluster),
        "ntlm_disabled_nodes": _ntlm_disabled(estate, cluster),
        "partial_networks": _partial_networks(cluster, path),
        "newest_dc_version": _newest_dc_version(estate, cluster, path),
    }


def _cno_protector(csv: Csv, cluster: Cluster, path: str) -> Derived[bool]:
    """True when BitLocker has an AdAccountOrGroup protector for the cluster name object (CLUSTER$)."""
    if csv.bitlocker is UNSET:
        return Missing(f"{path}.bitlocker")
    if csv.bitlocker is None:
        return False
    if csv.bitlocker.protectors is UNSET:
        return Missing(f"{path}.bitlocker.protectors")
    account = f"{cluster.name}$".casefold()
    for protector in csv.bitlocker.protectors:
        kind, _, principal = protector.partition(":")
        if kind.strip().casefold() == "adaccountorgroup" and principal.rsplit("\\", 1)[-1].strip().casefold() == account:
            return True
    return False


def _redirected_io_reason(csv: Csv, path: str) -> Derived[str | None]:
    """The reason field that matches the CSV's state: file-system or block redirection."""
    field = {"FileSystemRedirected": "file_system_redirected_io_reason",
             "BlockRedirected": "block_redirected_io_reason"}.get(csv.state_info) if csv.state_info is not UNSET else None
    if field is None:
        return None
    reason = getattr(csv, field)
    return Missing(f"{path}.{field}") if reason is UNSET else reason


class CsvFacts(TypedDict):
    """Facts of a CSV (any value may also be Missing(path))."""

    non_hyperv_workloads: Derived[list[str]]
    cno_protector: Derived[bool]
    redirected_io_reason: Derived[str | None]


@facts("csvs")
def csv_facts(estate: Estate, target: Target) -> CsvFacts:
    """Workloads other than Hyper-V, the CNO BitLocker protector, and the redirected-I/O reason."""
    csv, path = target.obj, target.json_path
    workloads = Missing(f"{path}.workloads") if csv.workloads is UNSET else [
        w for w in csv.workloads if w.casefold() != "hyper-v"]
    return {
        "non_hyperv_workloads": workloads,
        "cno_protector": _cno_protector(csv, target.links["cluster"], path),
        "redirected_io_reason": _redirected_io_reason(csv, path),
    }
