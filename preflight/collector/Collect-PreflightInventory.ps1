<#
.SYNOPSIS
    Collects a read-only inventory bundle of a VMM / Hyper-V / failover cluster fabric for `preflight import`.

.DESCRIPTION
    Runs in Windows PowerShell 2.0 (Windows Server 2008 R2) and later, on the VMM server or on an admin
    workstation. It only reads: WMI over DCOM (Get-WmiObject -ComputerName, which works where WinRM is
    stopped), the remote registry (OpenRemoteBaseKey, read-only OpenSubKey), SQL Server through
    System.Data.SqlClient (one SELECT SERVERPROPERTY), and the VMM, Hyper-V and FailoverClusters cmdlets
    when they are installed. A source that cannot be read (access denied, RPC server unavailable,
    cmdlet missing) is recorded in manifest.json as failed with the reason; collection goes on.

    The bundle is a folder: manifest.json (written last) and <COMPUTER>\<source-id>.clixml per source
    (Export-Clixml), plus <source-id>.json where ConvertTo-Json exists (PowerShell 3.0 and later).
    With -Zip, and only where .NET 4.5's ZipFile exists, the folder is also zipped beside itself.

    This file is UTF-8 with a byte order mark and CRLF line endings: Windows PowerShell reads a script
    without a BOM in the ANSI code page. It is plain ASCII, so either way it reads the same.

.PARAMETER VmmServer
    The VMM server to ask for hosts, library servers and the VMM database (default: this computer).
.PARAMETER ComputerName
    More computers to inventory (WMI, registry, features). Hyper-V hosts come from VMM (Get-VMHost).
.PARAMETER Cluster
    More failover clusters to inventory (those VMM manages are found from its hosts).
.PARAMETER HyperVHost
    Hyper-V hosts VMM does not manage (a Windows Server 2012 / 2012 R2 fabric without VMM, or a Replica
    server at another site): inventoried like the hosts Get-VMHost lists.
.PARAMETER SqlInstance
    The VMM database's SQL Server instance (SERVER or SERVER\INSTANCE) when VMM cannot be read.
.PARAMETER OutputPath
    The folder to create the bundle in (default: the current folder).
.PARAMETER Name
    The estate's name, recorded in the manifest (default: the VMM server's name).
.PARAMETER Zip
    Also write the bundle as a .zip (needs .NET Framework 4.5; otherwise the folder is kept and a warning says so).

.EXAMPLE
    .\Collect-PreflightInventory.ps1 -VmmServer VMM01 -Cluster HVCLUSTER1 -OutputPath D:\preflight -Verbose
.EXAMPLE
    .\Collect-PreflightInventory.ps1 -Name contoso-dr -Cluster HVCLUS12 -HyperVHost HV11, HV12, HV21 -OutputPath D:\preflight
#>
[CmdletBinding()]
param(
    [string]$VmmServer = $env:COMPUTERNAME,
    [string[]]$ComputerName = @(),
    [string[]]$Cluster = @(),
    [string[]]$HyperVHost = @(),
    [string]$SqlInstance = '',
    [string]$OutputPath = '.',
    [string]$Name = '',
    [switch]$Zip
)

$CollectorVersion = '1.0.0'
$Sources = New-Object System.Collections.ArrayList

function Get-PfReason {
    param($ErrorRecord)
    $message = $ErrorRecord.Exception.Message
    if (-not $message) { $message = [string]$ErrorRecord }
    ($message -replace '[\r\n\t]+', ' ').Trim()
}

function Get-PfComputerFolder {
    param([string]$Computer)
    $folder = Join-Path $BundlePath $Computer
    if (-not (Test-Path -LiteralPath $folder)) {
        # Writer 3 of 3: the bundle's own folders
        New-Item -ItemType Directory -Path $folder -Force | Out-Null
    }
    $folder
}

function Add-PfResult {
    param([string]$Id, [string]$Computer, [string]$Status, [string]$Reason, [string]$File)
    $entry = New-Object PSObject -Property @{ Id = $Id; Computer = $Computer; Status = $Status; Reason = $Reason; File = $File }
    [void]$Sources.Add($entry)
    if ($Status -eq 'ok') {
        Write-Verbose "$Computer ${Id}: collected"
    } else {
        Write-Verbose "$Computer ${Id}: $Status ($Reason)"
    }
}

