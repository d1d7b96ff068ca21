"""Each action's -Body and -Test: the test reads the effect the body makes, installers run from the target's
own disk through the exit-code check, every channel renders PowerShell 2.0 with literal values."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from psparse import NOT_PS2, parse

from preflight.inventory.moves import Move
from preflight.remediation.actions import ACTIONS, Invocation
from preflight.remediation.actions.base import DCOM, LOCAL, WINRM
from preflight.remediation.literals import ps_quote as q
from preflight.remediation.powershell import render_script, script_commands
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_header import HEADER

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

WITHOUT_TEST = {"manual", "migrate-library-server", "remove-pro-connection", "backup-vmm-database", "restart-cluster-nodes"}
"""Actions whose step has no -Test: a person's step, one whose Body is harmless to repeat (PRO off again),
the backup, which a rerun must take again (the destructive step after it needs the newest copy of the data),
and the cluster node restarts, which the planner never emits as one step (each node's drain, restart and
resume is its own step with its own test)."""


def _inv(action: str, server: str = "VMM01", kind: str = "vmm_servers", **params: str) -> Invocation:
    return Invocation(action, server, kind, server, params, os_version="6.1.7601")


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_but_a_few_checks_whether_its_effect_already_holds(name: str) -> None:
    spec = ACTIONS[name]
    assert (spec.test is None) == (name in WITHOUT_TEST)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_installers_run_from_the_targets_own_disk_through_the_exit_code_check(name: str) -> None:
    spec = ACTIONS[name]
    params = {"package": "waik-windows7", "kb": "KB2526776", "pattern": "WAIK", "edition": "Standard",
              "instance": "MSSQLSERVER", "collation": "SQL_Latin1_General_CP1_CI_AS", "size_mb": "512",
              "start_mode": "Auto", "authentication": "Kerberos"}
    inv = Invocation(name, "VMM01", spec.targets[0], "VMM01", params, item="X", os_version="6.1.7601",
                     moves=(Move("VM1", "VMM01", "HV02"),))
    body = "\n".join(spec.render(inv))
    assert "$MediaShare" not in body  # a share read inside a remote session is the Kerberos second hop
    assert "Start-Process" not in body  # installers go through Invoke-PreflightInstaller (exit codes, logs)
    if "Get-PreflightMedia" in body:  # the header copies what the body names to the target before it runs there
        assert spec.vias == (WINRM,)
        assert re.findall(r"Get-PreflightMedia -Path '[^']+'", body), "media is named by a literal path"
    if "Invoke-PreflightInstaller" in body:
        assert "-LogPath $log" in body
    if "msiexec.exe" in body:
        assert "'/l*v', $log" in body


@pytest.mark.parametrize("action", ["start-service", "set-service-start-mode", "restart-computer"])
def test_what_starts_winrm_does_not_need_winrm(action: str) -> None:
    spec = ACTIONS[action]
    assert DCOM in spec.vias
    inv = Invocation(action, "VMM01", "vmm_servers", "VMM01", {"service": "WinRM", "start_mode": "Auto"}, via=DCOM)
    text = "\n".join(spec.render(inv) + (spec.test(inv) if spec.test else []))
    assert "Invoke-Command" not in text and "Enter-PSSession" not in text
    assert "-ComputerName 'VMM01'" in text


def test_start_service_body_and_test_follow_the_channel() -> None:
    spec = ACTIONS["start-service"]
    dcom = Invocation("start-service", "VMM01", "vmm_servers", "VMM01", {"service": "WinRM"}, via=DCOM)
    assert spec.render(dcom) == ["Set-Service -ComputerName 'VMM01' -Name 'WinRM' -Status Running"]
    assert spec.test(dcom) == ["(Get-Service -ComputerName 'VMM01' -Name 'WinRM').Status -eq 'Running'"]  # type: ignore[misc]
    winrm = Invocation("start-service", "VMM01", "vmm_servers", "VMM01", {"service": "VMMService"}, via=WINRM)
    assert spec.render(winrm) == ["Start-Service -Name 'VMMService'"]
    assert spec.test(winrm) == ["(Get-Service -Name 'VMMService').Status -eq 'Running'"]  # type: ignore[misc]


def test_hotfix_test_looks_for_the_kb_among_installed_updates() -> None:
    inv = _inv("install-hotfix", kb="KB2526776")
    test = "\n".join(ACTIONS["install-hotfix"].test(inv))  # type: ignore[misc]
    assert "Win32_QuickFixEngineering" in test and "$_.HotFixID -eq 'KB2526776'" in test
    body = "\n".join(ACTIONS["install-hotfix"].render(inv))
    assert "Get-PreflightMedia -Path '*KB2526776*.msu'" in body and "'wusa.exe'" in body and "'/log:'" in body


def test_install_test_wants_the_packages_name_and_version() -> None:
    inv = _inv("install-software", package="waik-windows7")
    test = "\n".join(ACTIONS["install-software"].test(inv))  # type: ignore[misc]
    assert "Get-PreflightProduct -Pattern '^Windows\\ Automated\\ Installation\\ Kit$'" in test
    assert "$_.Version -ge [version]'2.0.0.0'" in test
    assert "Get-PreflightMedia -Path 'WAIK\\wAIKAMD64.msi'" in "\n".join(ACTIONS["install-software"].render(inv))


def test_uninstall_test_and_body_select_the_same_products() -> None:
    inv = _inv("uninstall-software", pattern="Windows AIK", below_version="2.0")
    selection = "@(Get-PreflightProduct -Pattern 'Windows AIK' | Where-Object { $_.Code -match '^\\{[0-9A-Fa-f-]+\\}$' " \
                "-and $_.Version -and $_.Version -lt [version]'2.0' })"
    assert ACTIONS["uninstall-software"].test(inv) == [selection + ".Count -eq 0"]  # type: ignore[misc]
    assert ACTIONS["uninstall-software"].render(inv)[0] == f"foreach ($product in {selection}) {{"


def test_feature_test_asks_server_manager() -> None:
    test = ACTIONS["enable-windows-feature"].test(_inv("enable-windows-feature", feature="Hyper-V"))  # type: ignore[misc]
    assert test == ["Import-Module ServerManager", "$feature = Get-WindowsFeature -Name 'Hyper-V'",
                    "[bool]($feature -and $feature.Installed)"]


def test_dkm_container_is_created_from_the_workstation_once() -> None:
    inv = _inv("create-dkm-container", container_name="VMMDKM", parent="DC=fabrikam,DC=local", domain="fabrikam.local")
    spec = ACTIONS["create-dkm-container"]
    assert spec.vias == (LOCAL,)  # ADSI reaches a domain controller; no remote session on a member server
    assert spec.test(inv) == ["[System.DirectoryServices.DirectoryEntry]::Exists('LDAP://fabrikam.local/CN=VMMDKM,DC=fabrikam,DC=local')"]  # type: ignore[misc]
    assert "$parent.Create('container', 'CN=VMMDKM')" in "\n".join(spec.render(inv))


def test_upgrade_rechecks_its_prerequisites_before_setup_starts() -> None:
    body = ACTIONS["upgrade-vmm-2012"].render(_inv("upgrade-vmm-2012"))
    stop = next(i for i, line in enumerate(body) if line.startswith("if ($problems.Count -gt 0) { throw"))
    setup = next(i for i, line in enumerate(body) if "Invoke-PreflightInstaller" in line)
    assert stop < setup
    checks = "\n".join(body[:stop])
    for needle in ("PartOfDomain", "$env:COMPUTERNAME.Length -gt 15", "-match '-SCVMM-'", "6.1.*", "64-bit",
                   "[version]'2.0.4521.0'", "Windows Automated Installation Kit"):
        assert needle in checks, needle


def test_upgrade_rechecks_the_sql_server_of_its_database_before_setup_starts() -> None:
    """Version and edition, 64-bit and a case-insensitive collation, read from the instance with one SELECT."""
    from preflight.emulator.setup import SQL_SUPPORTED
    from preflight.remediation.actions.vmm import SQL_PROPERTIES

    body = ACTIONS["upgrade-vmm-2012"].render(_inv("upgrade-vmm-2012", sql_server="NWSQL01", instance="VMM"))
    text = "\n".join(body)
    stop = next(i for i, line in enumerate(body) if line.startswith("if ($problems.Count -gt 0) { throw"))
    sql = next(i for i, line in enumerate(body) if line == "$sqlSource = 'NWSQL01\\VMM'")
    assert sql < body.index("    $connection.Open()") < stop < next(i for i, line in enumerate(body) if "Invoke-PreflightInstaller" in line)
    # read-only: the one command text is a SELECT of server properties
    assert [line for line in body if "CommandText" in line] == ["$command.CommandText = " + q(SQL_PROPERTIES)]
    assert SQL_PROPERTIES.startswith("SELECT ") and ";" not in SQL_PROPERTIES
    # the supported versions and editions are the emulator's, so the script refuses what the emulator predicts fails
    table = next(line for line in body if line.startswith("$supported = @{ "))
    parsed = {release: tuple(re.findall(r"'([^']+)'", editions))
              for release, editions in re.findall(r"'([\d.]+)' = @\(([^)]*)\)", table)}
    assert parsed == {str(r): tuple(e.title() for e in es) for r, es in SQL_SUPPORTED.items()}  # the emulator's table
    assert parsed["10.50"] == ("Standard", "Enterprise", "Datacenter") and "Express" not in str(parsed)
    assert "if ($sqlEdition -notlike '*(64-bit)*') { $problems += " in text
    collation = re.search(r"\$sqlCollation -notmatch '([^']+)'", text).group(1)  # type: ignore[union-attr]
    assert re.search(collation, "SQL_Latin1_General_CP1_CI_AS") and re.search(collation, "Latin1_General_100_CI_AS_KS")
    assert not re.search(collation, "Latin1_General_CS_AS") and not re.search(collation, "Latin1_General_BIN")
    parsed_script = parse(render_script(Plan((Step(1, "upgrade-vmm-2012", "NWVMM01", "vmm_servers", "NWVMM01",
                                                    (("instance", "VMM"), ("sql_server", "NWSQL01"))),))))
    assert parsed_script.errors() == []
    for pattern in NOT_PS2:
        assert not re.search(pattern, text, flags=re.IGNORECASE), pattern


def test_upgrade_sql_checks_keep_a_hostile_instance_name_in_one_literal() -> None:
    hostile = "VMM'; Remove-Item C:\\ -Recurse; '"
    step = Step(1, "upgrade-vmm-2012", "NWVMM01", "vmm_servers", "NWVMM01", (("instance", hostile), ("sql_server", "SQL1")))
    parsed = parse(render_script(Plan((step,))))
    assert parsed.errors() == [] and parsed.outside_literals("Remove-Item") == []


def test_upgrade_without_a_collected_database_reads_vmms_own_registry_entry() -> None:
    body = ACTIONS["upgrade-vmm-2012"].render(_inv("upgrade-vmm-2012"))
    assert body[body.index("$vmmSql = Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Microsoft System Center Virtual "
                           "Machine Manager Server\\Settings\\Sql'") + 1] == "$sqlSource = [string]$vmmSql.MachineName"
    assert "$builder['Data Source'] = $sqlSource" in body


def test_the_plans_upgrade_names_the_database_server_the_snapshot_records() -> None:
    from preflight.pipeline import CheckRequest, verify

    report, _, _ = verify(CheckRequest((ROOT / "fixtures" / "estates" / "mixed.toml",), as_of=NOW))
    upgrade = next(s for s in report.verification.plan.steps if s.action == "upgrade-vmm-2012")
    assert upgrade.param_dict == {"instance": "MSSQLSERVER", "sql_server": "NWSQL01"}
    assert "$sqlSource = 'NWSQL01'" in render_script(report.verification.plan)


def test_restart_waits_over_wmi_and_is_skipped_when_nothing_is_pending() -> None:
    inv = _inv("restart-computer")
    assert ACTIONS["restart-computer"].test(inv) == ["-not (Test-PreflightRestartPending -ComputerName 'VMM01')"]  # type: ignore[misc]
    wait = HEADER[HEADER.index("function Wait-PreflightComputer {"):HEADER.index("function Confirm-PreflightIrreversible")]
    assert "Win32_OperatingSystem" in wait and "Invoke-Command" not in wait


def test_media_the_body_names_is_what_the_header_copies() -> None:
    copy = HEADER[HEADER.index("function Copy-PreflightMedia {"):HEADER.index("function Invoke-PreflightStep {")]
    assert "$pattern = 'Get-PreflightMedia -Path ''((?:[^'']|'''')+)'''" in copy
    assert r"$target = '\\' + $Server + '\admin$\' + 'Temp\Preflight\' + $folder" in copy
    # the PowerShell literal above is this .NET pattern; applied to the bodies it finds their media
    pattern = "Get-PreflightMedia -Path '((?:[^']|'')+)'"
    body = "\n".join(ACTIONS["upgrade-vmm-2012"].render(_inv("upgrade-vmm-2012")))
    assert re.findall(pattern, body) == ["VMM2012", "VMServer.ini"]
    hotfix = "\n".join(ACTIONS["install-hotfix"].render(_inv("install-hotfix", kb="KB2526776")))
    assert re.findall(pattern, hotfix) == ["*KB2526776*.msu"]


HOSTILE = "x'; Remove-Item C:\\ -Recurse; '"


@pytest.mark.parametrize(("name", "via"), [(n, v) for n in sorted(ACTIONS) for v in ACTIONS[n].vias])
def test_every_channel_of_every_action_renders_powershell_2_with_literal_values(name: str, via: str) -> None:
    spec = ACTIONS[name]
    valid = {"kb": "KB2264080", "new_name": "VMM01", "collation": "SQL_Latin1_General_CP1_CI_AS", "size_mb": "512",
             "below_version": "2.0"}
    params = tuple((p.name, p.choices[0] if p.choices else valid.get(p.name, HOSTILE)) for p in spec.params)
    step = Step(1, name, HOSTILE, spec.targets[0], HOSTILE, params, item=HOSTILE, os_version="6.1.7601",
                manual=spec.manual, moves=(Move(HOSTILE, HOSTILE, HOSTILE),), via=via)
    plan = Plan((step,))
    script = render_script(plan)
    parsed = parse(script)
    assert parsed.errors() == []
    assert f"-Via '{via}'" in script
    assert parsed.command_names() <= script_commands(plan), parsed.command_names() - script_commands(plan)
    assert parsed.outside_literals("Remove-Item") == []
    for pattern in NOT_PS2:
        assert not re.search(pattern, script, flags=re.IGNORECASE), pattern


# For each action with a test: its parameters, and what its -Test must read to prove the Body's effect holds.
EFFECT_CHECKS: dict[str, tuple[dict[str, str], str, tuple[str, ...]]] = {
    "set-service-start-mode": ({"service": "WinRM", "start_mode": "Auto"}, "6.1.7601",
                               ("Win32_Service", "$_.Name -eq 'WinRM'", "StartMode -eq 'Auto'")),
    "uninstall-software": ({"pattern": "WAIK"}, "6.1.7601", ("Get-PreflightProduct -Pattern 'WAIK'", ".Count -eq 0")),
    "rename-computer": ({"new_name": "VMM02"}, "6.1.7601",
                        ("-ComputerName 'VMM02').Name -eq 'VMM02'", "ComputerName\\ComputerName", "sValue -eq 'VMM02'")),
    "join-domain": ({"domain": "fabrikam.local"}, "6.1.7601", ("$computer.PartOfDomain", "Domain -eq 'fabrikam.local'")),
    "enable-firewall-rule": ({"rule": "WMI-WINMGMT-In-TCP"}, "6.1.7601",
                             ("HNetCfg.FwPolicy2", "$_.Name -eq 'WMI-WINMGMT-In-TCP'", "-not $_.Enabled")),
    "change-sql-edition": ({"edition": "Enterprise", "instance": "MICROSOFT$VMM$"}, "6.1.7601",
                           ("Properties['MICROSOFT$VMM$']", ".Edition -like 'Enterprise Edition*'")),
    "rebuild-sql-collation": ({"collation": "Latin1_General_CI_AS", "instance": "VMM"}, "6.1.7601",
                              ("$builder['Data Source'] = '.\\VMM'", "SERVERPROPERTY('Collation')",
                               "$collation -eq 'Latin1_General_CI_AS'")),
    "apply-vmm-2008r2-sp1": ({}, "6.1.7601", ("'vmmservice'", "$vmmVersion -ge [version]'2.0.4521.0'")),
    "upgrade-vmm-2012": ({}, "6.1.7601", ("'scvmmservice'", "$vmmVersion -ge [version]'3.0'")),
    "create-dkm-container": ({"container_name": "DKM", "parent": "OU=VMM,DC=c,DC=l", "domain": "c.l"}, "6.1.7601",
                             ("Exists('LDAP://c.l/CN=DKM,OU=VMM,DC=c,DC=l')",)),
    "enable-replica-server": ({"authentication": "Kerberos"}, "6.2.9200",
                              ("Get-VMReplicationServer -ComputerName 'VMM01'", "$server.ReplicationEnabled",
                               "AllowedAuthenticationType -eq 'Kerberos'")),
    "set-replica-authentication": ({"authentication": "CertificateAndKerberos"}, "6.2.9200",
                                   ("AllowedAuthenticationType -eq 'CertificateAndKerberos'",)),
    "authorize-primary": ({"primary": "*.fabrikam.local", "storage": "D:\\R", "trust_group": "DEFAULT"}, "6.2.9200",
                          ("Get-VMReplicationAuthorizationEntry", "AllowedPrimaryServer -eq '*.fabrikam.local'", ".Count -gt 0")),
    "add-replica-broker": ({"broker": "HVC-HVR"}, "6.2.9200",
                           ("Get-ClusterResource -Cluster 'VMM01'", "ResourceType.Name -eq 'Virtual Machine Replication Broker'")),
    "add-team-member": ({"member": "NIC3"}, "6.2.9200", ("Get-NetLbfoTeamMember -Team 'Team1'", "$_.Name -eq 'NIC3'", ".Count -gt 0")),
    "remove-team-member": ({"member": "NIC3"}, "6.2.9200", ("Get-NetLbfoTeamMember -Team 'Team1'", ".Count -eq 0")),
    "set-teaming-mode": ({"mode": "SwitchIndependent", "algorithm": "Dynamic"}, "6.3.9600",
                         ("Get-NetLbfoTeam -Name 'Team1'", "TeamingMode -eq 'SwitchIndependent'",
                          "LoadBalancingAlgorithm -eq 'Dynamic'")),
    "set-csv-block-cache": ({"size_mb": "512"}, "6.2.9200", ("(Get-Cluster -Name 'VMM01').SharedVolumeBlockCacheSizeInMB -eq 512",)),
    "enable-csv-block-cache": ({"cluster": "HVC"}, "6.3.9600",
                               ("Get-ClusterSharedVolume -Cluster 'HVC' -Name 'Team1'", "-Name EnableBlockCache).Value -eq 1")),
    "drain-node": ({"cluster": "HVC"}, "6.1.7601",
                   ("Get-ClusterNode -Cluster 'HVC' -Name 'VMM01'", "@('VM1') -contains $_.Name", "'Paused'")),
    "resume-node": ({"cluster": "HVC"}, "6.1.7601", ("Get-ClusterNode -Cluster 'HVC' -Name 'VMM01'", "-eq 'Up'")),
}


@pytest.mark.parametrize("name", sorted(EFFECT_CHECKS))
def test_each_actions_test_reads_the_effect_its_body_makes(name: str) -> None:
    params, os_version, needles = EFFECT_CHECKS[name]
    inv = Invocation(name, "VMM01", ACTIONS[name].targets[0], "VMM01", params, item="Team1", os_version=os_version,
                     moves=(Move("VM1", "VMM01", "HV02"),))
    test = "\n".join(ACTIONS[name].test(inv))  # type: ignore[misc]
    for needle in needles:
        assert needle in test, needle
    assert parse(test).errors() == []


def test_the_effect_table_covers_every_action_with_a_test() -> None:
    specific = {"start-service", "enable-windows-feature", "install-software", "install-hotfix", "restart-computer"}
    assert set(EFFECT_CHECKS) | specific | WITHOUT_TEST == set(ACTIONS)
