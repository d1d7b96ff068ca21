"""Write fixtures/imports/fabric-{2008r2,2012}-{clixml,json}/ from one description of each estate.

The CLIXML is written the way Export-Clixml writes it (`<Objs Version="1.1.0.1">`, `<Obj RefId>`,
`<TN>`/`<TNRef>`, `<ToString>`, typed `<Props>`, `<LST>` for arrays, `<DT>`, `<G>`); the JSON the way
ConvertTo-Json writes it (enums and WMI uints as numbers, dates as "\\/Date(ms)\\/", four-space layout).
The 2008 R2 corpus is UTF-8; the 2012 one is written as the collector's Windows PowerShell 3.0+ writes it:
Export-Clixml in UTF-16 LE with a byte order mark, `Out-File -Encoding UTF8` JSON in UTF-8 with one.
Property sets: fixtures/imports/SOURCES.md. The 2012 estate: tools/import_fabric_2012.py.
Run: .venv/bin/python -m tools.make_import_fixtures
"""

from __future__ import annotations

import codecs
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
GIB = 1024 ** 3
CET = timezone(timedelta(hours=1))
WMI = "System.Management.ManagementObject#root\\cimv2\\"


def enum(type_name: str, name: str, number: int) -> tuple:
    return ("enum", type_name, name, number)


def u(tag: str, value: int) -> tuple:
    return (tag, value)


def dt(value: datetime, naive: bool = False) -> tuple:
    """A DateTime: Export-Clixml writes its offset unless the .NET value had none (SQL Server's datetime)."""
    return ("DT", value, naive)


def guid(value: str) -> tuple:
    return ("G", value)


def obj(type_name: str, text: str, props: dict) -> tuple:
    """A nested object (Export-Clixml: an <Obj> with its own <Props>; ConvertTo-Json: a nested object)."""
    return ("obj", type_name, text, props)


def kvp_item(name: str, data: str) -> str:
    """One GuestIntrinsicExchangeItems entry: an embedded Msvm_KvpExchangeDataItem as CIM-XML (Source 2 = guest
    intrinsic), https://learn.microsoft.com/en-us/windows/win32/hyperv_v2/msvm-kvpexchangedataitem."""
    return ('<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">'
            f'<PROPERTY NAME="Data" TYPE="string"><VALUE>{escape(data)}</VALUE></PROPERTY>'
            f'<PROPERTY NAME="Name" TYPE="string"><VALUE>{escape(name)}</VALUE></PROPERTY>'
            '<PROPERTY NAME="Source" TYPE="uint16"><VALUE>2</VALUE></PROPERTY></INSTANCE>')


def kvp(vm_id: str, guest: tuple[str, str, int, str] | None) -> dict:
    """Msvm_KvpExchangeComponent of one VM; `guest` = (OSName, OSVersion, ServicePackMajor, IntegrationServicesVersion),
    None for a VM that is not running (its integration services report nothing)."""
    items = [] if guest is None else [kvp_item(k, str(v)) for k, v in zip(
        ("OSName", "OSVersion", "ServicePackMajor", "IntegrationServicesVersion"), guest, strict=True)]
    return {"SystemName": vm_id, "GuestIntrinsicExchangeItems": items}


