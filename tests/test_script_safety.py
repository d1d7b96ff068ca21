"""The generated script is safe to run at 2 a.m.: one guarded call per step, resumable, a transcript, a
confirmation at the point of no return, installer exit codes checked; the DKM container is planned once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from psparse import NOT_PS2, Parsed, parse

from preflight.pipeline import CheckRequest, verify
from preflight.remediation.installers import ACCEPTED, outcome
from preflight.remediation.powershell import header, render_script, script_commands
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.script_header import END_OF_HEADER, FOOTER, HEADER, HELPERS

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


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
             "Copy-PreflightMedia -Server $Server -Body $Body", "-Block $Body -PreflightSecrets $secrets)"]
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


def _ps_literal(text: str) -> str:
    """The value of a single-quoted PowerShell literal."""
    assert text[0] == text[-1] == "'"
    return text[1:-1].replace("''", "'")


def test_sql_product_key_is_asked_once_on_the_workstation_masked_and_passed_in() -> None:
    """Read-Host inside Invoke-Command fails non-interactively: the header asks, the body only reads the argument."""
    edition = Step(1, "change-sql-edition", "SQL01", "sql_servers", "SQL01",
                   (("edition", "Enterprise"), ("instance", "MICROSOFT$VMM$")))
    script = render_script(Plan((edition,)))
    steps = script[script.index(END_OF_HEADER):]
    assert "Read-Host" not in steps
    assert parse(script).errors() == []
    # the header's own pattern finds exactly the prompt the body reads
    secrets = HEADER[HEADER.index("function Get-PreflightSecrets {"):HEADER.index("function Get-PreflightMedia {")]
    pattern = _ps_literal(re.search(r"\$pattern = ('(?:[^']|'')+')", secrets).group(1))  # type: ignore[union-attr]
    assert re.findall(pattern, steps) == ["Product key for SQL Server Enterprise"]
    asking = HEADER[HEADER.index("function Get-PreflightSecret {"):HEADER.index("function Get-PreflightSecrets {")]
    assert "if (-not $script:PreflightSecrets.ContainsKey($Prompt)) {" in asking  # once per run
    assert "Read-Host -Prompt $Prompt -AsSecureString" in asking  # masked: the transcript never holds the key
    step = HEADER[HEADER.index("function Invoke-PreflightStep {"):HEADER.index("function Complete-PreflightRun")]
    asked, body = step.index("$secrets = Get-PreflightSecrets -Body $Body"), step.index("-Block $Body -PreflightSecrets $secrets")
    assert step.index("$PSCmdlet.ShouldProcess($Server, $label)") < asked < body  # never asked under -WhatIf
    block = HEADER[HEADER.index("function Invoke-PreflightBlock {"):HEADER.index("function Copy-PreflightMedia {")]
    assert "Invoke-Command -ComputerName $Server -ScriptBlock $remote -ArgumentList $PreflightSecrets" in block
    assert "[scriptblock]::Create(\"param(`$PreflightSecrets)`n\" +" in block
