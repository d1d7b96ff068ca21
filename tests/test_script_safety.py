"""The generated script is safe to run at 2 a.m.: one guarded call per step, idempotence tests, resumable,
installer exit codes checked, media on the target's own disk, nothing needing WinRM before WinRM is started."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from psparse import Parsed, parse

from preflight.inventory.moves import Move
from preflight.pipeline import CheckRequest, verify
from preflight.remediation.actions import ACTIONS, Invocation
from preflight.remediation.actions.base import DCOM, LOCAL, WINRM
from preflight.remediation.installers import ACCEPTED, outcome
from preflight.remediation.powershell import header, render_script, script_commands
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_header import END_OF_HEADER, FOOTER, HEADER, HELPERS

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# PowerShell 3.0+ syntax and cmdlets that Windows Server 2008 R2's PowerShell 2.0 does not have.
NOT_PS2 = (r"\[ordered\]", r"::new\(", r"\$using:", r"\s-in\s", r"\s-notin\s", r"\$PSItem", r"\bInstall-WindowsFeature\b",
           r"\bGet-CimInstance\b", r"\bInvoke-WebRequest\b", r"-ErrorAction\s+Ignore", r"\bForEach-Object\s+-Parallel")
WITHOUT_TEST = {"manual", "migrate-library-server", "remove-pro-connection"}
"""Actions whose step has no -Test: a person's step, and one whose Body is harmless to repeat (PRO off again)."""


def _plan_of(estate: Path) -> Plan:
    report, _, _ = verify(CheckRequest((estate,), as_of=NOW))
    return report.verification.plan


@pytest.fixture(scope="module")
def scripts() -> dict[str, tuple[Plan, str, Parsed]]:
    out = {}
    for estate in ESTATES:
        plan = _plan_of(estate)
        script = render_script(plan)
        out[estate.stem] = (plan, script, parse(script))
    return out


def _top_level(parsed: Parsed) -> list[tuple[str, str]]:
    """(first command name or node type, text) of each top-level statement after the header."""
    start = parsed.source.index(END_OF_HEADER.encode())
    body = next(c for c in parsed.root.children if c.type == "statement_list")
    out = []
    for node in body.children:
        if node.start_byte < start or node.type == "comment":
            continue
        names = [n for n in _walk(node) if n.type == "command_name"]
        out.append((names[0].text.decode() if names else node.type, node.text.decode()))
    return out


def _walk(node):  # type: ignore[no-untyped-def]
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


@pytest.mark.parametrize("estate", [e.stem for e in ESTATES])
def test_every_step_is_one_invoke_preflight_step_call(estate: str, scripts: dict[str, tuple[Plan, str, Parsed]]) -> None:
    plan, script, parsed = scripts[estate]
    assert parsed.errors() == []
    assert parsed.command_names() <= script_commands(plan), parsed.command_names() - script_commands(plan)
    statements = _top_level(parsed)
    assert [name for name, _ in statements] == ["Invoke-PreflightStep"] * len(plan.steps) + [FOOTER]
    numbers = [int(re.match(r"Invoke-PreflightStep -Number (\d+) ", text).group(1)) for _, text in statements[:-1]]  # type: ignore[union-attr]
    assert numbers == [s.number for s in plan.steps]
    assert script.startswith(HEADER)
    assert header() == HEADER + FOOTER + "\n"  # what a reader of the script accepts besides the steps


@pytest.mark.parametrize("estate", [e.stem for e in ESTATES])
def test_generated_scripts_are_powershell_2(estate: str, scripts: dict[str, tuple[Plan, str, Parsed]]) -> None:
    _, script, _ = scripts[estate]
    for pattern in NOT_PS2:
        assert not re.search(pattern, script, flags=re.IGNORECASE), pattern


def test_header_guards_come_in_a_safe_order() -> None:
    """-StartAt first, then blocked, then the idempotence test, then the confirmation, then the body."""
    step = HEADER[HEADER.index("function Invoke-PreflightStep {"):HEADER.index("function Complete-PreflightRun")]
    order = ["if ($Number -lt $StartAt) {", "if ($Blocked) {", "-Block $Test)",
             "Write-Host ($label + ': already done')", "if ($Flags -contains 'point-of-no-return') {",
             "$PSCmdlet.ShouldProcess($Server, $label)", "if ($Flags -contains 'manual') {",
             "Copy-PreflightMedia -Server $Server -Body $Body", "-Block $Body)"]
    positions = [step.index(marker) for marker in order]
    assert positions == sorted(positions)
    # a failure names the step to resume from and closes the transcript before it stops the script
    failure = step[step.index("} catch {\n        Write-Host ($label + ' FAILED: '"):]
    assert "-StartAt ' + $Number" in failure and "Stop-PreflightTranscript" in failure and "throw" in failure


def test_header_writes_a_transcript_and_takes_start_at_force_and_log_path() -> None:
    params = HEADER[HEADER.index("param(\n"):HEADER.index(")\n", HEADER.index("param(\n"))]
    assert "[int]$StartAt = 1" in params and "[switch]$Force" in params and "[string]$LogPath = ''" in params
    assert "Start-Transcript -Path $LogPath -Append -WhatIf:$false" in HEADER
    assert "Write-Host ('Transcript: ' + $LogPath)" in HEADER
    assert HEADER.rstrip().endswith(END_OF_HEADER)


