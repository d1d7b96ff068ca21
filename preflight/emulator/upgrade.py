"""Run VMM 2012 setup in the emulator: all-or-nothing, like the installer's automatic rollback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from preflight.emulator.backup import require_backup, vmm_database_of
from preflight.emulator.effects import Applied, Refused, Request, effect, ok
from preflight.emulator.setup import (
    SERVICE_RENAMES,
    VMM_2012_VERSION,
    UpgradeResult,
    prerequisite_checks,
)
from preflight.emulator.state import EmulatedEstate
from preflight.inventory.common import Software, known
from preflight.inventory.versions import WS2008, Version, parse_version

SUPPORTED_VCENTER = (Version.of(4, 1),)
SUPPORTED_ESX = (Version.of(3, 5), Version.of(4, 1))


SETUP_CHANGES = ("vmm_servers", "hosts", "vcenters")
"""The entity lists whose records VMM 2012 setup changes (its server; the hosts and vCenters it manages); it only
reads the others."""


def changed_by_setup(server: str) -> Callable[[Any], bool]:
    """Whether a record of `SETUP_CHANGES` may change when VMM 2012 setup runs on `server`: the server itself
    and the hosts and vCenters it manages (`run_vmm_upgrade` writes no other record)."""
    key = server.casefold()

    def changes(record: Any) -> bool:
        managed_by = getattr(record, "managed_by", None)
        return record.name.casefold() == key or (isinstance(managed_by, str) and managed_by.casefold() == key)
    return changes


def _rename_services(record: Any, result: UpgradeResult) -> None:
    if not known(getattr(record, "services", UNSET)):
        return
    for service in record.services:
        renamed = SERVICE_RENAMES.get(service.name.casefold())
        if renamed:
            result.renamed_services.append(f"{record.name}: {service.name} -> {renamed[0]}")
            service.name, service.display_name = renamed


def _unsupported(state: EmulatedEstate, host: Any) -> bool:
    if host.platform == "virtual-server":
        return True
    if host.platform not in ("esx", "esxi"):
        return False
    if not known(host.version) or parse_version(host.version).release not in SUPPORTED_ESX:
        return True
    vcenter = next((v for v in state.snapshot.vcenters if host.vcenter and v.name.casefold() == host.vcenter.casefold()), None)
    return vcenter is not None and (not known(vcenter.version) or parse_version(vcenter.version).release not in SUPPORTED_VCENTER)


def _remove_unsupported(state: EmulatedEstate, server: Any, result: UpgradeResult) -> None:
    mine = server.name.casefold()
    for vcenter in state.snapshot.vcenters:
        if known(vcenter.managed_by) and vcenter.managed_by and vcenter.managed_by.casefold() == mine and (
                not known(vcenter.version) or parse_version(vcenter.version).release not in SUPPORTED_VCENTER):
            vcenter.managed_by = None
            result.removed_vcenters.append(vcenter.name)
    for host in state.snapshot.hosts:
        if host.managed_by and host.managed_by.casefold() == mine and _unsupported(state, host):
            host.managed_by = None
            result.removed_hosts.append(host.name)
            result.removed_vms.extend(vm.name for vm in state.vms_on(host.name))


def run_vmm_upgrade(state: EmulatedEstate, server_name: str) -> UpgradeResult:
    """Run VMM 2012 setup on `server_name`; on any failed or undecidable check nothing changes."""
    server = next((s for s in state.snapshot.vmm_servers if s.name.casefold() == server_name.casefold()), None)
    if server is None:
        return UpgradeResult(server_name, False)
    result = UpgradeResult(server.name, False, prerequisite_checks(state, server))
    if result.failed or result.undetermined:
        return result  # setup rolls back: the estate is left as it was
    result.succeeded = True
    vmm = server.vmm
    assert known(vmm) and vmm is not None, "a VMM server that passed setup's checks has VMM installed"
    vmm.version, vmm.service_pack = VMM_2012_VERSION, 0
    if vmm.pro_connection not in (None, UNSET):
        result.pro_connection_dropped = vmm.pro_connection.operations_manager_server
        vmm.pro_connection = None
    if known(server.installed_software):
        server.installed_software = [s for s in server.installed_software if "Virtual Machine Manager" not in s.name]
        server.installed_software.append(Software(name="Microsoft System Center 2012 Virtual Machine Manager",
                                                  version=VMM_2012_VERSION))
    if known(server.windows_features) and "NET-Framework-Core" not in server.windows_features:
        server.windows_features.append("NET-Framework-Core")  # setup enables .NET 3.5.1 itself
    _rename_services(server, result)
    _remove_unsupported(state, server, result)
    for host in state.snapshot.hosts:
        if host.managed_by and host.managed_by.casefold() == server.name.casefold():
            _rename_services(host, result)
    for library in state.snapshot.library_servers:
        if known(library.managed_by) and library.managed_by and library.managed_by.casefold() == server.name.casefold() \
                and known(library.os) and known(library.os.version) and parse_version(library.os.version) < WS2008:
            result.removable_only_libraries.append(library.name)
    return result


@effect("upgrade-vmm-2012")
def _upgrade(state: EmulatedEstate, request: Request) -> Applied:
    require_backup(state, vmm_database_of(state, request.name), f"{request.name}: the VMM 2012 upgrade")
    result = run_vmm_upgrade(state, request.name)
    state.setups[request.name.casefold()] = result
    if not result.succeeded:
        reasons = [f"{c.title}: {c.detail}" for c in result.failed or result.undetermined]
        raise Refused("VMM 2012 setup rolled back: " + "; ".join(reasons or ["no such VMM server"]))
    return ok(True)
