"""Windows actions: services, roles and features, software, hotfixes, computer name, domain, firewall.

Everything renders in PowerShell 2.0 syntax (Windows Server 2008 R2): ServerManager's
`Add-WindowsFeature`, WMI for rename and domain join, the firewall COM object before 2012.
"""

from __future__ import annotations

import re

from preflight.inventory.index import SnapshotIndex
from preflight.remediation.actions.base import (
    COMPUTER_KINDS,
    DCOM,
    WINRM,
    ActionSpec,
    Invocation,
    Param,
    Planning,
    register,
)
from preflight.remediation.actions.phases import Phase
from preflight.remediation.installers import STAGING
from preflight.remediation.literals import ps_quote as q

START_MODES = {"auto": "Automatic", "manual": "Manual", "disabled": "Disabled"}
RESTART_FEATURES = frozenset({"hyper-v", "failover-clustering"})

# Installers preflight knows how to run, by package id: (display name, version, file under the media share, arguments).
PACKAGES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "waik-windows7": ("Windows Automated Installation Kit", "2.0.0.0", "WAIK\\wAIKAMD64.msi", ("/qn", "/norestart")),
    "sql2008r2-command-line-utilities": ("Microsoft SQL Server 2008 R2 Command Line Utilities", "10.50.1600.1",
                      "SQL2008R2\\SqlCmdLnUtils.msi", ("/qn", "IACCEPTSQLNCLILICENSETERMS=YES")),
}


def _start_service(inv: Invocation) -> list[str]:
    if inv.via == DCOM:  # from the workstation through the service control manager: works with WinRM stopped
        return [f"Set-Service -ComputerName {q(inv.server)} -Name {q(inv.p('service'))} -Status Running"]
    return [f"Start-Service -Name {q(inv.p('service'))}"]


def _on(inv: Invocation) -> str:
    """`-ComputerName <server> ` when the step reaches its server over DCOM (it runs on the workstation)."""
    return f"-ComputerName {q(inv.server)} " if inv.via == DCOM else ""


def _service_running(inv: Invocation) -> list[str]:
    return [f"(Get-Service {_on(inv)}-Name {q(inv.p('service'))}).Status -eq 'Running'"]


def _set_start_mode(inv: Invocation) -> list[str]:
    mode = inv.p("start_mode").casefold()
    remote = f"-ComputerName {q(inv.server)} " if inv.via == DCOM else ""
    lines = [f"Set-Service {remote}-Name {q(inv.p('service'))} -StartupType {START_MODES[mode]}"]
    if mode == "auto" and inv.p("service").casefold() == "winrm":
        target = f"{q(chr(92) * 2 + inv.server)} " if inv.via == DCOM else ""
        lines.append(f"& sc.exe {target}config {q(inv.p('service'))} start= delayed-auto | Out-Null")
    return lines


def _start_mode_set(inv: Invocation) -> list[str]:
    # Win32_Service.StartMode reads Auto / Manual / Disabled (a delayed start is still Auto).
    return [f"$service = @(Get-WmiObject -Class Win32_Service {_on(inv)}| Where-Object {{ $_.Name -eq {q(inv.p('service'))} }})",
            f"$service.Count -eq 1 -and $service[0].StartMode -eq {q(inv.p('start_mode').capitalize())}"]


def _enable_feature(inv: Invocation) -> list[str]:
    return ["Import-Module ServerManager", f"Add-WindowsFeature -Name {q(inv.p('feature'))} | Out-Null"]


def _feature_installed(inv: Invocation) -> list[str]:
    return ["Import-Module ServerManager", f"$feature = Get-WindowsFeature -Name {q(inv.p('feature'))}",
            "[bool]($feature -and $feature.Installed)"]


def _old_products(inv: Invocation) -> str:
    below = inv.p("below_version")
    # With a version bound only products proven older are removed: a kit whose version cannot be read stays.
    version_test = f" -and $_.Version -and $_.Version -lt [version]{q(below)}" if below else ""
    return (f"@(Get-PreflightProduct -Pattern {q(inv.p('pattern'))} | "
            f"Where-Object {{ $_.Code -match '^\\{{[0-9A-Fa-f-]+\\}}$'{version_test} }})")