function Export-PfSource {
    # Runs one read-only query and exports what it returned; a failure is recorded, never thrown.
    param([string]$Id, [string]$Computer, [scriptblock]$Query)
    Write-Verbose "$Computer ${Id}: reading"
    try {
        $ErrorActionPreference = 'Stop'
        $objects = @(& $Query)
    } catch {
        Add-PfResult -Id $Id -Computer $Computer -Status 'failed' -Reason (Get-PfReason $_)
        return
    }
    $folder = Get-PfComputerFolder $Computer
    $relative = "$Computer/$Id.clixml"
    try {
        # Writer 1 of 3: the raw objects, as PowerShell 2.0's only structured export
        # -Depth 4 as for JSON: the default 2 turns the CSVs' SharedVolumeInfo entries into strings
        $objects | Export-Clixml -Path (Join-Path $folder "$Id.clixml") -Depth 4
        if (Get-Command ConvertTo-Json -ErrorAction SilentlyContinue) {
            # Writer 2 of 3: the same objects as JSON, where PowerShell 3.0 or later has ConvertTo-Json
            ConvertTo-Json -InputObject $objects -Depth 4 | Out-File -FilePath (Join-Path $folder "$Id.json") -Encoding UTF8
        }
    } catch {
        Add-PfResult -Id $Id -Computer $Computer -Status 'failed' -Reason ("cannot write the export: " + (Get-PfReason $_))
        return
    }
    Add-PfResult -Id $Id -Computer $Computer -Status 'ok' -File $relative
}

function Get-PfMissing {
    # The name of the first of these commands this session cannot run, or '' when all exist.
    param([string[]]$Command)
    foreach ($each in $Command) {
        if (-not (Get-Command $each -ErrorAction SilentlyContinue)) { return $each }
    }
    ''
}

function Export-PfCmdletSource {
    # A source that needs cmdlets: recorded as failed, with the missing cmdlet, when they are not installed.
    param([string]$Id, [string]$Computer, [string[]]$Needs, [scriptblock]$Query)
    $missing = Get-PfMissing $Needs
    if ($missing) {
        Add-PfResult -Id $Id -Computer $Computer -Status 'failed' -Reason "cmdlet $missing not available on $env:COMPUTERNAME"
        return
    }
    Export-PfSource -Id $Id -Computer $Computer -Query $Query
}

function Get-PfWmi {
    param([string]$Computer, [string]$Class, [string]$Namespace = 'root\cimv2', [string]$Filter = '')
    if ($Filter) {
        Get-WmiObject -Class $Class -Namespace $Namespace -ComputerName $Computer -Filter $Filter -ErrorAction Stop
    } else {
        Get-WmiObject -Class $Class -Namespace $Namespace -ComputerName $Computer -ErrorAction Stop
    }
}

function Get-PfRegistryValues {
    # Reads named values of one key through the remote registry (read-only OpenSubKey); $null when the key is absent.
    param([string]$Computer, [string]$Path, [string[]]$Value)
    $hive = [Microsoft.Win32.RegistryKey]::OpenRemoteBaseKey('LocalMachine', $Computer)
    try {
        $key = $hive.OpenSubKey($Path)
        if ($key -eq $null) { return $null }
        $properties = @{ Key = "HKLM\$Path" }
        foreach ($each in $Value) { $properties[$each] = $key.GetValue($each) }
        $key.Close()
        New-Object PSObject -Property $properties
    } finally {
        $hive.Close()
    }
}