def computer(name: str, sku: int, caption: str, memory_gib: int, cores: int, boot: str, c_free: float) -> dict:
    return {
        "wmi.Win32_OperatingSystem": (WMI + "Win32_OperatingSystem", [{
            "Caption": caption, "Version": "6.1.7601", "BuildNumber": "7601", "ServicePackMajorVersion": u("U16", 1),
            "OSArchitecture": "64-bit", "OperatingSystemSKU": u("U32", sku), "SystemDrive": "C:",
            "LastBootUpTime": boot, "CSName": name}]),
        "wmi.Win32_ComputerSystem": (WMI + "Win32_ComputerSystem", [{
            "Name": name, "DNSHostName": name.lower(), "Domain": "contoso.local", "PartOfDomain": True,
            "NumberOfProcessors": u("U32", 2), "NumberOfLogicalProcessors": u("U32", cores * 2),
            "TotalPhysicalMemory": u("U64", memory_gib * GIB)}]),
        "wmi.Win32_Processor": (WMI + "Win32_Processor", [{
            "DeviceID": f"CPU{i}", "Name": "Intel(R) Xeon(R) CPU X5650 @ 2.67GHz", "Manufacturer": "GenuineIntel",
            "Architecture": u("U16", 9), "NumberOfCores": u("U32", cores // 2), "MaxClockSpeed": u("U32", 2670)} for i in range(2)]),
        "wmi.Win32_LogicalDisk": (WMI + "Win32_LogicalDisk", [{
            "DeviceID": "C:", "DriveType": u("U32", 3), "FileSystem": "NTFS", "VolumeName": "",
            "Size": u("U64", 100 * GIB), "FreeSpace": u("U64", int(c_free * GIB))}]),
        "wmi.Win32_Service": (WMI + "Win32_Service", [
            {"Name": "WinRM", "DisplayName": "Windows Remote Management (WS-Management)", "State": "Running", "StartMode": "Auto"},
            {"Name": "Winmgmt", "DisplayName": "Windows Management Instrumentation", "State": "Running", "StartMode": "Auto"}]),
        "registry.uninstall": ("System.Management.Automation.PSCustomObject", []),
        "features": ("Microsoft.Windows.ServerManager.Commands.Feature", [{"Name": "NET-Framework-Core"}]),
    }


VMM = computer("VMM01", 10, "Microsoft Windows Server 2008 R2 Enterprise ", 8, 4, "20261120061500.500000+060", 61.25)
VMM["registry.uninstall"] = ("System.Management.Automation.PSCustomObject", [
    {"DisplayName": "Microsoft System Center Virtual Machine Manager 2008 R2 SP1", "DisplayVersion": "2.0.4521.0", "Publisher": "Microsoft Corporation"},
    {"DisplayName": "Windows Automated Installation Kit", "DisplayVersion": "1.1.0.0", "Publisher": "Microsoft Corporation"},
    # SqlCmdLnUtils.msi and sqlncli.msi of the SQL Server 2008 R2 Feature Pack (x64: the 64-bit Uninstall view)
    {"DisplayName": "Microsoft SQL Server 2008 R2 Native Client", "DisplayVersion": "10.50.1600.1", "Publisher": "Microsoft Corporation"},
    {"DisplayName": "Microsoft SQL Server 2008 R2 Command Line Utilities", "DisplayVersion": "10.50.1600.1",
     "Publisher": "Microsoft Corporation"}])
VMM["registry.vmm"] = ("System.Management.Automation.PSCustomObject", [{
    "ProductVersion": "2.0.4521.0", "OnRemoteServer": u("I32", 1), "MachineName": "SQL01.contoso.local",
    "InstanceName": "MSSQLSERVER", "DatabaseName": "VirtualManagerDB"}])
VMM["vmm.hosts"] = ("Microsoft.SystemCenter.VirtualMachineManager.Host", [
    {"Name": f"{h}.contoso.local", "FullyQualifiedDomainName": f"{h}.contoso.local",
     "VirtualizationPlatform": enum("Microsoft.VirtualManager.Utils.VirtualizationPlatform", "HyperV", 2)} for h in ("hv01", "hv02")])
VMM["vmm.library_servers"] = ("Microsoft.SystemCenter.VirtualMachineManager.LibraryServer", [{"Name": "lib01.contoso.local"}])
VMM["features"] = ("Microsoft.Windows.ServerManager.Commands.Feature", [{"Name": "NET-Framework-Core"}, {"Name": "NET-Framework"}])
SQL = computer("SQL01", 7, "Microsoft Windows Server 2008 R2 Standard ", 16, 4, "20261101020000.000000+060", 40)
SQL["sql.serverproperty"] = ("System.Data.DataRow", [{
    "ProductVersion": "10.50.2500.0", "Edition": "Standard Edition (64-bit)", "Collation": "SQL_Latin1_General_CP1_CI_AS",
    "IsClustered": u("I32", 0), "MachineName": "SQL01", "InstanceName": None}])
# msdb's backup history: SQL Server's datetime is local time without an offset (Export-Clixml keeps it so)
SQL["sql.backups"] = ("System.Data.DataRow", [
    {"DatabaseName": "master", "LastFullBackup": dt(datetime(2026, 11, 22, 23, 0, tzinfo=CET), naive=True), "UtcOffsetMinutes": u("I32", 60)},
    {"DatabaseName": "VirtualManagerDB", "LastFullBackup": dt(datetime(2026, 11, 23, 2, 0, tzinfo=CET), naive=True),
     "UtcOffsetMinutes": u("I32", 60)}])
LIB = computer("LIB01", 7, "Microsoft Windows Server 2008 R2 Standard ", 4, 2, "20261101020000.000000+060", 20)
HV = {h: computer(h, 8, "Microsoft Windows Server 2008 R2 Datacenter ", 64, 8, "20261115031000.000000+060", 52.5) for h in ("HV01", "HV02")}
HV["HV01"]["wmi.Win32_QuickFixEngineering"] = (WMI + "Win32_QuickFixEngineering", [
    {"HotFixID": "KB2263829", "Description": "Hotfix"}, {"HotFixID": "KB976932", "Description": "Service Pack"}])
HV["HV02"]["wmi.Win32_QuickFixEngineering"] = HV["HV01"]["wmi.Win32_QuickFixEngineering"]
VMS = {"HV01": [("APP01", "5F0D2A3C-8E7B-4C1A-9D6E-2B4F8A1C3E5D", 2), ("WEB01", "0B8C6E12-3D4F-4A5B-8C9D-1E2F3A4B5C6D", 32769)],
       "HV02": [("DB01", "7A1B2C3D-4E5F-4061-8273-9A8B7C6D5E4F", 3)]}
GUESTS = {"APP01": ("Windows Server 2008 R2 Enterprise", "6.1.7601", 1, "6.1.7601.17514")}  # WEB01 saved, DB01 off
for host, vms in VMS.items():
    HV[host]["hyperv.vms"] = ("System.Management.ManagementObject#root\\virtualization\\Msvm_ComputerSystem", [
        {"Caption": "Virtual Machine", "ElementName": n, "Name": g, "EnabledState": u("U16", s)} for n, g, s in vms])
    HV[host]["hyperv.kvp"] = ("System.Management.ManagementObject#root\\virtualization\\Msvm_KvpExchangeComponent", [
        kvp(g, GUESTS.get(n)) for n, g, _ in vms])
CLUSTER = {
    "cluster.MSCluster_Cluster": ("System.Management.ManagementObject#root\\MSCluster\\MSCluster_Cluster", [{"Name": "HVCLUS01"}]),
    "cluster.MSCluster_Node": ("System.Management.ManagementObject#root\\MSCluster\\MSCluster_Node", [{"Name": "HV01"}, {"Name": "HV02"}]),
    "cluster.MSCluster_Network": ("System.Management.ManagementObject#root\\MSCluster\\MSCluster_Network", [
        {"Name": "Cluster Network 1", "Role": u("U32", 3), "State": u("U32", 3)},
        {"Name": "Cluster Network 2", "Role": u("U32", 1), "State": u("U32", 3)}]),
    # Get-ClusterResource works on 2008 R2; the broker resource type came with Windows Server 2012: no rows
    "cluster.replica_broker": ("System.Management.Automation.PSCustomObject", []),
}
# The collector's own flat rows of the domain (Get-PfDomain): DCs from their computer objects (operatingSystemVersion
# https://learn.microsoft.com/en-us/windows/win32/adschema/a-operatingsystemversion), trusts with TrustDirection and
# TrustType by name (System.DirectoryServices.ActiveDirectory.TrustRelationshipInformation)
DOMAIN = {"ad.domain": ("System.Management.Automation.PSCustomObject", [
    {"Kind": "Domain", "Name": "contoso.local"},
    {"Kind": "DomainController", "Name": "DC01", "DnsHostName": "dc01.contoso.local", "OperatingSystem": "Windows Server 2008 R2 Standard",
     "OperatingSystemVersion": "6.1 (7601)"},
    {"Kind": "DomainController", "Name": "DC02", "DnsHostName": "dc02.contoso.local", "OperatingSystem": "Windows Server 2003",
     "OperatingSystemVersion": "5.2 (3790)"},
    {"Kind": "Trust", "SourceName": "contoso.local", "TargetName": "fabrikam.com", "TrustType": "Forest", "TrustDirection": "Bidirectional"}])}
ESTATE = {"VMM01": VMM, "SQL01": SQL, "LIB01": LIB, **HV, "HVCLUS01": CLUSTER, "contoso.local": DOMAIN}
FAILED = {("HV02", "wmi.Win32_QuickFixEngineering"): "RPC server unavailable (0x800706BA)"}
CLIXML_ONLY = {"vmm.hosts", "vmm.library_servers", "registry.vmm"}  # the VMM 2008 R2 snap-in: PowerShell 2.0


def _clixml_value(name: str | None, value: object, refs: list[int], tns: dict[str, int]) -> str:
    attr = f' N="{escape(name)}"' if name is not None else ""
    if value is None:
        return f"<Nil{attr} />"
    if isinstance(value, bool):
        return f"<B{attr}>{str(value).lower()}</B>"
    if isinstance(value, tuple) and value[0] == "enum":
        _, type_name, text, number = value
        return _clixml_obj(name, {"__enum__": number}, [type_name, "System.Enum", "System.ValueType", "System.Object"], text, refs, tns)
    if isinstance(value, tuple) and value[0] == "obj":
        _, type_name, text, props = value
        return _clixml_obj(name, props, [type_name, "System.Object"], text, refs, tns)
    if isinstance(value, tuple) and value[0] == "DT":
        _, when, naive = value
        return f"<DT{attr}>{(when.replace(tzinfo=None) if naive else when).isoformat()}</DT>"
    if isinstance(value, list):
        ref = refs[0]
        refs[0] += 1
        items = "".join(_clixml_value(None, item, refs, tns) for item in value)
        return f'<Obj{attr} RefId="{ref}">{_type_names(["System.Object[]", "System.Array", "System.Object"], tns)}<LST>{items}</LST></Obj>'
    if isinstance(value, tuple):
        return f"<{value[0]}{attr}>{value[1]}</{value[0]}>"
    if isinstance(value, int):
        return f"<I32{attr}>{value}</I32>"
    return f"<S{attr}>{escape(str(value))}</S>"


def _type_names(types: list[str], tns: dict[str, int]) -> str:
    """<TN> the first time a list of type names is written, <TNRef> after that."""
    key = "|".join(types)
    if key in tns:
        return f'<TNRef RefId="{tns[key]}" />'
    tns[key] = len(tns)
    return f'<TN RefId="{tns[key]}">' + "".join(f"<T>{escape(t)}</T>" for t in types) + "</TN>"


def _clixml_obj(name: str | None, props: dict, types: list[str], text: str, refs: list[int], tns: dict[str, int]) -> str:
    ref = refs[0]
    refs[0] += 1
    attr = f' N="{escape(name)}"' if name is not None else ""
    tn = _type_names(types, tns)
    if "__enum__" in props:
        return f'<Obj{attr} RefId="{ref}">{tn}<ToString>{escape(text)}</ToString><I32>{props["__enum__"]}</I32></Obj>'
    body = "".join(_clixml_value(k, v, refs, tns) for k, v in props.items())
    return f'<Obj{attr} RefId="{ref}">{tn}<ToString>{escape(text)}</ToString><Props>{body}</Props></Obj>'


def clixml(type_name: str, objects: list[dict]) -> str:
    """Export-Clixml of `objects` (PowerShell 2.0 layout: one <Obj> per pipeline object)."""
    refs, tns = [0], {}
    items = [_clixml_obj(None, o, [type_name, "System.Object"], str(o.get("Name", type_name)), refs, tns) for o in objects]
    return ('<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
            + "".join(items) + "</Objs>")


def _json_value(value: object) -> object:
    if isinstance(value, tuple) and value[0] == "obj":
        return {k: _json_value(v) for k, v in value[3].items()}
    if isinstance(value, tuple) and value[0] == "DT":
        return f"/Date({int(value[1].astimezone(UTC).timestamp() * 1000)})/"
    if isinstance(value, tuple):
        return value[-1]
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def to_json(objects: list[dict]) -> str:
    """ConvertTo-Json of `objects`: a single object is written bare, several as an array (none: `[]`).

    ConvertTo-Json escapes the slashes of a date (`"\\/Date(ms)\\/"`); json.dumps does not, so they are added.
    """
    plain = [{k: _json_value(v) for k, v in o.items()} for o in objects]
    text = json.dumps(plain[0] if len(plain) == 1 else plain, indent=4)
    return text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return (codecs.BOM_UTF8 if encoding == "utf-8-bom" else b"") + text.encode("utf-8")


def write(fmt: str, fabric: str = "2008r2") -> None:
    """One bundle folder: every source of the estate in `fmt`, failed and skipped sources as the manifest says."""
    if fabric == "2012":
        from tools import import_fabric_2012 as spec
        estate, failed, clixml_only, manifest = spec.ESTATE, spec.FAILED, set(), dict(spec.MANIFEST)
        encodings = {"clixml": "utf-16", "json": "utf-8-bom"}
    else:
        estate, failed, clixml_only = ESTATE, FAILED, CLIXML_ONLY
        manifest = {"collected_at": "2026-11-24T21:30:00+01:00", "collected_by": "CONTOSO\\admin", "name": "contoso-hq",
                    "powershell": "2.0" if fmt == "clixml" else "3.0"}
        encodings = {"clixml": "utf-8", "json": "utf-8"}
    folder = ROOT / f"fabric-{fabric}-{fmt}"
    sources = []
    for comp, items in estate.items():
        for source_id, (type_name, objects) in items.items():
            if (comp, source_id) in failed:
                status, reason = failed[comp, source_id] if isinstance(failed[comp, source_id], tuple) else ("failed", failed[comp, source_id])
                sources.append({"id": source_id, "computer": comp, "status": status, "reason": reason})
                continue
            kind = "clixml" if fmt == "clixml" or source_id in clixml_only else "json"
            file = f"{comp}/{source_id}.{kind}"
            (folder / comp).mkdir(parents=True, exist_ok=True)
            text = clixml(type_name, objects) if kind == "clixml" else to_json(objects)
            (folder / file).write_bytes(_encode(text + "\r\n", encodings[kind]))
            sources.append({"id": source_id, "computer": comp, "file": file, "format": kind, "status": "ok"})
    document = {"schema": "preflight/bundle/v1",
                "collector": {"name": "Collect-PreflightInventory", "version": "1.0.0", "powershell": manifest.pop("powershell")},
                **manifest, "sources": sources}
    (folder / "manifest.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for fabric in ("2008r2", "2012"):
        for fmt in ("clixml", "json"):
            write(fmt, fabric)
