"""Hyper-V fabric actions (Windows Server 2012 cmdlets): Replica, NIC teams, CSV block cache."""

from __future__ import annotations

from preflight.inventory.versions import WS2012R2, parse_version
from preflight.remediation.actions.base import ActionSpec, Invocation, Param, register
from preflight.remediation.literals import ps_int
from preflight.remediation.literals import ps_quote as q

AUTH = ("Kerberos", "Certificate", "CertificateAndKerberos")
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


_REPLICA_TARGETS = ("hosts", "clusters")
register(ActionSpec(
    "enable-replica-server", "Enable the host (or Replica Broker) as a Replica server",
    (Param("authentication", "Allowed authentication", choices=AUTH),), _REPLICA_TARGETS,
    ("Windows Server 2012 or later with Hyper-V", "Certificate authentication: a Server Authentication certificate with its private key"),
    ("incoming replication is accepted with that authentication",), restart=False, offline=False, duration_min=5,
    commands=("Set-VMReplicationServer",), render=_enable_replica, phase=70))
register(ActionSpec(
    "set-replica-authentication", "Change the Replica server's allowed authentication",
    (Param("authentication", "Allowed authentication", choices=AUTH),), (*_REPLICA_TARGETS, "vms"),
    ("the Replica server is enabled", "Certificate authentication: a suitable certificate"),
    ("the Replica server accepts that authentication; a replicated VM replicates with it",), restart=False,
    offline=False, duration_min=2, commands=("Set-VMReplicationServer", "Set-VMReplication"), render=_set_auth, phase=71))
register(ActionSpec(
    "authorize-primary", "Authorize a primary server on the Replica server",
    (Param("primary", "Primary server FQDN or wildcard"), Param("storage", "Replica storage location"),
     Param("trust_group", "Trust group")), _REPLICA_TARGETS,
    ("the Replica server is enabled",), ("the primary can replicate to this server",), restart=False, offline=False,
    duration_min=2, commands=("New-VMReplicationAuthorizationEntry", "Out-Null"), render=_authorize, phase=72))
register(ActionSpec(
    "add-replica-broker", "Add the Hyper-V Replica Broker role to the cluster", (Param("broker", "Client access point name"),),
    ("clusters",), ("every node runs Windows Server 2012 or later",), ("the cluster has a Replica Broker",),
    restart=False, offline=False, duration_min=15,
    commands=("Import-Module", "Add-ClusterServerRole", "Add-ClusterResource", "Add-ClusterResourceDependency",
              "Start-ClusterGroup", "Out-Null"), render=_add_broker, phase=69, remote=False))
register(ActionSpec(
    "add-team-member", "Add a free physical NIC to a team", (Param("member", "NIC to add"),), ("host_teams",),
    ("a free Ethernet NIC that is up and not a host vNIC or debug adapter",), ("the team has one more member",),
    restart=False, offline=False, duration_min=5, commands=("Add-NetLbfoTeamMember", "Out-Null"), render=_add_member, phase=75))
register(ActionSpec(
    "remove-team-member", "Remove a member from a team", (Param("member", "NIC to remove"),), ("host_teams",),
    ("the team keeps at least one member",), ("the NIC is no longer in the team",), restart=False, offline=False,
    duration_min=2, commands=("Remove-NetLbfoTeamMember",), render=_remove_member, phase=74))
register(ActionSpec(
    "set-teaming-mode", "Change a team's teaming mode and load-balancing algorithm",
    (Param("mode", "Teaming mode", choices=MODES), Param("algorithm", "Load-balancing algorithm", choices=ALGORITHMS)),
    ("host_teams",), ("Dynamic needs Windows Server 2012 R2", "Static / LACP need the switch ports configured to match"),
    ("the team uses the new mode",), restart=False, offline=True, duration_min=5,
    commands=("Set-NetLbfoTeam",), render=_teaming, phase=76))
register(ActionSpec(
    "set-csv-block-cache", "Set the cluster's CSV block cache size", (Param("size_mb", "Cache size in MB", integer=True),),
    ("clusters",), ("size within the limit (20% of node memory on 2012, 80% on 2012 R2)",), ("the cache has that size",),
    restart=False, offline=False, duration_min=2, commands=("Get-Cluster",), render=_cache_size, phase=78, remote=False))
register(ActionSpec(
    "enable-csv-block-cache", "Enable the block cache on a CSV", (Param("cluster", "Cluster"),), ("csvs",),
    ("the cluster has a block cache size above 0",), ("the CSV uses the cache",), restart=False, offline=True,
    duration_min=5, commands=("Import-Module", "Get-ClusterSharedVolume", "Set-ClusterParameter", "Stop-ClusterResource",
                              "Start-ClusterResource", "Out-Null"), render=_enable_cache, phase=79, remote=False))
