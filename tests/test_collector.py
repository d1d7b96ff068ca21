"""The collector script: parses, stays inside PowerShell 2.0, only reads, covers every bundle source; `preflight collector`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tree_sitter
from psparse import Parsed, parse

from preflight.cli.app import main
from preflight.collector import SOURCE_IDS, collector_script, script_source

# Cmdlets of Windows PowerShell 2.0 itself that the collector may call: all read, or write only to the host's streams.
CORE_READERS = {
    "Get-Command", "Get-Date", "Get-WmiObject", "Join-Path", "Resolve-Path", "Select-Object", "Test-Path",
    "Where-Object", "Write-Verbose", "Write-Warning", "Out-Null", "ConvertTo-Json",
}
# Commands whose verb would say "changes something", each allowed for one stated reason and checked below.
ALLOWED_EXCEPTIONS = {
    # writers of the bundle itself (arguments checked in test_writers_write_only_into_the_bundle)
    "Export-Clixml": "writes one source's objects into the bundle folder",
    "Out-File": "writes one source's JSON into the bundle folder",
    "New-Item": "creates the bundle folder and its per-computer folders (-ItemType Directory only)",
    # change only this PowerShell session, never the computer
    "New-Object": "creates an in-memory .NET object (type names checked)",
    "Import-Module": "loads ServerManager, Hyper-V, FailoverClusters or the VMM 2012 module into this session",
    "Add-PSSnapin": "loads the VMM 2008 R2 snap-in into this session",
    "Add-Type": "loads the .NET 4.5 ZipFile assembly into this session (-AssemblyName only, never compiled code)",
}
NEW_OBJECT_TYPES = {"PSObject", "System.Collections.ArrayList", "System.Text.StringBuilder",
                    "System.Data.SqlClient.SqlConnection", "System.Text.UTF8Encoding",
                    "System.DirectoryServices.DirectorySearcher", "System.Security.Cryptography.X509Certificates.X509Store"}
MODULES = {"ServerManager", "Hyper-V", "FailoverClusters", "virtualmachinemanager"}
READ_METHODS = {
    "OpenRemoteBaseKey", "OpenSubKey", "GetValue", "GetSubKeyNames", "Close",  # the remote registry, read-only keys
    "Open", "CreateCommand", "ExecuteReader", "Read", "GetName",  # one SqlClient SELECT
    "Add", "ContainsKey", "Append", "ToCharArray", "ToString", "Trim", "ToLower",  # in-memory lists, strings and builders
    "GetCurrentDomain", "GetDirectoryEntry", "FindAll", "GetAllTrustRelationships",  # Active Directory: LDAP searches
    "ToUniversalTime", "ToBase64String",  # certificates' dates and extension bytes (the store is opened read-only)
}
WRITE_METHODS = {
    "WriteAllText": "writes manifest.json into the bundle folder",
    "CreateFromDirectory": "zips the bundle folder beside itself (-Zip)",
}
# Named so the check reads as intended; any method outside READ_METHODS and WRITE_METHODS fails anyway.
FORBIDDEN_METHODS = {"InvokeMethod", "Put", "Delete", "SetValue", "CreateSubKey", "DeleteValue", "DeleteSubKey",
                     "DeleteSubKeyTree", "ExecuteNonQuery", "ExecuteScalar", "Terminate", "StartService", "StopService",
                     "ChangeStartMode", "Kill", "Start", "Stop", "Invoke", "InvokeReturnAsIs", "Create", "new"}
WRITE_VERBS = {"Set", "New", "Remove", "Start", "Stop", "Restart", "Invoke", "Enable", "Disable", "Add", "Clear",
               "Suspend", "Resume", "Move", "Rename", "Install", "Uninstall", "Register", "Unregister", "Update",
               "Reset", "Repair", "Mount", "Dismount", "Copy", "Export", "Out", "Write", "Import", "Save", "Send",
               "Push", "Publish", "Grant", "Revoke", "Block", "Unblock", "Lock", "Unlock", "Initialize", "Format"}
PS3_OPERATORS = {"-in", "-notin", "-shl", "-shr"}
# -Depth exists on ConvertTo-Json (3.0) and Export-Clixml (2.0: learn.microsoft.com/en-us/previous-versions/dd347657(v=technet.10));
# Get-ChildItem has it only from 5.0
DEPTH_CMDLETS = {"convertto-json", "export-clixml"}
PS2_SYNTAX_TYPES = {"class_statement", "enum_statement", "using_statement"}


@pytest.fixture(scope="module")
def parsed() -> Parsed:
    return parse(script_source())


def _commands(tree: Parsed) -> list[tree_sitter.Node]:
    return [n for n in tree.nodes() if n.type == "command"]


def _name(command: tree_sitter.Node) -> str | None:
    return next((c.text.decode() for c in command.children if c.type == "command_name"), None)


def _functions(tree: Parsed) -> set[str]:
    return {n.text.decode() for n in tree.nodes() if n.type == "function_name"}


def _methods(tree: Parsed) -> list[tuple[str, tree_sitter.Node]]:
    found = []
    for node in tree.nodes():
        if node.type == "invokation_expression":
            member = next((c for c in node.children if c.type == "member_name"), None)
            if member is not None:
                found.append((member.text.decode(), node))
    return found


def _line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def read_only_problems(tree: Parsed) -> list[str]:
    """Every command or method call that could change a system, with its line (empty: the script only reads)."""
    problems = []
    functions = _functions(tree)
    for command in _commands(tree):
        name, text = _name(command), command.text.decode()
        if name is None:
            # `& $Query` runs the literal script blocks this same file hands to Export-PfSource, so every
            # command they run is checked by this walk; any other dynamic invocation could hide one
            if text.strip() != "& $Query":
                problems.append(f"line {_line(command)}: dynamic invocation {text[:40]!r}")
            continue
        verb = name.split("-", 1)[0] if "-" in name else ""
        if name in functions:
            if "-Pf" not in name:
                problems.append(f"line {_line(command)}: function {name} is not one of the collector's own (-Pf)")
        elif name in CORE_READERS or name in ALLOWED_EXCEPTIONS:
            continue
        elif verb == "Get" and name.count("-") == 1:
            continue  # Get- cmdlets of the VMM snap-in and the Hyper-V and FailoverClusters modules only read
        elif verb in WRITE_VERBS:
            problems.append(f"line {_line(command)}: {name} changes something")
        else:
            problems.append(f"line {_line(command)}: {name} is not a known read-only command")
    for method, node in _methods(tree):
        if method in FORBIDDEN_METHODS:
            problems.append(f"line {_line(node)}: method {method} changes something")
        elif method not in READ_METHODS and method not in WRITE_METHODS:
            problems.append(f"line {_line(node)}: method {method} is not a known read-only method")
    return problems


def ps2_problems(tree: Parsed) -> list[str]:
    """Syntax and idioms Windows PowerShell 2.0 does not have, with their line."""
    problems = []
    for node in tree.nodes():
        text = node.text.decode() if node.child_count == 0 or node.type in ("type_literal", "variable") else ""
        if node.type in PS2_SYNTAX_TYPES:
            problems.append(f"line {_line(node)}: {node.type} (PowerShell 5)")
        elif node.type == "type_literal" and text.lower().replace(" ", "") == "[ordered]":
            problems.append(f"line {_line(node)}: [ordered] (PowerShell 3)")
        elif node.type == "variable" and text.lower() == "$psitem":
            problems.append(f"line {_line(node)}: $PSItem (PowerShell 3)")
        elif node.type == "comparison_operator" and node.text.decode().lower() in PS3_OPERATORS:
            problems.append(f"line {_line(node)}: {node.text.decode()} (PowerShell 3)")
    for method, node in _methods(tree):
        if method.lower() == "new" and any(c.type == "type_literal" for c in node.children):
            problems.append(f"line {_line(node)}: ::new() (PowerShell 5)")
    for command in _commands(tree):
        name = (_name(command) or "").lower()
        if name in ("where-object", "where", "?", "foreach-object", "foreach", "%"):
            elements = next((c for c in command.children if c.type == "command_elements"), None)
            first = next((c for c in (elements.children if elements else []) if c.type != "command_argument_sep"), None)
            if first is None or "script_block_expression" not in _types(first):
                problems.append(f"line {_line(command)}: {name} without a script block (PowerShell 3 simplified syntax)")
        if name == "convertto-json" and not _guarded(command, "ConvertTo-Json"):
            problems.append(f"line {_line(command)}: ConvertTo-Json outside an `if (Get-Command ConvertTo-Json ...)` guard")
        depth = [c for c in _descendants(command) if c.type == "command_parameter" and c.text.decode().lower() == "-depth"
                 and _owner(c) == command]
        if depth and name not in DEPTH_CMDLETS:
            problems.append(f"line {_line(command)}: -Depth on {name}")
    return problems


def _descendants(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    out, stack = [], list(node.children)
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


def _types(node: tree_sitter.Node) -> set[str]:
    return {node.type} | {d.type for d in _descendants(node)}


def _owner(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The command a parameter belongs to."""
    current = node.parent
    while current is not None and current.type != "command":
        current = current.parent
    return current


