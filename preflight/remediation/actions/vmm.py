"""VMM and SQL Server actions, the VMM 2012 upgrade itself, and manual instructions.

Installer paths are relative to `$MediaShare` (the folder the script runs from); the file names are the
ones on the product media and may need adjusting to the media a site downloaded.
"""

from __future__ import annotations

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


def _sql_setup(arguments: list[str]) -> list[str]:
    return [
        "$setup = Join-Path -Path $MediaShare -ChildPath 'SQL2008R2\\setup.exe'",
        f"$process = Start-Process -FilePath $setup -ArgumentList @({', '.join(arguments)}) -Wait -PassThru",
        "if ($process.ExitCode -ne 0) { throw ('SQL Server setup failed with exit code ' + $process.ExitCode) }",
    ]


def _edition(inv: Invocation) -> list[str]:
    lines = [f"$productKey = Read-Host -Prompt {q('Product key for SQL Server ' + inv.p('edition'))}"]
    return lines + _sql_setup(["'/Q'", "'/ACTION=EditionUpgrade'", f"('/INSTANCENAME=' + {q(inv.p('instance'))})",
                               "('/PID=' + $productKey)", "'/IACCEPTSQLSERVERLICENSETERMS'"])


def _collation(inv: Invocation) -> list[str]:
    lines = ["# Rebuilding the system databases drops logins, jobs and attached user databases:",
             "# back up and detach the VMM database first, re-attach and re-create logins afterwards."]
    return lines + _sql_setup(["'/Q'", "'/ACTION=REBUILDDATABASE'", f"('/INSTANCENAME=' + {q(inv.p('instance'))})",
                               "('/SQLSYSADMINACCOUNTS=' + $env:USERDOMAIN + '\\' + $env:USERNAME)",
                               f"('/SQLCOLLATION=' + {q(inv.p('collation'))})"])


def _vmm_setup(folder: str, arguments: list[str]) -> list[str]:
    setup = q(folder + "\\setup.exe")
    return [
        f"$setup = Join-Path -Path $MediaShare -ChildPath {setup}",
        f"$process = Start-Process -FilePath $setup -ArgumentList @({', '.join(arguments)}) -Wait -PassThru",
        "if ($process.ExitCode -ne 0) { throw ('VMM setup failed with exit code ' + $process.ExitCode) }",
    ]


def _sp1(inv: Invocation) -> list[str]:
    return _vmm_setup("VMM2008R2SP1", ["'/server'", "'/i'", "'/IACCEPTSCEULA'"])


def _upgrade(inv: Invocation) -> list[str]:
    return _vmm_setup("VMM2012", ["'/server'", "'/i'", "'/IACCEPTSCEULA'", "'/f'", "(Join-Path -Path $MediaShare -ChildPath 'VMServer.ini')"])


def _dkm(inv: Invocation) -> list[str]:
    return [
        "Import-Module ActiveDirectory",
        f"New-ADObject -Name {q(inv.p('container_name'))} -Type 'Container' -Path {q(inv.p('parent'))} -Server {q(inv.p('domain'))}",
    ]


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


def _derive_instruction(plan: Planning, params: dict[str, str]) -> str | None:
    params.setdefault("instruction", "")
    return None


_MANUAL = ("Write-Warning",)

register(ActionSpec(
    "change-sql-edition", "Upgrade the SQL Server edition (Edition Upgrade)",
    (Param("edition", "Target edition", choices=SQL_EDITIONS), Param("instance", "Instance name")), ("sql_servers",),
    ("the target edition ranks above the current one (Express < Standard < Enterprise < Datacenter)",),
    ("SQL Server runs the new edition",), restart=False, offline=True, duration_min=45,
    commands=("Read-Host", "Join-Path", "Start-Process"), render=_edition, phase=Phase.SQL_EDITION, derive=_derive_instance))
register(ActionSpec(
    "rebuild-sql-collation", "Rebuild the SQL Server system databases with a case-insensitive collation",
    (Param("collation", "Server collation", pattern=r"[A-Za-z0-9_]+_CI_[A-Za-z0-9_]+"), Param("instance", "Instance name")),
    ("sql_servers",), ("the collation is case-insensitive",), ("the instance collation is the new one",),
    restart=False, offline=True, duration_min=120, commands=("Join-Path", "Start-Process"), render=_collation,
    phase=Phase.SQL_COLLATION, point_of_no_return=True, derive=_derive_instance))
register(ActionSpec(
    "apply-vmm-2008r2-sp1", "Apply VMM 2008 R2 Service Pack 1", (), ("vmm_servers",),
    ("VMM 2008 R2 (2.0.4271 or later) is installed",), ("VMM reads 2.0.4521 (2008 R2 SP1)",),
    restart=False, offline=True, duration_min=45, commands=("Join-Path", "Start-Process"), render=_sp1, phase=Phase.VMM_SERVICE_PACK))
register(ActionSpec(
    "create-dkm-container", "Create the Distributed Key Management container in AD DS",
    (Param("container_name", "Container CN"), Param("parent", "Parent DN"), Param("domain", "Domain")), ("vmm_servers",),
    ("the VMM server is a domain member",), ("VMM 2012 setup can store its keys in the container",),
    restart=False, offline=False, duration_min=5, commands=("Import-Module", "New-ADObject"), render=_dkm, phase=Phase.DKM, derive=_derive_dkm,
    channels=(LOCAL,)))  # AD cmdlets on the workstation name the domain (-Server): no member-server session
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
    "upgrade-vmm-2012", "Run VMM 2012 setup (in-place upgrade of the management server and its database)", (),
    ("vmm_servers",), ("VMM 2012 setup's prerequisite checks pass",),
    ("VMM 2012 installed; unsupported hosts removed; PRO connection dropped; services renamed",),
    restart=False, offline=True, duration_min=90, commands=("Join-Path", "Start-Process"), render=_upgrade,
    phase=Phase.VMM_UPGRADE, point_of_no_return=True, internal=True))
