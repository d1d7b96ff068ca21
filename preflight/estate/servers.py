"""Target kinds for management-side objects: snapshots, domains, VMM, SQL, vCenter, library servers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypedDict

from msgspec import UNSET

from preflight.estate.model import Derived, Estate, Target, target_kind
from preflight.inventory.paths import Missing, absent_path, field_path
from preflight.inventory.servers import Domain, LibraryServer, SqlServer, VCenter, VmmServer
from preflight.inventory.snapshot import SnapshotInfo


# Link types (what a rule's `@name` paths read); any value may also be Missing(path).
class SnapshotLinks(TypedDict):
    """The file a snapshot was read from."""

    file: str


class DomainLinks(TypedDict):
    """The OS version of the domain's newest domain controller."""

    newest_dc_version: str


class VmmLinks(TypedDict, total=False):
    """Links of a VMM server; without a collected `vmm` only os_release, sql and managed_hosts are set."""

    os_release: str | None
    managed_hosts: int
    sql: SqlServer | None
    local_database: bool
    local_full_sql: bool
    sql_trusted: bool
    free_disk_gb: float
    library: list[LibraryServer]
    library_on_server: bool


class SqlLinks(TypedDict):
    """Names of the VMM servers whose database the instance holds."""

    vmm_servers: list[str]


class VCenterLinks(TypedDict):
    """Names of the hosts the vCenter manages."""

    hosts: list[str]


class LibraryLinks(TypedDict):
    """The release name of the library server's OS."""

    os_release: str | None


@target_kind("snapshots", "Each input snapshot file (name, collected_at, collector)", model=SnapshotInfo, links=SnapshotLinks)
def _snapshots(estate: Estate) -> Iterator[Target]:
    for file, info in estate.infos:
        yield Target("snapshots", info.name, info, {"file": file}, f"{file}:$.snapshot")


@target_kind("domains", "Active Directory domains", model=Domain, links=DomainLinks)
def _domains(estate: Estate) -> Iterator[Target]:
    for i, domain in enumerate(estate.snapshot.domains):
        yield Target("domains", domain.name, domain, {"newest_dc_version": estate.newest_dc_version(domain.name)},
                     f"$.domains[{i}]")


def _free_disk_gb(server: VmmServer, path: str) -> Derived[float]:
    hardware = server.hardware
    if hardware is UNSET or hardware.volumes is UNSET:
        return Missing(f"{path}.hardware.volumes")
    drive = hardware.system_drive if hardware.system_drive is not UNSET else "C:"
    for volume in hardware.volumes:
        if volume.drive.rstrip("\\").casefold() == drive.casefold():
            return volume.free_gb
    return Missing(f"{path}.hardware.volumes[{drive}]")


def _vmm_links(estate: Estate, server: VmmServer, path: str) -> dict[str, Any]:  # Any: a VmmLinks value or Missing
    vmm = server.vmm
    links: dict[str, Any] = {"os_release": estate.release_of(server.os.version if server.os is not UNSET else None)}
    if vmm is UNSET:
        links.update(sql=Missing(f"{path}.vmm"), managed_hosts=Missing(f"{path}.vmm"))
        return links
    count = estate.index.managed_host_count(server.name)
    if vmm is not None and vmm.managed_host_count is not UNSET:
        count = vmm.managed_host_count
    links["managed_hosts"] = count
    database = vmm.database if vmm is not None else None
    if database is UNSET:
        links.update(sql=Missing(f"{path}.vmm.database"), local_database=Missing(f"{path}.vmm.database"),
                     local_full_sql=Missing(f"{path}.vmm.database"), sql_trusted=Missing(f"{path}.vmm.database"))
    elif database is None:
        links.update(sql=None, local_database=False, local_full_sql=False, sql_trusted=True)
    else:
        sql = estate.index.sql_servers.get(database.server)
        local = database.server.casefold() in {server.name.casefold(), str(server.fqdn).casefold()}
        links["sql"] = sql
        links["local_database"] = local
        if local and sql is not None and sql.edition is not UNSET:
            links["local_full_sql"] = "express" not in sql.edition.casefold()
        elif local:
            links["local_full_sql"] = Missing(field_path(estate.path_of(sql), "edition") if sql is not None
                                              else absent_path("sql_servers", database.server))
        else:
            links["local_full_sql"] = False
        links["sql_trusted"] = estate.trusted(server.domain, sql.domain, f"{path}.domain",
                                              field_path(estate.path_of(sql), "domain")) if sql is not None else Missing(
            absent_path("sql_servers", database.server))
    links["free_disk_gb"] = _free_disk_gb(server, path)
    links["library"] = [estate.index.library_servers.get(n) for n in server.library_servers] if server.library_servers is not UNSET else []
    links["library_on_server"] = _library_on_server(estate, server, path)
    return links


def _library_on_server(estate: Estate, server: VmmServer, path: str) -> Derived[bool]:
    """True when the VMM server is also one of its library servers (the default library share lives there)."""
    names = {server.name.casefold()} | ({server.fqdn.casefold()} if server.fqdn is not UNSET else set())
    if any(name in estate.index.library_servers for name in names):
        return True
    if server.library_servers is UNSET:
        return Missing(f"{path}.library_servers")
    return any(n.casefold() in names for n in server.library_servers)


@target_kind("vmm_servers", "VMM management servers", model=VmmServer, links=VmmLinks)
def _vmm_servers(estate: Estate) -> Iterator[Target]:
    for i, server in enumerate(estate.snapshot.vmm_servers):
        path = f"$.vmm_servers[{i}]"
        yield Target("vmm_servers", server.name, server, _vmm_links(estate, server, path), path)


@target_kind("sql_servers", "SQL Server instances", model=SqlServer, links=SqlLinks)
def _sql_servers(estate: Estate) -> Iterator[Target]:
    for i, sql in enumerate(estate.snapshot.sql_servers):
        users = [s.name for s in estate.snapshot.vmm_servers
                 if s.vmm not in (None, UNSET) and s.vmm.database not in (None, UNSET)
                 and s.vmm.database.server.casefold() == sql.name.casefold()]
        yield Target("sql_servers", sql.name, sql, {"vmm_servers": users}, f"$.sql_servers[{i}]")


@target_kind("vcenters", "VMware vCenter Servers", model=VCenter, links=VCenterLinks)
def _vcenters(estate: Estate) -> Iterator[Target]:
    for i, vcenter in enumerate(estate.snapshot.vcenters):
        hosts = [h for h in estate.snapshot.hosts if h.vcenter and h.vcenter.casefold() == vcenter.name.casefold()]
        vms = tuple(vm.name for h in hosts for vm in estate.vms_on(h.name))
        yield Target("vcenters", vcenter.name, vcenter, {"hosts": [h.name for h in hosts]}, f"$.vcenters[{i}]",
                     at_risk=vms, members=tuple(h.name for h in hosts))


@target_kind("library_servers", "VMM library servers", model=LibraryServer, links=LibraryLinks)
def _library_servers(estate: Estate) -> Iterator[Target]:
    for i, library in enumerate(estate.snapshot.library_servers):
        os_version = library.os.version if library.os is not UNSET else None
        yield Target("library_servers", library.name, library, {"os_release": estate.release_of(os_version)},
                     f"$.library_servers[{i}]")