def _guarded(node: tree_sitter.Node, command: str) -> bool:
    """True when `node` sits in the body of an `if` whose condition asks Get-Command for `command`."""
    current = node.parent
    while current is not None:
        if current.type == "if_statement":
            condition = next((c for c in current.children if c.type == "pipeline"), None)
            if condition is not None and re.search(rf"Get-Command\s+{re.escape(command)}\b", condition.text.decode()):
                return True
        current = current.parent
    return False


def test_script_parses_without_errors(parsed: Parsed) -> None:
    assert parsed.errors() == []


def test_script_is_ascii_so_any_code_page_reads_it_alike() -> None:
    script_source().encode("ascii")


def test_script_uses_powershell_2_syntax_only(parsed: Parsed) -> None:
    assert ps2_problems(parsed) == []


def test_script_only_reads(parsed: Parsed) -> None:
    assert read_only_problems(parsed) == []


@pytest.mark.parametrize("snippet, expected", [
    ("Stop-Service -Name WinRM -ComputerName HV01", "Stop-Service changes something"),
    ("Invoke-WmiMethod -Class Win32_Process -Name Create", "Invoke-WmiMethod changes something"),
    ("$svc = Get-WmiObject Win32_Service; $svc.InvokeMethod('StopService', $null)", "method InvokeMethod"),
    ("$key.SetValue('x', 1)", "method SetValue"),
    ("$key.CreateSubKey('x')", "method CreateSubKey"),
    ("$wmi.Put()", "method Put"),
    ("$wmi.Delete()", "method Delete"),
    ("Set-ItemProperty -Path HKLM:\\x -Name y -Value 1", "Set-ItemProperty changes something"),
    ("sc.exe config WinRM start= disabled", "sc.exe is not a known read-only command"),
    ("& 'Remove-Item' C:\\x", "dynamic invocation"),
    ("iex 'Remove-Item C:\\x'", "iex is not a known read-only command"),
    ("Remove-PfThing", "Remove-PfThing changes something"),
])
def test_read_only_check_catches_writes(snippet: str, expected: str) -> None:
    problems = read_only_problems(parse(script_source() + "\n" + snippet + "\n"))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("snippet, expected", [
    ("$h = [ordered]@{ a = 1 }", "[ordered]"),
    ("$s = [System.Text.StringBuilder]::new()", "::new()"),
    ("if ('a' -in $list) { 1 }", "-in"),
    ("if ('a' -notin $list) { 1 }", "-notin"),
    ("Get-Service | ForEach-Object { $PSItem.Name }", "$PSItem"),
    ("Get-Service | Where-Object Status -eq Running", "without a script block"),
    ("Get-Service | ? Status -eq Running", "without a script block"),
    ("Get-Service | ConvertTo-Json", "ConvertTo-Json outside"),
    ("Get-ChildItem -Path C:\\ -Recurse -Depth 1", "-Depth on get-childitem"),
    ("class Foo { }", "class_statement"),
])
def test_powershell_2_check_catches_newer_syntax(snippet: str, expected: str) -> None:
    problems = ps2_problems(parse(script_source() + "\n" + snippet + "\n"))
    assert any(expected in p for p in problems), problems


