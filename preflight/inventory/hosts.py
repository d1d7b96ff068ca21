"""Virtualization hosts: Hyper-V, ESX/ESXi and Virtual Server, with their NICs, teams and Replica settings."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta

from preflight.inventory.common import (
    Certificate,
    FirewallRule,
    Hardware,
    KbId,
    Model,
    OperatingSystem,
    Port,
    Service,
    Software,
    Timestamp,
    Unset,
)
from preflight.inventory.names import ComputerName, DnsName, DnsNameOrWildcard, LongText, Text, VersionText

TeamingMode = Literal["Static", "SwitchIndependent", "Lacp"]
ReplicaAuthentication = Literal["Kerberos", "Certificate", "CertificateAndKerberos"]
LoadBalancingAlgorithm = Literal[
    "TransportPorts", "IPAddresses", "MacAddresses", "HyperVPort", "HyperVPorts", "Dynamic"
]

MAX_LINK_SPEED_MBPS = 10_000_000  # plausibility limit, not a product limit


class Nic(Model, kw_only=True):
    """A network adapter (Get-NetAdapter)."""

    name: Text
    interface_description: Text | Unset = UNSET
    media_type: Annotated[Text, Meta(description=(
        "Physical medium (Get-NetAdapter NdisPhysicalMedium), e.g. 802.3 (Ethernet), Native 802.11, Wireless WAN, "
        "Bluetooth, InfiniBand; only 802.3 adapters can be teamed"))] | Unset = UNSET
    link_speed_mbps: Annotated[int, Meta(ge=0, le=MAX_LINK_SPEED_MBPS, description=(
        "Link speed in Mb/s (Get-NetAdapter Speed, in bit/s, / 1,000,000), e.g. 1000 or 10000; at most 10 Tb/s"))] | Unset = UNSET
    status: Literal["Up", "Down", "Disconnected", "Disabled"] | Unset = UNSET
    physical_switch: Annotated[Text, Meta(description="LLDP/CDP neighbour switch the port is cabled to")] | Unset = UNSET
    switch_stack: Annotated[Text, Meta(description="Stack / multi-chassis group the physical switch belongs to, null when standalone")] | None | Unset = UNSET
    host_vnic: Annotated[bool, Meta(description="A Hyper-V host virtual NIC (vEthernet, Get-VMNetworkAdapter -ManagementOS), which cannot be teamed")] = False
    kernel_debug: bool = False


class TeamMember(Model, kw_only=True):
    """Get-NetLbfoTeamMember."""

    name: Text
    administrative_mode: Literal["Active", "Standby"] = "Active"
    operational_status: Literal["Active", "Standby", "Failed"] | Unset = UNSET


class Team(Model, kw_only=True):
    """A NIC team (Get-NetLbfoTeam, or a vendor team when `vendor` is set)."""

    name: Text
    members: list[TeamMember]
    teaming_mode: TeamingMode | Unset = UNSET
    load_balancing_algorithm: LoadBalancingAlgorithm | Unset = UNSET
    status: Literal["Up", "Degraded", "Down"] | Unset = UNSET
    vendor: Annotated[Text, Meta(description="Teaming software that made the team; null for Windows LBFO")] | None = None
    virtual_switch: Annotated[Text, Meta(description="Hyper-V virtual switch bound to the team")] | None | Unset = UNSET


class VirtualSwitch(Model, kw_only=True):
    """Get-VMSwitch."""

    name: Text
    switch_type: Literal["External", "Internal", "Private"]
    net_adapter: Annotated[Text, Meta(description=(
        "NIC or team an external switch is bound to (Get-VMSwitch NetAdapterInterfaceDescription, as its adapter name)"))] | Unset = UNSET


class AuthorizationEntry(Model, kw_only=True):
    """Get-VMReplicationAuthorizationEntry."""

    allowed_primary_server: Annotated[DnsNameOrWildcard, Meta(description="FQDN or wildcard such as *.contoso.local")]
    replica_storage_location: LongText | Unset = UNSET
    trust_group: Text | Unset = UNSET


class ReplicaServer(Model, kw_only=True):
    """Get-VMReplicationServer of a host (or of a cluster's Replica Broker)."""

    enabled: bool
    allowed_authentication_type: ReplicaAuthentication | Unset = UNSET
    kerberos_port: Port = 80
    certificate_port: Port = 443
    certificate_thumbprint: Text | None | Unset = UNSET
    allow_any_server: bool | Unset = UNSET
    default_storage_location: LongText | None | Unset = UNSET
    authorization_entries: list[AuthorizationEntry] | Unset = UNSET


class Host(Model, kw_only=True):
    """A virtualization host."""

    name: ComputerName
    fqdn: DnsName | Unset = UNSET
    domain: DnsName | None | Unset = UNSET
    site: Annotated[Text, Meta(description="Active Directory site (nltest /dsgetsite) or data centre the host stands in")] | Unset = UNSET
    platform: Literal["hyperv", "esx", "esxi", "virtual-server"]
    version: Annotated[VersionText, Meta(description="Hypervisor version: ESX 4.1, Virtual Server 2005 R2 SP1; the OS version for Hyper-V")] | Unset = UNSET
    os: OperatingSystem | Unset = UNSET
    hardware: Hardware | Unset = UNSET
    services: list[Service] | Unset = UNSET
    hotfixes: list[KbId] | Unset = UNSET
    installed_software: list[Software] | Unset = UNSET
    windows_features: list[Text] | Unset = UNSET
    cluster: ComputerName | None = None
    managed_by: Annotated[ComputerName, Meta(description="VMM management server that manages the host (listed by its Get-VMHost); null when none")] | None = None
    vcenter: Annotated[ComputerName, Meta(description="vCenter Server that manages an ESX host; null for other hosts")] | None = None
    last_boot: Timestamp | Unset = UNSET
    ntlm_enabled: bool | Unset = UNSET
    nics: list[Nic] | Unset = UNSET
    teams: list[Team] | Unset = UNSET
    virtual_switches: list[VirtualSwitch] | Unset = UNSET
    replica: ReplicaServer | None | Unset = UNSET
    firewall_rules: list[FirewallRule] | Unset = UNSET
    certificates: list[Certificate] | Unset = UNSET
