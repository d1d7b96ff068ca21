"""Virtual machines: guest OS, network adapters, guest NIC teams, Hyper-V Replica and backup."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta

from preflight.inventory.common import MAX_MEMORY_GB, Model, Port, Timestamp, Unset
from preflight.inventory.hosts import Team
from preflight.inventory.names import ComputerName, DnsName, Text, VersionText


class FailoverIp(Model, kw_only=True):
    """Set-VMNetworkAdapterFailoverConfiguration values."""

    ipv4_address: Text | Unset = UNSET
    ipv4_subnet_mask: Text | Unset = UNSET
    ipv4_default_gateway: Text | Unset = UNSET
    ipv6_address: Text | Unset = UNSET
    ipv6_prefix_length: Annotated[int, Meta(ge=0, le=128)] | Unset = UNSET


class VmAdapter(Model, kw_only=True):
    """Get-VMNetworkAdapter."""

    name: Text
    legacy: bool = False
    switch_name: Text | None | Unset = UNSET
    allow_teaming: bool | Unset = UNSET
    failover_ip: FailoverIp | None | Unset = UNSET
    test_failover_switch: Text | None | Unset = UNSET


class GuestOs(Model, kw_only=True):
    """The guest operating system as the integration services report it."""

    caption: Text | Unset = UNSET
    version: VersionText | Unset = UNSET
    service_pack: Annotated[int, Meta(ge=0, le=99, description="Guest service pack level (KVP ServicePackMajor): 0 none, 1 SP1")] | Unset = UNSET


class Replication(Model, kw_only=True):
    """Get-VMReplication of the VM on its primary server."""

    mode: Literal["Primary", "Replica", "TestReplica"] = "Primary"
    primary_server: DnsName | Unset = UNSET
    replica_server: Annotated[DnsName, Meta(description=(
        "Host, or Replica Broker client access point, the VM replicates to (Get-VMReplication ReplicaServerName)"))]
    authentication_type: Literal["Kerberos", "Certificate"]
    port: Port | Unset = UNSET
    frequency_sec: Annotated[int, Meta(ge=1, description=(
        "Seconds between replication cycles (ReplicationFrequencySec, 2012 R2: 30, 300 or 900); fixed at 300 on 2012"))] | Unset = UNSET
    recovery_history: Annotated[int, Meta(ge=0, description=(
        "Additional recovery points kept on the replica (RecoveryHistory): 0 only the latest; at most 15 on 2012, 24 on 2012 R2"))] = 0
    vss_snapshot_frequency_hours: Annotated[int, Meta(ge=0)] | None = None
    health: Literal["Normal", "Warning", "Critical"] | Unset = UNSET
    state: Text | Unset = UNSET
    certificate_thumbprint: Text | None | Unset = UNSET


class Backup(Model, kw_only=True):
    """Backup protection of the VM."""

    configured: bool
    product: Text | Unset = UNSET
    last_backup: Timestamp | None | Unset = UNSET


VmId = Annotated[str, Meta(
    pattern=r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
    description="VMId (Get-VM) or ID (Get-SCVirtualMachine): a GUID, e.g. 5f0d2a3c-8e7b-4c1a-9d6e-2b4f8a1c3e5d")]


class Vm(Model, kw_only=True):
    """A virtual machine (Get-VM / Get-SCVirtualMachine).

    A VM is one entry per (host, id), or per (host, name) when the id was not collected: a Hyper-V Replica
    copy on the replica server, or a namesake test VM on another host, is a VM of its own.
    """

    name: Text
    host: ComputerName
    id: VmId | Unset = UNSET
    state: Literal["Running", "Off", "Saved", "Paused"] | Unset = UNSET
    memory_gb: Annotated[float, Meta(ge=0, le=MAX_MEMORY_GB)] | Unset = UNSET
    highly_available: bool | Unset = UNSET
    guest_os: GuestOs | Unset = UNSET
    integration_services_version: VersionText | Unset = UNSET
    integration_services_current: bool | Unset = UNSET
    adapters: list[VmAdapter] | Unset = UNSET
    teams: list[Team] | Unset = UNSET
    replication: Replication | None | Unset = UNSET
    backup: Backup | None | Unset = UNSET