def test_session_only_commands_stay_in_their_lane(parsed: Parsed) -> None:
    for command in _commands(parsed):
        name, text = _name(command), " ".join(command.text.decode().split())
        if name == "New-Object":
            assert text.split()[1] in NEW_OBJECT_TYPES, text
        elif name == "Import-Module":
            assert text.split()[1] in MODULES, text
        elif name == "Add-PSSnapin":
            assert text.split()[1] == "Microsoft.SystemCenter.VirtualMachineManager", text
        elif name == "Add-Type":
            assert text.startswith("Add-Type -AssemblyName System.IO.Compression.FileSystem "), text


def test_writers_write_only_into_the_bundle(parsed: Parsed) -> None:
    seen = set()
    for command in _commands(parsed):
        name, text = _name(command), " ".join(command.text.decode().split())
        if name in ("Export-Clixml", "Out-File"):
            assert re.search(r"-(File)?Path \(Join-Path \$folder \"\$Id\.(clixml|json)\"\)", text), text
        elif name == "New-Item":
            assert re.fullmatch(r"New-Item -ItemType Directory -Path \$(folder|BundlePath) -Force", text), text
        seen.add(name)
    assert {"Export-Clixml", "Out-File", "New-Item"} <= seen
    writes = {m: n.text.decode() for m, n in _methods(parsed) if m in WRITE_METHODS}
    assert writes["WriteAllText"].startswith("[System.IO.File]::WriteAllText($manifestPath, ")
    assert writes["CreateFromDirectory"] == '[System.IO.Compression.ZipFile]::CreateFromDirectory($BundlePath, "$BundlePath.zip")'
    # the folders are the bundle's: every per-computer folder is made under $BundlePath
    assert "$folder = Join-Path $BundlePath $Computer" in script_source()


