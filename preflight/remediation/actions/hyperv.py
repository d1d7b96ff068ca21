"""Hyper-V fabric actions (Windows Server 2012 cmdlets): Replica, NIC teams, CSV block cache."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from preflight.inventory.index import SnapshotIndex
from preflight.inventory.versions import WS2012R2, parse_version
from preflight.remediation.actions.base import (
    ActionSpec,
    Invocation,
    Param,
    Planning,
    register,
)
from preflight.remediation.actions.phases import Phase
from preflight.remediation.literals import ps_int
from preflight.remediation.literals import ps_quote as q

AUTH = ("Kerberos", "Certificate", "CertificateAndKerberos")
VM_AUTH = ("Kerberos", "Certificate")
"""What one replicated VM can use (Set-VMReplication -AuthenticationType); a server may allow both."""
MODES = ("Static", "SwitchIndependent", "Lacp")
ALGORITHMS = ("TransportPorts", "IPAddresses", "MacAddresses", "HyperVPort", "Dynamic")
BROKER_RESOURCE_TYPE = "Virtual Machine Replication Broker"


def _target(inv: Invocation) -> str:
    """`-ComputerName` for Replica cmdlets: the host, or the Replica Broker's client access point."""
    return q(inv.p("replica_server") or inv.server)


def _auth_args(inv: Invocation) -> str:
    args = f"-AllowedAuthenticationType {q(inv.p('authentication'))}"
    if "Certificate" in inv.p("authentication"):
        args += f" -CertificateThumbprint {q(inv.p('thumbprint'))}"
    return args


def _enable_replica(inv: Invocation) -> list[str]:
    return [f"Set-VMReplicationServer -ComputerName {_target(inv)} -ReplicationEnabled $true {_auth_args(inv)} "
            "-ReplicationAllowedFromAnyServer $false -Force"]


def _set_auth(inv: Invocation) -> list[str]:
    if inv.object_kind == "vms":
        args = f"-AuthenticationType {q(inv.p('authentication'))}"
        if inv.p("authentication") == "Certificate":
            args += f" -CertificateThumbprint {q(inv.p('thumbprint'))} -ReplicaServerPort 443"
        return [f"Set-VMReplication -ComputerName {q(inv.server)} -VMName {q(inv.object_name)} {args}"]
    return [f"Set-VMReplicationServer -ComputerName {_target(inv)} {_auth_args(inv)} -Force"]


def _authorize(inv: Invocation) -> list[str]:
    return [f"New-VMReplicationAuthorizationEntry -ComputerName {_target(inv)} -AllowedPrimaryServer {q(inv.p('primary'))} "
            f"-ReplicaStorageLocation {q(inv.p('storage'))} -TrustGroup {q(inv.p('trust_group'))} | Out-Null"]


def _add_broker(inv: Invocation) -> list[str]:
    broker, cluster = q(inv.p("broker")), q(inv.object_name)
    resource = q(inv.p("broker") + " Replication Broker")
    return [
        "Import-Module FailoverClusters",
        f"Add-ClusterServerRole -Cluster {cluster} -Name {broker} | Out-Null",
        f"Add-ClusterResource -Cluster {cluster} -Name {resource} -Type {q(BROKER_RESOURCE_TYPE)} -Group {broker} | Out-Null",
        f"Add-ClusterResourceDependency -Cluster {cluster} -Resource {resource} -Provider {broker} | Out-Null",
        f"Start-ClusterGroup -Cluster {cluster} -Name {broker} | Out-Null",
    ]


def _add_member(inv: Invocation) -> list[str]:
    return [f"Add-NetLbfoTeamMember -Name {q(inv.p('member'))} -Team {q(inv.item or '')} -Confirm:$false | Out-Null"]


def _remove_member(inv: Invocation) -> list[str]:
    return [f"Remove-NetLbfoTeamMember -Name {q(inv.p('member'))} -Team {q(inv.item or '')} -Confirm:$false"]


def _teaming(inv: Invocation) -> list[str]:
    return [f"Set-NetLbfoTeam -Name {q(inv.item or '')} -TeamingMode {q(inv.p('mode'))} "
            f"-LoadBalancingAlgorithm {q(inv.p('algorithm'))} -Confirm:$false"]


def _cache_size(inv: Invocation) -> list[str]:
    prop = "BlockCacheSize" if parse_version(inv.os_version or "").within(WS2012R2) else "SharedVolumeBlockCacheSizeInMB"
    return [f"$cluster = Get-Cluster -Name {q(inv.object_name)}", f"$cluster.{prop} = {ps_int(inv.p('size_mb'))}"]


