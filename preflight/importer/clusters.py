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
from preflight.importer.values import EnumValue, Missing, enum_name

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
    csvs = c.collected(bundle, computer, "cluster.csv", obj, "csvs")
    if csvs is None:
        return
    items, where = csvs
    caching = _block_cache(bundle, computer, obj)
    states = _csv_states(bundle, computer)
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
        if not isinstance(states, Missing) and name in states:
            for key, value in states[name].items():
                _put(csv, key, value, obj, f"{path}.{key}")
        elif isinstance(first, dict):
            redirected = prop(first, "RedirectedAccess")
            if redirected is True:
                csv["state_info"] = "FileSystemRedirected"
            else:
                obj.miss(f"{path}.state_info", "RedirectedAccess "
                         + ("False does not tell direct from block-redirected I/O" if redirected is False else getattr(redirected, "reason", ""))
                         + f"; cluster.csv_state: {states.reason if isinstance(states, Missing) else 'no rows for ' + name}")
        if not isinstance(first, dict):
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


# Worst first: a CSV is as redirected as its most redirected node (the snapshot keeps one state per CSV)
_IO_MODES = ("FileSystemRedirected", "BlockRedirected", "Direct")


def _csv_states(bundle: Bundle, computer: str) -> dict[str, dict[str, Any]] | Missing:
    """Per CSV name: state_info of the worst node and that node's redirection reasons (Get-ClusterSharedVolumeState,
    2012 R2). A node row whose state is not one of the three I/O modes makes that CSV's state not collected."""
    got = c.many(bundle, computer, "cluster.csv_state")
    if isinstance(got, Missing):
        return got
    rows, where = got
    by_csv: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_csv.setdefault(str(prop(row, "Name")), []).append(row)
    result: dict[str, dict[str, Any]] = {}
    for name, node_rows in by_csv.items():
        modes = []
        for row in node_rows:
            raw = prop(row, "StateInfo") if "StateInfo" in row else prop(row, "State")
            mode = enum_name(raw, "ClusterSharedVolumeStateInfo") if not isinstance(raw, Missing) else raw
            mode = mode if isinstance(mode, Missing) else mode.replace(" ", "")
            if isinstance(mode, Missing) or mode not in _IO_MODES:
                node = prop(row, "Node")
                reason = mode.reason if isinstance(mode, Missing) else f"state {mode} is not an I/O mode"
                result[name] = {"state_info": Missing(f"{where}: node {node}: {reason}")}
                break
            modes.append((_IO_MODES.index(mode), mode, row))
        else:
            _, worst, row = min(modes, key=lambda m: m[0])
            entry: dict[str, Any] = {"state_info": worst}
            for key, prop_name in (("file_system_redirected_io_reason", "FileSystemRedirectedIOReason"),
                                   ("block_redirected_io_reason", "BlockRedirectedIOReason")):
                entry[key] = _flags_text(prop(row, prop_name), prop_name)
            result[name] = entry
    return result


def _flags_text(value: Any, name: str) -> str | Missing:
    """A flags enum as Export-Clixml names it ("UserRequest, IncompatibleFileSystemFilter"); a bare number is not
    collected (no page gives the cmdlet's flag values)."""
    if isinstance(value, EnumValue):
        value = value.name if value.name is not None else value.number
    if isinstance(value, str) and value.strip() and not value.strip().isdigit():
        return value.strip()
    if isinstance(value, Missing):
        return value
    return Missing(f"{name} {value!r} is a number without a sourced table; re-export with Export-Clixml")


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
    got = c.collected(bundle, computer, "cluster.MSCluster_NetworkInterface", obj, "network_interfaces")
    if got is None:
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
    got = c.collected(bundle, computer, "cluster.MSCluster_Network", obj, "networks")
    if got is None:
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