def test_registry_keys_open_read_only_and_sql_only_selects(parsed: Parsed) -> None:
    for method, node in _methods(parsed):
        if method == "OpenSubKey":  # OpenSubKey(name, $true) would open the key writable
            arguments = next(c for c in node.children if c.type == "argument_list")
            assert "," not in arguments.text.decode(), node.text.decode()
    # the certificate store: every Open of an X509Store is read-only
    assert re.findall(r"\$store\.Open\(([^)]*)\)", script_source()) == ["'ReadOnly, OpenExistingOnly'"]
    statements = re.findall(r'\.CommandText = "([^"]*)"', script_source())
    assert statements
    for sql in statements:
        assert sql.startswith("SELECT ") and ";" not in sql, sql
        assert not re.search(r"\b(INSERT|UPDATE|DELETE|EXEC|EXECUTE|ALTER|DROP|CREATE|GRANT|SHUTDOWN|RECONFIGURE|INTO)\b",
                             sql, re.IGNORECASE), sql


def test_cmdlets_beyond_powershell_2_are_looked_for_before_use(parsed: Parsed) -> None:
    """A module's cmdlet that may be missing is named to Get-Command first, so its absence is recorded, not fatal."""
    script = script_source()
    for name in parsed.command_names() - CORE_READERS - set(ALLOWED_EXCEPTIONS) - _functions(parsed):
        assert f"'{name}'" in script or f"Get-Command {name} " in script, name


def test_every_bundle_source_is_collected(parsed: Parsed) -> None:
    literals = {n.text.decode().strip("'\"") for n in parsed.nodes() if n.type == "string_literal"}
    assert set(SOURCE_IDS) <= literals, set(SOURCE_IDS) - literals
    ids = set(re.findall(r"-Id '([^']+)'", script_source())) | set(re.findall(r"'((?:cluster|hyperv|netlbfo|net|vmm|ad)\.[A-Za-z_]+)'", script_source()))
    assert ids <= set(SOURCE_IDS), ids - set(SOURCE_IDS)


def test_script_records_failures_in_the_manifest_instead_of_stopping() -> None:
    script = script_source()
    assert "-Status 'failed' -Reason (Get-PfReason $_)" in script
    assert "cmdlet $missing not available" in script
    assert '"schema": "preflight/bundle/v1"' in script
    # collected_at is ISO 8601 with an offset whatever the admin's regional settings
    assert "$now.ToString(\"yyyy'-'MM'-'dd'T'HH':'mm':'sszzz\", [System.Globalization.CultureInfo]::InvariantCulture)" in script
    assert script.index("[System.IO.File]::WriteAllText($manifestPath") > script.index("# --- Failover clusters")


def test_collector_writes_a_windows_script_file(tmp_path: Path) -> None:
    target = tmp_path / "Collect-PreflightInventory.ps1"
    assert main(["collector", "-o", str(target)]) == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > 300
    assert data.decode("utf-8-sig").replace("\r\n", "\n") == script_source()
    assert data.decode("utf-8") == collector_script()


def test_collector_prints_the_script_on_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collector", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out == script_source()
    assert out.startswith("<#\n.SYNOPSIS")


def test_collector_needs_an_output_and_refuses_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collector"]) == 2
    assert main(["collector", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Missing option '-o'" in err and f"{tmp_path}: is a directory" in err
    assert "Traceback" not in err


def test_the_readme_runs_the_collector_with_parameters_it_has(parsed: Parsed) -> None:
    """Every `-Parameter` the README passes to Collect-PreflightInventory.ps1 is one the script declares."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    script_params = next(n for n in parsed.nodes() if n.type == "param_block" and n.parent is not None and n.parent.type == "program")
    declared = {n.text.decode().lstrip("$").lower() for n in _descendants(script_params)
                if n.type == "variable" and n.parent is not None and n.parent.type == "script_parameter"}
    declared |= {"verbose"}  # [CmdletBinding()] gives the script the common parameters
    calls = re.findall(r"Collect-PreflightInventory\.ps1 (-[^\n#]*)", readme)
    comments = re.findall(r"^# [^:\n]+:\s+(-\w+.*)$", readme, re.MULTILINE)
    used = {m.lower() for line in calls + comments for m in re.findall(r"(?<![\w-])-(\w+)", line)}
    assert {"vmmserver", "hypervhost", "cluster", "outputpath", "sqlinstance", "zip"} <= used
    assert used - {"executionpolicy", "file"} <= declared, used - declared