def test_point_of_no_return_asks_with_confirm_impact_high() -> None:
    confirm = HEADER[HEADER.index("function Confirm-PreflightIrreversible {"):]
    assert confirm.index("ConfirmImpact='High'") < confirm.index("return $PSCmdlet.ShouldProcess($Target, $Operation)") < 200
    # a refusal stops the script (later steps may depend on it); -WhatIf only reports
    assert "throw ($label + ' cannot be undone and was not confirmed')" in HEADER
    collation = Step(1, "rebuild-sql-collation", "SQL01", "sql_servers", "SQL01",
                     (("collation", "SQL_Latin1_General_CP1_CI_AS"), ("instance", "MSSQLSERVER")), point_of_no_return=True)
    assert "-Flags @('point-of-no-return')" in render_script(Plan((collation,)))


@pytest.mark.parametrize(("code", "expected"), [(0, "ok"), (3010, "restart"), (1641, "restart"), (2359302, "ok"),
                                                (1603, "fail"), (1618, "fail"), (-2145124329, "fail"), (1, "fail")])
def test_installer_exit_codes(code: int, expected: str) -> None:
    assert outcome(code) == expected


def test_header_exit_code_check_matches_the_table() -> None:
    ok = [c.code for c in ACCEPTED if not c.restart]
    restart = [c.code for c in ACCEPTED if c.restart]
    installer = HEADER[HEADER.index("function Invoke-PreflightInstaller {"):HEADER.index("$script:PreflightRemoteHelpers")]
    assert f"if (@({', '.join(map(str, ok))}) -contains $code) {{ return }}" in installer
    assert f"if (@({', '.join(map(str, restart))}) -contains $code) {{" in installer
    assert "throw ($What + ' failed with exit code ' + $code + ' on ' + $env:COMPUTERNAME + '; log: ' + $LogPath)" in installer


def test_winrm_steps_take_the_header_helpers_along() -> None:
    for helper in HELPERS:
        assert f"('function {helper} {{' + ${{function:{helper}}} + \"}}`n\")" in HEADER


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


def test_blocked_estate_creates_its_dkm_container_once_and_both_servers_use_it() -> None:
    estate = ROOT / "fixtures" / "estates" / "blocked.json"
    report, _, _ = verify(CheckRequest((estate,), as_of=NOW))
    plan = report.verification.plan
    dkm = [s for s in plan.steps if s.action == "create-dkm-container"]
    assert len(dkm) == 1
    servers = {"fab-scvmm-mgmt01", "fab-vmm-br01"}
    dkm_findings = [f for f in report.verification.findings
                    if f.rule in ("VMM014", "UPG003") and f.target.casefold() in servers]
    assert {f.target.casefold() for f in dkm_findings} == servers
    assert len(dkm[0].findings) == len(dkm_findings)  # the one step answers every server's finding
    assert all(f.outcome == "resolved" for f in dkm_findings)


def test_upgrade_rechecks_its_prerequisites_before_setup_starts() -> None:
    body = ACTIONS["upgrade-vmm-2012"].render(_inv("upgrade-vmm-2012"))
    stop = next(i for i, line in enumerate(body) if line.startswith("if ($problems.Count -gt 0) { throw"))
    setup = next(i for i, line in enumerate(body) if "Invoke-PreflightInstaller" in line)
    assert stop < setup
    checks = "\n".join(body[:stop])
    for needle in ("PartOfDomain", "$env:COMPUTERNAME.Length -gt 15", "-match '-SCVMM-'", "6.1.*", "64-bit",
                   "[version]'2.0.4521.0'", "Windows Automated Installation Kit"):
        assert needle in checks, needle


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


def _functions(parsed: Parsed) -> dict[str, set[str]]:
    """Each function the script defines, with its parameter names (without `$`)."""
    out = {}
    for node in parsed.nodes():
        if node.type == "function_statement":
            name = next(c for c in node.children if c.type == "function_name").text.decode()
            out[name] = {v.text.decode().lstrip("$") for p in _walk(node) if p.type == "script_parameter"
                         for v in p.children if v.type == "variable"}
    return out


@pytest.mark.parametrize("estate", [e.stem for e in ESTATES])
def test_calls_of_the_scripts_own_functions_match_their_definitions(estate: str,
                                                                   scripts: dict[str, tuple[Plan, str, Parsed]]) -> None:
    """PowerShell stops at a call with a parameter its function does not have; a Preflight function the
    header does not define would stop the script at the first step that calls it."""
    _, _, parsed = scripts[estate]
    defined = _functions(parsed)
    assert set(defined) >= set(HELPERS) | {"Invoke-PreflightStep", "Complete-PreflightRun"}
    for node in parsed.nodes():
        if node.type != "command":
            continue
        name = next((c.text.decode() for c in node.children if c.type == "command_name"), "")
        if "-Preflight" not in name:
            continue
        assert name in defined, name
        used = {p.text.decode().lstrip("-").rstrip(":") for p in _walk(node) if p.type == "command_parameter"
                and p.parent is not None and p.parent.parent == node}
        assert used <= defined[name], (name, used - defined[name])
