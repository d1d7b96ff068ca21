"""Generated PowerShell parses, uses only declared commands, and keeps snapshot values literal."""

from __future__ import annotations

import pytest
from psparse import parse

from preflight.inventory.moves import Move
from preflight.remediation.actions import ACTIONS, ActionSpec
from preflight.remediation.literals import ps_int, ps_quote
from preflight.remediation.powershell import render_script, script_commands
from preflight.remediation.runbook import Plan, Step

HOSTILE = "x'; Remove-Item C:\\ -Recurse; '"
HOSTILE_VARIANTS = (
    HOSTILE,
    "y\u2019; Remove-Item C:\\ -Recurse; \u2018",          # typographic quotes are quotes to PowerShell
    "z$(Remove-Item C:\\ -Recurse)`n\"; Remove-Item C:\\",  # expansion and escapes mean nothing in '...'
    "w'\n Remove-Item C:\\ -Recurse #",                    # a line break inside the value
)
# Values for parameters the catalog validates (a hostile value there is refused before rendering).
VALID = {"kb": "KB2264080", "new_name": "VMM01", "comes_back_as": "VMM02", "collation": "SQL_Latin1_General_CP1_CI_AS", "size_mb": "512",
         "below_version": "2.0"}


def _params(spec: ActionSpec, hostile: str) -> tuple[tuple[str, str], ...]:
    values = []
    for param in spec.params:
        if param.choices:
            value = param.choices[-1] if "Certificate" in param.choices[-1] else param.choices[0]
        elif param.name in VALID:
            value = VALID[param.name]
        else:
            value = hostile
        values.append((param.name, value))
    if spec.name.endswith("replica-server") or spec.name == "set-replica-authentication":
        values.append(("thumbprint", hostile))
    return tuple(values)


def _plan(spec: ActionSpec, hostile: str, os_version: str = "6.1.7601") -> Plan:
    step = Step(1, spec.name, hostile, spec.targets[0], f"{hostile}/{hostile}", _params(spec, hostile),
                item=hostile, os_version=os_version, manual=spec.manual, restart=spec.restart, duration_min=spec.duration_min,
                moves=(Move(hostile, hostile, hostile),))
    assert not spec.problems(step.param_dict), spec.problems(step.param_dict)
    return Plan((step,))


def test_quote_doubles_embedded_quotes() -> None:
    assert ps_quote("O'Brien") == "'O''Brien'"
    assert ps_quote("a\u2019b") == "'a\u2019\u2019b'"
    assert ps_int("512") == "512"
    with pytest.raises(ValueError):
        ps_int("1; Remove-Item")


@pytest.mark.parametrize("os_version", ["6.1.7601", "6.2.9200", "6.3.9600"])
@pytest.mark.parametrize("hostile", HOSTILE_VARIANTS, ids=["quote", "typographic", "expansion", "newline"])
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_renders_valid_powershell_with_literal_values(name: str, hostile: str, os_version: str) -> None:
    plan = _plan(ACTIONS[name], hostile, os_version)
    parsed = parse(render_script(plan))
    assert parsed.errors() == []
    assert parsed.command_names() <= script_commands(plan), parsed.command_names() - script_commands(plan)
    assert "Remove-Item" not in parsed.command_names()
    assert parsed.outside_literals("Remove-Item") == []


def test_script_scaffolding_supports_whatif_and_stops_on_error() -> None:
    plan = _plan(ACTIONS["enable-windows-feature"], "HV01")
    script = render_script(plan)
    parsed = parse(script)
    assert "[CmdletBinding(SupportsShouldProcess=$true, ConfirmImpact='Medium')]" in script
    assert "$ErrorActionPreference = 'Stop'" in script
    assert "} elseif (-not $PSCmdlet.ShouldProcess($Server, $label)) {" in script
    # the step reaches HV01 through remoting: the header runs its Body in Invoke-Command -ComputerName
    assert "Invoke-PreflightStep -Number 1 -Server 'HV01' -Action 'enable-windows-feature' -Via 'WinRM'" in script
    assert "return Invoke-Command -ComputerName $Server -ScriptBlock $remote" in script
    # PowerShell 2.0 on Windows Server 2008 R2: ServerManager's Add-WindowsFeature, not Install-WindowsFeature
    assert {"Import-Module", "Add-WindowsFeature"} <= parsed.command_names()
    assert "Install-WindowsFeature" not in script


def test_manual_action_prints_an_instruction_and_waits_for_confirmation() -> None:
    step = Step(1, "manual", "HV01", "hosts", "HV01", (("instruction", "Add 32 GB of memory"),), manual=True)
    script = render_script(Plan((step,)))
    parsed = parse(script)
    assert parsed.errors() == []
    assert "-Action 'manual' -Via 'Local'" in script and "-Flags @('manual')" in script
    assert parsed.command_names() & set(ACTIONS["manual"].commands) == {"Write-Warning"}
    assert b"Add 32 GB of memory" in parsed.source
    manual = script[script.index("if ($Flags -contains 'manual') {"):]
    assert manual.index("if ($Force) {") < manual.index("Read-Host") < manual.index("throw ($label + ' was not confirmed as done')")


def test_blocked_step_runs_nothing_and_says_why() -> None:
    step = Step(1, "install-hotfix", "HV01", "hosts", "HV01", (("kb", "not-a-kb"),), blocked="parameter 'kb' is 'not-a-kb'")
    script = render_script(Plan((step,)))
    parsed = parse(script)
    assert parsed.errors() == []
    call = script[script.index("Invoke-PreflightStep -Number 1"):]
    assert "-Flags @() `\n    -Blocked 'parameter ''kb'' is ''not-a-kb'''" in call
    assert "-Body" not in call and "wusa.exe" not in call
