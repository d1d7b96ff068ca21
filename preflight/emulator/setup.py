"""VMM 2012 setup as the real installer behaves: its prerequisite checks, rollback, and what the upgrade does.

Source: the article's "SCVMM 2012 Pre-Requisites" and "During/Post upgrade" sections. On any failed
check setup rolls back and the estate is exactly as before; on success VMM 2012 is installed, the
services are renamed, unsupported VMware and Virtual Server hosts leave the VMM database with their VMs,
the PRO connection is dropped and Windows Server 2003 library servers can only be removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from msgspec import UNSET

from preflight.emulator.state import EmulatedEstate
from preflight.emulator.vmm import VMM_2008_R2, VMM_2008_R2_SP1
from preflight.emulator.windows import WAIK, WAIK_WINDOWS7
from preflight.inventory.common import Software, known
from preflight.inventory.versions import WS2008R2, Version, parse_version

VMM_2012_VERSION = "3.0.6019.0"
WINRM_2 = Version.of(2, 0)
SERVER_EDITIONS = ("standard", "enterprise", "datacenter")
SQL_SUPPORTED = {Version.of(10, 50): ("standard", "enterprise", "datacenter"), Version.of(10, 0): ("standard", "enterprise")}
SERVICE_RENAMES = {"vmmservice": ("SCVMMService", "System Center Virtual Machine Manager"),
                   "vmmagent": ("SCVMMAgent", "System Center Virtual Machine Manager Agent")}


@dataclass(frozen=True)
class SetupCheck:
    """One prerequisite check of VMM 2012 setup: passed, failed or unknown (data not collected)."""

    id: str
    title: str
    status: str
    detail: str = ""


@dataclass
class UpgradeResult:
    """What running VMM 2012 setup on one server did (or would have done)."""

    server: str
    succeeded: bool
    checks: list[SetupCheck] = field(default_factory=list)
    removed_hosts: list[str] = field(default_factory=list)
    removed_vms: list[str] = field(default_factory=list)
    removed_vcenters: list[str] = field(default_factory=list)
    pro_connection_dropped: str | None = None
    removable_only_libraries: list[str] = field(default_factory=list)
    renamed_services: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[SetupCheck]:
        """Checks that made setup roll back."""
        return [c for c in self.checks if c.status == "fail"]

    @property
    def undetermined(self) -> list[SetupCheck]:
        """Checks the snapshot could not decide."""
        return [c for c in self.checks if c.status == "unknown"]


def _check(checks: list[SetupCheck], id: str, title: str, value: Any, ok: bool, detail: str) -> None:
    status = "unknown" if value is UNSET else ("pass" if ok else "fail")
    checks.append(SetupCheck(id, title, status, detail if status == "fail" else ("not collected" if status == "unknown" else "")))


def _os_checks(server: Any, checks: list[SetupCheck]) -> None:
    os = server.os if known(server.os) else None
    version = os.version if os else UNSET
    arch, edition = (os.architecture, os.edition) if os else (UNSET, UNSET)
    value = UNSET if UNSET in (version, arch, edition) else version
    _check(checks, "os-version", "Windows Server 2008 R2 x64 Standard, Enterprise or Datacenter", value,
           value is not UNSET and parse_version(version).within(WS2008R2) and arch == "x64"
           and any(e in str(edition).casefold() for e in SERVER_EDITIONS), f"runs {version} {edition} {arch}")
    install = os.installation_type if os else UNSET
    _check(checks, "os-full-installation", "Full installation (not Server Core)", install, install == "Full",
           f"installation type {install}")


def _label(software: Software) -> str:
    return f"{software.name} {software.version}" if known(software.version) else software.name


def _software_checks(server: Any, checks: list[SetupCheck]) -> None:
    vmm = server.vmm
    version = vmm.version if vmm not in (None, UNSET) else (UNSET if vmm is UNSET else None)
    sp1 = version not in (None, UNSET) and parse_version(version).within(VMM_2008_R2.release) and (
        parse_version(version) >= parse_version(VMM_2008_R2_SP1) or (known(vmm.service_pack) and vmm.service_pack >= 1))
    _check(checks, "vmm-2008r2-sp1", "VMM 2008 R2 SP1 installed (the only supported in-place upgrade source)",
           version, sp1, f"installed VMM is {version or 'none'}")
    software = server.installed_software
    waik = [s for s in software if WAIK.search(s.name)] if known(software) else []
    old = [s for s in waik if not known(s.version) or parse_version(s.version) < WAIK_WINDOWS7]
    _check(checks, "no-older-waik", "No Windows AIK older than the Windows 7 kit", software, not old,
           ", ".join(_label(s) for s in old) + " installed")
    new = [s for s in waik if known(s.version) and parse_version(s.version) >= WAIK_WINDOWS7]
    _check(checks, "waik-windows7", "Windows AIK for Windows 7 installed", software, bool(new), "not installed")
    services = server.services
    winrm = next((s for s in services if s.name.casefold() == "winrm"), None) if known(services) else None
    state = UNSET if not known(services) else (winrm.state if winrm else "absent")
    _check(checks, "winrm-running", "Windows Remote Management (WinRM) service running", state, state == "Running",
           f"WinRM is {state}")
    wversion = UNSET if not known(services) else (winrm.version if winrm else "absent")
    _check(checks, "winrm-version", "WinRM 2.0", wversion, wversion not in ("absent", UNSET) and parse_version(wversion) >= WINRM_2,
           f"WinRM version {wversion}")


def _trusted(state: EmulatedEstate, a: Any, b: Any) -> bool | None:
    if a is UNSET or b is UNSET:
        return None
    if a is None or b is None:
        return False
    if a.casefold() == b.casefold():
        return True
    for left, right in ((a, b), (b, a)):
        record = next((d for d in state.snapshot.domains if d.name.casefold() == left.casefold()), None)
        if record is not None:
            if record.trusts is UNSET:  # not collected: the other domain's trusts may still answer
                continue
            return any(t.domain.casefold() == right.casefold() and t.direction == "two-way" for t in record.trusts)
    return None


def _sql_checks(state: EmulatedEstate, server: Any, checks: list[SetupCheck]) -> None:
    vmm = server.vmm
    database = vmm.database if vmm not in (None, UNSET) else None
    if database in (None, UNSET):
        return
    sql = next((s for s in state.snapshot.sql_servers if s.name.casefold() == database.server.casefold()), None)
    if sql is None:
        checks.append(SetupCheck("sql-reachable", "The VMM database's SQL Server is in the estate", "unknown", "not collected"))
        return
    edition = sql.edition
    _check(checks, "sql-not-express", "SQL Server is not an Express edition", edition,
           "express" not in str(edition).casefold(), f"{sql.name} runs {edition}")
    value = UNSET if UNSET in (sql.version, edition) else sql.version
    allowed = SQL_SUPPORTED.get(parse_version(sql.version).release, ()) if value is not UNSET else ()
    _check(checks, "sql-version-edition", "SQL Server 2008 R2 Standard/Enterprise/Datacenter or 2008 Standard/Enterprise",
           value, str(edition).casefold() in allowed, f"{sql.name} runs {sql.version} {edition}")
    _check(checks, "sql-64-bit", "64-bit SQL Server", sql.architecture, sql.architecture == "x64",
           f"{sql.name} is {sql.architecture}")
    _check(checks, "sql-collation", "Case-insensitive SQL Server instance", sql.collation,
           bool(re.search(r"_CI(_|$)", str(sql.collation))), f"{sql.name} collation {sql.collation}")
    _check(checks, "sql-name-length", "SQL Server computer name at most 15 characters", sql.name, len(sql.name) <= 15,
           f"'{sql.name}' has {len(sql.name)} characters")
    trusted = _trusted(state, server.domain, sql.domain)
    _check(checks, "sql-trust", "SQL Server in the same or a two-way trusted domain", UNSET if trusted is None else trusted,
           trusted is True, f"{server.domain} and {sql.domain} do not trust each other")


def prerequisite_checks(state: EmulatedEstate, server: Any) -> list[SetupCheck]:
    """VMM 2012 setup's prerequisite checks for a management server, in the installer's order."""
    checks: list[SetupCheck] = []
    _check(checks, "domain-member", "Member of an Active Directory domain", server.domain, server.domain is not None,
           "the computer is in a workgroup")
    _check(checks, "computer-name-length", "Computer name at most 15 characters", server.name, len(server.name) <= 15,
           f"'{server.name}' has {len(server.name)} characters")
    _check(checks, "computer-name-scvmm", "Computer name does not contain '-SCVMM-'", server.name,
           "-scvmm-" not in server.name.casefold(), f"'{server.name}' contains '-SCVMM-'")
    _os_checks(server, checks)
    _software_checks(server, checks)
    _sql_checks(state, server, checks)
    vmm = server.vmm if server.vmm not in (None, UNSET) else None
    if vmm is not None and vmm.highly_available is True:
        _check(checks, "ha-domain-account", "Highly available: the VMM service runs as a domain account",
               vmm.service_account, vmm.service_account == "domain", f"service account {vmm.service_account}")
        _check(checks, "ha-dkm", "Highly available: Distributed Key Management configured", vmm.dkm_container,
               vmm.dkm_container is not None, "no DKM container")
    return checks
