"""Map the sources of one or more bundles to a `preflight/inventory/v1` snapshot, with provenance.

Roles come from which sources a computer has: `registry.vmm`/`vmm.*` make a VMM server, `sql.serverproperty`
a SQL Server, VMM's `vmm.hosts` and `vmm.library_servers` name the hosts and library servers, a computer
with Hyper-V sources (`hyperv.*`, named with the collector's -HyperVHost) is a Hyper-V host VMM does not
manage, the `cluster.*` sources (queried under the cluster's name) a cluster, `hyperv.vms` a host's VMs,
`ad.domain` (under the domain's DNS name) the domain with its controllers and trusts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from preflight.errors import InputError
from preflight.importer import clusters, domains, hyperv, replica
from preflight.importer import computers as c
from preflight.importer.bundle import Bundle, open_bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import Missing, enum_name
from preflight.importer.vmm import vmm_settings
from preflight.inventory.load import decode_snapshot
from preflight.inventory.references import check_references
from preflight.inventory.snapshot import ENTITY_LISTS, SCHEMA_ID, Snapshot

HYPERV_SOURCES = ("hyperv.vms", "hyperv.kvp", "hyperv.replication_server", "hyperv.replication", "hyperv.replication_auth",
                  "hyperv.switches",
                  "netlbfo.teams", "netlbfo.members", "net.adapters")
_PLATFORM = {"HyperV": "hyperv", "VMWareESX": "esx", "VirtualServer": "virtual-server"}


@dataclass
class ImportResult:
    """The imported snapshot (validated) and the provenance of each of its objects."""

    snapshot: Snapshot
    document: dict[str, Any]
    objects: list[ObjectImport]
    not_collected: list[dict[str, str]]


def _short(name: str) -> str:
    return name.split(".", 1)[0].upper()


def _has(bundle: Bundle, computer: str, *ids: str, ok: bool = False) -> bool:
    """True when the manifest lists one of the sources for the computer (only collected ones, with `ok`)."""
    return any(s.computer.lower() == computer.lower() and s.id in ids and (s.status == "ok" or not ok)
               for s in bundle.manifest.sources)


def _windows(bundle: Bundle, computer: str, obj: ObjectImport, host: bool = False) -> None:
    c.identity(bundle, computer, obj)
    c.operating_system(bundle, computer, obj)
    c.hardware(bundle, computer, obj)
    c.services(bundle, computer, obj)
    c.software(bundle, computer, obj)
    if host:
        c.hotfixes(bundle, computer, obj)
        c.last_boot(bundle, computer, obj)


def _vmm_server(bundle: Bundle, computer: str, objects: list[ObjectImport]) -> str:
    obj = ObjectImport("vmm_servers", _short(computer))
    obj.put("name", obj.name, "manifest.json: computer")
    _windows(bundle, computer, obj)
    vmm_settings(bundle, computer, obj)
    libraries = c.many(bundle, computer, "vmm.library_servers")
    if isinstance(libraries, Missing):
        obj.miss("library_servers", libraries.reason)
    else:
        obj.put("library_servers", [_short(str(prop(lib, "Name"))) for lib in libraries[0]], f"{libraries[1]}: Name")
    objects.append(obj)
    return obj.name


def _sql_server(bundle: Bundle, computer: str, objects: list[ObjectImport]) -> None:
    got = c.one(bundle, computer, "sql.serverproperty")
    obj = ObjectImport("sql_servers", _short(computer))
    obj.put("name", obj.name, "manifest.json: computer")
    c.identity(bundle, computer, obj)
    if isinstance(got, Missing):
        obj.miss("version", got.reason)
        objects.append(obj)
        return
    sql, where = got
    instance = prop(sql, "InstanceName")
    # SERVERPROPERTY('InstanceName') is NULL for the default instance
    obj.put("instance", "MSSQLSERVER" if isinstance(instance, Missing) and "InstanceName" in sql else instance, f"{where}: InstanceName")
    obj.put("version", c._text(prop(sql, "ProductVersion")), f"{where}: ProductVersion")
    edition = prop(sql, "Edition")
    if isinstance(edition, str):
        name, _, bits = edition.partition(" Edition")
        obj.put("edition", name.strip(), f"{where}: Edition")
        arch = {"(64-bit)": "x64", "(IA64)": "ia64"}.get(bits.strip(), "x86" if not bits.strip() else None)
        obj.put("architecture", arch if arch else Missing(f"Edition {edition!r}: bitness not recognised"), f"{where}: Edition")
    else:
        obj.miss("edition", edition.reason)
    obj.put("collation", c._text(prop(sql, "Collation")), f"{where}: Collation")
    clustered = c._int(prop(sql, "IsClustered"))
    obj.put("highly_available", clustered if isinstance(clustered, Missing) else clustered == 1, f"{where}: IsClustered")
    objects.append(obj)


def _hosts_and_libraries(bundle: Bundle, vmm: str, computer: str, objects: list[ObjectImport]) -> None:
    hosts = c.many(bundle, computer, "vmm.hosts")
    for item in [] if isinstance(hosts, Missing) else hosts[0]:
        where = hosts[1]  # type: ignore[index]
        name = _short(str(prop(item, "Name")))
        obj = ObjectImport("hosts", name)
        obj.put("name", name, f"{where}: Name")
        platform = enum_name(prop(item, "VirtualizationPlatform"), "VirtualizationPlatform")
        platform = platform if isinstance(platform, Missing) else _PLATFORM.get(platform, Missing(f"{platform} is not a platform VMM 2008 R2 manages"))
        if isinstance(platform, Missing):  # a host without its platform cannot be judged at all
            raise InputError(where, f"{name}.VirtualizationPlatform", platform.reason)
        obj.put("platform", platform, f"{where}: VirtualizationPlatform")
        obj.put("managed_by", vmm, f"{where}: (listed by Get-VMHost on {vmm})")
        _host(bundle, obj)
        objects.append(obj)
    libraries = c.many(bundle, computer, "vmm.library_servers")
    for item in [] if isinstance(libraries, Missing) else libraries[0]:
        name = _short(str(prop(item, "Name")))
        obj = ObjectImport("library_servers", name)
        obj.put("name", name, f"{libraries[1]}: Name")  # type: ignore[index]
        obj.put("managed_by", vmm, f"{libraries[1]}: (listed by Get-LibraryServer on {vmm})")  # type: ignore[index]
        c.identity(bundle, name, obj)
        c.operating_system(bundle, name, obj)
        obj.data.pop("hardware", None)  # a library server record has no hardware
        obj.origins.pop("hardware.system_drive", None)
        objects.append(obj)


def _host(bundle: Bundle, obj: ObjectImport) -> None:
    """A Hyper-V host's Windows facts, its version (the OS version for Hyper-V), network and Replica settings."""
    _windows(bundle, obj.name, obj, host=True)
    if "os" in obj.data and "version" in obj.data["os"]:
        obj.put("version", obj.data["os"]["version"], obj.origins["os.version"])
    hyperv.network(bundle, obj)
    hyperv.replica_server(bundle, obj)
    replica.certificates(bundle, obj)


