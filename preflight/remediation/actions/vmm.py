"""VMM and SQL Server actions, the VMM 2012 upgrade itself, and manual instructions.

Installer paths are relative to the folder the script runs from (the script copies them to the server
before it runs them there); the file names are the ones on the product media and may need adjusting to the
media a site downloaded.
"""

from __future__ import annotations

from msgspec import UNSET

from preflight.remediation.actions.backup import DEFAULT_INSTANCE, data_source, sql_connection
from preflight.remediation.actions.base import (
    LOCAL,
    ActionSpec,
    Invocation,
    Param,
    Planning,
    register,
)
from preflight.remediation.actions.phases import Phase
from preflight.remediation.literals import ps_quote as q

SQL_EDITIONS = ("Standard", "Enterprise", "Datacenter")
VMM_SNAPIN = "Microsoft.SystemCenter.VirtualMachineManager"
DKM_CONTAINER = "VMMDKM"


SQL_SETUP_LOG = "Microsoft SQL Server\\100\\Setup Bootstrap\\Log\\Summary.txt"
"""SQL Server 2008 / 2008 R2 setup's summary log, under Program Files."""


def _sql_setup(arguments: list[str], what: str) -> list[str]:
    return [
        "$setup = Join-Path -Path (Get-PreflightMedia -Path 'SQL2008R2') -ChildPath 'setup.exe'",
        f"$log = Join-Path -Path $env:ProgramFiles -ChildPath {q(SQL_SETUP_LOG)}",
        f"Invoke-PreflightInstaller -FilePath $setup -ArgumentList @({', '.join(arguments)}) -LogPath $log -What {q(what)}",
    ]


def _sql_instance(inv: Invocation) -> list[str]:
    """Lines that set $instanceKey to the instance's registry key (setup writes its edition and collation there)."""
    return [
        "$names = Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL'",
        f"$id = $names.PSObject.Properties[{q(inv.p('instance'))}]",
        "$instanceKey = $null",
        "if ($id) { $instanceKey = 'HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\' + $id.Value + '\\Setup' }",
    ]


def product_key_prompt(edition: str) -> str:
    """What the script asks the admin for before a SQL Server edition upgrade (one prompt per edition)."""
    return f"Product key for SQL Server {edition}"


def _edition(inv: Invocation) -> list[str]:
    # The header asks for the key once, on the workstation, masked (never in the transcript), and passes it in.
    lines = [f"$productKey = $PreflightSecrets[{q(product_key_prompt(inv.p('edition')))}]"]
    return lines + _sql_setup(["'/Q'", "'/ACTION=EditionUpgrade'", f"('/INSTANCENAME=' + {q(inv.p('instance'))})",
                               "('/PID=' + $productKey)", "'/IACCEPTSQLSERVERLICENSETERMS'"],
                              "SQL Server edition upgrade")


def _edition_done(inv: Invocation) -> list[str]:
    return _sql_instance(inv) + [
        f"[bool]($instanceKey -and (Get-ItemProperty -Path $instanceKey).Edition -like {q(inv.p('edition') + ' Edition*')})"]


def _collation(inv: Invocation) -> list[str]:
    lines = ["# Rebuilding the system databases drops logins, jobs and attached user databases:",
             "# back up and detach the VMM database first, re-attach and re-create logins afterwards."]
    return lines + _sql_setup(["'/Q'", "'/ACTION=REBUILDDATABASE'", f"('/INSTANCENAME=' + {q(inv.p('instance'))})",
                               "('/SQLSYSADMINACCOUNTS=' + $env:USERDOMAIN + '\\' + $env:USERNAME)",
                               f"('/SQLCOLLATION=' + {q(inv.p('collation'))})"], "SQL Server system database rebuild")


def _collation_done(inv: Invocation) -> list[str]:
    instance = inv.p("instance")
    source = "." if instance.casefold() == "mssqlserver" else ".\\" + instance
    return [
        *sql_connection(q(source)),
        "$connection.Open()",
        "$command = $connection.CreateCommand()",
        "$command.CommandText = \"SELECT CONVERT(nvarchar(128), SERVERPROPERTY('Collation'))\"",
        "$collation = $command.ExecuteScalar()",
        "$connection.Close()",
        f"$collation -eq {q(inv.p('collation'))}",
    ]