def _enable_cache(inv: Invocation) -> list[str]:
    prop = "EnableBlockCache" if parse_version(inv.os_version or "").within(WS2012R2) else "CsvEnableBlockCache"
    cluster, csv = q(inv.p("cluster")), q(inv.item or "")
    return [
        "Import-Module FailoverClusters",
        f"Get-ClusterSharedVolume -Cluster {cluster} -Name {csv} | Set-ClusterParameter -Name {prop} -Value 1",
        "# The setting takes effect when the CSV is brought online again: VMs on it stop meanwhile.",
        f"Stop-ClusterResource -Cluster {cluster} -Name {csv} | Out-Null",
        f"Start-ClusterResource -Cluster {cluster} -Name {csv} | Out-Null",
    ]


def _replica_server_enabled(inv: Invocation) -> list[str]:
    return [f"$server = Get-VMReplicationServer -ComputerName {_target(inv)}",
            f"$server.ReplicationEnabled -and $server.AllowedAuthenticationType -eq {q(inv.p('authentication'))}"]


def _authentication_set(inv: Invocation) -> list[str]:
    if inv.object_kind == "vms":
        return [f"(Get-VMReplication -ComputerName {q(inv.server)} -VMName {q(inv.object_name)}).AuthenticationType "
                f"-eq {q(inv.p('authentication'))}"]
    return [f"(Get-VMReplicationServer -ComputerName {_target(inv)}).AllowedAuthenticationType -eq {q(inv.p('authentication'))}"]


def _authorized(inv: Invocation) -> list[str]:
    return [f"@(Get-VMReplicationAuthorizationEntry -ComputerName {_target(inv)} | "
            f"Where-Object {{ $_.AllowedPrimaryServer -eq {q(inv.p('primary'))} }}).Count -gt 0"]


def _broker_exists(inv: Invocation) -> list[str]:
    return ["Import-Module FailoverClusters",
            f"@(Get-ClusterResource -Cluster {q(inv.object_name)} | "
            f"Where-Object {{ $_.ResourceType.Name -eq {q(BROKER_RESOURCE_TYPE)} }}).Count -gt 0"]


def _team_members(inv: Invocation) -> str:
    return (f"@(Get-NetLbfoTeamMember -Team {q(inv.item or '')} | "
            f"Where-Object {{ $_.Name -eq {q(inv.p('member'))} }}).Count")


def _member_added(inv: Invocation) -> list[str]:
    return [f"{_team_members(inv)} -gt 0"]


def _member_removed(inv: Invocation) -> list[str]:
    return [f"{_team_members(inv)} -eq 0"]


def _teaming_set(inv: Invocation) -> list[str]:
    return [f"$team = Get-NetLbfoTeam -Name {q(inv.item or '')}",
            f"[string]$team.TeamingMode -eq {q(inv.p('mode'))} -and [string]$team.LoadBalancingAlgorithm -eq {q(inv.p('algorithm'))}"]


def _cache_size_set(inv: Invocation) -> list[str]:
    prop = "BlockCacheSize" if parse_version(inv.os_version or "").within(WS2012R2) else "SharedVolumeBlockCacheSizeInMB"
    return [f"(Get-Cluster -Name {q(inv.object_name)}).{prop} -eq {ps_int(inv.p('size_mb'))}"]


def _cache_enabled(inv: Invocation) -> list[str]:
    prop = "EnableBlockCache" if parse_version(inv.os_version or "").within(WS2012R2) else "CsvEnableBlockCache"
    return ["Import-Module FailoverClusters",
            f"(Get-ClusterSharedVolume -Cluster {q(inv.p('cluster'))} -Name {q(inv.item or '')} | "
            f"Get-ClusterParameter -Name {prop}).Value -eq 1"]


def _replica(plan: Planning) -> Any:
    if plan.where.object_kind == "hosts":
        host = plan.index.host(plan.where.object_name)
        return host.replica if host is not None else None
    cluster = plan.index.cluster(plan.where.object_name)
    return cluster.replica_broker.replica if cluster is not None and cluster.replica_broker not in (None, UNSET) else None


def _usable(cert: Any) -> bool:
    return cert.has_private_key is not False and (cert.enhanced_key_usages is UNSET
                                                  or "Server Authentication" in cert.enhanced_key_usages)


def _names(cert: Any) -> set[str]:
    names = {n.casefold() for n in cert.dns_names} if cert.dns_names is not UNSET else set()
    if cert.subject is not UNSET:
        names |= {p.strip()[3:].casefold() for p in cert.subject.split(",") if p.strip().upper().startswith("CN=")}
    return names


