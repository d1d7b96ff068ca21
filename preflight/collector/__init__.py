"""The read-only PowerShell collector shipped with preflight, and the source ids of the bundle it writes.

`Collect-PreflightInventory.ps1` is stored with LF line endings and is plain ASCII; `collector_script`
gives it as Windows wants a script file: a UTF-8 byte order mark (Windows PowerShell 2.0 reads a script
without one in the ANSI code page) and CRLF line endings (Notepad on Windows Server 2008 R2 shows a
LF-only file as one line).
"""

from __future__ import annotations

from importlib.resources import files

SCRIPT_NAME = "Collect-PreflightInventory.ps1"

PER_COMPUTER_SOURCES = (
    "wmi.Win32_OperatingSystem", "wmi.Win32_ComputerSystem", "wmi.Win32_Processor", "wmi.Win32_LogicalDisk",
    "wmi.Win32_Service", "wmi.Win32_QuickFixEngineering", "registry.uninstall", "features",
)
VMM_SOURCES = ("registry.vmm", "vmm.server", "vmm.hosts", "vmm.library_servers", "vmm.pro")
SQL_SOURCES = ("sql.serverproperty", "sql.backups")
CLUSTER_SOURCES = (
    "cluster.MSCluster_Cluster", "cluster.MSCluster_Node", "cluster.MSCluster_Network",
    "cluster.MSCluster_NetworkInterface", "cluster.properties", "cluster.csv", "cluster.csv_params", "cluster.csv_state",
    "cluster.replica_broker",
)
HYPERV_SOURCES = (
    "hyperv.vms", "hyperv.kvp", "hyperv.replication_server", "hyperv.replication", "hyperv.replication_auth",
    "netlbfo.teams", "netlbfo.members",
    "net.adapters", "hyperv.switches",
)
CERTIFICATE_SOURCES = ("certs.my",)
AD_SOURCES = ("ad.domain",)
SOURCE_IDS = PER_COMPUTER_SOURCES + VMM_SOURCES + SQL_SOURCES + CLUSTER_SOURCES + HYPERV_SOURCES + CERTIFICATE_SOURCES + AD_SOURCES
"""Every source id of the bundle format `preflight/bundle/v1` (one export per source per computer)."""


def script_source() -> str:
    """The collector script as stored in the package (LF line endings, ASCII)."""
    return files(__package__).joinpath(SCRIPT_NAME).read_text(encoding="ascii")


def collector_script() -> str:
    """The collector script as a Windows file's text: a leading BOM character and CRLF line endings.

    Encoded as UTF-8 the BOM character becomes the bytes EF BB BF that Windows PowerShell looks for.
    """
    return "\ufeff" + script_source().replace("\r\n", "\n").replace("\n", "\r\n")