VMM_SERVICE_VERSION = [
    # The management service's file version: 2.0.4521 is VMM 2008 R2 SP1, 3.0 is VMM 2012.
    "$service = @(Get-WmiObject -Class Win32_Service | Where-Object { @('vmmservice', 'scvmmservice') -contains $_.Name })",
    "$vmmVersion = $null",
    "if ($service.Count -gt 0) {",
    "    $file = $service[0].PathName.Trim('\"')",
    "    $vmmVersion = ((Get-Item -Path $file).VersionInfo.FileVersion -split ' ')[0] -as [version]",
    "}",
]


def _vmm_setup(folder: str, arguments: list[str]) -> list[str]:
    return [
        f"$setup = Join-Path -Path (Get-PreflightMedia -Path {q(folder)}) -ChildPath 'setup.exe'",
        "$log = Join-Path -Path $env:ProgramData -ChildPath 'VMMLogs'",
        f"Invoke-PreflightInstaller -FilePath $setup -ArgumentList @({', '.join(arguments)}) -LogPath $log -What 'VMM setup'",
    ]


def _sp1(inv: Invocation) -> list[str]:
    return _vmm_setup("VMM2008R2SP1", ["'/server'", "'/i'", "'/IACCEPTSCEULA'"])


def _sp1_done(inv: Invocation) -> list[str]:
    return [*VMM_SERVICE_VERSION, "[bool]($vmmVersion -and $vmmVersion -ge [version]'2.0.4521.0')"]


UPGRADE_CHECKS = [
    # VMM 2012 setup's own prerequisite checks that can be read on the server (the emulator's list in
    # emulator/setup.py); setup rolls back when one fails, so the script stops before it starts.
    "$problems = @()",
    "$system = Get-WmiObject -Class Win32_ComputerSystem",
    "if (-not $system.PartOfDomain) { $problems += 'the computer is not a member of an Active Directory domain' }",
    "if ($env:COMPUTERNAME.Length -gt 15) { $problems += ('the computer name ' + $env:COMPUTERNAME + ' is longer than 15 characters') }",
    "if ($env:COMPUTERNAME -match '-SCVMM-') { $problems += ('the computer name ' + $env:COMPUTERNAME + ' contains -SCVMM-') }",
    "$os = Get-WmiObject -Class Win32_OperatingSystem",
    "if ($os.Version -notlike '6.1.*' -or $os.OSArchitecture -ne '64-bit') { $problems += ('Windows ' + $os.Version + ' '"
    " + $os.OSArchitecture + ' is not Windows Server 2008 R2 x64') }",
    "$waik = @(Get-PreflightProduct -Pattern 'Windows Automated Installation Kit|Windows AIK')",
    "if (@($waik | Where-Object { -not $_.Version -or $_.Version -lt [version]'2.0' }).Count -gt 0) "
    "{ $problems += 'a Windows AIK older than the Windows 7 kit is installed' }",
    "if (@($waik | Where-Object { $_.Version -and $_.Version -ge [version]'2.0' }).Count -eq 0) "
    "{ $problems += 'the Windows AIK for Windows 7 is not installed' }",
    *VMM_SERVICE_VERSION,
    "if (-not $vmmVersion -or $vmmVersion -lt [version]'2.0.4521.0') { $problems += ('VMM ' + $vmmVersion + ' is not VMM 2008 R2 SP1') }",
]
UPGRADE_STOP = "if ($problems.Count -gt 0) { throw ('VMM 2012 setup not started; its prerequisite checks would fail: ' + ($problems -join '; ')) }"

VMM_SQL_KEY = "HKLM:\\SOFTWARE\\Microsoft\\Microsoft System Center Virtual Machine Manager Server\\Settings\\Sql"
"""Where VMM 2008 R2 records its database's SQL Server (MachineName, InstanceName), read when the snapshot lacks it."""

SQL_PROPERTIES = ("SELECT CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')), "
                  "CONVERT(nvarchar(128), SERVERPROPERTY('Edition')), CONVERT(nvarchar(128), SERVERPROPERTY('Collation'))")