function Get-PfUninstall {
    # DisplayName, DisplayVersion and Publisher of every Uninstall entry, 64-bit and 32-bit views.
    param([string]$Computer)
    $hive = [Microsoft.Win32.RegistryKey]::OpenRemoteBaseKey('LocalMachine', $Computer)
    try {
        $views = @(
            @('64', 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'),
            @('32', 'SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall')
        )
        foreach ($view in $views) {
            $root = $hive.OpenSubKey($view[1])
            if ($root -eq $null) { continue }
            foreach ($subName in $root.GetSubKeyNames()) {
                $sub = $root.OpenSubKey($subName)
                if ($sub -eq $null) { continue }
                $displayName = $sub.GetValue('DisplayName')
                if ($displayName) {
                    New-Object PSObject -Property @{
                        KeyName = $subName; View = $view[0]; DisplayName = $displayName
                        DisplayVersion = $sub.GetValue('DisplayVersion'); Publisher = $sub.GetValue('Publisher')
                    }
                }
                $sub.Close()
            }
            $root.Close()
        }
    } finally {
        $hive.Close()
    }
}

function Get-PfFeatures {
    # Installed roles and features. PowerShell 2.0's Get-WindowsFeature reads only this computer.
    param([string]$Computer)
    if (-not (Get-Command Get-WindowsFeature -ErrorAction SilentlyContinue)) {
        Import-Module ServerManager -ErrorAction Stop
    }
    if (Test-PfLocal $Computer) {
        Get-WindowsFeature | Where-Object { $_.Installed } | Select-Object -Property 'Name', 'DisplayName', 'Installed'
    } elseif ((Get-Command Get-WindowsFeature).Parameters.ContainsKey('ComputerName')) {
        Get-WindowsFeature -ComputerName $Computer | Where-Object { $_.Installed } | Select-Object -Property 'Name', 'DisplayName', 'Installed'
    } else {
        throw "Get-WindowsFeature on $env:COMPUTERNAME cannot read another computer (Windows Server 2012 or later can); run the collector on $Computer"
    }
}

function Test-PfLocal {
    param([string]$Computer)
    $short = ($Computer -split '\.')[0]
    ($short -eq $env:COMPUTERNAME) -or ($Computer -eq 'localhost') -or ($Computer -eq '.')
}

function Get-PfSqlRows {
    # One SELECT, with the Windows identity running the collector; nothing else is sent. Each row becomes an object.
    #   properties: SERVERPROPERTY values of the instance
    #   backups:    when each database's last full backup finished (msdb.dbo.backupset, type D = full database),
    #               in the server's local time (datetime has no offset): UtcOffsetMinutes is the server's offset now
    param([string]$Instance, [string]$Which)
    $connection = New-Object System.Data.SqlClient.SqlConnection
    $connection.ConnectionString = "Data Source=$Instance;Initial Catalog=master;Integrated Security=SSPI;Connect Timeout=15"
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        if ($Which -eq 'backups') {
            $command.CommandText = "SELECT database_name AS DatabaseName, MAX(backup_finish_date) AS LastFullBackup, DATEDIFF(minute, GETUTCDATE(), GETDATE()) AS UtcOffsetMinutes FROM msdb.dbo.backupset WHERE type = 'D' GROUP BY database_name"
        } else {
            $command.CommandText = "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS ProductVersion, CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS ProductLevel, CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS Edition, CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS Collation, CAST(SERVERPROPERTY('IsClustered') AS int) AS IsClustered, CAST(SERVERPROPERTY('MachineName') AS nvarchar(128)) AS MachineName, CAST(SERVERPROPERTY('InstanceName') AS nvarchar(128)) AS InstanceName, @@VERSION AS Version"
        }
        $reader = $command.ExecuteReader()
        try {
            while ($reader.Read()) {
                $properties = @{}
                for ($i = 0; $i -lt $reader.FieldCount; $i++) {
                    $value = $reader.GetValue($i)
                    if ($value -is [System.DBNull]) { $value = $null }
                    $properties[$reader.GetName($i)] = $value
                }
                New-Object PSObject -Property $properties
            }
        } finally {
            $reader.Close()
        }
    } finally {
        $connection.Close()
    }
}

function Get-PfDomain {
    # The domain of the account running the collector, as flat rows (no nesting for an export depth to cut):
    # Kind Domain (Name), DomainController (from the directory's computer objects: name, dNSHostName,
    # operatingSystem, operatingSystemVersion) and Trust (the domain's and the forest's trusts).
    $domain = [System.DirectoryServices.ActiveDirectory.Domain]::GetCurrentDomain()
    New-Object PSObject -Property @{ Kind = 'Domain'; Name = [string]$domain.Name }
    $searcher = New-Object System.DirectoryServices.DirectorySearcher
    $searcher.SearchRoot = $domain.GetDirectoryEntry()
    # primaryGroupID 516 = Domain Controllers
    $searcher.Filter = '(&(objectCategory=computer)(primaryGroupID=516))'
    foreach ($attribute in @('name', 'dnshostname', 'operatingsystem', 'operatingsystemversion')) { [void]$searcher.PropertiesToLoad.Add($attribute) }
    foreach ($found in $searcher.FindAll()) {
        New-Object PSObject -Property @{
            Kind = 'DomainController'
            Name = [string]($found.Properties['name'] | Select-Object -First 1)
            DnsHostName = [string]($found.Properties['dnshostname'] | Select-Object -First 1)
            OperatingSystem = [string]($found.Properties['operatingsystem'] | Select-Object -First 1)
            OperatingSystemVersion = [string]($found.Properties['operatingsystemversion'] | Select-Object -First 1)
        }
    }
    foreach ($trust in @($domain.GetAllTrustRelationships()) + @($domain.Forest.GetAllTrustRelationships())) {
        # enum values as their names: ConvertTo-Json would write numbers
        New-Object PSObject -Property @{
            Kind = 'Trust'; SourceName = [string]$trust.SourceName; TargetName = [string]$trust.TargetName
            TrustType = [string]$trust.TrustType; TrustDirection = [string]$trust.TrustDirection
        }
    }
}

