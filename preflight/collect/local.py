"""`preflight collect`: a snapshot of the local machine from psutil and the standard library (no WMI).

What psutil cannot see (domain membership, installed software, features, VMM settings) is left
out, so rules that need it report `unknown` instead of guessing.
"""

from __future__ import annotations

import os
import platform
import socket
import sys
from datetime import datetime
from typing import Any

import psutil

from preflight import __version__
from preflight.inventory.as_of import wall_clock
from preflight.inventory.snapshot import SCHEMA_ID

_ARCH = {"amd64": "x64", "x86_64": "x64", "x86": "x86", "i386": "x86", "i686": "x86", "ia64": "ia64"}
_STATE = {"running": "Running", "stopped": "Stopped", "paused": "Paused", "start_pending": "StartPending",
          "stop_pending": "StopPending", "continue_pending": "StartPending", "pause_pending": "StopPending"}
_START = {"automatic": "Auto", "manual": "Manual", "disabled": "Disabled"}


def _gb(value: float) -> float:
    return round(value / 2**30, 1)


def operating_system() -> dict[str, Any]:
    """The OS block: caption, version, architecture (service pack and edition only on Windows)."""
    data: dict[str, Any] = {"caption": f"{platform.system()} {platform.release()}".strip()}
    arch = _ARCH.get(platform.machine().lower())
    if arch:
        data["architecture"] = arch
    if sys.platform == "win32":
        data["version"] = platform.version()
        edition = platform.win32_edition() or ""
        for known in ("Datacenter", "Enterprise", "Standard", "Web"):
            if known.lower() in edition.lower():
                data["edition"] = known
        service_pack = platform.win32_ver()[2]
        if service_pack.startswith("SP") and service_pack[2:].isdigit():
            data["service_pack"] = int(service_pack[2:])
    return data


def hardware() -> dict[str, Any]:
    """Processor, memory and fixed volumes."""
    data: dict[str, Any] = {"memory_gb": _gb(psutil.virtual_memory().total)}
    arch = _ARCH.get(platform.machine().lower())
    if arch:
        data["architecture"] = arch
    logical = psutil.cpu_count(logical=True)
    physical = psutil.cpu_count(logical=False)
    if logical:
        data["logical_processors"] = logical
    if physical:
        data["cores"] = physical
    frequency = psutil.cpu_freq()
    if frequency and (frequency.max or frequency.current):
        data["clock_ghz"] = round((frequency.max or frequency.current) / 1000, 2)
    volumes = []
    for partition in psutil.disk_partitions(all=False):
        if "cdrom" in partition.opts or not partition.fstype:
            continue
        try:
            usage = psutil.disk_usage(partition.mountpoint)
        except OSError:
            continue
        drive = partition.mountpoint.rstrip("\\") if sys.platform == "win32" else partition.mountpoint
        volumes.append({"drive": drive, "file_system": partition.fstype.upper() if sys.platform == "win32" else partition.fstype,
                        "size_gb": _gb(usage.total), "free_gb": _gb(usage.free)})
    data["volumes"] = volumes
    if sys.platform == "win32":
        data["system_drive"] = os.environ.get("SystemDrive", "C:")  # noqa: SIM112 - Windows spells it so; os.environ is case-insensitive there  # noqa: SIM112 - Windows spells it so; os.environ is case-insensitive there
    return data


def service_entry(info: dict[str, Any]) -> dict[str, Any]:
    """Map one psutil WindowsService.as_dict() to the snapshot's service fields."""
    entry: dict[str, Any] = {"name": info["name"]}
    if info.get("display_name"):
        entry["display_name"] = info["display_name"]
    if info.get("status") in _STATE:
        entry["state"] = _STATE[info["status"]]
    if info.get("start_type") in _START:
        entry["start_mode"] = _START[info["start_type"]]
    return entry


def services() -> list[dict[str, Any]] | None:
    """Windows services, or None where there are none to read (not Windows)."""
    if not hasattr(psutil, "win_service_iter"):
        return None
    found = []
    for service in psutil.win_service_iter():
        try:
            found.append(service_entry(service.as_dict()))
        except (psutil.Error, OSError):
            continue
    return found


def collect_local(name: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """A preflight/inventory/v1 snapshot (as plain data) describing this computer as a VMM server candidate."""
    fqdn = socket.getfqdn()
    computer = name or socket.gethostname().split(".")[0]
    server: dict[str, Any] = {"name": computer, "os": operating_system(), "hardware": hardware()}
    if "." in fqdn:
        server["fqdn"] = fqdn
    found = services()
    if found is not None:
        server["services"] = found
    return {
        "schema": SCHEMA_ID,
        "snapshot": {
            "name": f"{computer} (local collection)",
            "collected_at": (now or wall_clock()).isoformat(timespec="seconds"),
            "collector": {"name": "preflight-collect", "version": __version__},
        },
        "vmm_servers": [server],
    }