"""The one read-only query the upgrade's SQL checks send (Edition reads e.g. 'Enterprise Edition (64-bit)')."""


SQL_SUPPORTED = {"10.50": ("Standard", "Enterprise", "Datacenter"), "10.0": ("Standard", "Enterprise")}
"""SQL Server releases (major.minor) and editions VMM 2012 setup accepts: the emulator's table (emulator/setup.py,
the article's list; a test holds the two equal), kept here so loading the actions does not load the emulator."""


def _supported_sql() -> str:
    # the script refuses exactly what the emulator predicts VMM 2012 setup fails on
    pairs = [f"{q(release)} = @({', '.join(q(e) for e in editions)})" for release, editions in SQL_SUPPORTED.items()]
    return "$supported = @{ " + "; ".join(pairs) + " }"


def _sql_source(inv: Invocation) -> list[str]:
    """Lines that set $sqlSource: the snapshot's vmm.database server and instance, else VMM's own registry entry."""
    if inv.p("sql_server"):
        return [f"$sqlSource = {q(data_source(inv.p('sql_server'), inv.p('instance')))}"]
    return [
        f"$vmmSql = Get-ItemProperty -Path {q(VMM_SQL_KEY)}",
        "$sqlSource = [string]$vmmSql.MachineName",
        "if ($vmmSql.InstanceName -and $vmmSql.InstanceName -ne 'MSSQLSERVER') { $sqlSource = $sqlSource + '\\' + $vmmSql.InstanceName }",
    ]


def _sql_checks(inv: Invocation) -> list[str]:
    """VMM 2012 setup's SQL Server checks (version and edition, 64-bit, case-insensitive collation), read from the
    instance itself over ADO.NET with one SELECT; the instance name is only ever a single-quoted literal."""
    return [
        *_sql_source(inv),
        *sql_connection("$sqlSource"),
        "try {",
        "    $connection.Open()",
        "} catch {",
        # setup reaches the database from here with this identity too: a check that cannot connect spares a rollback
        "    throw ('VMM 2012 setup not started: cannot read SQL Server ' + $sqlSource + ' from ' + $env:COMPUTERNAME + ' (setup '"
        " + 'connects the same way; from a remote session a remote SQL Server needs CredSSP): ' + $_.Exception.Message)",
        "}",
        "$command = $connection.CreateCommand()",
        f"$command.CommandText = {q(SQL_PROPERTIES)}",
        "$reader = $command.ExecuteReader()",
        "$reader.Read() | Out-Null",
        "$sqlVersion = $reader.GetString(0)",
        "$sqlEdition = $reader.GetString(1)",
        "$sqlCollation = $reader.GetString(2)",
        "$connection.Close()",
        _supported_sql(),
        "$parsed = $sqlVersion -as [version]",
        "$release = ''",
        "if ($parsed) { $release = [string]$parsed.Major + '.' + [string]$parsed.Minor }",
        "$editionName = ($sqlEdition -split ' Edition')[0]",
        "if (-not $supported.ContainsKey($release) -or $supported[$release] -notcontains $editionName) { $problems += ('SQL Server '"
        " + $sqlSource + ' runs ' + $sqlVersion + ' ' + $sqlEdition + ', not 2008 R2 Standard/Enterprise/Datacenter or 2008 Standard/Enterprise') }",
        "if ($sqlEdition -notlike '*(64-bit)*') { $problems += ('SQL Server ' + $sqlSource + ' is not 64-bit (' + $sqlEdition + ')') }",
        "if ($sqlCollation -notmatch '_CI(_|$)') { $problems += ('SQL Server ' + $sqlSource + ' collation ' + $sqlCollation + ' is not case-insensitive') }",
    ]


def _upgrade(inv: Invocation) -> list[str]:
    return UPGRADE_CHECKS + _sql_checks(inv) + [UPGRADE_STOP] + _vmm_setup("VMM2012", ["'/server'", "'/i'", "'/IACCEPTSCEULA'", "'/f'",
                                                   "(Get-PreflightMedia -Path 'VMServer.ini')"])


def _upgraded(inv: Invocation) -> list[str]:
    return [*VMM_SERVICE_VERSION, "[bool]($vmmVersion -and $vmmVersion -ge [version]'3.0')"]


