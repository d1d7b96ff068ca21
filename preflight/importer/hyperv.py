"""Hyper-V hosts' own sources: VMs (2008 R2 WMI or 2012 Get-VM), Replica, NIC teams, adapters and switches.

Windows Server 2012 / 2012 R2 hosts come with `hyperv.vms` from Get-VM, `hyperv.replication` and
`hyperv.replication_server` from the Hyper-V module, `hyperv.switches` from Get-VMSwitch, and the WMI
classes behind Get-NetLbfoTeam, Get-NetLbfoTeamMember and Get-NetAdapter. A 2008 R2 host has those
sources as skipped (they came with 2012): its fields stay not collected, with the collector's reason.
"""

from __future__ import annotations

from typing import Any

from preflight.importer import computers as c
from preflight.importer import guests
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.replica import authorization_entries
from preflight.importer.values import GB, Missing, enum_name

_V1_STATE = {"Enabled": "Running", "Disabled": "Off", "Paused": "Paused", "Suspended": "Saved"}
_VM_STATES = ("Running", "Off", "Saved", "Paused")
_LINK = {"Connected": "Up", "Disconnected": "Disconnected"}  # Get-NetAdapter shows a connected adapter as Up


def _enum(value: Any, table: str) -> str | Missing:
    """An exported enum (name or number) through its sourced table; a missing value stays missing."""
    return value if isinstance(value, Missing) else enum_name(value, table)


def _nullable(obj: dict[str, Any], name: str) -> Any:
    """A property whose null means "none" (a thumbprint, a storage location), not "not collected"."""
    return None if name in obj and obj[name] is None else prop(obj, name)


def _set(target: dict[str, Any], key: str, value: Any, obj: ObjectImport, path: str) -> None:
    if isinstance(value, Missing):
        obj.miss(path, value.reason)
    else:
        target[key] = value


