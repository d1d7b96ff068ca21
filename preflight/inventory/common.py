"""Building blocks shared by every entity of an inventory snapshot.

Field names follow the PowerShell / WMI property they are collected from, in snake_case
(``Win32_OperatingSystem.ServicePackMajorVersion`` -> ``service_pack``). A field that is absent
from a snapshot is ``UNSET``: the collector did not gather it, and a rule that needs it reports
``unknown``. ``null`` is a real value (for example ``domain = null`` for a workgroup computer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import UNSET, Meta, UnsetType

Unset: TypeAlias = UnsetType
"""Marker type for "not collected" (absent from the snapshot)."""

Timestamp = Annotated[datetime, Meta(tz=True, description="RFC 3339 timestamp with a time zone")]
KbId = Annotated[str, Meta(pattern=r"^KB\d{6,8}$", description="Hotfix id, e.g. KB2264080")]


class Model(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Base of every snapshot entity: strict (unknown fields are errors), keyword-only."""


class OperatingSystem(Model, kw_only=True):
    """Win32_OperatingSystem of a computer."""

    caption: str | Unset = UNSET
    version: Annotated[str, Meta(pattern=r"^\d+\.\d+(\.\d+){0,2}$", description="e.g. 6.1.7601")] | Unset = UNSET
    service_pack: Annotated[int, Meta(ge=0, description="ServicePackMajorVersion")] | Unset = UNSET
    edition: str | Unset = UNSET
    architecture: Literal["x64", "x86", "ia64"] | Unset = UNSET
    installation_type: Literal["Full", "Core"] | Unset = UNSET


class Processor(Model, kw_only=True):
    """Win32_Processor of a computer (first socket; all sockets are assumed alike)."""

    name: str | Unset = UNSET
    manufacturer: str | Unset = UNSET
    microarchitecture: Annotated[
        str, Meta(description="Intel/AMD code name, e.g. Nehalem, Westmere, Sandy Bridge")
    ] | Unset = UNSET


class Volume(Model, kw_only=True):
    """Win32_Volume: a fixed local volume."""

    drive: str
    label: str | Unset = UNSET
    file_system: str | Unset = UNSET
    size_gb: Annotated[float, Meta(ge=0)]
    free_gb: Annotated[float, Meta(ge=0)]


class Hardware(Model, kw_only=True):
    """Processor, memory and disks of a physical or virtual computer."""

    architecture: Literal["x64", "x86", "ia64"] | Unset = UNSET
    logical_processors: Annotated[int, Meta(ge=1)] | Unset = UNSET
    sockets: Annotated[int, Meta(ge=1)] | Unset = UNSET
    cores: Annotated[int, Meta(ge=1, description="Physical cores in total")] | Unset = UNSET
    clock_ghz: Annotated[float, Meta(gt=0)] | Unset = UNSET
    memory_gb: Annotated[float, Meta(gt=0)] | Unset = UNSET
    processor: Processor | Unset = UNSET
    volumes: list[Volume] | Unset = UNSET
    system_drive: Annotated[str, Meta(pattern=r"^[A-Za-z]:$")] | Unset = UNSET


class Software(Model, kw_only=True):
    """An entry of Programs and Features (Uninstall registry key)."""

    name: str
    version: str | Unset = UNSET
    publisher: str | Unset = UNSET


class Service(Model, kw_only=True):
    """Win32_Service."""

    name: str
    display_name: str | Unset = UNSET
    state: Literal["Running", "Stopped", "Paused", "StartPending", "StopPending"] | Unset = UNSET
    start_mode: Literal["Auto", "Manual", "Disabled", "Boot", "System"] | Unset = UNSET
    delayed_start: bool | Unset = UNSET
    version: str | Unset = UNSET


class FirewallRule(Model, kw_only=True):
    """Get-NetFirewallRule (Name, DisplayName, Enabled) with its local port."""

    name: str
    display_name: str | Unset = UNSET
    enabled: bool
    local_port: int | Unset = UNSET


class Certificate(Model, kw_only=True):
    """A certificate in LocalMachine\\My (Get-ChildItem Cert:\\LocalMachine\\My).

    Its subject names are `subject` (the CN) and `dns_names` (the DNS SANs, DnsNameList).
    """

    thumbprint: str
    subject: str | Unset = UNSET
    dns_names: list[str] | Unset = UNSET
    not_before: Timestamp | Unset = UNSET
    not_after: Timestamp | Unset = UNSET
    enhanced_key_usages: Annotated[
        list[str], Meta(description="e.g. 'Server Authentication', 'Client Authentication'")
    ] | Unset = UNSET
    has_private_key: bool | Unset = UNSET
    chain_trusted: Annotated[
        bool, Meta(description="The chain ends at a trusted root (Test-Certificate -Policy SSL, or X509Chain.Build)")
    ] | Unset = UNSET


class MonitoringCheck(Model, kw_only=True):
    """A monitoring system's check that watches a Windows service by service name or by display name."""

    name: str
    system: str | Unset = UNSET
    # A check matches a service by its name, its display name or both; the one it does not use is null.
    service_name: str | None = None
    display_name: Annotated[str, Meta(description="Service display name the check matches, e.g. Virtual Machine Manager")] | None = None