def _dkm_paths(inv: Invocation) -> tuple[str, str]:
    server = "LDAP://" + inv.p("domain") + "/"
    return q(server + inv.p("parent")), q(server + "CN=" + inv.p("container_name") + "," + inv.p("parent"))


def _dkm(inv: Invocation) -> list[str]:
    # ADSI from the admin workstation reaches a domain controller of the domain: no remote session, no RSAT.
    parent, _ = _dkm_paths(inv)
    return [
        f"$parent = New-Object -TypeName System.DirectoryServices.DirectoryEntry -ArgumentList {parent}",
        f"$container = $parent.Create('container', {q('CN=' + inv.p('container_name'))})",
        "$container.SetInfo()",
    ]


def _dkm_exists(inv: Invocation) -> list[str]:
    _, path = _dkm_paths(inv)
    return [f"[System.DirectoryServices.DirectoryEntry]::Exists({path})"]


def _remove_pro(inv: Invocation) -> list[str]:
    return [
        f"Add-PSSnapin {q(VMM_SNAPIN)}",
        "$vmm = Get-VMMServer -ComputerName 'localhost'",
        "Get-VMHostGroup -VMMServer $vmm | Set-VMHostGroup -PROEnabled $false | Out-Null",
    ]


def _manual(inv: Invocation) -> list[str]:
    return [f"Write-Warning ({q('MANUAL STEP on ' + inv.object_name + ': ')} + {q(inv.p('instruction'))})"]


def _derive_instance(plan: Planning, params: dict[str, str]) -> str | None:
    sql = plan.index.sql_servers.get(plan.where.object_name)
    params.setdefault("instance", sql.instance if sql is not None else "MSSQLSERVER")
    return None


def _derive_dkm(plan: Planning, params: dict[str, str]) -> str | None:
    server = plan.index.vmm_servers.get(plan.where.object_name)
    domain = server.domain if server is not None and isinstance(server.domain, str) else plan.estate_domain()
    params.setdefault("container_name", DKM_CONTAINER)
    params.setdefault("parent", ",".join(f"DC={p}" for p in (domain or "").split(".") if p))
    params.setdefault("domain", domain or "")
    return None if domain else "the server is in no domain: DKM needs AD DS"


def _derive_library(plan: Planning, params: dict[str, str]) -> str | None:
    params.setdefault("instruction", f"Move the library shares of {plan.finding_target} to a Windows Server 2008 R2 "
                      "library server, then remove it from VMM")
    return None


def _derive_database(plan: Planning, params: dict[str, str]) -> str | None:
    # Not collected: the script reads VMM's own registry entry for its database instead (never blocks the step).
    server = plan.index.vmm_servers.get(plan.where.object_name)
    vmm = server.vmm if server is not None and server.vmm not in (None, UNSET) else None
    database = vmm.database if vmm is not None and vmm.database is not UNSET else None
    params.setdefault("sql_server", database.server if database is not None else "")
    params.setdefault("instance", database.instance if database is not None and isinstance(database.instance, str)
                      else (DEFAULT_INSTANCE if database is not None else ""))
    return None


def _derive_instruction(plan: Planning, params: dict[str, str]) -> str | None:
    params.setdefault("instruction", "")
    return None


_MANUAL = ("Write-Warning",)
_VERSION_COMMANDS = ("Get-WmiObject", "Where-Object", "Get-Item")

register(ActionSpec(
    "change-sql-edition", "Upgrade the SQL Server edition (Edition Upgrade)",
    (Param("edition", "Target edition", choices=SQL_EDITIONS), Param("instance", "Instance name")), ("sql_servers",),
    ("the target edition ranks above the current one (Express < Standard < Enterprise < Datacenter)",),
    ("SQL Server runs the new edition",), restart=False, offline=True, duration_min=45,
    commands=("Get-PreflightMedia", "Join-Path", "Invoke-PreflightInstaller", "Get-ItemProperty"),
    render=_edition, test=_edition_done, phase=Phase.SQL_EDITION, derive=_derive_instance))
