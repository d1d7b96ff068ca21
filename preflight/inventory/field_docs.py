"""What each snapshot field means, for the JSON Schema an editor shows on hover: one or two sentences a field.

Keyed "Definition.field" as in the schema's `$defs`. A field the model documents itself (its own
`Meta(description=...)`) is not listed here; this table holds the rest, and the fields whose type alone carries
a description (a computer name, a DNS name, a version, a timestamp, a port), which says nothing of the field.
Each text says what the field means on a Windows Server / Hyper-V / VMM system and where an admin reads it
(WMI class.property, cmdlet property, registry value); units are in the text or the field name. Where a value is
read is as `preflight import` reads it (docs/bundle-format.md) or as `Get-Help <cmdlet> -Full` documents it.
An absent field is "not collected": a rule that needs it reports unknown (the schema's root says so once).
"""

from __future__ import annotations

_FQDN = "Fully qualified DNS name (Win32_ComputerSystem DNSHostName + '.' + Domain), e.g. server01.contoso.local."
_DOMAIN = ("Active Directory DNS domain the computer is joined to (Win32_ComputerSystem.Domain); "
           "null for a workgroup computer (PartOfDomain false).")
_OS = "Operating system (Win32_OperatingSystem): caption, version, service pack, edition, architecture."
_HARDWARE = ("Processors, memory and fixed volumes (Win32_ComputerSystem, Win32_Processor, "
             "Win32_LogicalDisk DriveType 3).")
_SOFTWARE = ("Programs and Features: one entry per Uninstall registry key with a DisplayName "
             "(HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall, 64- and 32-bit views).")
_SERVICES = "Windows services (Win32_Service, or Get-Service): name, state and start mode of each."
_FEATURES = ("Names of the installed roles and features (Get-WindowsFeature | Where Installed: Name, "
             "e.g. Hyper-V, Failover-Clustering; 2008 R2 needs Import-Module ServerManager).")
_MANAGED_BY = "VMM management server (its computer name) that manages this {0}; null when no VMM manages it."
_THUMBPRINT = "SHA-1 thumbprint of the certificate, 40 hexadecimal digits as Get-ChildItem Cert:\\LocalMachine\\My shows it"