def _naming(certs: list[Any], identity: str) -> list[Any]:
    """The usable certificates naming `identity` (an FQDN, or a NetBIOS name compared with the first label);
    then those whose names were not collected (they may name it; the emulator checks names it knows)."""
    key = identity.casefold()
    usable = [c for c in certs if _usable(c)]
    named = [c for c in usable if any(n == key or ("." not in key and n.split(".")[0] == key) for n in _names(c))]
    return named + [c for c in usable if c.subject is UNSET and c.dns_names is UNSET]


def _certs(host: Any) -> list[Any]:
    return list(host.certificates) if host is not None and host.certificates is not UNSET else []


def _certificate(plan: Planning) -> str | None:
    """The certificate Set-VMReplicationServer / Set-VMReplication should use: one naming the Replica server
    itself (a host's own FQDN; on a cluster, the Replica Broker's FQDN, held by every node), never one issued
    to another computer. A replicated VM uses its host's certificate (one naming the host when there is one)."""
    where = plan.where
    if where.object_kind == "clusters":
        cluster = plan.index.cluster(where.object_name)
        broker = cluster.replica_broker if cluster is not None and cluster.replica_broker not in (None, UNSET) else None
        identity = (broker.fqdn if broker.fqdn is not UNSET else broker.name) if broker is not None else \
            dict(where.extra).get("replica_server", "")
        nodes = plan.index.nodes(cluster) if cluster is not None else []
        held = [{c.thumbprint.casefold() for c in _certs(n)} for n in nodes]
        for cert in _naming(_certs(nodes[0]) if nodes else [], identity or ""):
            if all(cert.thumbprint.casefold() in h for h in held):
                return cert.thumbprint
        return None
    host = plan.index.host(where.object_name if where.object_kind == "hosts" else where.server)
    if host is None:
        return None
    own = _naming(_certs(host), host.fqdn if host.fqdn is not UNSET else host.name)
    if own or where.object_kind == "hosts":
        return own[0].thumbprint if own else None
    return next((c.thumbprint for c in _certs(host) if _usable(c)), None)


def _derive_authentication(plan: Planning, params: dict[str, str]) -> str | None:
    if "Certificate" in params.get("authentication", ""):
        thumbprint = _certificate(plan)
        params["thumbprint"] = thumbprint or ""
        return None if thumbprint else f"{plan.where.object_name}: no certificate with Server Authentication and a private key"
    return None


def _derive_authorization(plan: Planning, params: dict[str, str]) -> str | None:
    replica = _replica(plan)
    storage = replica.default_storage_location if replica not in (None, UNSET) else None
    params.setdefault("storage", storage if isinstance(storage, str) else "")
    params.setdefault("trust_group", "DEFAULT")
    return None if params["storage"] else f"{plan.where.object_name}: no default Replica storage location to authorize the primary with"


def _derive_broker(plan: Planning, params: dict[str, str]) -> str | None:
    params.setdefault("broker", f"{plan.where.object_name[:11]}-HVR")
    return None


def _free_nic(index: SnapshotIndex, host_name: str) -> str | None:
    host = index.host(host_name)
    if host is None or host.nics is UNSET:
        return None
    used = {m.name.casefold() for t in (host.teams if host.teams is not UNSET else []) for m in t.members}
    used |= {s.net_adapter.casefold() for s in (host.virtual_switches if host.virtual_switches is not UNSET else [])
             if s.net_adapter is not UNSET}
    for nic in host.nics:
        if nic.name.casefold() not in used and not nic.host_vnic and not nic.kernel_debug \
                and nic.status in ("Up", UNSET) and nic.media_type in ("802.3", UNSET):
            return nic.name
    return None


def _derive_member(plan: Planning, params: dict[str, str]) -> str | None:
    nic = _free_nic(plan.index, plan.where.server)
    params.setdefault("member", nic or "")
    return None if nic else f"{plan.where.server}: no free physical Ethernet NIC to add to the team"


_REPLICA_TARGETS = ("hosts", "clusters")
register(ActionSpec(
    "enable-replica-server", "Enable the host (or Replica Broker) as a Replica server",
    (Param("authentication", "Allowed authentication", choices=AUTH),), _REPLICA_TARGETS,
    ("Windows Server 2012 or later with Hyper-V", "Certificate authentication: a Server Authentication certificate with its private key"),
    ("incoming replication is accepted with that authentication",), restart=False, offline=False, duration_min=5,
    commands=("Set-VMReplicationServer", "Get-VMReplicationServer"), render=_enable_replica,
    test=_replica_server_enabled, phase=Phase.REPLICA_SERVER,
    derive=_derive_authentication, replica_side=True))
