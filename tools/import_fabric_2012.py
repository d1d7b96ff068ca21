"""The Windows Server 2012 / 2012 R2 Hyper-V fabric of the import corpus (fixtures/imports/fabric-2012-*).

Cluster HVCLUS12 of HV11 and HV12 (2012 R2) with two CSVs, and HV21 (2012), the Replica server at the
second site. No VMM: the collector ran on the admin workstation ADMIN01 with
`-Name contoso-2012 -Cluster HVCLUS12 -HyperVHost HV11, HV12, HV21`, so ADMIN01's VMM and SQL sources
failed or were skipped. Property sets: fixtures/imports/SOURCES.md.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

from tools.make_import_fixtures import DOMAIN, GIB, WMI, computer, enum, guid, kvp, obj, u

CET = timezone(timedelta(hours=1))
HYPERV = "Microsoft.HyperV.PowerShell."
CIMV2STD = "System.Management.ManagementObject#root\\StandardCimv2\\"
CLUSTER_WMI = "System.Management.ManagementObject#root\\MSCluster\\"
MULTIPLEXOR = "Microsoft Network Adapter Multiplexor Driver"


def server_2012(name: str, r2: bool, memory_gib: int, cores: int, boot: str) -> dict:
    """A 2012 (6.2.9200) or 2012 R2 (6.3.9600) Datacenter host: the 2008 R2 shape with the newer OS values."""
    spec = computer(name, 8, f"Microsoft Windows Server 2012 {'R2 ' if r2 else ''}Datacenter", memory_gib, cores, boot, 61.5)
    _type, [os_] = spec["wmi.Win32_OperatingSystem"]
    version = "6.3.9600" if r2 else "6.2.9200"
    os_.update({"Version": version, "BuildNumber": version.rsplit(".", 1)[1], "ServicePackMajorVersion": u("U16", 0)})
    for cpu in spec["wmi.Win32_Processor"][1]:
        cpu.update({"Name": "Intel(R) Xeon(R) CPU E5-2650 v2 @ 2.60GHz", "MaxClockSpeed": u("U32", 2600)})
    spec["wmi.Win32_Service"][1].append({"Name": "vmms", "DisplayName": "Hyper-V Virtual Machine Management",
                                         "State": "Running", "StartMode": "Auto", "StartName": "LocalSystem"})
    spec["features"] = ("Microsoft.Windows.ServerManager.Commands.Feature",
                        [{"Name": f} for f in ("Hyper-V", "Failover-Clustering", "Multipath-IO")[: 3 if r2 else 1]])
    spec["wmi.Win32_QuickFixEngineering"] = (WMI + "Win32_QuickFixEngineering", [
        {"HotFixID": "KB2919355" if r2 else "KB2770917", "Description": "Update"}])
    return spec


def adapter(name: str, description: str, speed_gbps: float, virtual: bool = False, connected: bool = True) -> dict:
    """MSFT_NetAdapter: the properties the importer reads, with their documented numeric values."""
    return {"Name": name, "InterfaceDescription": description, "Virtual": virtual,
            "NdisPhysicalMedium": u("U32", 0 if virtual else 14), "Speed": u("U64", int(speed_gbps * 1e9)),
            "MediaConnectState": u("U32", 1 if connected else 2)}


def team(name: str, mode: int, algorithm: int, status: int = 0) -> dict:
    return {"Name": name, "TeamingMode": u("U32", mode), "LoadBalancingAlgorithm": u("U32", algorithm), "Status": u("U32", status)}


def member(name: str, team_name: str, admin: int = 0, operational: int = 0) -> dict:
    return {"Name": name, "Team": team_name, "AdministrativeMode": u("U32", admin), "OperationalMode": u("U32", operational)}


def switch(name: str, kind: str, number: int, description: str | None) -> dict:
    return {"Name": name, "SwitchType": enum(HYPERV + "VMSwitchType", kind, number), "NetAdapterInterfaceDescription": description}


STATE = {"Running": 2, "Off": 3}  # the numbers ConvertTo-Json writes (see preflight/importer/enums.toml VMState)


def vm(name: str, vm_id: str, state: str, memory_gib: int, clustered: bool, integration: str | None) -> dict:
    version = None
    if integration:  # System.Version: ConvertTo-Json writes its properties, Export-Clixml its ToString too
        numbers = [int(x) for x in integration.split(".")]
        props = dict(zip(("Major", "Minor", "Build", "Revision"), (u("I32", n) for n in numbers), strict=True))
        props.update({"MajorRevision": u("I16", numbers[3] >> 16), "MinorRevision": u("I16", numbers[3] & 0xFFFF)})
        version = obj("System.Version", integration, props)
    return {"Name": name, "VMName": name, "VMId": guid(vm_id), "State": enum(HYPERV + "VMState", state, STATE[state]),
            "MemoryStartup": u("I64", memory_gib * GIB), "IsClustered": clustered, "Generation": u("I32", 1),
            "IntegrationServicesVersion": version}


KVP = "System.Management.ManagementObject#root\\virtualization\\v2\\Msvm_KvpExchangeComponent"
APP11, WEB11, SQL12 = "3C1E5B7A-2D4F-4E6A-8B9C-0D1E2F3A4B5C", "9E8D7C6B-5A4F-4E3D-9C2B-1A0F9E8D7C6B", "6B5A4F3E-2D1C-4B0A-9F8E-7D6C5B4A3F2E"
MODE = {"Primary": 1, "Replica": 2}
HEALTH = {"Normal": 1, "Warning": 2}
REPL_STATE = {"Replicating": 3}


def replication(name: str, mode: str, primary: str, health: str, state: str, r2: bool, history: int, vss: int) -> dict:
    """Get-VMReplication: the VMReplication properties (names as the cmdlet's parameters, 2012 / 2012 R2)."""
    item = {"VMName": name, "ReplicationMode": enum(HYPERV + "VMReplicationMode", mode, MODE[mode]),
            "ReplicationState": enum(HYPERV + "VMReplicationState", state, REPL_STATE[state]),
            "ReplicationHealth": enum(HYPERV + "VMReplicationHealthState", health, HEALTH[health]),
            "PrimaryServerName": primary, "ReplicaServerName": "hv21.contoso.local", "ReplicaServerPort": u("I32", 80),
            "AuthenticationType": enum(HYPERV + "ReplicationAuthenticationType", "Kerberos", 1),
            "CertificateThumbprint": None, "RecoveryHistory": u("I32", history), "VSSSnapshotFrequencyHour": u("I32", vss)}
    if r2:  # ReplicationFrequencySec came with Windows Server 2012 R2
        item["ReplicationFrequencySec"] = u("I32", 300)
    return item


def _der(tag: int, content: bytes) -> bytes:
    assert len(content) < 128  # short-form lengths are enough here
    return bytes([tag, len(content)]) + content


def certificate(thumbprint: str, fqdn: str, not_before: datetime, not_after: datetime) -> dict:
    """A LocalMachine\\My row as Get-PfCertificates writes it: Server and Client Authentication usages, the FQDN as
    the subject CN and as the one DNS name of the subjectAltName extension (DER: SEQUENCE of [2] IA5String)."""
    san = _der(0x30, _der(0x82, fqdn.encode("ascii")))
    return {"Thumbprint": thumbprint, "Subject": f"CN={fqdn}",
            "NotBefore": not_before.strftime("%Y-%m-%dT%H:%M:%SZ"), "NotAfter": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "EnhancedKeyUsageOids": "1.3.6.1.5.5.7.3.1;1.3.6.1.5.5.7.3.2", "SubjectAltNameDer": base64.b64encode(san).decode("ascii")}


def replication_server(enabled: bool, any_server: bool, location: str | None) -> dict:
    return {"ReplicationEnabled": enabled,
            "AllowedAuthenticationType": enum(HYPERV + "RecoveryAuthenticationType", "Kerberos", 1),
            "ReplicationAllowedFromAnyServer": any_server, "CertificateThumbprint": None,
            "KerberosAuthenticationPort": u("I32", 80), "CertificateAuthenticationPort": u("I32", 443),
            "DefaultStorageLocation": location}


HV11 = server_2012("HV11", True, 256, 16, "20261121040000.000000+060")
HV11.update({
    "net.adapters": (CIMV2STD + "MSFT_NetAdapter", [
        adapter("NIC1", "Intel(R) Ethernet 10G 2P X520 Adapter", 10), adapter("NIC2", "Intel(R) Ethernet 10G 2P X520 Adapter #2", 10),
        adapter("Team1", MULTIPLEXOR, 20, virtual=True),
        adapter("vEthernet (Management)", "Hyper-V Virtual Ethernet Adapter", 20, virtual=True)]),
    "netlbfo.teams": (CIMV2STD + "MSFT_NetLbfoTeam", [team("Team1", 1, 5)]),
    "netlbfo.members": (CIMV2STD + "MSFT_NetLbfoTeamMember", [member("NIC1", "Team1"), member("NIC2", "Team1")]),
    "hyperv.switches": (HYPERV + "VMSwitch", [switch("External", "External", 2, MULTIPLEXOR)]),
    "hyperv.replication_server": (HYPERV + "VMReplicationServer", [replication_server(True, False, None)]),
    "certs.my": ("System.Management.Automation.PSCustomObject", [
        certificate("3F2A9C1B7E5D4A6B8C0D1E2F3A4B5C6D7E8F9A0B", "hv11.contoso.local",
                    datetime(2026, 3, 1, 8, 0, tzinfo=UTC), datetime(2027, 3, 1, 8, 0, tzinfo=UTC))]),
    # not open to any server: only HV21 (the other site, for the way back) may replicate to HV11
    "hyperv.replication_auth": (HYPERV + "VMReplicationAuthorizationEntry", [
        {"AllowedPrimaryServer": "hv21.contoso.local", "ReplicaStorageLocation": "D:\\Hyper-V Replica", "TrustGroup": "DEFAULT"}]),
    "hyperv.vms": (HYPERV + "VirtualMachine", [
        vm("APP11", APP11, "Running", 8, True, "6.3.9600.16384"), vm("WEB11", WEB11, "Off", 4, True, None)]),
    "hyperv.kvp": (KVP, [kvp(APP11, ("Windows Server 2012 R2 Standard", "6.3.9600", 0, "6.3.9600.16384")), kvp(WEB11, None)]),
    "hyperv.replication": (HYPERV + "VMReplication", [
        replication("APP11", "Primary", "hv11.contoso.local", "Normal", "Replicating", True, 4, 4)]),
})
HV12 = server_2012("HV12", True, 256, 16, "20261121041500.000000+060")
HV12.update({
    "net.adapters": (CIMV2STD + "MSFT_NetAdapter", [
        adapter("NIC1", "Intel(R) Ethernet 10G 2P X520 Adapter", 10), adapter("NIC2", "Broadcom NetXtreme Gigabit Ethernet", 1),
        adapter("Team1", MULTIPLEXOR, 11, virtual=True)]),
    "netlbfo.teams": (CIMV2STD + "MSFT_NetLbfoTeam", [team("Team1", 2, 4)]),
    "netlbfo.members": (CIMV2STD + "MSFT_NetLbfoTeamMember", [member("NIC1", "Team1"), member("NIC2", "Team1")]),
    "hyperv.switches": (HYPERV + "VMSwitch", [switch("External", "External", 2, MULTIPLEXOR)]),
    "hyperv.replication_server": (HYPERV + "VMReplicationServer", [replication_server(False, False, None)]),
    "certs.my": ("System.Management.Automation.PSCustomObject", []),
    "hyperv.replication_auth": (HYPERV + "VMReplicationAuthorizationEntry", []),
    "hyperv.vms": (HYPERV + "VirtualMachine", [
        vm("SQL12", SQL12, "Running", 16, True, "6.3.9600.16384")]),
    "hyperv.kvp": (KVP, [kvp(SQL12, ("Windows Server 2008 R2 Enterprise", "6.1.7601", 1, "6.3.9600.16384"))]),
    "hyperv.replication": (HYPERV + "VMReplication", [
        replication("SQL12", "Primary", "hv12.contoso.local", "Warning", "Replicating", True, 0, 0)]),
})
HV21 = server_2012("HV21", False, 96, 8, "20261118023000.000000+060")
HV21.update({
    "net.adapters": (CIMV2STD + "MSFT_NetAdapter", [adapter("NIC1", "Broadcom NetXtreme Gigabit Ethernet", 1)]),
    "netlbfo.teams": (CIMV2STD + "MSFT_NetLbfoTeam", []),
    "netlbfo.members": (CIMV2STD + "MSFT_NetLbfoTeamMember", []),
    "hyperv.switches": (HYPERV + "VMSwitch", [switch("Replica", "External", 2, "Broadcom NetXtreme Gigabit Ethernet")]),
    "hyperv.replication_server": (HYPERV + "VMReplicationServer", [replication_server(True, True, "D:\\Replica")]),
    # expired two days before the collection
    "certs.my": ("System.Management.Automation.PSCustomObject", [
        certificate("9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D", "hv21.contoso.local",
                    datetime(2024, 11, 23, 9, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC))]),
    "hyperv.replication_auth": (HYPERV + "VMReplicationAuthorizationEntry", []),
    "hyperv.vms": (HYPERV + "VirtualMachine", [
        vm("APP11", APP11, "Off", 8, False, None), vm("SQL12", SQL12, "Off", 16, False, None)]),
    "hyperv.kvp": (KVP, [kvp(APP11, None), kvp(SQL12, None)]),
    "hyperv.replication": (HYPERV + "VMReplication", [
        replication("APP11", "Replica", "hv11.contoso.local", "Normal", "Replicating", False, 4, 4),
        replication("SQL12", "Replica", "hv12.contoso.local", "Warning", "Replicating", False, 0, 0)]),
})


def _csv(name: str, owner: str, volume: str) -> dict:
    info = obj("Microsoft.FailoverClusters.PowerShell.ClusterSharedVolumeInfo", volume,
               {"FriendlyVolumeName": volume, "RedirectedAccess": False, "MaintenanceMode": False})
    return {"Name": name, "State": enum("Microsoft.FailoverClusters.PowerShell.ClusterSharedVolumeState", "Online", 2),
            "OwnerNode": obj("Microsoft.FailoverClusters.PowerShell.ClusterNode", owner, {"Name": owner}),
            "SharedVolumeInfo": [info]}


def _param(csv: str, name: str, value: int) -> dict:
    return {"ClusterObject": obj("Microsoft.FailoverClusters.PowerShell.ClusterSharedVolume", csv, {"Name": csv}),
            "Name": name, "IsReadOnly": False, "ParameterType": enum("Microsoft.FailoverClusters.PowerShell.ClusterParameterType", "UInt32", 3),
            "Value": u("U32", value)}


def _csv_state(name: str, node: str, mode: str, block_reason: str = "NotBlockRedirected") -> dict:
    # Get-ClusterSharedVolumeState (2012 R2). The enums' numbers are placeholders: no page documents them, and the
    # importer reads only the names Export-Clixml keeps
    fc = "Microsoft.FailoverClusters.PowerShell."
    return {"Name": name, "Node": node, "VolumeFriendlyName": "Volume" + name[-1],
            "StateInfo": enum(fc + "ClusterSharedVolumeStateInfo", mode, {"Direct": 2, "BlockRedirected": 4}[mode]),
            "FileSystemRedirectedIOReason": enum(fc + "FileSystemRedirectedIOReason", "NotFileSystemRedirected", 0),
            "BlockRedirectedIOReason": enum(fc + "BlockRedirectedIOReason", block_reason, 0 if block_reason == "NotBlockRedirected" else 1)}


def _interface(node: str, adapter_name: str, network: str, address: str, state: int = 3) -> dict:
    # State: CLUSTER_NETINTERFACE_STATE (3 Up, 2 Unreachable), a uint32 of the class
    return {"Name": f"{node} - {adapter_name}", "Node": node, "Network": network, "Adapter": adapter_name, "Address": address,
            "State": u("U32", state)}


CLUSTER = {
    "cluster.MSCluster_Cluster": (CLUSTER_WMI + "MSCluster_Cluster", [{"Name": "HVCLUS12"}]),
    "cluster.MSCluster_Node": (CLUSTER_WMI + "MSCluster_Node", [{"Name": "HV11"}, {"Name": "HV12"}]),
    "cluster.MSCluster_Network": (CLUSTER_WMI + "MSCluster_Network", [
        {"Name": "Cluster Network 1", "Role": u("U32", 3), "State": u("U32", 2)},
        {"Name": "Cluster Network 2", "Role": u("U32", 1), "State": u("U32", 3)}]),
    # HV11 and HV12 cannot reach each other on Cluster Network 1: it is partitioned (their interfaces unreachable)
    "cluster.MSCluster_NetworkInterface": (CLUSTER_WMI + "MSCluster_NetworkInterface", [
        _interface("HV11", "vEthernet (Management)", "Cluster Network 1", "10.0.1.11", state=2),
        _interface("HV12", "Team1", "Cluster Network 1", "10.0.1.12", state=2)]),
    "cluster.properties": ("Microsoft.FailoverClusters.PowerShell.Cluster", [{"Name": "HVCLUS12", "BlockCacheSize": u("U32", 512)}]),
    "cluster.csv": ("Microsoft.FailoverClusters.PowerShell.ClusterSharedVolume", [
        _csv("Cluster Disk 1", "HV11", "C:\\ClusterStorage\\Volume1"), _csv("Cluster Disk 2", "HV12", "C:\\ClusterStorage\\Volume2")]),
    "cluster.csv_params": ("Microsoft.FailoverClusters.PowerShell.ClusterParameter", [
        _param("Cluster Disk 1", "EnableBlockCache", 1), _param("Cluster Disk 2", "EnableBlockCache", 0)]),
    # HV12 has lost its path to Cluster Disk 2: its I/O goes block-redirected through the coordinator, HV12 itself
    "cluster.csv_state": ("Microsoft.FailoverClusters.PowerShell.ClusterSharedVolumeStateInfo", [
        _csv_state("Cluster Disk 1", "HV11", "Direct"), _csv_state("Cluster Disk 1", "HV12", "Direct"),
        _csv_state("Cluster Disk 2", "HV11", "Direct"), _csv_state("Cluster Disk 2", "HV12", "BlockRedirected", "NoDiskConnectivity")]),
    # no Virtual Machine Replication Broker resource: the collector's rows are empty
    "cluster.replica_broker": ("System.Management.Automation.PSCustomObject", []),
}

ADMIN = {key: value for key, value in computer("ADMIN01", 4, "Microsoft Windows 8.1 Enterprise", 8, 4,
                                               "20261124080000.000000+060", 50).items()
         if key in ("wmi.Win32_OperatingSystem", "wmi.Win32_ComputerSystem")}
for source in ("registry.vmm", "vmm.server", "vmm.hosts", "vmm.library_servers", "vmm.pro", "sql.serverproperty", "sql.backups"):
    ADMIN[source] = ("", [])

# the same domain as the 2008 R2 fabric's bundle reads (the import merges the two identical records)
ESTATE = {"ADMIN01": ADMIN, "HV11": HV11, "HV12": HV12, "HV21": HV21, "HVCLUS12": CLUSTER, "contoso.local": DOMAIN}
_SKIPPED_VMM = ("skipped", "vmm.server was not collected")
FAILED = {
    ("ADMIN01", "registry.vmm"): ("failed", "no VMM server is installed on ADMIN01 (HKLM\\SOFTWARE\\Microsoft\\Microsoft System Center "
                                            "Virtual Machine Manager Server\\Setup is absent)"),
    ("ADMIN01", "vmm.server"): ("failed", "cmdlet Get-VMMServer not available on ADMIN01"),
    ("ADMIN01", "vmm.hosts"): _SKIPPED_VMM, ("ADMIN01", "vmm.library_servers"): _SKIPPED_VMM, ("ADMIN01", "vmm.pro"): _SKIPPED_VMM,
    ("ADMIN01", "sql.serverproperty"): ("skipped", "no SQL instance known: registry.vmm was not collected and -SqlInstance was not given"),
    ("ADMIN01", "sql.backups"): ("skipped", "no SQL instance known: registry.vmm was not collected and -SqlInstance was not given"),
    ("HV21", "wmi.Win32_QuickFixEngineering"): ("failed", "Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))"),
}
MANIFEST = {"collected_at": datetime(2026, 11, 25, 9, 45, tzinfo=CET).isoformat(), "collected_by": "CONTOSO\\hvadmin",
            "name": "contoso-2012", "powershell": "4.0"}