def _uninstall(inv: Invocation) -> list[str]:
    return [
        f"foreach ($product in {_old_products(inv)}) {{",
        f"    $log = Join-Path -Path $env:SystemRoot -ChildPath ({q(STAGING + chr(92) + 'uninstall-')} + $product.Code + '.log')",
        "    Invoke-PreflightInstaller -FilePath 'msiexec.exe' -ArgumentList @('/x', $product.Code, '/qn', '/norestart', "
        "'/l*v', $log) -LogPath $log -What ('Removing ' + $product.Name)",
        "}",
    ]


def _uninstalled(inv: Invocation) -> list[str]:
    return [f"{_old_products(inv)}.Count -eq 0"]


def _install_log(name: str) -> str:
    return f"$log = Join-Path -Path $env:SystemRoot -ChildPath {q(STAGING + chr(92) + name + '.log')}"


def _install(inv: Invocation) -> list[str]:
    title, _, file, arguments = PACKAGES[inv.p("package")]
    args = ", ".join(q(a) for a in arguments)
    return [
        f"$installer = Get-PreflightMedia -Path {q(file)}",
        _install_log("install-" + inv.p("package")),
        f"Invoke-PreflightInstaller -FilePath 'msiexec.exe' -ArgumentList @('/i', $installer, {args}, '/l*v', $log) "
        f"-LogPath $log -What {q('Installing ' + title)}",
    ]


def _installed(inv: Invocation) -> list[str]:
    title, version, _, _ = PACKAGES[inv.p("package")]
    return [f"@(Get-PreflightProduct -Pattern {q('^' + re.escape(title) + '$')} | "
            f"Where-Object {{ $_.Version -and $_.Version -ge [version]{q(version)} }}).Count -gt 0"]


def _hotfix(inv: Invocation) -> list[str]:
    return [
        f"$package = Get-PreflightMedia -Path {q('*' + inv.p('kb') + '*.msu')}",
        # wusa /log writes an event log file (.evtx)
        f"$log = Join-Path -Path $env:SystemRoot -ChildPath {q(STAGING + chr(92) + inv.p('kb') + '.evtx')}",
        "Invoke-PreflightInstaller -FilePath 'wusa.exe' -ArgumentList @($package, '/quiet', '/norestart', ('/log:' + $log)) "
        f"-LogPath $log -What {q('Installing ' + inv.p('kb'))}",
    ]


def _hotfix_installed(inv: Invocation) -> list[str]:
    return [f"@(Get-WmiObject -Class Win32_QuickFixEngineering | Where-Object {{ $_.HotFixID -eq {q(inv.p('kb'))} }}).Count -gt 0"]


def _rename(inv: Invocation) -> list[str]:
    return [
        "$credential = Get-PreflightCredential",
        f"$computer = Get-WmiObject -Class Win32_ComputerSystem -ComputerName {q(inv.server)}",
        f"$result = $computer.Rename({q(inv.p('new_name'))}, $credential.GetNetworkCredential().Password, $credential.UserName)",
        "if ($result.ReturnValue -ne 0) { throw ('Rename failed with code ' + $result.ReturnValue) }",
    ]


def _renamed(inv: Invocation) -> list[str]:
    new = q(inv.p("new_name"))
    return [
        "$done = $false",
        # after the restart the computer answers to its new name; before it, the new name is pending in the registry
        f"try {{ $done = (Get-WmiObject -Class Win32_ComputerSystem -ComputerName {new}).Name -eq {new} }} catch {{ $done = $false }}",
        "if (-not $done) {",
        f"    $registry = Get-WmiObject -List -Namespace 'root\\default' -ComputerName {q(inv.server)} | "
        "Where-Object { $_.Name -eq 'StdRegProv' }",
        "    $done = $registry.GetStringValue([uint32]2147483650, 'SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName', "
        f"'ComputerName').sValue -eq {new}",
        "}",
        "$done",
    ]