register(ActionSpec(
    "rebuild-sql-collation", "Rebuild the SQL Server system databases with a case-insensitive collation",
    (Param("collation", "Server collation", pattern=r"[A-Za-z0-9_]+_CI_[A-Za-z0-9_]+"), Param("instance", "Instance name")),
    ("sql_servers",), ("the collation is case-insensitive",), ("the instance collation is the new one",),
    restart=False, offline=True, duration_min=120,
    commands=("Get-PreflightMedia", "Join-Path", "Invoke-PreflightInstaller", "New-Object"), render=_collation,
    test=_collation_done,
    phase=Phase.SQL_COLLATION, point_of_no_return=True, derive=_derive_instance))
register(ActionSpec(
    "apply-vmm-2008r2-sp1", "Apply VMM 2008 R2 Service Pack 1", (), ("vmm_servers",),
    ("VMM 2008 R2 (2.0.4271 or later) is installed",), ("VMM reads 2.0.4521 (2008 R2 SP1)",),
    restart=False, offline=True, duration_min=45, render=_sp1, test=_sp1_done,
    commands=("Get-PreflightMedia", "Join-Path", "Invoke-PreflightInstaller", *_VERSION_COMMANDS), phase=Phase.VMM_SERVICE_PACK))
register(ActionSpec(
    "create-dkm-container", "Create the Distributed Key Management container in AD DS",
    (Param("container_name", "Container CN"), Param("parent", "Parent DN"), Param("domain", "Domain")), ("vmm_servers",),
    ("the VMM server is a domain member",), ("VMM 2012 setup can store its keys in the container",),
    restart=False, offline=False, duration_min=5, commands=("New-Object",), render=_dkm, test=_dkm_exists, phase=Phase.DKM, channels=(LOCAL,),
    scope=lambda p: (p.get("domain", ""), p.get("parent", ""), p.get("container_name", "")), derive=_derive_dkm))
register(ActionSpec(
    "remove-pro-connection", "Disable PRO and record the Operations Manager connection before the upgrade", (),
    ("vmm_servers",), ("a PRO connection is configured",),
    ("PRO is off; the connection must be re-created in VMM 2012 after the upgrade",),
    restart=False, offline=False, duration_min=10,
    commands=("Add-PSSnapin", "Get-VMMServer", "Get-VMHostGroup", "Set-VMHostGroup", "Out-Null"),
    render=_remove_pro, phase=Phase.PRO))
register(ActionSpec(
    "migrate-library-server", "Move a Windows Server 2003 library server's content to a Windows Server 2008 R2 server",
    (Param("instruction", "What to do", required=False, shown=False),), ("library_servers",), ("a 2008 R2 file server to move to",),
    ("the library is served from a supported OS",), restart=False, offline=False, duration_min=240,
    commands=_MANUAL, render=_manual, phase=Phase.LIBRARY, manual=True, remote=False,
    derive=_derive_library))
register(ActionSpec(
    "manual", "A manual step (hardware, memory, switch configuration)",
    (Param("instruction", "What to do", shown=False),), ("*",), ("someone with access to do it",), ("none until done by hand",),
    restart=False, offline=False, duration_min=60, commands=_MANUAL, render=_manual, phase=Phase.MANUAL, manual=True, remote=False,
    derive=_derive_instruction))
register(ActionSpec(
    "upgrade-vmm-2012", "Run VMM 2012 setup (in-place upgrade of the management server and its database)",
    (Param("sql_server", "SQL Server holding the VMM database (empty: read from VMM's registry)", required=False, shown=False),
     Param("instance", "Its instance name", required=False, shown=False)),
    ("vmm_servers",), ("VMM 2012 setup's prerequisite checks pass",),
    ("VMM 2012 installed; unsupported hosts removed; PRO connection dropped; services renamed",),
    restart=False, offline=True, duration_min=90, render=_upgrade, test=_upgraded,
    commands=("Get-PreflightMedia", "Join-Path", "Invoke-PreflightInstaller", "Get-PreflightProduct", "Get-ItemProperty",
              "New-Object", "Out-Null", *_VERSION_COMMANDS),
    phase=Phase.VMM_UPGRADE, point_of_no_return=True, internal=True, derive=_derive_database))
