"""Building blocks shared by every entity of an inventory snapshot.

Field names follow the PowerShell / WMI property they are collected from, in snake_case
(``Win32_OperatingSystem.ServicePackMajorVersion`` -> ``service_pack``). A field that is absent
from a snapshot is ``UNSET``: the collector did not gather it, and a rule that needs it reports
``unknown``. ``null`` is a real value (for example ``domain = null`` for a workgroup computer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeAlias, TypeGuard, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

from preflight.inventory.names import DnsNameOrWildcard, LongText, Text, VersionText

Unset: TypeAlias = UnsetType
"""Marker type for "not collected" (absent from the snapshot)."""

_T = TypeVar("_T")


def known(value: _T | UnsetType) -> TypeGuard[_T]:
    """True when a field was collected (not UNSET); narrows the type for the checker."""
    return value is not UNSET


Timestamp = Annotated[datetime, Meta(tz=True, description="RFC 3339 timestamp with a time zone")]
KbId = Annotated[Text, Meta(pattern=r"^KB\d{6,8}$", description="Hotfix id, e.g. KB2264080")]
Port = Annotated[int, Meta(ge=1, le=65535, description="TCP/UDP port")]

# Plausibility limits: a value beyond them is a collector or editing error, not an estate to judge.
# They sit well above any server of the estates preflight checks (they are not product limits).
MAX_MEMORY_GB = 65536          # 64 TB of RAM in one computer
MAX_CLOCK_GHZ = 10.0
MAX_DISK_GB = 1048576          # 1 PB in one volume
MAX_PROCESSORS = 8192          # logical processors or cores of one computer
MAX_SOCKETS = 64


class Model(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True, gc=False):
    """Base of every snapshot entity: strict (unknown fields are errors), keyword-only."""


class OperatingSystem(Model, kw_only=True):
    """Win32_OperatingSystem of a computer."""

    caption: Text | Unset = UNSET
    version: Annotated[VersionText, Meta(pattern=r"^\d+\.\d+(\.\d+){0,2}$", description=(
        "Windows version (Win32_OperatingSystem.Version): 6.0 is 2008, 6.1 2008 R2, 6.2 2012, 6.3 2012 R2; e.g. 6.1.7601"))] | Unset = UNSET
    service_pack: Annotated[int, Meta(ge=0, description="Service pack level (Win32_OperatingSystem.ServicePackMajorVersion): 0 none, 1 SP1")] | Unset = UNSET
    edition: Text | Unset = UNSET
    architecture: Literal["x64", "x86", "ia64"] | Unset = UNSET
    installation_type: Literal["Full", "Core"] | Unset = UNSET


class Processor(Model, kw_only=True):
    """Win32_Processor of a computer (first socket; all sockets are assumed alike)."""

    name: Text | Unset = UNSET
    manufacturer: Text | Unset = UNSET
    microarchitecture: Annotated[
        Text, Meta(description="Intel/AMD code name, e.g. Nehalem, Westmere, Sandy Bridge")
    ] | Unset = UNSET


class Volume(Model, kw_only=True):
    """Win32_Volume: a fixed local volume."""

    drive: Text
    label: Text | Unset = UNSET
    file_system: Text | Unset = UNSET
    size_gb: Annotated[float, Meta(ge=0, le=MAX_DISK_GB, description=(
        "Capacity in GB of 2^30 bytes (Win32_LogicalDisk.Size, in bytes); at most 1 PB"))]
    free_gb: Annotated[float, Meta(ge=0, le=MAX_DISK_GB, description=(
        "Free space in GB of 2^30 bytes (Win32_LogicalDisk.FreeSpace, in bytes); at most size_gb"))]

    def __post_init__(self) -> None:
        if self.free_gb > self.size_gb:
            raise ValueError(f"free_gb ({self.free_gb:g}) is larger than size_gb ({self.size_gb:g})")


class Hardware(Model, kw_only=True):
    """Processor, memory and disks of a physical or virtual computer."""

    architecture: Literal["x64", "x86", "ia64"] | Unset = UNSET
    logical_processors: Annotated[int, Meta(ge=1, le=MAX_PROCESSORS)] | Unset = UNSET
    sockets: Annotated[int, Meta(ge=1, le=MAX_SOCKETS)] | Unset = UNSET
    cores: Annotated[int, Meta(ge=1, le=MAX_PROCESSORS, description="Physical cores of all sockets (sum of Win32_Processor.NumberOfCores)")] | Unset = UNSET
    clock_ghz: Annotated[float, Meta(gt=0, le=MAX_CLOCK_GHZ)] | Unset = UNSET
    memory_gb: Annotated[float, Meta(gt=0, le=MAX_MEMORY_GB)] | Unset = UNSET
    processor: Processor | Unset = UNSET
    volumes: list[Volume] | Unset = UNSET
    system_drive: Annotated[Text, Meta(pattern=r"^[A-Za-z]:$")] | Unset = UNSET


class Software(Model, kw_only=True):
    """An entry of Programs and Features (Uninstall registry key)."""

    name: Text
    version: VersionText | Unset = UNSET
    publisher: Text | Unset = UNSET


StartMode = Literal["Auto", "Manual", "Disabled", "Boot", "System"]


class Service(Model, kw_only=True):
    """Win32_Service."""

    name: Text
    display_name: Text | Unset = UNSET
    state: Literal["Running", "Stopped", "Paused", "StartPending", "StopPending"] | Unset = UNSET
    start_mode: StartMode | Unset = UNSET
    delayed_start: bool | Unset = UNSET
    version: VersionText | Unset = UNSET


class FirewallRule(Model, kw_only=True):
    """Get-NetFirewallRule (Name, DisplayName, Enabled) with its local port."""

    name: Text
    display_name: Text | Unset = UNSET
    enabled: bool
    local_port: Port | Unset = UNSET


class Certificate(Model, kw_only=True):
    """A certificate in LocalMachine\\My (Get-ChildItem Cert:\\LocalMachine\\My).

    Its subject names are `subject` (the CN) and `dns_names` (the DNS SANs, DnsNameList).
    """

    thumbprint: Text
    subject: LongText | Unset = UNSET
    dns_names: list[DnsNameOrWildcard] | Unset = UNSET
    not_before: Timestamp | Unset = UNSET
    not_after: Timestamp | Unset = UNSET
    enhanced_key_usages: Annotated[
        list[Text], Meta(description=(
            "Enhanced key usages by friendly name (EnhancedKeyUsageList), e.g. 'Server Authentication', "
            "'Client Authentication'; Hyper-V Replica needs both"))
    ] | Unset = UNSET
    has_private_key: bool | Unset = UNSET
    chain_trusted: Annotated[
        bool, Meta(description="The chain ends at a trusted root (Test-Certificate -Policy SSL, or X509Chain.Build)")
    ] | Unset = UNSET


class MonitoringCheck(Model, kw_only=True):
    """A monitoring system's check that watches a Windows service by service name or by display name."""

    name: Text
    system: Text | Unset = UNSET
    # A check matches a service by its name, its display name or both; the one it does not use is null.
    service_name: Text | None = None
    display_name: Annotated[Text, Meta(description="Service display name the check matches, e.g. Virtual Machine Manager")] | None = None

