"""The facts every Windows computer of a bundle carries: WMI OS, hardware, services, hotfixes, programs, roles."""

from __future__ import annotations

from typing import Any

from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import EnumValue, Missing, bytes_to_gb, dmtf_date, enum_name

OS = "wmi.Win32_OperatingSystem"
CS = "wmi.Win32_ComputerSystem"
CPU = "wmi.Win32_Processor"
DISK = "wmi.Win32_LogicalDisk"
SERVICES = "wmi.Win32_Service"
QFE = "wmi.Win32_QuickFixEngineering"
PROGRAMS = "registry.uninstall"
FEATURES = "features"


def one(bundle: Bundle, computer: str, source: str) -> tuple[dict[str, Any], str] | Missing:
    """The single object of a source (Win32_OperatingSystem, SERVERPROPERTY ...)."""
    got = bundle.source(computer, source)
    if isinstance(got, Missing):
        return got
    objects, where = got
    if len(objects) != 1 or not isinstance(objects[0], dict):
        return Missing(f"{where}: expected one object, found {len(objects)}")
    return objects[0], where


def many(bundle: Bundle, computer: str, source: str) -> tuple[list[dict[str, Any]], str] | Missing:
    """The objects of a source (services, disks ...): one object or an array are both a list."""
    got = bundle.source(computer, source)
    if isinstance(got, Missing):
        return got
    objects, where = got
    return [item for item in objects if isinstance(item, dict)], where


def collected(bundle: Bundle, computer: str, source: str, obj: ObjectImport,
              field: str) -> tuple[list[dict[str, Any]], str] | None:
    """`many` for the one `field` a source fills: its objects and where they came from, or None once `field`
    is recorded as not collected, with the reason."""
    got = many(bundle, computer, source)
    if isinstance(got, Missing):
        obj.miss(field, got.reason)
        return None
    return got


def _text(value: Any) -> Any:
    return value if isinstance(value, Missing) else str(value).strip()


def _int(value: Any) -> Any:
    if isinstance(value, Missing):
        return value
    if isinstance(value, EnumValue):
        return value.number
    try:
        return int(value)
    except (TypeError, ValueError):
        return Missing(f"expected a number, got {str(value)[:40]!r}")