def network(bundle: Bundle, host: ObjectImport) -> None:
    """`nics` (physical adapters), `teams` (LBFO) and `virtual_switches` of a 2012 host."""
    adapters = c.many(bundle, host.name, "net.adapters")
    names_by_description: dict[str, str] = {}
    if isinstance(adapters, Missing):
        host.miss("nics", adapters.reason)
    else:
        items, where = adapters
        nics = []
        for item in items:
            name, description = prop(item, "Name"), prop(item, "InterfaceDescription")
            if isinstance(name, str) and isinstance(description, str):
                names_by_description[description] = name
            if prop(item, "Virtual") is not False:
                continue  # team interfaces and host vNICs are virtual adapters, not NICs to team or cable
            nic: dict[str, Any] = {"name": str(name)}
            path = f"nics[{name}]"
            _set(nic, "interface_description", description, host, f"{path}.interface_description")
            _set(nic, "media_type", _enum(prop(item, "NdisPhysicalMedium"), "NdisPhysicalMedium"), host, f"{path}.media_type")
            speed = c._int(prop(item, "Speed"))
            _set(nic, "link_speed_mbps", speed if isinstance(speed, Missing) else speed // 1_000_000, host, f"{path}.link_speed_mbps")
            state = _enum(prop(item, "MediaConnectState"), "MediaConnectState")
            _set(nic, "status", state if isinstance(state, Missing) else _LINK.get(state, Missing(f"MediaConnectState {state}")),
                 host, f"{path}.status")
            nics.append(nic)
        host.put("nics", nics, f"{where}: Name, Virtual, InterfaceDescription, NdisPhysicalMedium, Speed (bit/s), MediaConnectState")
    switches = _switches(bundle, host, names_by_description)
    _teams(bundle, host, switches)


def _switches(bundle: Bundle, host: ObjectImport, names_by_description: dict[str, str]) -> tuple[list[dict[str, Any]], bool] | None:
    """The host's switches, and whether every one of them could be read (a team's switch is only known then)."""
    got = c.collected(bundle, host.name, "hyperv.switches", host, "virtual_switches")
    if got is None:
        return None
    items, where = got
    switches, complete = [], True
    for item in items:
        name = str(prop(item, "Name"))
        kind = _enum(prop(item, "SwitchType"), "VMSwitchType")
        if isinstance(kind, Missing):  # a switch without its type cannot be judged: left out, with the reason
            host.miss(f"virtual_switches[{name}]", kind.reason)
            complete = False
            continue
        switch: dict[str, Any] = {"name": name, "switch_type": kind}
        if kind == "External":
            description = prop(item, "NetAdapterInterfaceDescription")
            adapter = description if isinstance(description, Missing) else names_by_description.get(
                str(description), Missing(f"no adapter in net.adapters has the description {description!r}"))
            _set(switch, "net_adapter", adapter, host, f"virtual_switches[{name}].net_adapter")
            complete = complete and "net_adapter" in switch
        switches.append(switch)
    host.put("virtual_switches", switches, f"{where}: Name, SwitchType, NetAdapterInterfaceDescription (joined to net.adapters)")
    return switches, complete


def _teams(bundle: Bundle, host: ObjectImport, switches: tuple[list[dict[str, Any]], bool] | None) -> None:
    teams_got, members_got = c.many(bundle, host.name, "netlbfo.teams"), c.many(bundle, host.name, "netlbfo.members")
    if isinstance(teams_got, Missing) or isinstance(members_got, Missing):
        host.miss("teams", teams_got.reason if isinstance(teams_got, Missing) else str(getattr(members_got, "reason", "")))
        return
    (items, where), (member_items, member_where) = teams_got, members_got
    teams = []
    for item in items:
        name = str(prop(item, "Name"))
        path = f"teams[{name}]"
        members = []
        for member in member_items:
            if str(prop(member, "Team")) != name:
                continue
            entry: dict[str, Any] = {"name": str(prop(member, "Name"))}
            _set(entry, "administrative_mode", _enum(prop(member, "AdministrativeMode"), "NetLbfoMemberMode"), host,
                 f"{path}.members.administrative_mode")
            _set(entry, "operational_status", _enum(prop(member, "OperationalMode"), "NetLbfoMemberMode"), host,
                 f"{path}.members.operational_status")
            members.append(entry)
        team: dict[str, Any] = {"name": name, "members": members, "vendor": None}
        _set(team, "teaming_mode", _enum(prop(item, "TeamingMode"), "NetLbfoTeamingMode"), host, f"{path}.teaming_mode")
        _set(team, "load_balancing_algorithm", _enum(prop(item, "LoadBalancingAlgorithm"), "NetLbfoLoadBalancingAlgorithm"),
             host, f"{path}.load_balancing_algorithm")
        _set(team, "status", _enum(prop(item, "Status"), "NetLbfoTeamStatus"), host, f"{path}.status")
        bound = None if switches is None else next((s["name"] for s in switches[0] if s.get("net_adapter") == name), None)
        if bound is not None or (switches is not None and switches[1]):
            team["virtual_switch"] = bound
        else:
            host.miss(f"{path}.virtual_switch", "hyperv.switches was not collected" if switches is None
                      else "a virtual switch of the host could not be read, so no switch is known not to use the team")
        teams.append(team)
    host.put("teams", teams, f"{where}: Name, TeamingMode, LoadBalancingAlgorithm, Status; {member_where}: Name, Team, "
             "AdministrativeMode, OperationalMode")


def replica_server(bundle: Bundle, host: ObjectImport) -> None:
    """`replica` from Get-VMReplicationServer (enabled or not, authentication, ports, storage)."""
    got = c.one(bundle, host.name, "hyperv.replication_server")
    if isinstance(got, Missing):
        host.miss("replica", got.reason)
        return
    item, where = got
    enabled = prop(item, "ReplicationEnabled")
    if not isinstance(enabled, bool):
        host.miss("replica", getattr(enabled, "reason", "ReplicationEnabled is not true or false"))
        return
    replica: dict[str, Any] = {"enabled": enabled}
    fields = (("allowed_authentication_type", _enum(prop(item, "AllowedAuthenticationType"), "RecoveryAuthenticationType")),
              ("kerberos_port", c._int(prop(item, "KerberosAuthenticationPort"))),
              ("certificate_port", c._int(prop(item, "CertificateAuthenticationPort"))),
              ("certificate_thumbprint", _nullable(item, "CertificateThumbprint")),
              ("allow_any_server", prop(item, "ReplicationAllowedFromAnyServer")),
              ("default_storage_location", _nullable(item, "DefaultStorageLocation")))
    for key, value in fields:
        _set(replica, key, value, host, f"replica.{key}")
    entries = authorization_entries(bundle, host.name)
    _set(replica, "authorization_entries", entries if isinstance(entries, Missing) else entries[0], host,
         "replica.authorization_entries")
    host.put("replica", replica, f"{where}: ReplicationEnabled, AllowedAuthenticationType, KerberosAuthenticationPort, "
             "CertificateAuthenticationPort, CertificateThumbprint, ReplicationAllowedFromAnyServer, DefaultStorageLocation"
             + ("" if isinstance(entries, Missing) else f"; {entries[1]}"))


def vms(bundle: Bundle, objects: list[ObjectImport]) -> None:
    """`vms` of every host: Msvm_ComputerSystem (2008 R2, root\\virtualization) or Get-VM (2012 and later)."""
    for host in [o for o in objects if o.kind == "hosts"]:
        got = c.collected(bundle, host.name, "hyperv.vms", host, "vms")
        if got is None:
            continue
        items, where = got
        replication = _replication(bundle, host.name)
        kvp = guests.kvp_items(bundle, host.name)
        for item in items:
            obj = _v1_vm(item, host.name, where) if "EnabledState" in item else _vm(item, host.name, where, replication)
            _guest(obj, kvp)
            objects.append(obj)


def _guest(obj: ObjectImport, kvp: tuple[dict[str, dict[str, str]], str] | Missing) -> None:
    """guest_os (and, where Get-VM did not give it, the integration services version) from the KVP items."""
    if isinstance(kvp, Missing):
        obj.miss("guest_os", kvp.reason)
        return
    by_id, where = kvp
    vm_id = obj.data.get("id")
    pairs = by_id.get(vm_id) if isinstance(vm_id, str) else None
    os_, version = guests.guest(pairs, obj.data.get("state"))
    obj.put("guest_os", os_, f"{where}: GuestIntrinsicExchangeItems OSName, OSVersion, ServicePackMajor")
    if "integration_services_version" not in obj.data:
        obj.missing.pop("integration_services_version", None)
        obj.put("integration_services_version", version, f"{where}: GuestIntrinsicExchangeItems IntegrationServicesVersion")


def _v1_vm(item: dict[str, Any], host: str, where: str) -> ObjectImport:
    name = str(prop(item, "ElementName"))
    obj = ObjectImport("vms", f"{host}/{name}")
    obj.put("name", name, f"{where}: ElementName")
    obj.put("host", host, f"{where}: (hyperv.vms of {host})")
    vm_id = prop(item, "Name")  # Msvm_ComputerSystem.Name is the VM's GUID
    obj.put("id", vm_id.strip().lower() if isinstance(vm_id, str) else vm_id, f"{where}: Name")
    state = enum_name(prop(item, "EnabledState"), "EnabledState")
    obj.put("state", state if isinstance(state, Missing) else _V1_STATE.get(state, Missing(f"EnabledState {state} is a transition, not a state")),
            f"{where}: EnabledState")
    return obj


def _vm(item: dict[str, Any], host: str, where: str, replication: dict[str, dict[str, Any]] | Missing) -> ObjectImport:
    name = str(prop(item, "Name"))
    obj = ObjectImport("vms", f"{host}/{name}")
    obj.put("name", name, f"{where}: Name")
    obj.put("host", host, f"{where}: (hyperv.vms of {host})")
    vm_id = prop(item, "VMId")
    obj.put("id", vm_id if isinstance(vm_id, Missing) else str(vm_id).strip().lower(), f"{where}: VMId")
    state = _enum(prop(item, "State"), "VMState")
    obj.put("state", state if isinstance(state, Missing) or state in _VM_STATES else Missing(f"State {state} is a transition, not a state"),
            f"{where}: State")
    memory = c._int(prop(item, "MemoryStartup"))
    obj.put("memory_gb", memory if isinstance(memory, Missing) else round(memory / GB, 2), f"{where}: MemoryStartup (bytes)")
    obj.put("highly_available", prop(item, "IsClustered"), f"{where}: IsClustered")
    obj.put("integration_services_version", _version(prop(item, "IntegrationServicesVersion")), f"{where}: IntegrationServicesVersion")
    if isinstance(replication, Missing):
        obj.miss("replication", replication.reason)
    elif name.lower() in replication:
        entry = replication[name.lower()]
        obj.put("replication", entry["data"], entry["where"])
        for path, reason in entry["missing"].items():
            obj.miss(path, reason)
    else:
        obj.put("replication", None, f"{where}: not listed by Get-VMReplication of {host}")
    return obj


def _version(value: Any) -> str | Missing:
    """A System.Version: a string, or (ConvertTo-Json, Export-Clixml's properties) Major, Minor, Build, Revision."""
    if isinstance(value, dict):
        parts = [c._int(prop(value, key)) for key in ("Major", "Minor", "Build", "Revision")]
        bad = next((p for p in parts if isinstance(p, Missing)), None)
        return bad if bad else ".".join(str(p) for p in parts if p >= 0)  # an unset Build/Revision is -1
    if isinstance(value, Missing) or str(value).strip():
        return value if isinstance(value, Missing) else str(value).strip()
    return Missing("IntegrationServicesVersion is empty (integration services not running)")


def _replication(bundle: Bundle, host: str) -> dict[str, dict[str, Any]] | Missing:
    """Get-VMReplication of a host by VM name (lower case): the replication dict, or a Missing for what cannot be built."""
    got = c.many(bundle, host, "hyperv.replication")
    if isinstance(got, Missing):
        return got
    items, where = got
    result: dict[str, dict[str, Any]] = {}
    for item in items:
        data: dict[str, Any] = {}
        missing: dict[str, str] = {}
        fields = (("mode", _enum(prop(item, "ReplicationMode"), "ReplicationMode")),
                  ("primary_server", prop(item, "PrimaryServerName")),
                  ("replica_server", prop(item, "ReplicaServerName")),
                  ("authentication_type", _enum(prop(item, "AuthenticationType"), "ReplicationAuthenticationType")),
                  ("port", c._int(prop(item, "ReplicaServerPort"))),
                  ("frequency_sec", c._int(prop(item, "ReplicationFrequencySec"))),
                  ("recovery_history", c._int(prop(item, "RecoveryHistory"))),
                  ("vss_snapshot_frequency_hours", c._int(prop(item, "VSSSnapshotFrequencyHour"))),
                  ("health", _enum(prop(item, "ReplicationHealth"), "ReplicationHealth")),
                  ("state", _enum(prop(item, "ReplicationState"), "ReplicationState")),
                  ("certificate_thumbprint", _nullable(item, "CertificateThumbprint")))
        for key, value in fields:
            if isinstance(value, Missing):
                missing[f"replication.{key}"] = value.reason
            else:
                data[key] = str(value).lower() if key.endswith("_server") else value
        if data.get("health") == "NotApplicable":
            data.pop("health")
        if data.get("vss_snapshot_frequency_hours") == 0:  # 0: no application-consistent recovery points
            data["vss_snapshot_frequency_hours"] = None
        # the model's defaults (mode Primary, no recovery history) would claim what the export did not say
        required = [key for key in ("replica_server", "authentication_type", "mode", "recovery_history",
                                    "vss_snapshot_frequency_hours") if key not in data]
        name = str(prop(item, "VMName")).lower()
        if required:
            why = "; ".join(f"{key}: {missing['replication.' + key]}" for key in required)
            result[name] = {"data": Missing(why), "where": where, "missing": missing}
        else:
            result[name] = {"data": data, "where": f"{where}: (Get-VMReplication of {name})", "missing": missing}
    return result