register(ActionSpec(
    "set-replica-authentication", "Change the Replica server's allowed authentication",
    (Param("authentication", "Allowed authentication", choices=AUTH),), (*_REPLICA_TARGETS, "vms"),
    ("the Replica server is enabled", "Certificate authentication: a suitable certificate"),
    ("the Replica server accepts that authentication; a replicated VM replicates with it",), restart=False,
    offline=False, duration_min=2, commands=("Set-VMReplicationServer", "Set-VMReplication", "Get-VMReplicationServer", "Get-VMReplication"),
    render=_set_auth, test=_authentication_set, phase=Phase.REPLICA_AUTHENTICATION,
    derive=_derive_authentication, replica_side=True,
    # the VM keeps its own type when it is not one a VM can use: allowing both on the server is the whole fix
    applies=lambda kind, params: kind != "vms" or params.get("authentication") in VM_AUTH))
register(ActionSpec(
    "authorize-primary", "Authorize a primary server on the Replica server",
    (Param("primary", "Primary server FQDN or wildcard"), Param("storage", "Replica storage location"),
     Param("trust_group", "Trust group")), _REPLICA_TARGETS,
    ("the Replica server is enabled",), ("the primary can replicate to this server",), restart=False, offline=False,
    duration_min=2, commands=("New-VMReplicationAuthorizationEntry", "Out-Null", "Get-VMReplicationAuthorizationEntry", "Where-Object"),
    render=_authorize, test=_authorized, phase=Phase.REPLICA_AUTHORIZATION,
    derive=_derive_authorization, replica_side=True))
register(ActionSpec(
    "add-replica-broker", "Add the Hyper-V Replica Broker role to the cluster", (Param("broker", "Client access point name"),),
    ("clusters",), ("every node runs Windows Server 2012 or later",), ("the cluster has a Replica Broker",),
    restart=False, offline=False, duration_min=15,
    commands=("Import-Module", "Add-ClusterServerRole", "Add-ClusterResource", "Add-ClusterResourceDependency",
              "Start-ClusterGroup", "Out-Null", "Get-ClusterResource", "Where-Object"), render=_add_broker, test=_broker_exists,
    phase=Phase.REPLICA_BROKER, remote=False,
    derive=_derive_broker))
register(ActionSpec(
    "add-team-member", "Add a free physical NIC to a team", (Param("member", "NIC to add"),), ("host_teams",),
    ("a free Ethernet NIC that is up and not a host vNIC or debug adapter",), ("the team has one more member",),
    restart=False, offline=False, duration_min=5, commands=("Add-NetLbfoTeamMember", "Out-Null", "Get-NetLbfoTeamMember", "Where-Object"),
    render=_add_member, test=_member_added, phase=Phase.TEAM_ADD_MEMBER,
    derive=_derive_member))
register(ActionSpec(
    "remove-team-member", "Remove a member from a team", (Param("member", "NIC to remove"),), ("host_teams",),
    ("the team keeps at least one member",), ("the NIC is no longer in the team",), restart=False, offline=False,
    duration_min=2, commands=("Remove-NetLbfoTeamMember", "Get-NetLbfoTeamMember", "Where-Object"),
    render=_remove_member, test=_member_removed, phase=Phase.TEAM_REMOVE_MEMBER))
register(ActionSpec(
    "set-teaming-mode", "Change a team's teaming mode and load-balancing algorithm",
    (Param("mode", "Teaming mode", choices=MODES), Param("algorithm", "Load-balancing algorithm", choices=ALGORITHMS)),
    ("host_teams",), ("Dynamic needs Windows Server 2012 R2", "Static / LACP need the switch ports configured to match"),
    ("the team uses the new mode",), restart=False, offline=True, duration_min=5,
    commands=("Set-NetLbfoTeam", "Get-NetLbfoTeam"), render=_teaming, test=_teaming_set, phase=Phase.TEAM_MODE))
register(ActionSpec(
    "set-csv-block-cache", "Set the cluster's CSV block cache size", (Param("size_mb", "Cache size in MB", integer=True),),
    ("clusters",), ("size within the limit (20% of node memory on 2012, 80% on 2012 R2)",), ("the cache has that size",),
    restart=False, offline=False, duration_min=2, commands=("Get-Cluster",), render=_cache_size,
    test=_cache_size_set, phase=Phase.CSV_CACHE_SIZE, remote=False))
register(ActionSpec(
    "enable-csv-block-cache", "Enable the block cache on a CSV", (Param("cluster", "Cluster"),), ("csvs",),
    ("the cluster has a block cache size above 0",), ("the CSV uses the cache",), restart=False, offline=True,
    duration_min=5, commands=("Import-Module", "Get-ClusterSharedVolume", "Set-ClusterParameter", "Stop-ClusterResource",
                              "Start-ClusterResource", "Out-Null", "Get-ClusterParameter"), render=_enable_cache,
    test=_cache_enabled, phase=Phase.CSV_CACHE_ENABLE, remote=False))