def identity(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """fqdn and domain from Win32_ComputerSystem (PartOfDomain false: a workgroup, domain null)."""
    got = one(bundle, computer, CS)
    if isinstance(got, Missing):
        for path in ("fqdn", "domain"):
            obj.miss(path, got.reason)
        return
    cs, where = got
    part_of_domain, domain = prop(cs, "PartOfDomain"), prop(cs, "Domain")
    host = prop(cs, "DNSHostName")
    if part_of_domain is False:
        obj.put("domain", None, f"{where}: PartOfDomain")
    elif part_of_domain is True and not isinstance(domain, Missing):
        obj.put("domain", str(domain).lower(), f"{where}: Domain")
        if not isinstance(host, Missing):
            obj.put("fqdn", f"{host}.{domain}".lower(), f"{where}: DNSHostName, Domain")
        else:
            obj.miss("fqdn", host.reason)
    else:
        obj.miss("domain", f"{where}: PartOfDomain or Domain is not in the export")


def operating_system(bundle: Bundle, computer: str, obj: ObjectImport, prefix: str = "os") -> None:
    """`os` from Win32_OperatingSystem (edition and installation type through the sourced SKU table)."""
    got = one(bundle, computer, OS)
    if isinstance(got, Missing):
        obj.miss(prefix, got.reason)
        return
    os_, where = got
    obj.put(f"{prefix}.caption", _text(prop(os_, "Caption")), f"{where}: Caption")
    obj.put(f"{prefix}.version", _text(prop(os_, "Version")), f"{where}: Version")
    obj.put(f"{prefix}.service_pack", _int(prop(os_, "ServicePackMajorVersion")), f"{where}: ServicePackMajorVersion")
    sku = prop(os_, "OperatingSystemSKU")
    sku_name = sku if isinstance(sku, Missing) else enum_name(_int(sku), "OperatingSystemSKU")
    if isinstance(sku_name, Missing):
        obj.miss(f"{prefix}.edition", sku_name.reason)
        obj.miss(f"{prefix}.installation_type", sku_name.reason)
    else:
        edition, installation = sku_name.split()
        obj.put(f"{prefix}.edition", edition, f"{where}: OperatingSystemSKU {sku}")
        obj.put(f"{prefix}.installation_type", installation, f"{where}: OperatingSystemSKU {sku}")
    bits = prop(os_, "OSArchitecture")
    if isinstance(bits, Missing) or str(bits) not in ("32-bit", "64-bit"):
        obj.miss(f"{prefix}.architecture", getattr(bits, "reason", f"OSArchitecture {bits!r} is not 32-bit or 64-bit"))
    elif str(bits) == "32-bit":
        obj.put(f"{prefix}.architecture", "x86", f"{where}: OSArchitecture")
    else:
        cpu = _processor_architecture(bundle, computer)
        if isinstance(cpu, Missing) or cpu == "x86":
            obj.miss(f"{prefix}.architecture", "64-bit, and Win32_Processor.Architecture (x64 or ia64) was not collected")
        else:
            obj.put(f"{prefix}.architecture", cpu, f"{where}: OSArchitecture, Win32_Processor.Architecture")
    drive = prop(os_, "SystemDrive")
    obj.put("hardware.system_drive", _text(drive), f"{where}: SystemDrive")


def last_boot(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`last_boot` from Win32_OperatingSystem.LastBootUpTime (a DMTF datetime, or a date from ConvertTo-Json)."""
    got = one(bundle, computer, OS)
    if isinstance(got, Missing):
        obj.miss("last_boot", got.reason)
        return
    os_, where = got
    value = prop(os_, "LastBootUpTime")
    if isinstance(value, str):
        value = dmtf_date(value) or Missing(f"LastBootUpTime {value[:40]!r} is not a DMTF datetime")
    obj.put("last_boot", value, f"{where}: LastBootUpTime")


def _processor_architecture(bundle: Bundle, computer: str) -> str | Missing:
    got = many(bundle, computer, CPU)
    if isinstance(got, Missing) or not got[0]:
        return Missing("Win32_Processor was not collected")
    return enum_name(_int(prop(got[0][0], "Architecture")), "ProcessorArchitecture")


def hardware(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`hardware` from Win32_ComputerSystem, Win32_Processor (all sockets) and Win32_LogicalDisk (sizes in bytes)."""
    cs = one(bundle, computer, CS)
    if isinstance(cs, Missing):
        for path in ("hardware.logical_processors", "hardware.sockets", "hardware.memory_gb"):
            obj.miss(path, cs.reason)
    else:
        data, where = cs
        obj.put("hardware.logical_processors", _int(prop(data, "NumberOfLogicalProcessors")), f"{where}: NumberOfLogicalProcessors")
        obj.put("hardware.sockets", _int(prop(data, "NumberOfProcessors")), f"{where}: NumberOfProcessors")
        memory = _int(prop(data, "TotalPhysicalMemory"))
        obj.put("hardware.memory_gb", memory if isinstance(memory, Missing) else bytes_to_gb(memory), f"{where}: TotalPhysicalMemory (bytes)")
    cpus = many(bundle, computer, CPU)
    if isinstance(cpus, Missing) or not cpus[0]:
        obj.miss("hardware.processor", getattr(cpus, "reason", "Win32_Processor has no objects"))
    else:
        sockets, where = cpus
        first = sockets[0]
        arch = enum_name(_int(prop(first, "Architecture")), "ProcessorArchitecture")
        obj.put("hardware.architecture", arch, f"{where}: Architecture")
        cores = [_int(prop(cpu, "NumberOfCores")) for cpu in sockets]
        bad = next((c for c in cores if isinstance(c, Missing)), None)
        obj.put("hardware.cores", bad or sum(cores), f"{where}: NumberOfCores (all sockets)")
        clock = _int(prop(first, "MaxClockSpeed"))
        obj.put("hardware.clock_ghz", clock if isinstance(clock, Missing) else round(clock / 1000, 2), f"{where}: MaxClockSpeed (MHz)")
        obj.put("hardware.processor.name", _text(prop(first, "Name")), f"{where}: Name")
        obj.put("hardware.processor.manufacturer", _text(prop(first, "Manufacturer")), f"{where}: Manufacturer")
    disks = collected(bundle, computer, DISK, obj, "hardware.volumes")
    if disks is None:
        return
    volumes = []
    for disk in disks[0]:
        size, free = _int(prop(disk, "Size")), _int(prop(disk, "FreeSpace"))
        if isinstance(size, Missing) or isinstance(free, Missing):
            continue  # a drive without media reports no size: not a volume to judge
        volume = {"drive": str(prop(disk, "DeviceID")), "size_gb": bytes_to_gb(size), "free_gb": bytes_to_gb(free)}
        for key, name in (("file_system", "FileSystem"), ("label", "VolumeName")):
            if isinstance(prop(disk, name), str) and prop(disk, name):
                volume[key] = prop(disk, name)
        volumes.append(volume)
    obj.put("hardware.volumes", volumes, f"{disks[1]}: DeviceID, FileSystem, VolumeName, Size, FreeSpace (bytes)")


def services(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`services` from Win32_Service (Name, DisplayName, State, StartMode)."""
    got = collected(bundle, computer, SERVICES, obj, "services")
    if got is None:
        return
    items, where = got
    result = []
    for item in items:
        service: dict[str, Any] = {"name": str(prop(item, "Name"))}
        for key, name in (("display_name", "DisplayName"), ("state", "State"), ("start_mode", "StartMode")):
            value = prop(item, name)
            if not isinstance(value, Missing):
                service[key] = enum_name(value, "ServiceControllerStatus") if key == "state" else str(value)
        result.append(service)
    obj.put("services", result, f"{where}: Name, DisplayName, State, StartMode")


def software(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`installed_software` from the Uninstall keys and `windows_features` from Get-WindowsFeature."""
    got = many(bundle, computer, PROGRAMS)
    if isinstance(got, Missing):
        obj.miss("installed_software", got.reason)
    else:
        programs = []
        for item in got[0]:
            name = prop(item, "DisplayName")
            if isinstance(name, Missing) or not str(name).strip():
                continue  # Uninstall keys without a DisplayName are not in Programs and Features
            entry = {"name": str(name).strip()}
            for key, field in (("version", "DisplayVersion"), ("publisher", "Publisher")):
                value = prop(item, field)
                if isinstance(value, str) and value.strip():
                    entry[key] = value.strip()
            programs.append(entry)
        obj.put("installed_software", programs, f"{got[1]}: DisplayName, DisplayVersion, Publisher")
    features = many(bundle, computer, FEATURES)
    if isinstance(features, Missing):
        obj.miss("windows_features", features.reason)
    else:
        obj.put("windows_features", [str(prop(f, "Name")) for f in features[0]], f"{features[1]}: Name")


def hotfixes(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`hotfixes` from Win32_QuickFixEngineering.HotFixID (KB numbers only)."""
    got = collected(bundle, computer, QFE, obj, "hotfixes")
    if got is None:
        return
    ids = sorted({str(prop(item, "HotFixID")).upper() for item in got[0]
                  if str(prop(item, "HotFixID")).upper().startswith("KB")})
    obj.put("hotfixes", ids, f"{got[1]}: HotFixID")