function Get-PfCertificates {
    # The computer's LocalMachine\My certificates as flat rows. "\\COMPUTER\My" names another computer's system store;
    # it is opened read-only. Dates in UTC; usages as OIDs and the subject alternative names as the extension's
    # DER bytes (Base64), because their display texts depend on the language of Windows.
    param([string]$Computer)
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store -ArgumentList "\\$Computer\My", 'LocalMachine'
    $store.Open('ReadOnly, OpenExistingOnly')
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $utc = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'"
    try {
        foreach ($cert in $store.Certificates) {
            $usages = $null
            $names = $null
            foreach ($extension in $cert.Extensions) {
                if ($extension.Oid.Value -eq '2.5.29.37') {
                    $usages = @()
                    foreach ($oid in $extension.EnhancedKeyUsages) { $usages += [string]$oid.Value }
                    $usages = $usages -join ';'
                }
                if ($extension.Oid.Value -eq '2.5.29.17') { $names = [System.Convert]::ToBase64String($extension.RawData) }
            }
            New-Object PSObject -Property @{
                Thumbprint = [string]$cert.Thumbprint; Subject = [string]$cert.Subject
                NotBefore = $cert.NotBefore.ToUniversalTime().ToString($utc, $invariant)
                NotAfter = $cert.NotAfter.ToUniversalTime().ToString($utc, $invariant)
                EnhancedKeyUsageOids = $usages; SubjectAltNameDer = $names
            }
        }
    } finally {
        $store.Close()
    }
}

function Get-PfReplicaBroker {
    # The Hyper-V Replica Broker role as flat rows, one per broker resource (none: the cluster has no broker):
    # the resource, its group and the Name and DnsName private properties of the group's client access point
    param([string]$Cluster)
    $resources = @(Get-ClusterResource -Cluster $Cluster)
    foreach ($broker in @($resources | Where-Object { [string]$_.ResourceType.Name -eq 'Virtual Machine Replication Broker' })) {
        $group = [string]$broker.OwnerGroup.Name
        $properties = @{ Resource = [string]$broker.Name; Group = $group; State = [string]$broker.State; NetworkName = $null; DnsName = $null }
        foreach ($access in @($resources | Where-Object { [string]$_.OwnerGroup.Name -eq $group -and [string]$_.ResourceType.Name -eq 'Network Name' })) {
            foreach ($parameter in @($access | Get-ClusterParameter)) {
                if ($parameter.Name -eq 'Name') { $properties['NetworkName'] = [string]$parameter.Value }
                if ($parameter.Name -eq 'DnsName') { $properties['DnsName'] = [string]$parameter.Value }
            }
        }
        New-Object PSObject -Property $properties
    }
}

function Get-PfOsVersion {
    # The Windows version of a computer from its Win32_OperatingSystem export, or '' when that was not collected.
    param([string]$Computer)
    try {
        [string](Get-PfWmi -Computer $Computer -Class Win32_OperatingSystem).Version
    } catch {
        ''
    }
}