FIELD_DOCS: dict[str, str] = {
    # The snapshot root and its header
    "Snapshot.snapshot": "Where and when the snapshot was taken, and by which collector.",
    "Snapshot.domains": "Active Directory domains of the estate, with their domain controllers and trusts; absent means none.",
    "Snapshot.vmm_servers": "VMM management servers (installed, or the computers VMM is to be installed on); absent means none.",
    "Snapshot.sql_servers": "SQL Server instances of the estate, e.g. the one holding the VMM database; absent means none.",
    "Snapshot.hosts": "Virtualization hosts: Hyper-V, ESX/ESXi and Virtual Server computers; absent means none.",
    "Snapshot.vcenters": "VMware vCenter Servers that VMM manages or is to manage; absent means none.",
    "Snapshot.library_servers": "VMM library servers (Get-LibraryServer on the VMM server); absent means none.",
    "Snapshot.clusters": "Failover clusters (Get-Cluster) of hosts or file servers; absent means none.",
    "Snapshot.vms": "Virtual machines, one entry per VM per host (Get-VM on each host, or Get-SCVirtualMachine); absent means none.",
    "SnapshotInfo.name": "A name for the estate or this snapshot, shown in every report, e.g. contoso-hq.",
    "SnapshotInfo.collected_at": ("When the inventory was collected, RFC 3339 with a UTC offset, e.g. 2026-11-24T21:30:00+01:00; "
                                  "facts are judged as of this time unless --as-of says otherwise."),
    "SnapshotInfo.collector": "The tool that produced the snapshot (Collect-PreflightInventory, preflight import, or a hand edit).",
    "Collector.name": "Name of the collecting tool, e.g. Collect-PreflightInventory.",
    "Collector.version": "Version of the collecting tool, e.g. 1.0.0.",
    # Active Directory
    "Domain.name": "DNS name of the Active Directory domain (Get-ADDomain DNSRoot), e.g. contoso.local.",
    "Domain.domain_controllers": "Domain controllers of the domain (Get-ADDomainController -Filter *, or their computer objects).",
    "DomainController.name": "Short computer name of the domain controller, e.g. DC01.",
    "DomainController.os_version": "Windows version of the domain controller (its AD computer object's operatingSystemVersion), e.g. 6.1 (7601).",
    "Trust.domain": "DNS name of the trusted or trusting domain (Get-ADTrust Target), e.g. fabrikam.local.",
    "Trust.direction": "Direction of the trust (Get-ADTrust Direction: Bidirectional, Inbound, Outbound), as two-way, inbound or outbound.",
    "Trust.forest": "A forest trust (Get-ADTrust ForestTransitive, TrustType Forest); false for an external or realm trust.",
    # Computers: operating system, hardware, software, services
    "OperatingSystem.caption": "Product name (Win32_OperatingSystem.Caption), e.g. Microsoft Windows Server 2008 R2 Enterprise.",
    "OperatingSystem.edition": ("Edition (from Win32_OperatingSystem.OperatingSystemSKU), e.g. Standard, Datacenter, "
                                "Enterprise, Hyper-V Server."),
    "OperatingSystem.architecture": ("Processor architecture the OS is built for (Win32_OperatingSystem.OSArchitecture "
                                     "32-bit -> x86; 64-bit -> x64 or ia64 from Win32_Processor.Architecture)."),
    "OperatingSystem.installation_type": ("Full (with the desktop shell) or Core (Server Core), from "
                                          "Win32_OperatingSystem.OperatingSystemSKU or HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion InstallationType."),
    "Hardware.architecture": "Processor architecture (Win32_Processor.Architecture: 0 x86, 6 ia64, 9 x64).",
    "Hardware.logical_processors": "Logical processors in total, hyper-threads included (Win32_ComputerSystem.NumberOfLogicalProcessors).",
    "Hardware.sockets": "Processor sockets in use (Win32_ComputerSystem.NumberOfProcessors).",
    "Hardware.clock_ghz": "Maximum clock speed of the processor in GHz (Win32_Processor.MaxClockSpeed, which is in MHz, / 1000).",
    "Hardware.memory_gb": "Physical memory in GB of 2^30 bytes (Win32_ComputerSystem.TotalPhysicalMemory, which is in bytes).",
    "Hardware.processor": "The processor of the first socket (Win32_Processor); all sockets are assumed alike.",
    "Hardware.volumes": "Fixed local volumes (Win32_LogicalDisk where DriveType = 3), with size and free space.",
    "Hardware.system_drive": "Drive letter Windows is installed on (Win32_OperatingSystem.SystemDrive), e.g. C:.",
    "Processor.name": "Processor brand string (Win32_Processor.Name), e.g. Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz.",
    "Processor.manufacturer": "Processor vendor (Win32_Processor.Manufacturer): GenuineIntel or AuthenticAMD.",
    "Volume.drive": "Drive letter of the volume (Win32_LogicalDisk.DeviceID), e.g. C:.",
    "Volume.label": "Volume label (Win32_LogicalDisk.VolumeName), e.g. System.",
    "Volume.file_system": "File system (Win32_LogicalDisk.FileSystem): NTFS, ReFS, FAT32.",
    "Software.name": "Program name as Programs and Features shows it (Uninstall key DisplayName), e.g. Microsoft SQL Server 2008 R2.",
    "Software.version": "Program version (Uninstall key DisplayVersion), e.g. 10.50.2500.0.",
    "Software.publisher": "Program publisher (Uninstall key Publisher), e.g. Microsoft Corporation.",
    "Service.name": "Service (key) name (Win32_Service.Name), e.g. vmmservice, SCVMMAgent, vmms.",
    "Service.display_name": "Service display name (Win32_Service.DisplayName), e.g. System Center Virtual Machine Manager.",
    "Service.state": "Current state (Win32_Service.State, Get-Service Status): Running, Stopped, Paused, StartPending, StopPending.",
    "Service.start_mode": "Start type (Win32_Service.StartMode): Auto, Manual, Disabled (Boot and System for drivers).",
    "Service.delayed_start": ("Automatic (Delayed Start) (HKLM\\SYSTEM\\CurrentControlSet\\Services\\<name> DelayedAutostart = 1); "
                              "only meaningful with start_mode Auto."),
    "Service.version": "File version of the service's executable (Win32_Service.PathName, then its FileVersion).",
    "FirewallRule.name": "Rule name (Get-NetFirewallRule Name), e.g. VIRT-HVRHTTPL-In-TCP-NoScope.",
    "FirewallRule.display_name": "Rule display name (Get-NetFirewallRule DisplayName), e.g. Hyper-V Replica HTTP Listener (TCP-In).",
    "FirewallRule.enabled": "The rule is enabled (Get-NetFirewallRule Enabled True).",
    "FirewallRule.local_port": "Local TCP/UDP port the rule opens (Get-NetFirewallPortFilter LocalPort), e.g. 80.",
    "Certificate.thumbprint": _THUMBPRINT + ".",
    "Certificate.subject": "Subject distinguished name (Subject), e.g. CN=hv01.contoso.local; its CN is one name the certificate covers.",
    "Certificate.dns_names": "DNS names of the Subject Alternative Name extension (DnsNameList), wildcards such as *.contoso.local included.",
    "Certificate.not_before": "Start of validity (NotBefore), RFC 3339 with a UTC offset.",
    "Certificate.not_after": "End of validity (NotAfter), RFC 3339 with a UTC offset; an expired certificate fails Hyper-V Replica authentication.",
    "Certificate.has_private_key": "The machine holds the certificate's private key (HasPrivateKey); a server certificate needs it.",
    "MonitoringCheck.name": "Name of the check in the monitoring system, e.g. VMM service.",
    "MonitoringCheck.system": "Monitoring system that runs the check, e.g. Operations Manager, Nagios, Checkmk.",
    "MonitoringCheck.service_name": ("Service (key) name the check matches, e.g. vmmservice; "
                                     "null when the check matches by display name only."),
    # VMM, SQL Server, vCenter, library servers
    "VmmServer.name": "Short computer name of the VMM management server (Win32_ComputerSystem.Name), e.g. VMM01.",
    "VmmServer.fqdn": _FQDN,
    "VmmServer.domain": _DOMAIN,
    "VmmServer.os": _OS,
    "VmmServer.hardware": _HARDWARE,
    "VmmServer.installed_software": _SOFTWARE,
    "VmmServer.services": _SERVICES,
    "VmmServer.vmm": "The VMM management server role installed on this computer; null when VMM is not (yet) installed.",
    "VmmServer.monitoring_checks": "Monitoring checks that watch this server's services, e.g. the System Center Virtual Machine Manager service.",
    "VmmSettings.service_pack": "Service pack level of VMM: 0 none, 1 for VMM 2008 R2 SP1 or VMM 2012 SP1 (Help > About in the VMM console).",
    "VmmSettings.highly_available": "VMM is installed as a highly available role on a failover cluster (chosen at VMM setup).",
    "VmmSettings.service_account": ("Account the System Center Virtual Machine Manager service (vmmservice) runs as "
                                    "(Win32_Service.StartName): local-system (LocalSystem) or a domain account."),
    "VmmSettings.database": ("The VMM database connection (HKLM\\SOFTWARE\\Microsoft\\Microsoft System Center Virtual Machine "
                             "Manager Server\\Settings\\Sql: MachineName, InstanceName, DatabaseName)."),
    "VmmSettings.pro_connection": "Operations Manager connection for PRO tips (Get-SCOpsMgrConnection); null when none is configured.",
    "DatabaseConnection.server": "SQL Server computer holding the VMM database (Settings\\Sql MachineName, short name).",
    "DatabaseConnection.instance": "SQL Server instance name (Settings\\Sql InstanceName), e.g. MSSQLSERVER for the default instance.",
    "DatabaseConnection.name": "VMM database name (Settings\\Sql DatabaseName); VirtualManagerDB unless changed at setup.",
    "DatabaseConnection.last_full_backup": ("Finish time of the VMM database's last full backup (MAX(backup_finish_date) of "
                                            "msdb.dbo.backupset where type = 'D'); null: never backed up."),
    "ProConnection.operations_manager_server": "Operations Manager management server PRO connects to (Get-SCOpsMgrConnection OpsMgrServer).",
    "SqlServer.name": "Short computer name of the SQL Server (SERVERPROPERTY('MachineName')); the VMM database refers to it by this name.",
    "SqlServer.fqdn": _FQDN,
    "SqlServer.domain": _DOMAIN,
    "SqlServer.instance": "Instance name (SERVERPROPERTY('InstanceName')); MSSQLSERVER for the default instance.",
    "SqlServer.architecture": "Bitness of the SQL Server build, from SERVERPROPERTY('Edition'), e.g. 'Enterprise Edition (64-bit)' -> x64.",
    "SqlServer.collation": ("Server collation (SERVERPROPERTY('Collation')), e.g. SQL_Latin1_General_CP1_CI_AS; "
                            "VMM needs a case-insensitive (CI) collation."),
    "VCenter.name": "Short computer name of the vCenter Server, e.g. VC01.",
    "VCenter.fqdn": "Fully qualified DNS name of the vCenter Server, e.g. vc01.contoso.local.",
    "VCenter.version": "vCenter Server product version (vSphere Client Help > About, or $global:DefaultVIServer.Version), e.g. 4.1.",
    "VCenter.build": "vCenter Server build number ($global:DefaultVIServer.Build), e.g. 345043.",
    "VCenter.managed_by": _MANAGED_BY.format("vCenter (Get-SCVirtualizationManager)"),
    "LibraryServer.name": "Short computer name of the library server, e.g. LIB01; VMM servers refer to it by this name.",
    "LibraryServer.fqdn": _FQDN,
    "LibraryServer.domain": _DOMAIN,
    "LibraryServer.os": _OS,
    "LibraryServer.managed_by": _MANAGED_BY.format("library server (Get-LibraryServer on that VMM server)"),
    "LibraryServer.shares": "UNC paths of the library shares (Get-LibraryShare Path), e.g. \\\\LIB01\\MSSCVMMLibrary.",
    "LibraryServer.highly_available": "The library server is a highly available (clustered) file server.",
    # Hosts
    "Host.name": "Short computer name of the host (Get-VMHost Name, or Win32_ComputerSystem.Name), e.g. HV01; VMs and clusters refer to it by this name.",
    "Host.fqdn": "Fully qualified DNS name (Get-VMHost FullyQualifiedDomainName, or Win32_ComputerSystem DNSHostName + Domain).",
    "Host.domain": _DOMAIN,
    "Host.platform": ("Virtualization platform (Get-VMHost VirtualizationPlatform): hyperv (HyperV), esx or esxi (VMwareESX), "
                      "virtual-server (VirtualServer)."),
    "Host.os": _OS + " Absent for ESX hosts.",
    "Host.hardware": _HARDWARE,
    "Host.services": _SERVICES,
    "Host.hotfixes": "Installed updates by KB number (Win32_QuickFixEngineering.HotFixID, Get-HotFix), e.g. KB2263829.",
    "Host.installed_software": _SOFTWARE,
    "Host.windows_features": _FEATURES,
    "Host.cluster": "Failover cluster the host is a node of (Get-VMHost HostCluster, or MSCluster_Node); null for a standalone host.",
    "Host.last_boot": "When Windows last started (Win32_OperatingSystem.LastBootUpTime), RFC 3339 with a UTC offset.",
    "Host.ntlm_enabled": ("NTLM authentication is allowed on the host (it is by default; Group Policy 'Network security: "
                          "Restrict NTLM' can deny it); CSV on Windows Server 2012 needs it."),
    "Host.nics": "Physical network adapters (Get-NetAdapter where Virtual is false); team interfaces and vEthernet adapters are not NICs here.",
    "Host.teams": "NIC teams (Get-NetLbfoTeam and Get-NetLbfoTeamMember, or the vendor's teaming tool).",
    "Host.virtual_switches": "Hyper-V virtual switches (Get-VMSwitch).",
    "Host.replica": ("Hyper-V Replica server settings (Get-VMReplicationServer); null when the host has no Hyper-V Replica "
                     "(before Windows Server 2012)."),
    "Host.firewall_rules": "Windows Firewall inbound rules that matter to the checks (Get-NetFirewallRule), e.g. the Hyper-V Replica listeners.",
    "Host.certificates": "Certificates in the computer's Personal store (Get-ChildItem Cert:\\LocalMachine\\My).",
    "Nic.name": "Adapter name (Get-NetAdapter Name, the connection name in Network Connections), e.g. Ethernet 2.",
    "Nic.interface_description": "Driver's description of the adapter (Get-NetAdapter InterfaceDescription), e.g. Intel(R) 82576 Gigabit Dual Port Network Connection.",
    "Nic.status": ("Link state (Get-NetAdapter Status / MediaConnectState): Up, Down (no link), Disconnected "
                   "(cable unplugged), Disabled (the adapter is disabled)."),
    "Nic.kernel_debug": "The adapter is the kernel debug network adapter (KDNIC, Microsoft Kernel Debug Network Adapter), which cannot be teamed.",
    "Team.name": "Team name (Get-NetLbfoTeam Name); also the name of the team interface.",
    "Team.members": "Adapters in the team (Get-NetLbfoTeamMember -Team <name>), 1 to 32 physical Ethernet adapters of this host.",
    "Team.teaming_mode": ("Teaming mode (Get-NetLbfoTeam TeamingMode): Static (static, switch-dependent), SwitchIndependent, "
                          "Lacp (IEEE 802.1ax, switch-dependent)."),
    "Team.load_balancing_algorithm": ("Load distribution (Get-NetLbfoTeam LoadBalancingAlgorithm): TransportPorts, IPAddresses, "
                                      "MacAddresses (address hash), HyperVPort, Dynamic (2012 R2 and later)."),
    "Team.status": "Team state (Get-NetLbfoTeam Status): Up, Degraded (a member is down), Down.",
    "TeamMember.name": "Member adapter name (Get-NetLbfoTeamMember Name), as in Get-NetAdapter.",
    "TeamMember.administrative_mode": "Role chosen for the member (Get-NetLbfoTeamMember AdministrativeMode): Active, or Standby (carries traffic only when an active member fails).",
    "TeamMember.operational_status": "What the member does now (Get-NetLbfoTeamMember OperationalMode): Active, Standby or Failed.",
    "VirtualSwitch.name": "Virtual switch name (Get-VMSwitch Name); VM network adapters connect to it by this name.",
    "VirtualSwitch.switch_type": "Switch type (Get-VMSwitch SwitchType): External (bound to a NIC or team), Internal (host and VMs), Private (VMs only).",
    "ReplicaServer.enabled": "The server accepts replication as a Replica server (Get-VMReplicationServer ReplicationEnabled).",
    "ReplicaServer.allowed_authentication_type": ("Authentication accepted from primaries (Get-VMReplicationServer AllowedAuthenticationType): "
                                                  "Kerberos (HTTP), Certificate (HTTPS), CertificateAndKerberos."),
    "ReplicaServer.kerberos_port": "Listener port for Kerberos (HTTP) replication (Get-VMReplicationServer KerberosAuthenticationPort); 80 by default.",
    "ReplicaServer.certificate_port": "Listener port for certificate (HTTPS) replication (Get-VMReplicationServer CertificateAuthenticationPort); 443 by default.",
    "ReplicaServer.certificate_thumbprint": ("Thumbprint of the certificate used for certificate-based replication "
                                             "(Get-VMReplicationServer CertificateThumbprint); null when none is set."),
    "ReplicaServer.allow_any_server": ("Replication is accepted from any authenticated primary (Get-VMReplicationServer "
                                       "ReplicationAllowedFromAnyServer); false: only from the authorization entries."),
    "ReplicaServer.default_storage_location": ("Folder for replica VM files from any server (Get-VMReplicationServer "
                                               "DefaultStorageLocation), e.g. D:\\Replica; null when not set."),
    "ReplicaServer.authorization_entries": ("Primaries allowed to replicate here, each with its storage folder "
                                            "(Get-VMReplicationAuthorizationEntry); used when allow_any_server is false."),
    "AuthorizationEntry.replica_storage_location": "Folder the replica VMs of this primary are stored in (ReplicaStorageLocation), e.g. D:\\Replica\\Branch.",
    "AuthorizationEntry.trust_group": ("Trust group of the entry (TrustGroup): primaries in one trust group may move a VM's "
                                       "primary among them, e.g. DEFAULT."),
    # Clusters
    "Cluster.name": "Cluster name: the cluster's client access point (Get-Cluster Name), e.g. HVCLUS01.",
    "Cluster.fqdn": "Fully qualified DNS name of the cluster name object, e.g. hvclus01.contoso.local.",
    "Cluster.domain": "Active Directory domain of the cluster (Get-Cluster Domain); nodes of one cluster share it.",
    "Cluster.nodes": "Short names of the cluster's nodes (Get-ClusterNode, or MSCluster_Node.Name), each a host or server of the snapshot.",
    "Cluster.networks": "Cluster networks (Get-ClusterNetwork, or MSCluster_Network).",
    "Cluster.network_interfaces": "Each node's adapter on each cluster network (Get-ClusterNetworkInterface, or MSCluster_NetworkInterface).",
    "Cluster.csvs": "Cluster Shared Volumes (Get-ClusterSharedVolume, Windows Server 2008 R2 and later).",
    "Cluster.replica_broker": "The Hyper-V Replica Broker role of the cluster (resource type Virtual Machine Replication Broker); null when none.",
    "Cluster.backup": "Backup product that protects the cluster's CSVs; null when none.",
    "Cluster.managed_by": _MANAGED_BY.format("cluster (Get-SCVMHostCluster on that VMM server)"),
    "ClusterNetwork.name": "Cluster network name (Get-ClusterNetwork Name), e.g. Cluster Network 1.",
    "ClusterNetwork.state": "Network state (Get-ClusterNetwork State): Up, Down, Partitioned, Unavailable, Unknown.",
    "ClusterNetworkInterface.name": "Interface name (Get-ClusterNetworkInterface Name), e.g. HV01 - Ethernet 2.",
    "ClusterNetworkInterface.node": "Short name of the node that owns the interface (Get-ClusterNetworkInterface Node).",
    "ClusterNetworkInterface.state": "Interface state (Get-ClusterNetworkInterface State): Up, Down, Failed, Unreachable, Unavailable, Unknown.",
    "Csv.name": "CSV resource name (Get-ClusterSharedVolume Name), e.g. Cluster Disk 1.",
    "Csv.bitlocker": "BitLocker protection of the CSV (Get-BitLockerVolume on the coordinator node); null when the volume is not encrypted.",
    "ReplicaBroker.fqdn": "Fully qualified DNS name of the broker's client access point, e.g. hvr-broker.contoso.local; primaries replicate to it.",
    "ReplicaBroker.replica": ("Replica server settings of the whole cluster, set on the broker in Failover Cluster Manager "
                              "(Get-VMReplicationServer on a node)."),
    "BackupSoftware.name": "Backup product name, e.g. System Center Data Protection Manager.",
    "BackupSoftware.version": "Backup product version, e.g. 4.1.3313.0.",
    # Virtual machines
    "Vm.name": "VM name (Get-VM Name, Msvm_ComputerSystem.ElementName on 2008 R2), as Hyper-V Manager shows it.",
    "Vm.host": "Short name of the host the VM is registered on (Get-VM ComputerName); a host of `hosts`.",
    "Vm.state": "Power state (Get-VM State, or Msvm_ComputerSystem.EnabledState): Running, Off, Saved, Paused.",
    "Vm.memory_gb": "Startup memory in GB of 2^30 bytes (Get-VM MemoryStartup, which is in bytes).",
    "Vm.highly_available": "The VM is a clustered role on a failover cluster (Get-VM IsClustered).",
    "Vm.guest_os": "The guest operating system, as the integration services report it (KVP exchange, Msvm_KvpExchangeComponent).",
    "Vm.integration_services_version": ("Integration services version in the guest (Get-VM IntegrationServicesVersion, or KVP "
                                        "IntegrationServicesVersion), e.g. 6.2.9200.16433."),
    "Vm.integration_services_current": ("The guest's integration services are the host's version (Hyper-V Manager, or Get-VM "
                                        "IntegrationServicesState 'Up to date' on 2012 R2); false: an update is required."),
    "Vm.adapters": "The VM's network adapters (Get-VMNetworkAdapter -VMName <name>).",
    "Vm.teams": "NIC teams inside the guest (Get-NetLbfoTeam run in the guest).",
    "Vm.replication": "Hyper-V Replica settings of the VM (Get-VMReplication); null when the VM is not replicated.",
    "Vm.backup": "Backup protection of the VM; null when no backup product is configured for it.",
    "GuestOs.caption": "Guest OS name (KVP OSName), e.g. Windows Server 2008 R2 Enterprise.",
    "GuestOs.version": "Guest OS version (KVP OSVersion), e.g. 6.1.7601.",
    "VmAdapter.name": "Adapter name (Get-VMNetworkAdapter Name), e.g. Network Adapter.",
    "VmAdapter.legacy": "A legacy (emulated) network adapter (Get-VMNetworkAdapter IsLegacy); false: a synthetic adapter.",
    "VmAdapter.switch_name": "Virtual switch the adapter connects to (Get-VMNetworkAdapter SwitchName); null when not connected.",
    "VmAdapter.allow_teaming": "Teaming in the guest is allowed for this adapter (Set-VMNetworkAdapter -AllowTeaming On).",
    "VmAdapter.failover_ip": ("Static IP settings the replica uses after failover (Get-VMNetworkAdapterFailoverConfiguration); "
                              "null: the replica keeps the primary's addresses."),
    "VmAdapter.test_failover_switch": ("Virtual switch a test-failover VM connects this adapter to (Get-VMNetworkAdapter "
                                       "TestReplicaSwitchName); null: the test VM is not connected."),
    "FailoverIp.ipv4_address": "IPv4 address the VM gets after failover (-IPv4Address), e.g. 10.1.0.20.",
    "FailoverIp.ipv4_subnet_mask": "IPv4 subnet mask for that address (-IPv4SubnetMask, required with -IPv4Address), e.g. 255.255.255.0.",
    "FailoverIp.ipv4_default_gateway": "IPv4 default gateway after failover (-IPv4DefaultGateway), e.g. 10.1.0.1.",
    "FailoverIp.ipv6_address": "IPv6 address the VM gets after failover (-IPv6Address).",
    "FailoverIp.ipv6_prefix_length": "IPv6 prefix length for that address (-IPv6SubnetPrefixLength, required with -IPv6Address), 0 to 128.",
    "Replication.mode": "Role of this copy (Get-VMReplication ReplicationMode): Primary, Replica, TestReplica.",
    "Replication.primary_server": "FQDN of the primary server (Get-VMReplication PrimaryServerName).",
    "Replication.authentication_type": "Authentication the replication uses (Get-VMReplication AuthenticationType): Kerberos (HTTP) or Certificate (HTTPS).",
    "Replication.port": "Port on the replica server the VM replicates to (Get-VMReplication ReplicaServerPort), e.g. 80 or 443.",
    "Replication.vss_snapshot_frequency_hours": ("Hours between application-consistent (VSS) recovery points, 1 to 12 "
                                                 "(VSSSnapshotFrequency on 2012, VSSSnapshotFrequencyHour on 2012 R2); null: none."),
    "Replication.health": "Replication health (Get-VMReplication ReplicationHealth): Normal, Warning, Critical.",
    "Replication.state": ("Replication state (Get-VMReplication ReplicationState), e.g. Replicating, Suspended, Error, "
                          "WaitingForInitialReplication."),
    "Replication.certificate_thumbprint": ("Thumbprint of the certificate the VM's replication authenticates with "
                                           "(Get-VMReplication CertificateThumbprint); null with Kerberos."),
    "Backup.configured": "The VM is in a backup job of the backup product.",
    "Backup.product": "Backup product protecting the VM, e.g. System Center Data Protection Manager 2012.",
    "Backup.last_backup": "Finish time of the VM's last successful backup, RFC 3339 with a UTC offset; null: never backed up.",
}
