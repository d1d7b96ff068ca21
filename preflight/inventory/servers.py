"""VMM management servers, SQL Servers, vCenters, library servers and AD domains."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta

from preflight.inventory.common import (
    Hardware,
    Model,
    MonitoringCheck,
    OperatingSystem,
    Service,
    Software,
    Timestamp,
    Unset,
)
from preflight.inventory.names import ComputerName, DnsName, LongText, Text, VersionText


class DatabaseConnection(Model, kw_only=True):
    """Where the VMM database lives (HKLM\\SOFTWARE\\Microsoft\\Microsoft System Center Virtual Machine Manager Server\\Settings\\Sql)."""

    server: ComputerName
    instance: Text | Unset = UNSET
    name: Text = "VirtualManagerDB"
    last_full_backup: Timestamp | None | Unset = UNSET


class ProConnection(Model, kw_only=True):
    """The Operations Manager connection that PRO tips use (Get-SCOpsMgrConnection)."""

    operations_manager_server: DnsName


class VmmSettings(Model, kw_only=True):
    """The installed VMM management server role."""

    version: Annotated[VersionText, Meta(description=(
        "VMM product version (Setup registry value ProductVersion), e.g. 2.0.4521.0 for VMM 2008 R2 SP1"))] | Unset = UNSET
    service_pack: Annotated[int, Meta(ge=0, le=99)] | Unset = UNSET
    highly_available: bool | Unset = UNSET
    service_account: Literal["local-system", "domain"] | Unset = UNSET
    dkm_container: Annotated[
        LongText, Meta(description="AD container of Distributed Key Management, null when DKM is not used")
    ] | None | Unset = UNSET
    database: DatabaseConnection | Unset = UNSET
    pro_connection: ProConnection | None | Unset = UNSET
    managed_host_count: Annotated[
        int, Meta(ge=0, description="Hosts VMM manages ((Get-VMHost).Count); counted from `hosts` when absent")
    ] | Unset = UNSET


class VmmServer(Model, kw_only=True):
    """A VMM management server (or the computer it will be installed on)."""

    name: ComputerName
    fqdn: DnsName | Unset = UNSET
    domain: DnsName | None | Unset = UNSET
    os: OperatingSystem | Unset = UNSET
    hardware: Hardware | Unset = UNSET
    installed_software: list[Software] | Unset = UNSET
    windows_features: Annotated[list[Text], Meta(description=(
        "Names of the installed roles and features (Get-WindowsFeature | Where Installed: Name)"))] | Unset = UNSET
    services: list[Service] | Unset = UNSET
    vmm: VmmSettings | None | Unset = UNSET
    library_servers: Annotated[list[ComputerName], Meta(description=(
        "Library servers this VMM server manages (Get-SCLibraryServer Name), each an entry of the snapshot's `library_servers`"))] | Unset = UNSET
    monitoring_checks: list[MonitoringCheck] | Unset = UNSET


class SqlServer(Model, kw_only=True):
    """A SQL Server instance (SERVERPROPERTY values)."""

    name: ComputerName
    fqdn: DnsName | Unset = UNSET
    domain: DnsName | None | Unset = UNSET
    instance: Text = "MSSQLSERVER"
    version: Annotated[VersionText, Meta(description="SERVERPROPERTY('ProductVersion'), e.g. 10.50.2500.0")] | Unset = UNSET
    edition: Annotated[Text, Meta(description="SERVERPROPERTY('Edition') without the bitness, e.g. Enterprise, Express")] | Unset = UNSET
    architecture: Literal["x64", "x86", "ia64"] | Unset = UNSET
    collation: Text | Unset = UNSET
    highly_available: Annotated[bool, Meta(description="A failover-cluster instance (SERVERPROPERTY('IsClustered') = 1)")] | Unset = UNSET
    tools: Annotated[list[Text], Meta(description="Shared features, e.g. command-line-utilities")] | Unset = UNSET


class VCenter(Model, kw_only=True):
    """A VMware vCenter Server that VMM manages."""

    name: ComputerName
    fqdn: DnsName | Unset = UNSET
    version: VersionText | Unset = UNSET
    build: VersionText | Unset = UNSET
    managed_by: ComputerName | None | Unset = UNSET


class LibraryServer(Model, kw_only=True):
    """A VMM library server (Get-LibraryServer)."""

    name: ComputerName
    fqdn: DnsName | Unset = UNSET
    domain: DnsName | None | Unset = UNSET
    os: OperatingSystem | Unset = UNSET
    managed_by: ComputerName | None | Unset = UNSET
    shares: list[LongText] | Unset = UNSET
    highly_available: bool | Unset = UNSET


class DomainController(Model, kw_only=True):
    """A domain controller and the OS it runs."""

    name: ComputerName
    os_version: VersionText | Unset = UNSET


class Trust(Model, kw_only=True):
    """A trust of this domain (Get-ADTrust / nltest /domain_trusts)."""

    domain: DnsName
    direction: Literal["two-way", "inbound", "outbound"]
    forest: bool | Unset = UNSET


class Domain(Model, kw_only=True):
    """An Active Directory domain of the estate."""

    name: DnsName
    domain_controllers: list[DomainController] | Unset = UNSET
    trusts: Annotated[list[Trust], Meta(
        description="Every trust of the domain; [] when it has none (absent: not collected, so trust rules say unknown)")] | Unset = UNSET
