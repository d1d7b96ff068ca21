"""Virtual machines: guest OS, network adapters, guest NIC teams, Hyper-V Replica and backup."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta

from preflight.inventory.common import Model, Timestamp, Unset
from preflight.inventory.hosts import Team


class FailoverIp(Model, kw_only=True):
    """Set-VMNetworkAdapterFailoverConfiguration values."""

    ipv4_address: str | Unset = UNSET
    ipv4_subnet_mask: str | Unset = UNSET
    ipv4_default_gateway: str | Unset = UNSET
    ipv6_address: str | Unset = UNSET
    ipv6_prefix_length: int | Unset = UNSET


class VmAdapter(Model, kw_only=True):
    """Get-VMNetworkAdapter."""

    name: str
    legacy: bool = False
    switch_name: str | None | Unset = UNSET
    allow_teaming: bool | Unset = UNSET
    failover_ip: FailoverIp | None | Unset = UNSET
    test_failover_switch: str | None | Unset = UNSET


class GuestOs(Model, kw_only=True):
    """The guest operating system as the integration services report it."""

    caption: str | Unset = UNSET
    version: str | Unset = UNSET
    service_pack: Annotated[int, Meta(ge=0, description="ServicePackMajorVersion of the guest")] | Unset = UNSET


class Replication(Model, kw_only=True):
    """Get-VMReplication of the VM on its primary server."""

    mode: Literal["Primary", "Replica", "TestReplica"] = "Primary"
    primary_server: str | Unset = UNSET
    replica_server: Annotated[str, Meta(description="Host, or Replica Broker client access point, the VM replicates to")]
    authentication_type: Literal["Kerberos", "Certificate"]
    port: int | Unset = UNSET
    frequency_sec: Annotated[int, Meta(ge=1, description="ReplicationFrequencySec (2012 R2); 300 fixed on 2012")] | Unset = UNSET
    recovery_history: Annotated[int, Meta(ge=0, description="Additional recovery points")] = 0
    vss_snapshot_frequency_hours: Annotated[int, Meta(ge=0)] | None = None
    health: Literal["Normal", "Warning", "Critical"] | Unset = UNSET
    state: str | Unset = UNSET
    certificate_thumbprint: str | None | Unset = UNSET


class Backup(Model, kw_only=True):
    """Backup protection of the VM."""

    configured: bool
    product: str | Unset = UNSET
    last_backup: Timestamp | None | Unset = UNSET


class Vm(Model, kw_only=True):
    """A virtual machine (Get-VM / Get-SCVirtualMachine)."""

    name: str
    host: str
    state: Literal["Running", "Off", "Saved", "Paused"] | Unset = UNSET
    memory_gb: Annotated[float, Meta(ge=0)] | Unset = UNSET
    highly_available: bool | Unset = UNSET
    guest_os: GuestOs | Unset = UNSET
    integration_services_version: str | Unset = UNSET
    integration_services_current: bool | Unset = UNSET
    adapters: list[VmAdapter] | Unset = UNSET
    teams: list[Team] | Unset = UNSET
    replication: Replication | None | Unset = UNSET
    backup: Backup | None | Unset = UNSET
