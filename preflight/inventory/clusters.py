"""Failover clusters: nodes, networks, Cluster Shared Volumes and roles such as the Replica Broker."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta

from preflight.inventory.common import Model, Timestamp, Unset
from preflight.inventory.hosts import ReplicaServer


class ClusterNetwork(Model, kw_only=True):
    """Get-ClusterNetwork."""

    name: str
    role: Annotated[int, Meta(description="0 none, 1 cluster only, 3 cluster and client")] 
    address: Annotated[str, Meta(description="Subnet, e.g. 10.0.1.0/24")] | Unset = UNSET
    csv_traffic: Annotated[bool, Meta(description="Network can carry CSV / redirected I/O traffic")] | Unset = UNSET


class BitLocker(Model, kw_only=True):
    """BitLocker state of a CSV (Get-BitLockerVolume)."""

    enabled: bool
    protectors: Annotated[list[str], Meta(description="KeyProtectorType entries, e.g. AdAccountOrGroup:CLUSTER$")] | Unset = UNSET


class Csv(Model, kw_only=True):
    """A Cluster Shared Volume (Get-ClusterSharedVolume, Get-ClusterSharedVolumeState on 2012 R2)."""

    name: str
    volume_path: str | Unset = UNSET
    file_system: Annotated[str, Meta(description="Underlying file system: NTFS, ReFS, FAT32")] | Unset = UNSET
    owner_node: str | Unset = UNSET
    state: Literal["Direct", "FileSystemRedirected", "BlockRedirected"] | Unset = UNSET
    redirected_reason: Annotated[str, Meta(description="RedirectedIOReason, e.g. NotRedirected, UserRequest, NoDiskConnectivity")] | Unset = UNSET
    block_cache_enabled: Annotated[bool, Meta(description="CsvEnableBlockCache (2012) / EnableBlockCache (2012 R2)")] | Unset = UNSET
    bitlocker: BitLocker | None | Unset = UNSET
    deduplication: bool | Unset = UNSET
    compression: bool | Unset = UNSET
    storage_space_resiliency: Literal["Simple", "Mirror", "Parity"] | None | Unset = UNSET
    workloads: Annotated[list[str], Meta(description="What the CSV serves: hyper-v, file-server, sql-server, ...")] | Unset = UNSET


class ReplicaBroker(Model, kw_only=True):
    """The Hyper-V Replica Broker role of a cluster (its client access point and settings)."""

    name: Annotated[str, Meta(description="Client access point (NetBIOS) name")]
    fqdn: str | Unset = UNSET
    replica: ReplicaServer | Unset = UNSET


class BackupSoftware(Model, kw_only=True):
    """Backup product protecting the cluster's CSVs."""

    name: str
    version: str | Unset = UNSET
    csv_aware: bool | Unset = UNSET


class Cluster(Model, kw_only=True):
    """A failover cluster (Get-Cluster)."""

    name: str
    fqdn: str | Unset = UNSET
    domain: str | None | Unset = UNSET
    nodes: list[str]
    networks: list[ClusterNetwork] | Unset = UNSET
    csvs: list[Csv] | Unset = UNSET
    block_cache_size_mb: Annotated[int, Meta(ge=0, description="SharedVolumeBlockCacheSizeInMB (2012) / BlockCacheSize (2012 R2)")] | Unset = UNSET
    block_cache_size_changed_at: Timestamp | None | Unset = UNSET
    workload_profile: Annotated[str, Meta(description="general, vdi, read-heavy, ...")] | Unset = UNSET
    replica_broker: ReplicaBroker | None | Unset = UNSET
    backup: BackupSoftware | None | Unset = UNSET
    managed_by: str | None = None
