"""Failover clusters: nodes, networks, Cluster Shared Volumes and roles such as the Replica Broker.

Field names follow the failover-clustering cmdlet or property they come from, in snake_case
(``SharedVolumeBlockCacheSizeInMB`` -> ``shared_volume_block_cache_size_in_mb``). Where Windows
Server 2012 R2 renamed a property, the description names both and the collector maps either.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta

from preflight.inventory.common import Model, Timestamp, Unset
from preflight.inventory.hosts import ReplicaServer
from preflight.inventory.names import ComputerName, DnsName, Text, VersionText


class ClusterNetwork(Model, kw_only=True):
    """Get-ClusterNetwork."""

    name: Text
    role: Annotated[int, Meta(description=(
        "Cluster use of the network (Get-ClusterNetwork Role): 0 none, 1 cluster only, 3 cluster and client"))]
    address: Annotated[Text, Meta(description="Address and AddressMask as a subnet, e.g. 10.0.1.0/24")] | Unset = UNSET
    state: Literal["Up", "Down", "Partitioned", "Unavailable", "Unknown"] | Unset = UNSET
    metric: Annotated[int, Meta(ge=0, description=(
        "Get-ClusterNetwork Metric; the network with the lowest metric carries CSV and heartbeat traffic first"))] | Unset = UNSET


class ClusterNetworkInterface(Model, kw_only=True):
    """Get-ClusterNetworkInterface: one node's adapter on one cluster network."""

    name: Text
    node: ComputerName
    network: Annotated[Text, Meta(description="Name of the cluster network (Get-ClusterNetwork)")]
    adapter: Annotated[Text, Meta(description="Adapter: the node's network connection, e.g. a NIC team interface name")] | Unset = UNSET
    address: Annotated[Text, Meta(description="IPv4/IPv6 address of the interface")] | Unset = UNSET
    state: Literal["Up", "Down", "Failed", "Unreachable", "Unavailable", "Unknown"] | Unset = UNSET


class BitLocker(Model, kw_only=True):
    """BitLocker state of a CSV (Get-BitLockerVolume on the coordinator node)."""

    enabled: Annotated[bool, Meta(description="ProtectionStatus On, or VolumeStatus other than FullyDecrypted")]
    protectors: Annotated[list[Text], Meta(
        description="KeyProtector entries as 'KeyProtectorType:account', e.g. AdAccountOrGroup:CONTOSO\\HVCLUS01$")] | Unset = UNSET


class Csv(Model, kw_only=True):
    """A Cluster Shared Volume (Get-ClusterSharedVolume; Get-ClusterSharedVolumeState on 2012 R2)."""

    name: Text
    volume_friendly_name: Annotated[Text, Meta(description=(
        "Mount folder name under C:\\ClusterStorage (SharedVolumeInfo.FriendlyVolumeName), e.g. Volume1"))] | Unset = UNSET
    file_system: Annotated[Text, Meta(description="File system under CSVFS (Get-Volume FileSystem of the disk): NTFS, ReFS, FAT32")] | Unset = UNSET
    owner_node: Annotated[ComputerName, Meta(description="Coordinator node of the CSV (Get-ClusterSharedVolume OwnerNode)")] | Unset = UNSET
    state_info: Annotated[Literal["Direct", "FileSystemRedirected", "BlockRedirected"], Meta(
        description="StateInfo (2012 R2, worst node); on 2012 SharedVolumeInfo.RedirectedAccess = True maps to FileSystemRedirected")] | Unset = UNSET
    file_system_redirected_io_reason: Annotated[Text, Meta(
        description="FileSystemRedirectedIOReason, e.g. NotFileSystemRedirected, UserRequest, IncompatibleFileSystemFilter")] | Unset = UNSET
    block_redirected_io_reason: Annotated[Text, Meta(
        description="BlockRedirectedIOReason, e.g. NotBlockRedirected, NoDiskConnectivity, StorageSpaceNotAttached")] | Unset = UNSET
    csv_enable_block_cache: Annotated[bool, Meta(
        description="Physical Disk private property CsvEnableBlockCache (2012, default 0) / EnableBlockCache (2012 R2, default 1)")] | Unset = UNSET
    bitlocker: BitLocker | None | Unset = UNSET
    dedup_enabled: Annotated[bool, Meta(description="Data deduplication is enabled on the volume (Get-DedupVolume Enabled)")] | Unset = UNSET
    compressed: Annotated[bool, Meta(description="NTFS compression is on for the volume (Win32_Volume.Compressed)")] | Unset = UNSET
    resiliency_setting_name: Annotated[Literal["Simple", "Mirror", "Parity"], Meta(
        description="Get-VirtualDisk ResiliencySettingName of the Storage Space; null when the disk is not a Storage Space")] | None | Unset = UNSET
    workloads: Annotated[list[Text], Meta(
        description="What the volume serves, from the cluster groups using it: hyper-v, file-server, sql-server, generic-application")] | Unset = UNSET


class ReplicaBroker(Model, kw_only=True):
    """The Hyper-V Replica Broker role of a cluster (its client access point and settings)."""

    name: Annotated[ComputerName, Meta(description=(
        "NetBIOS name of the broker's client access point (its Network Name resource); primaries replicate to it"))]
    fqdn: DnsName | Unset = UNSET
    replica: ReplicaServer | Unset = UNSET


class BackupSoftware(Model, kw_only=True):
    """Backup product protecting the cluster's CSVs."""

    name: Text
    version: VersionText | Unset = UNSET
    csv_aware: Annotated[bool, Meta(
        description="Backs CSVs up through the CSV backup APIs (vendor support statement for this version)")] | Unset = UNSET


class Cluster(Model, kw_only=True):
    """A failover cluster (Get-Cluster)."""

    name: ComputerName
    fqdn: DnsName | Unset = UNSET
    domain: DnsName | None | Unset = UNSET
    nodes: list[ComputerName]
    networks: list[ClusterNetwork] | Unset = UNSET
    network_interfaces: list[ClusterNetworkInterface] | Unset = UNSET
    csvs: list[Csv] | Unset = UNSET
    shared_volume_block_cache_size_in_mb: Annotated[int, Meta(
        ge=0, le=67_108_864, description="SharedVolumeBlockCacheSizeInMB (2012) / BlockCacheSize (2012 R2): MB of RAM per node, 0 = off")] | Unset = UNSET
    shared_volume_block_cache_size_changed_at: Annotated[Timestamp, Meta(
        description="When the cache size was last changed (cluster registry LastWriteTime or change record); null = never")] | None | Unset = UNSET
    workload_profile: Annotated[Text, Meta(description="Site classification of the cluster: general, vdi, read-heavy, ...")] | Unset = UNSET
    replica_broker: ReplicaBroker | None | Unset = UNSET
    backup: BackupSoftware | None | Unset = UNSET
    managed_by: ComputerName | None = None