def _join(inv: Invocation) -> list[str]:
    return [
        "$credential = Get-PreflightCredential",
        f"$computer = Get-WmiObject -Class Win32_ComputerSystem -ComputerName {q(inv.server)}",
        # 3 = join a domain (1) + create the computer account (2)
        f"$result = $computer.JoinDomainOrWorkgroup({q(inv.p('domain'))}, $credential.GetNetworkCredential().Password, "
        "$credential.UserName, $null, 3)",
        "if ($result.ReturnValue -ne 0) { throw ('Domain join failed with code ' + $result.ReturnValue) }",
    ]


def _joined(inv: Invocation) -> list[str]:
    return [
        f"$computer = Get-WmiObject -Class Win32_ComputerSystem -ComputerName {q(inv.server)}",
        f"$computer.PartOfDomain -and $computer.Domain -eq {q(inv.p('domain'))}",
    ]


def new_computer_name(name: str, index: SnapshotIndex) -> str:
    """A name VMM 2012 accepts (no '-SCVMM-', at most 15 characters) that no other computer or cluster uses."""
    base = re.sub("-SCVMM-", "-VMM-", name, flags=re.I)[:15].rstrip("-") or "SERVER"
    candidate, n = base, 1
    while candidate.casefold() != name.casefold() and (index.computer(candidate) is not None or candidate in index.clusters):
        suffix = str(n)
        candidate, n = base[: 15 - len(suffix)] + suffix, n + 1
    return candidate


def _derive_new_name(plan: Planning, params: dict[str, str]) -> str | None:
    params.setdefault("new_name", new_computer_name(plan.where.object_name, plan.index))
    return None


def _derive_domain(plan: Planning, params: dict[str, str]) -> str | None:
    domain = plan.estate_domain()
    params.setdefault("domain", domain or "")
    return None if domain else "the estate names no domain to join"


def _firewall(inv: Invocation) -> list[str]:
    if inv.os_at_least_2012:
        return [f"Enable-NetFirewallRule -Name {q(inv.p('rule'))}"]
    return [
        "$policy = New-Object -ComObject HNetCfg.FwPolicy2",
        f"foreach ($rule in $policy.Rules) {{ if ($rule.Name -eq {q(inv.p('rule'))}) {{ $rule.Enabled = $true }} }}",
    ]


def _firewall_enabled(inv: Invocation) -> list[str]:
    if inv.os_at_least_2012:
        return [f"$rules = @(Get-NetFirewallRule -Name {q(inv.p('rule'))} -ErrorAction SilentlyContinue)",
                "$rules.Count -gt 0 -and @($rules | Where-Object { $_.Enabled -ne 'True' }).Count -eq 0"]
    return [
        "$policy = New-Object -ComObject HNetCfg.FwPolicy2",
        f"$rules = @($policy.Rules | Where-Object {{ $_.Name -eq {q(inv.p('rule'))} }})",
        "$rules.Count -gt 0 -and @($rules | Where-Object { -not $_.Enabled }).Count -eq 0",
    ]


register(ActionSpec(
    "start-service", "Start a service", (Param("service", "Service name"),), COMPUTER_KINDS,
    ("the service is installed", "the service is not Disabled"), ("service state is Running",),
    restart=False, offline=False, duration_min=1, commands=("Start-Service", "Set-Service", "Get-Service"), render=_start_service,
    test=_service_running, channels=(WINRM, DCOM),
    phase=Phase.AFTER_RESTART))
register(ActionSpec(
    "set-service-start-mode", "Set a service's start mode",
    (Param("service", "Service name"), Param("start_mode", "Start mode", choices=("Auto", "Manual", "Disabled"))),
    COMPUTER_KINDS, ("the service is installed",), ("service start mode is set (WinRM: Automatic, delayed start)",),
    restart=False, offline=False, duration_min=1, commands=("Set-Service", "sc.exe", "Out-Null", "Get-WmiObject", "Where-Object"),
    render=_set_start_mode, test=_start_mode_set, channels=(WINRM, DCOM), phase=Phase.SERVICE_START_MODE))