function ConvertTo-PfJsonString {
    # A JSON string literal: PowerShell 2.0 has no ConvertTo-Json, so the manifest is built by hand.
    param([string]$Text)
    $builder = New-Object System.Text.StringBuilder
    [void]$builder.Append('"')
    foreach ($ch in $Text.ToCharArray()) {
        $code = [int]$ch
        if ($ch -eq '"') { [void]$builder.Append('\"') }
        elseif ($ch -eq '\') { [void]$builder.Append('\\') }
        elseif ($code -lt 32 -or ($code -ge 127 -and $code -le 159) -or $code -eq 8232 -or $code -eq 8233) {
            [void]$builder.Append('\u' + $code.ToString('x4'))
        } else { [void]$builder.Append($ch) }
    }
    [void]$builder.Append('"')
    $builder.ToString()
}

function Get-PfManifest {
    param([string]$CollectedAt)
    $lines = New-Object System.Collections.ArrayList
    foreach ($source in $Sources) {
        $fields = @(
            '"id": ' + (ConvertTo-PfJsonString $source.Id),
            '"computer": ' + (ConvertTo-PfJsonString $source.Computer),
            '"status": ' + (ConvertTo-PfJsonString $source.Status)
        )
        if ($source.Status -eq 'ok') {
            $fields += '"file": ' + (ConvertTo-PfJsonString $source.File)
            $fields += '"format": "clixml"'
        } else {
            $fields += '"reason": ' + (ConvertTo-PfJsonString $source.Reason)
        }
        [void]$lines.Add('    {' + ($fields -join ', ') + '}')
    }
    $user = $env:USERNAME
    if ($env:USERDOMAIN) { $user = $env:USERDOMAIN + '\' + $env:USERNAME }
    $text = "{`r`n" +
        '  "schema": "preflight/bundle/v1",' + "`r`n" +
        '  "collector": {"name": "Collect-PreflightInventory", "version": ' + (ConvertTo-PfJsonString $CollectorVersion) +
        ', "powershell": ' + (ConvertTo-PfJsonString ([string]$PSVersionTable.PSVersion)) + '},' + "`r`n" +
        '  "collected_at": ' + (ConvertTo-PfJsonString $CollectedAt) + ',' + "`r`n" +
        '  "collected_by": ' + (ConvertTo-PfJsonString $user) + ',' + "`r`n" +
        '  "name": ' + (ConvertTo-PfJsonString $Name) + ',' + "`r`n" +
        '  "sources": [' + "`r`n" + ($lines -join (",`r`n")) + "`r`n  ]`r`n}`r`n"
    $text
}

function Add-PfComputer {
    # Remembers a computer once (hashtable keys ignore case), in the order first seen.
    param([string]$Computer)
    if ($Computer -and -not $Computers.ContainsKey($Computer)) {
        $Computers[$Computer] = $true
        [void]$ComputerOrder.Add($Computer)
    }
}

# --- Where the bundle goes ------------------------------------------------------------------------
if (-not (Test-Path -LiteralPath $OutputPath -PathType Container)) { throw "-OutputPath ${OutputPath}: no such folder" }
if (-not $Name) { $Name = $VmmServer }
# Invariant culture, quoted separators: ':' in a .NET format is the culture's time separator, not always a colon
$now = Get-Date
$CollectedAt = $now.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'sszzz", [System.Globalization.CultureInfo]::InvariantCulture)
$stamp = $now.ToString('yyyyMMdd-HHmmss', [System.Globalization.CultureInfo]::InvariantCulture)
$BundlePath = Join-Path (Resolve-Path -LiteralPath $OutputPath).ProviderPath "preflight-bundle-$Name-$stamp"
# Writer 3 of 3: the bundle's own folders
New-Item -ItemType Directory -Path $BundlePath -Force | Out-Null
Write-Verbose "Bundle folder: $BundlePath"

$Computers = @{}
$ComputerOrder = New-Object System.Collections.ArrayList
$Hosts = @{}
$Clusters = @{}
foreach ($each in $Cluster) { $Clusters[$each] = $true }
Add-PfComputer $VmmServer
foreach ($each in $ComputerName) { Add-PfComputer $each }

# --- VMM: registry first (it names the database), then the snap-in ---------------------------------
$vmmKey = 'SOFTWARE\Microsoft\Microsoft System Center Virtual Machine Manager Server'
$script:VmmSql = $null
Export-PfSource -Id 'registry.vmm' -Computer $VmmServer -Query {
    $setup = Get-PfRegistryValues -Computer $VmmServer -Path "$vmmKey\Setup" -Value @('ProductVersion', 'InstallPath')
    $sql = Get-PfRegistryValues -Computer $VmmServer -Path "$vmmKey\Settings\Sql" -Value @('OnRemoteServer', 'MachineName', 'InstanceName', 'DatabaseName')
    if ($setup -eq $null) { throw "no VMM server is installed on $VmmServer (HKLM\$vmmKey\Setup is absent)" }
    $script:VmmSql = $sql
    $setup
    if ($sql -ne $null) { $sql }
}

$vmmConnection = $null
$vmmNeeds = @('Get-VMMServer', 'Get-VMHost', 'Get-LibraryServer')
if (Get-PfMissing $vmmNeeds) {
    # VMM 2008 R2 ships a snap-in; VMM 2012 a module. Loading either only adds commands to this session.
    try { Add-PSSnapin Microsoft.SystemCenter.VirtualMachineManager -ErrorAction Stop } catch {
        Write-Verbose ("VMM snap-in: " + (Get-PfReason $_))
        try { Import-Module virtualmachinemanager -ErrorAction Stop } catch { Write-Verbose ("VMM module: " + (Get-PfReason $_)) }
    }
}
Export-PfCmdletSource -Id 'vmm.server' -Computer $VmmServer -Needs $vmmNeeds -Query {
    $script:vmmConnection = Get-VMMServer -ComputerName $VmmServer
    $script:vmmConnection
}
if ($vmmConnection -ne $null) {
    Export-PfSource -Id 'vmm.hosts' -Computer $VmmServer -Query {
        $all = @(Get-VMHost -VMMServer $vmmConnection)
        foreach ($vmHost in $all) {
            $script:Hosts[[string]$vmHost.Name] = [string]$vmHost.VirtualizationPlatform
            if ($vmHost.HostCluster -ne $null) { $script:Clusters[[string]$vmHost.HostCluster.Name] = $true }
        }
        $all
    }
    Export-PfSource -Id 'vmm.library_servers' -Computer $VmmServer -Query {
        $all = @(Get-LibraryServer -VMMServer $vmmConnection)
        foreach ($server in $all) { Add-PfComputer ([string]$server.Name) }
        $all
    }
    Export-PfCmdletSource -Id 'vmm.pro' -Computer $VmmServer -Needs @('Get-PROConnection') -Query {
        Get-PROConnection -VMMServer $vmmConnection
    }
} else {
    foreach ($id in @('vmm.hosts', 'vmm.library_servers', 'vmm.pro')) {
        Add-PfResult -Id $id -Computer $VmmServer -Status 'skipped' -Reason 'vmm.server was not collected'
    }
}
# Hosts VMM does not list are taken as Hyper-V hosts: the admin named them
foreach ($each in $HyperVHost) {
    if (-not $Hosts.ContainsKey($each)) { $Hosts[$each] = 'HyperV' }
}
foreach ($hostName in @($Hosts.Keys)) { Add-PfComputer $hostName }

# --- SQL Server behind VMM ---------------------------------------------------------------------------
if (-not $SqlInstance -and $VmmSql -ne $null -and $VmmSql.MachineName) {
    $SqlInstance = [string]$VmmSql.MachineName
    if ($VmmSql.InstanceName -and $VmmSql.InstanceName -ne 'MSSQLSERVER') { $SqlInstance = $SqlInstance + '\' + $VmmSql.InstanceName }
}
if ($SqlInstance) {
    $sqlComputer = ($SqlInstance -split '\\')[0]
    Add-PfComputer $sqlComputer
    Export-PfSource -Id 'sql.serverproperty' -Computer $sqlComputer -Query { Get-PfSqlRows -Instance $SqlInstance -Which 'properties' }
    # The VMM database's last full backup (a VMM upgrade starts from one); a login without msdb rights fails this source only
    Export-PfSource -Id 'sql.backups' -Computer $sqlComputer -Query { Get-PfSqlRows -Instance $SqlInstance -Which 'backups' }
} else {
    foreach ($id in @('sql.serverproperty', 'sql.backups')) {
        Add-PfResult -Id $id -Computer $VmmServer -Status 'skipped' -Reason 'no SQL instance known: registry.vmm was not collected and -SqlInstance was not given'
    }
}

# --- Every computer: WMI over DCOM, remote registry, features ---------------------------------------
foreach ($computer in @($ComputerOrder)) {
    Export-PfSource -Id 'wmi.Win32_OperatingSystem' -Computer $computer -Query { Get-PfWmi -Computer $computer -Class Win32_OperatingSystem }
    Export-PfSource -Id 'wmi.Win32_ComputerSystem' -Computer $computer -Query { Get-PfWmi -Computer $computer -Class Win32_ComputerSystem }
    Export-PfSource -Id 'wmi.Win32_Processor' -Computer $computer -Query { Get-PfWmi -Computer $computer -Class Win32_Processor }
    Export-PfSource -Id 'wmi.Win32_LogicalDisk' -Computer $computer -Query { Get-PfWmi -Computer $computer -Class Win32_LogicalDisk -Filter 'DriveType=3' }
    Export-PfSource -Id 'wmi.Win32_Service' -Computer $computer -Query { Get-PfWmi -Computer $computer -Class Win32_Service }
    Export-PfSource -Id 'wmi.Win32_QuickFixEngineering' -Computer $computer -Query { Get-PfWmi -Computer $computer -Class Win32_QuickFixEngineering }
    Export-PfSource -Id 'registry.uninstall' -Computer $computer -Query { Get-PfUninstall -Computer $computer }
    Export-PfSource -Id 'features' -Computer $computer -Query { Get-PfFeatures -Computer $computer }
}

# --- The Active Directory domain (computer = the domain's DNS name) ---------------------------------
$domainName = $env:USERDNSDOMAIN
if (-not $domainName) { $domainName = $env:USERDOMAIN }
if ($domainName) {
    Export-PfSource -Id 'ad.domain' -Computer $domainName.ToLower() -Query { Get-PfDomain }
} else {
    Add-PfResult -Id 'ad.domain' -Computer $env:COMPUTERNAME -Status 'skipped' -Reason 'the collector does not run as a domain account'
}

# --- Hyper-V hosts ------------------------------------------------------------------------------------
$hyperVCmdlets = @('Get-VM', 'Get-VMReplicationServer', 'Get-VMReplication', 'Get-VMSwitch')
if (Get-PfMissing $hyperVCmdlets) {
    try { Import-Module Hyper-V -ErrorAction Stop } catch { Write-Verbose ("Hyper-V module: " + (Get-PfReason $_)) }
}
foreach ($hostName in @($Hosts.Keys)) {
    if ($Hosts[$hostName] -ne 'HyperV') {
        foreach ($id in @('hyperv.vms', 'hyperv.kvp', 'hyperv.replication_server', 'hyperv.replication', 'hyperv.replication_auth', 'hyperv.switches', 'netlbfo.teams', 'netlbfo.members', 'net.adapters', 'certs.my')) {
            Add-PfResult -Id $id -Computer $hostName -Status 'skipped' -Reason ('not a Hyper-V host (VMM platform ' + $Hosts[$hostName] + ')')
        }
        continue
    }
    $version = Get-PfOsVersion $hostName
    # Replica's certificate-based authentication picks its certificate from LocalMachine\My
    Export-PfSource -Id 'certs.my' -Computer $hostName -Query { Get-PfCertificates -Computer $hostName }
    if ($version -like '6.1*' -or $version -like '6.0*') {
        # Windows Server 2008 R2: the v1 namespace; no Replica, no NetLbfo teaming, no Hyper-V module
        Export-PfSource -Id 'hyperv.vms' -Computer $hostName -Query {
            Get-PfWmi -Computer $hostName -Namespace 'root\virtualization' -Class Msvm_ComputerSystem -Filter "Caption='Virtual Machine'"
        }
        # The guest OS as the integration services report it (GuestIntrinsicExchangeItems; a VM that is off reports none)
        Export-PfSource -Id 'hyperv.kvp' -Computer $hostName -Query {
            Get-PfWmi -Computer $hostName -Namespace 'root\virtualization' -Class Msvm_KvpExchangeComponent
        }
        foreach ($id in @('hyperv.replication_server', 'hyperv.replication', 'hyperv.replication_auth', 'hyperv.switches', 'netlbfo.teams', 'netlbfo.members', 'net.adapters')) {
            Add-PfResult -Id $id -Computer $hostName -Status 'skipped' -Reason "Windows $version (Server 2008 or 2008 R2) has no source for $id (it came with Windows Server 2012)"
        }
        continue
    }
    if (-not $version) {
        Write-Verbose "${hostName}: Windows version unknown (Win32_OperatingSystem not read); trying the Windows Server 2012 sources"
    }
    Export-PfCmdletSource -Id 'hyperv.vms' -Computer $hostName -Needs @('Get-VM') -Query { Get-VM -ComputerName $hostName }
    Export-PfSource -Id 'hyperv.kvp' -Computer $hostName -Query {
        Get-PfWmi -Computer $hostName -Namespace 'root\virtualization\v2' -Class Msvm_KvpExchangeComponent
    }
    Export-PfCmdletSource -Id 'hyperv.replication_server' -Computer $hostName -Needs @('Get-VMReplicationServer') -Query { Get-VMReplicationServer -ComputerName $hostName }
    Export-PfCmdletSource -Id 'hyperv.replication' -Computer $hostName -Needs @('Get-VMReplication') -Query { Get-VMReplication -ComputerName $hostName }
    # Which primary servers may replicate to this host when it does not accept any server (its trust groups)
    Export-PfCmdletSource -Id 'hyperv.replication_auth' -Computer $hostName -Needs @('Get-VMReplicationAuthorizationEntry') -Query {
        Get-VMReplicationAuthorizationEntry -ComputerName $hostName
    }
    Export-PfCmdletSource -Id 'hyperv.switches' -Computer $hostName -Needs @('Get-VMSwitch') -Query { Get-VMSwitch -ComputerName $hostName }
    # Get-NetLbfoTeam and Get-NetAdapter are views of these classes; read over DCOM, they need no WinRM
    Export-PfSource -Id 'netlbfo.teams' -Computer $hostName -Query { Get-PfWmi -Computer $hostName -Namespace 'root\StandardCimv2' -Class MSFT_NetLbfoTeam }
    Export-PfSource -Id 'netlbfo.members' -Computer $hostName -Query { Get-PfWmi -Computer $hostName -Namespace 'root\StandardCimv2' -Class MSFT_NetLbfoTeamMember }
    Export-PfSource -Id 'net.adapters' -Computer $hostName -Query { Get-PfWmi -Computer $hostName -Namespace 'root\StandardCimv2' -Class MSFT_NetAdapter }
}

# --- Failover clusters (computer = the cluster name) -------------------------------------------------
$clusterCmdlets = @('Get-ClusterSharedVolume', 'Get-ClusterParameter')
if ($Clusters.Count -gt 0 -and (Get-PfMissing $clusterCmdlets)) {
    try { Import-Module FailoverClusters -ErrorAction Stop } catch { Write-Verbose ("FailoverClusters module: " + (Get-PfReason $_)) }
}
foreach ($clusterName in @($Clusters.Keys)) {
    foreach ($id in @('cluster.MSCluster_Cluster', 'cluster.MSCluster_Node', 'cluster.MSCluster_Network', 'cluster.MSCluster_NetworkInterface')) {
        $class = $id -replace '^cluster\.', ''
        # root\MSCluster refuses connections below packet privacy
        Export-PfSource -Id $id -Computer $clusterName -Query {
            Get-WmiObject -Namespace 'root\MSCluster' -Class $class -ComputerName $clusterName -Authentication PacketPrivacy -ErrorAction Stop
        }
    }
    # The cluster's common properties: SharedVolumeBlockCacheSizeInMB (2012) or BlockCacheSize (2012 R2)
    Export-PfCmdletSource -Id 'cluster.properties' -Computer $clusterName -Needs @('Get-Cluster') -Query { Get-Cluster -Name $clusterName }
    Export-PfCmdletSource -Id 'cluster.csv' -Computer $clusterName -Needs $clusterCmdlets -Query { Get-ClusterSharedVolume -Cluster $clusterName }
    Export-PfCmdletSource -Id 'cluster.csv_params' -Computer $clusterName -Needs $clusterCmdlets -Query {
        Get-ClusterSharedVolume -Cluster $clusterName | Get-ClusterParameter
    }
    # 2012 R2: each node's I/O mode of each CSV (Direct, FileSystemRedirected, BlockRedirected) and why it is redirected
    Export-PfCmdletSource -Id 'cluster.csv_state' -Computer $clusterName -Needs @('Get-ClusterSharedVolumeState') -Query {
        Get-ClusterSharedVolumeState -Cluster $clusterName
    }
    Export-PfCmdletSource -Id 'cluster.replica_broker' -Computer $clusterName -Needs @('Get-ClusterResource', 'Get-ClusterParameter') -Query {
        Get-PfReplicaBroker -Cluster $clusterName
    }
}

# --- The manifest, last: a bundle without one is unfinished ------------------------------------------
$manifestPath = Join-Path $BundlePath 'manifest.json'
# UTF8Encoding($false): no byte order mark, as JSON wants
$utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
[System.IO.File]::WriteAllText($manifestPath, (Get-PfManifest -CollectedAt $CollectedAt), $utf8)
$failed = @($Sources | Where-Object { $_.Status -ne 'ok' }).Count
Write-Verbose "Manifest written: $manifestPath ($($Sources.Count) sources, $failed not collected)"

if ($Zip) {
    try {
        Add-Type -AssemblyName System.IO.Compression.FileSystem -ErrorAction Stop
        [System.IO.Compression.ZipFile]::CreateFromDirectory($BundlePath, "$BundlePath.zip")
        Write-Verbose "Zipped: $BundlePath.zip"
        "$BundlePath.zip"
    } catch {
        Write-Warning ("-Zip needs .NET Framework 4.5 (System.IO.Compression.ZipFile); the bundle stays a folder: " + (Get-PfReason $_))
        $BundlePath
    }
} else {
    $BundlePath
}
