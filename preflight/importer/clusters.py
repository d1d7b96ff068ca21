"""A failover cluster's 2012 / 2012 R2 sources: Cluster Shared Volumes, their block cache, network interfaces.

`cluster.csv` is Get-ClusterSharedVolume, `cluster.csv_params` the private properties of those CSV
resources (Get-ClusterParameter), `cluster.properties` Get-Cluster's common properties and
`cluster.MSCluster_NetworkInterface` the root\\MSCluster class. A 2008 R2 cluster has no CSV cmdlets in
PowerShell 2.0 for the collector: those fields stay not collected with the recorded reason.
"""

from __future__ import annotations

from typing import Any

from preflight.importer import computers as c
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import Missing, enum_name

# Windows Server 2012 R2 renamed both: the model keeps the 2012 names and takes either
BLOCK_CACHE_SIZE = ("SharedVolumeBlockCacheSizeInMB", "BlockCacheSize")
ENABLE_BLOCK_CACHE = ("CsvEnableBlockCache", "EnableBlockCache")


def _short(name: str) -> str:
    return name.split(".", 1)[0].upper()


def _name_of(value: Any) -> str | Missing:
    """A cluster object's name: CLIXML keeps it as an object with Name, or as its ToString past the depth."""
    if isinstance(value, dict):
        value = prop(value, "Name")
    return value if isinstance(value, Missing) else str(value)


def storage(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`shared_volume_block_cache_size_in_mb` and `csvs` (owner, friendly name, redirected access, block cache)."""
    got = c.one(bundle, computer, "cluster.properties")
    if isinstance(got, Missing):
        obj.miss("shared_volume_block_cache_size_in_mb", got.reason)
    else:
        props, where = got
        key = next((k for k in BLOCK_CACHE_SIZE if k in props), None)
        size = c._int(prop(props, key)) if key else Missing(f"neither {' nor '.join(BLOCK_CACHE_SIZE)} is in the export")
        obj.put("shared_volume_block_cache_size_in_mb", size, f"{where}: {key}")
    csvs = c.many(bundle, computer, "cluster.csv")
    if isinstance(csvs, Missing):
        obj.miss("csvs", csvs.reason)
        return
    items, where = csvs
    caching = _block_cache(bundle, computer, obj)
    result = []
    for item in items:
        name = str(prop(item, "Name"))
        path = f"csvs[{name}]"
        csv: dict[str, Any] = {"name": name}
        owner = _name_of(prop(item, "OwnerNode", structured=False))
        _put(csv, "owner_node", owner if isinstance(owner, Missing) else _short(owner), obj, f"{path}.owner_node")
        info = prop(item, "SharedVolumeInfo", structured=True)
        first = info[0] if isinstance(info, list) and info else info
        if isinstance(first, dict):
            _put(csv, "volume_friendly_name", prop(first, "FriendlyVolumeName"), obj, f"{path}.volume_friendly_name")
            redirected = prop(first, "RedirectedAccess")
            if redirected is True:
                csv["state_info"] = "FileSystemRedirected"
            else:
                obj.miss(f"{path}.state_info", "RedirectedAccess "
                         + ("False does not tell direct from block-redirected I/O" if redirected is False else getattr(redirected, "reason", "")))
        else:
            obj.miss(f"{path}.volume_friendly_name", getattr(first, "reason", "SharedVolumeInfo is empty"))
        if isinstance(caching, Missing):
            obj.miss(f"{path}.csv_enable_block_cache", caching.reason)
        elif name in caching:
            csv["csv_enable_block_cache"] = caching[name]
        else:
            obj.miss(f"{path}.csv_enable_block_cache", f"Get-ClusterParameter lists no {' or '.join(ENABLE_BLOCK_CACHE)} for {name}")
        result.append(csv)
    obj.put("csvs", result, f"{where}: Name, OwnerNode, SharedVolumeInfo (FriendlyVolumeName, RedirectedAccess)"
            + ("" if isinstance(caching, Missing) else "; cluster.csv_params: " + "/".join(ENABLE_BLOCK_CACHE)))


def _block_cache(bundle: Bundle, computer: str, obj: ObjectImport) -> dict[str, bool] | Missing:
    got = c.many(bundle, computer, "cluster.csv_params")
    if isinstance(got, Missing):
        return got
    result: dict[str, bool] = {}
    for param in got[0]:
        if prop(param, "Name") in ENABLE_BLOCK_CACHE:
            owner, value = _name_of(prop(param, "ClusterObject")), c._int(prop(param, "Value"))
            if not isinstance(owner, Missing) and not isinstance(value, Missing):
                result[owner] = value == 1
    return result


def network_interfaces(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`network_interfaces` from MSCluster_NetworkInterface (Name, Node, Network, Adapter, Address, State)."""
    got = c.many(bundle, computer, "cluster.MSCluster_NetworkInterface")
    if isinstance(got, Missing):
        obj.miss("network_interfaces", got.reason)
        return
    items, where = got
    result = []
    for item in items:
        entry: dict[str, Any] = {"name": str(prop(item, "Name")), "node": _short(str(prop(item, "Node"))),
                                 "network": str(prop(item, "Network"))}
        for key, name in (("adapter", "Adapter"), ("address", "Address")):
            value = prop(item, name)
            if isinstance(value, str) and value:
                entry[key] = value
        _put(entry, "state", state(prop(item, "State"), "ClusterNetInterfaceState"), obj,
             f"network_interfaces[{entry['name']}].state")
        result.append(entry)
    obj.put("network_interfaces", result, f"{where}: Name, Node, Network, Adapter, Address, State")


def networks(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`networks` from MSCluster_Network (Name, Role, State)."""
    got = c.many(bundle, computer, "cluster.MSCluster_Network")
    if isinstance(got, Missing):
        obj.miss("networks", got.reason)
        return
    items, where = got
    result = []
    for item in items:
        entry: dict[str, Any] = {"name": str(prop(item, "Name")), "role": c._int(prop(item, "Role"))}
        _put(entry, "state", state(prop(item, "State"), "ClusterNetworkState"), obj, f"networks[{entry['name']}].state")
        result.append(entry)
    obj.put("networks", result, f"{where}: Name, Role, State")


def state(value: Any, table: str) -> str | Missing:
    """A cluster object's State through its sourced table (-1 is the table's Unknown, as the cmdlets show it)."""
    return enum_name(c._int(value), table)


def _put(target: dict[str, Any], key: str, value: Any, obj: ObjectImport, path: str) -> None:
    if isinstance(value, Missing):
        obj.miss(path, value.reason)
    else:
        target[key] = value