def _unmanaged_hosts(bundle: Bundle, objects: list[ObjectImport]) -> None:
    """Computers with Hyper-V sources that VMM did not list: Hyper-V hosts the admin named (-HyperVHost)."""
    known = {o.name for o in objects if o.kind == "hosts"}
    for computer in bundle.computers():
        name = _short(computer)
        if name in known or not _has(bundle, computer, *HYPERV_SOURCES):
            continue
        obj = ObjectImport("hosts", name)
        obj.put("name", name, "manifest.json: computer")
        obj.put("platform", "hyperv", "manifest.json: Hyper-V sources (collector -HyperVHost)")
        _host(bundle, obj)
        objects.append(obj)
        known.add(name)


def _cluster(bundle: Bundle, computer: str, vmm: str | None, objects: list[ObjectImport]) -> None:
    obj = ObjectImport("clusters", _short(computer))
    obj.put("name", obj.name, "manifest.json: computer")
    nodes = c.many(bundle, computer, "cluster.MSCluster_Node")
    if isinstance(nodes, Missing):
        raise InputError(bundle.path, None, f"cluster {computer}: {nodes.reason}; a cluster's nodes are required")
    obj.put("nodes", [_short(str(prop(n, "Name"))) for n in nodes[0]], f"{nodes[1]}: Name")
    clusters.networks(bundle, computer, obj)
    clusters.network_interfaces(bundle, computer, obj)
    clusters.storage(bundle, computer, obj)
    replica.broker(bundle, computer, obj)
    if vmm:
        obj.put("managed_by", vmm, "the bundle's VMM server")
    objects.append(obj)
    for host in objects:
        if host.kind == "hosts" and host.name in obj.data["nodes"]:
            host.put("cluster", obj.name, f"{nodes[1]}: Name")


