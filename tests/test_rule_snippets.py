"""A rule's `powershell` is a template filled from each finding: the estate's own names, as single-quoted
literals; templates are validated when the pack loads; no example name ships in any output (issue 11)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from psparse import parse

from preflight.cli import main
from preflight.engine.snippets import fill, template_problem
from preflight.remediation.literals import ps_quote

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))
READY = ROOT / "fixtures" / "estates" / "ready.json"
# Names the rule packs' snippets used as examples before they became templates.
EXAMPLES = ("SQL01", "LIB01", "VMM01", "SCVMM01", "HV01", "OM01", "HVRBROKER", "CONTOSO\\admin", "contoso.com",
            "10.0.0.50", "CONTOSO\\HVCLUS01$")

PACK = """
[pack]
id = "contoso"
title = "Contoso standards"
version = "1.0.0"

[sources.contoso-standard]
title = "Contoso server build standard v7"
confidence = "site"

[[rules]]
code = "CTS001"
name = "contoso-vm-memory"
title = "VM memory above the Contoso standard"
severity = "blocker"
target = "vms"
check = "condition"
params = { expect = { "memory_gb" = { le = 1 } } }
message = "{name}: {value}"
rationale = "Why."
remediation = "How."
sources = ["contoso-standard"]
"""


def _site(tmp_path: Path, powershell: str) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "contoso.toml").write_text(textwrap.dedent(PACK) + f"powershell = {json.dumps(powershell)}\n", encoding="utf-8")
    return site


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9-]){re.escape(name)}(?![A-Za-z0-9-])", text, re.I) is not None


@pytest.mark.parametrize("estate", ESTATES, ids=[p.name for p in ESTATES])
def test_no_output_names_an_example_server_the_estate_does_not_have(estate: Path, tmp_path: Path) -> None:
    absent = [name for name in EXAMPLES if not _mentions(estate.read_text(encoding="utf-8"), name)]
    outputs = []
    for suffix in (".md", ".html", ".sarif", ".json"):
        out = tmp_path / f"report{suffix}"
        main(["report", str(estate), "--as-of", "collected", "-o", str(out)])
        outputs.append(out)
    verify_md = tmp_path / "verify.md"
    main(["verify", str(estate), "--as-of", "collected", "-o", str(verify_md)])
    for out in (*outputs, verify_md):
        text = out.read_text(encoding="utf-8")
        leaked = [name for name in absent if _mentions(text, name)]
        assert not leaked, f"{out.name} of {estate.name} names {leaked}, which the estate does not have"


def test_blocked_estate_snippets_name_its_own_servers(tmp_path: Path) -> None:
    out = tmp_path / "blocked.sarif"
    main(["report", str(ROOT / "fixtures" / "estates" / "blocked.json"), "--as-of", "collected", "-o", str(out)])
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    snippets = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r["properties"].get("powershell")
                for r in results}
    assert snippets[("SQL004", "FABSQL01")].startswith("sqlcmd.exe -S 'FABSQL01' -E")
    assert snippets[("SQL001", "FAB-VMM-BR01")].startswith("sqlcmd.exe -S 'FAB-VMM-BR01\\MICROSOFT$VMM$' -E")
    assert "-ComputerName 'FABLIB01'" in snippets[("UPG002", "FABLIB01")]


def test_json_findings_carry_their_own_powershell(tmp_path: Path) -> None:
    out = tmp_path / "blocked.json"
    main(["check", str(ROOT / "fixtures" / "estates" / "blocked.json"), "--as-of", "collected", "-o", str(out)])
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    snippets = {(f["rule"], f["target"]["name"]): f.get("powershell") for f in findings if f["status"] == "fail"}
    assert snippets[("SQL004", "FABSQL01")].startswith("sqlcmd.exe -S 'FABSQL01' -E")
    assert snippets[("SQL001", "FAB-VMM-BR01")].startswith("sqlcmd.exe -S 'FAB-VMM-BR01\\MICROSOFT$VMM$' -E")
    assert "-ComputerName 'FABLIB01'" in snippets[("UPG002", "FABLIB01")]
    assert all("powershell" not in f for f in findings if f["status"] != "fail")


def test_a_site_rule_gets_name_filled_as_a_literal(tmp_path: Path) -> None:
    site = _site(tmp_path, "Get-VM -ComputerName {server} -Name {name} | Set-VM -MemoryStartupBytes 1GB")
    out = tmp_path / "ticket.md"
    assert main(["report", str(READY), "--as-of", "collected", "--rules", str(site), "-o", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    for vm, host in (("WEB01", "HV01"), ("APP01", "HV02"), ("LNX01", "ESX01")):
        assert f"Get-VM -ComputerName '{host}' -Name '{vm}' | Set-VM" in text
    assert "{name}" not in text and "{server}" not in text


def test_hostile_names_stay_inside_one_literal() -> None:
    hostile = "x'; Remove-Item C:\\ -Recurse; 'y"
    filled = fill("Get-VM -ComputerName {server} -Name {vm}", (("server", "HV1"), ("vm", hostile)), ps_quote)
    parsed = parse(filled)
    assert parsed.errors() == []
    assert parsed.outside_literals("Remove-Item") == []
    assert parsed.command_names() == {"Get-VM"}


def test_a_placeholder_the_finding_cannot_fill_stays_a_visible_instruction() -> None:
    assert fill("Add-Computer -DomainName {domain}", (), ps_quote) == "Add-Computer -DomainName '<domain>'"


@pytest.mark.parametrize(("powershell", "expected"), [
    ("Get-VM -Name {vmname}", "key 'powershell': unknown placeholder {vmname}; known: {name}, {server}"),
    ("Get-VM -Name '{vm}'", "key 'powershell': placeholder {vm} is inside a quoted string"),
    ('Write-Host "on {server}"', "key 'powershell': placeholder {server} is inside a quoted string"),
])
def test_a_bad_template_is_a_pack_error_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        powershell: str, expected: str) -> None:
    site = _site(tmp_path, powershell)
    assert main(["rules", "list", "--rules", str(site)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"preflight: error: {site / 'contoso.toml'}: rule CTS001: {expected}") and err.count("\n") == 1


def test_script_blocks_and_escaped_quotes_are_not_placeholders() -> None:
    assert template_problem("Get-VM | Where-Object { $_.State -eq 'Running' } | ForEach-Object { $_.Name }") is None
    assert template_problem("Write-Host 'it''s {server}'") is not None
    assert template_problem("Write-Host 'it''s' -Name {server}") is None


def test_every_placeholder_is_documented_for_pack_authors() -> None:
    from preflight.engine.snippets import PLACEHOLDERS
    doc = (ROOT / "docs" / "rule-packs.md").read_text(encoding="utf-8")
    for key, meaning in PLACEHOLDERS.items():
        assert f"| `{{{key}}}` | {meaning} |" in doc, key