register(ActionSpec(
    "enable-windows-feature", "Install a Windows role or feature", (Param("feature", "Get-WindowsFeature name"),),
    COMPUTER_KINDS, ("Windows Server 2008 R2 or later",), ("the feature is installed (after a restart where it needs one)",),
    restart=False, offline=False, duration_min=10, commands=("Import-Module", "Add-WindowsFeature", "Out-Null", "Get-WindowsFeature"),
    render=_enable_feature, test=_feature_installed, phase=Phase.FEATURE, restart_when=lambda p: p.get("feature", "").casefold() in RESTART_FEATURES))
register(ActionSpec(
    "uninstall-software", "Uninstall software (Windows Installer products matching a pattern)",
    (Param("pattern", "Regular expression on the Programs and Features name"),
     Param("below_version", "Only versions below this one (e.g. 2.0 for the pre-Windows 7 WAIK)",
           pattern=r"\d+(\.\d+){0,3}", required=False)), COMPUTER_KINDS,
    (), ("no installed product matching the pattern (below the version bound, if given) is left",),
    restart=False, offline=False, duration_min=10,
    commands=("Get-PreflightProduct", "Where-Object", "Join-Path", "Invoke-PreflightInstaller"), render=_uninstall,
    test=_uninstalled, phase=Phase.UNINSTALL))
register(ActionSpec(
    "install-software", "Install a software package (copied from the script's folder to the server)",
    (Param("package", "Package id", choices=tuple(PACKAGES)),), COMPUTER_KINDS,
    ("no older version that the installer refuses to upgrade is present (WAIK: no pre-Windows 7 WAIK)",),
    ("the package is listed in Programs and Features",),
    restart=False, offline=False, duration_min=15, commands=("Get-PreflightMedia", "Join-Path", "Invoke-PreflightInstaller", "Get-PreflightProduct", "Where-Object"),
    render=_install, test=_installed, phase=Phase.INSTALL,
    runs_after=("uninstall-software",)))
register(ActionSpec(
    "install-hotfix", "Install a hotfix (.msu copied from the script's folder to the server)", (Param("kb", "KB id", pattern=r"KB\d{6,8}"),),
    ("hosts", "vmm_servers", "sql_servers", "library_servers"), ("a Windows computer",),
    ("the hotfix is active after the restart",), restart=True, offline=False, duration_min=10,
    commands=("Get-PreflightMedia", "Join-Path", "Invoke-PreflightInstaller", "Get-WmiObject", "Where-Object"),
    render=_hotfix, test=_hotfix_installed, phase=Phase.HOTFIX))
register(ActionSpec(
    "rename-computer", "Rename the computer", (Param("new_name", "New NetBIOS name", pattern=r"[A-Za-z0-9-]{1,15}"),),
    COMPUTER_KINDS, ("no VMM management server or agent role installed (renaming one is unsupported)", "the new name is free"),
    ("the computer has its new name after the restart",), restart=True, offline=False, duration_min=5,
    commands=("Get-PreflightCredential", "Get-WmiObject", "Where-Object"), render=_rename, test=_renamed,
    phase=Phase.RENAME, remote=False, derive=_derive_new_name,
    channels=(DCOM,)))
register(ActionSpec(
    "join-domain", "Join the computer to the domain", (Param("domain", "AD domain to join"),), COMPUTER_KINDS,
    ("the domain exists in the estate",), ("the computer is a domain member after the restart",),
    restart=True, offline=False, duration_min=5, commands=("Get-PreflightCredential", "Get-WmiObject"),
    render=_join, test=_joined, phase=Phase.JOIN_DOMAIN, remote=False, derive=_derive_domain, channels=(DCOM,)))
register(ActionSpec(
    "enable-firewall-rule", "Enable a Windows Firewall rule", (Param("rule", "Firewall rule name"),),
    ("hosts", "vmm_servers", "sql_servers", "library_servers", "clusters"),
    ("the rule exists on the computer",), ("the rule is enabled",), restart=False, offline=False, duration_min=1,
    commands=("Enable-NetFirewallRule", "New-Object", "Get-NetFirewallRule", "Where-Object"),
    render=_firewall, test=_firewall_enabled, phase=Phase.FIREWALL, replica_side=True))