def _bundle_objects(bundle: Bundle) -> list[ObjectImport]:
    objects: list[ObjectImport] = []
    vmm = None
    computers = bundle.computers()
    for computer in computers:
        # a computer is a VMM server when VMM answered; the collector asks the computer it runs on by default
        if _has(bundle, computer, "registry.vmm", "vmm.server", "vmm.hosts", ok=True):
            vmm = _vmm_server(bundle, computer, objects)
            _hosts_and_libraries(bundle, vmm, computer, objects)
    _unmanaged_hosts(bundle, objects)
    for computer in computers:
        if _has(bundle, computer, "ad.domain", ok=True):
            found = domains.domain(bundle, computer)
            if found is not None:
                objects.append(found)
        # skipped: the collector knew no SQL instance (a failed read still names a SQL Server, unread)
        if any(src.computer.lower() == computer.lower() and src.id == "sql.serverproperty" and src.status != "skipped"
               for src in bundle.manifest.sources):
            _sql_server(bundle, computer, objects)
        if _has(bundle, computer, "cluster.MSCluster_Cluster", "cluster.MSCluster_Node"):
            _cluster(bundle, computer, vmm, objects)
    hyperv.vms(bundle, objects)
    return objects


def import_bundles(paths: list[Path]) -> ImportResult:
    """Import bundles into one validated snapshot; an object defined by two bundles is an error naming both."""
    bundles = [open_bundle(path) for path in paths]
    lists: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ENTITY_LISTS}
    seen: dict[tuple[str, str], str] = {}
    all_objects: list[ObjectImport] = []
    for bundle in bundles:
        for obj in _bundle_objects(bundle):
            key = (obj.kind, obj.name.lower())
            if key in seen and obj.kind == "domains" and any(o.data == obj.data for o in all_objects if o.kind == "domains"):
                continue  # every site's bundle reads the same domain: the same facts are no conflict
            if key in seen:
                raise InputError(bundle.path, None, f"{obj.kind} '{obj.name}' is also in {seen[key]}: "
                                                    "one object may come from one bundle only")
            seen[key] = bundle.path
            lists[obj.kind].append(obj.data)
            all_objects.append(obj)
    first = min(bundles, key=lambda b: b.manifest.collected_at).manifest
    collector: dict[str, Any] = {"name": first.collector.name}
    if first.collector.version:
        collector["version"] = first.collector.version
    document = {"schema": SCHEMA_ID,
                "snapshot": {"name": " + ".join(b.manifest.name for b in bundles),
                             "collected_at": first.collected_at.isoformat(), "collector": collector},
                **{kind: items for kind, items in lists.items() if items}}
    where = " + ".join(b.path for b in bundles)
    snapshot = decode_snapshot(msgspec.json.encode(document), f"{where} (imported)", ".json")
    check_references(snapshot, default_file=f"{where} (imported)", origin={})
    failed = [{"bundle": b.path, "computer": s.computer, "source": s.id, "status": s.status, "reason": s.reason or ""}
              for b in bundles for s in b.manifest.sources if s.status != "ok"]
    return ImportResult(snapshot, document, all_objects, failed)
