"""Rule packs are validated when they load: a wrong path, operator argument, regex, nesting, matrix row or
fix action is one line naming the file, the rule and the key, exit 2, for `rules list`, `check` and `verify` alike."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import re2

from preflight.cli import main
from preflight.engine.arguments import compile_regex
from preflight.engine.conditions import MAX_DEPTH
from preflight.pipeline import load_rules

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"

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
name = "contoso-rule"
title = "A Contoso rule"
severity = "warning"
message = "{name}: {value}"
rationale = "Why."
remediation = "How."
sources = ["contoso-standard"]
"""


def _nested_not(depth: int) -> str:
    return "{ not = " * depth + '{ "platform" = "hyperv" }' + " }" * depth


HOSTS_CONDITION = 'target = "hosts"\ncheck = "condition"\n'
CASES = [
    ("path-typo", HOSTS_CONDITION + 'params = { expect = { "os.verison" = { version_ge = "6.1" } } }',
     "key 'params.expect.os.verison': unknown field 'verison' of hosts (did you mean 'version'?)"),
    ("where-typo", HOSTS_CONDITION + 'where = { "platfrom" = "hyperv" }\nparams = { expect = { "name" = { max_length = 15 } } }',
     "key 'where.platfrom': unknown field 'platfrom' of hosts (did you mean 'platform'?)"),
    ("fact-typo", HOSTS_CONDITION + 'params = { expect = { "@clustr.nodes" = { min_length = 2 } } }',
     "key 'params.expect.@clustr.nodes': unknown fact '@clustr' of hosts (did you mean '@cluster'?)"),
    ("field-of-a-link", HOSTS_CONDITION + 'params = { expect = { "@cluster.nodez" = { min_length = 2 } } }',
     "key 'params.expect.@cluster.nodez': unknown field 'nodez' of @cluster (did you mean 'nodes'?)"),
    ("list-without-selector", HOSTS_CONDITION + 'params = { expect = { "nics.link_speed_mbps" = { ge = 1000 } } }',
     "key 'params.expect.nics.link_speed_mbps': 'nics' is a list of Nic: pick one item with nics[Name] or nics[0]"),
    ("ge-with-text", HOSTS_CONDITION + 'params = { expect = { "hardware.memory_gb" = { ge = "64 GB" } } }',
     "key 'params.expect.hardware.memory_gb.ge': operator 'ge' expects a number, got '64 GB' (a string)"),
    ("in-with-a-number", HOSTS_CONDITION + 'params = { expect = { "os.edition" = { in = 5 } } }',
     "key 'params.expect.os.edition.in': operator 'in' expects a non-empty list of strings, numbers or booleans, got 5 (a number)"),
    ("number-test-on-text", HOSTS_CONDITION + 'params = { expect = { "os.version" = { ge = 6.1 } } }',
     "key 'params.expect.os.version.ge': 'os.version' is a string: 'ge' compares numbers and never holds; "
     "use version_ge for versions"),
    ("enum-value", HOSTS_CONDITION + 'params = { expect = { "platform" = "hyper-v" } }',
     "key 'params.expect.platform': 'platform' is one of esx, esxi, hyperv, virtual-server: "
     "'hyper-v' is not one of its values (did you mean 'hyperv'?)"),
    ("invalid-regex", HOSTS_CONDITION + """params = { expect = { "name" = { matches = '(["' } } }""",
     "key 'params.expect.name.matches': bad regular expression '([\"': missing ]: [\" "
     "(RE2 syntax: no backreferences or look-around)"),
    ("backreference", HOSTS_CONDITION + """params = { expect = { "name" = { matches = '(a)\\1' } } }""",
     "key 'params.expect.name.matches': bad regular expression '(a)\\\\1': invalid escape sequence: \\1 "
     "(RE2 syntax: no backreferences or look-around)"),
    ("software-regex", 'target = "hosts"\ncheck = "software"\nparams = { pattern = "Agent (v2" }',
     "key 'params.pattern': bad regular expression 'Agent (v2': missing ): Agent (v2 "
     "(RE2 syntax: no backreferences or look-around)"),
    ("nesting", HOSTS_CONDITION + f"where = {_nested_not(MAX_DEPTH)}\nparams = {{ expect = {{ \"name\" = {{ max_length = 15 }} }} }}",
     "key 'where" + ".not" * MAX_DEPTH + f"': conditions nest more than {MAX_DEPTH} levels deep (any_of / not)"),
    ("show-paths", 'target = "sql_servers"\ncheck = "matrix_match"\n'
     'params = { rows = [{ label = "2008 R2", when = { version = { prefix = "10.50" } } }], show_paths = ["edtion"] }',
     "key 'params.show_paths[0]': unknown field 'edtion' of sql_servers (did you mean 'edition'?)"),
    ("matrix-row-when", 'target = "sql_servers"\ncheck = "matrix_match"\n'
     'params = { rows = [{ label = "2008 R2", when = { verison = { prefix = "10.50" } } }] }',
     "key 'params.rows[0].when.verison': unknown field 'verison' of sql_servers (did you mean 'version'?)"),
    ("matrix-row-key", 'target = "sql_servers"\ncheck = "matrix_match"\n'
     'params = { rows = [{ lable = "2008 R2", when = { version = { prefix = "10.50" } } }] }',
     "key 'params.rows[0].lable': unknown key"),
    ("item-condition", 'target = "hosts"\ncheck = "count"\nparams = { path = "nics", where = { link_sped_mbps = { lt = 1000 } }, max = 0 }',
     "key 'params.where.link_sped_mbps': unknown field 'link_sped_mbps' of an item of nics (did you mean 'link_speed_mbps'?)"),
    ("item-fields", 'target = "host_teams"\ncheck = "items"\nparams = { same = ["link_speed"] }',
     "key 'params.same[0]': unknown field 'link_speed' of an item of @member_nics (did you mean 'link_speed_mbps'?)"),
    ("tier-limit", 'target = "vmm_servers"\ncheck = "threshold"\n'
     'params = { tiers = [{ name = "all", minimum = { "hardware.memory_gb" = "64 GB" } }] }',
     "key 'params.tiers[0].minimum.hardware.memory_gb': expected a number, got '64 GB' (a string)"),
    ("tier-path", 'target = "vmm_servers"\ncheck = "threshold"\n'
     'params = { tiers = [{ name = "all", minimum = { "hardware.memory" = 64 } }] }',
     "key 'params.tiers[0].minimum.hardware.memory': unknown field 'memory' of vmm_servers (did you mean 'memory_gb'?)"),
    ("hotfix-row", 'target = "hosts"\ncheck = "hotfix"\nparams = { hotfix = { kb = "975530" } }',
     r"key 'params.hotfix.kb': expected str matching regex '^KB\\d{6,8}$'"),
    ("fix-action", HOSTS_CONDITION + 'params = { expect = { "name" = { max_length = 15 } } }\nfix = { action = "instal-hotfix" }',
     "key 'fix.action': unknown action 'instal-hotfix' (did you mean 'install-hotfix'?)"),
    ("fix-parameter", HOSTS_CONDITION + 'params = { expect = { "name" = { max_length = 15 } } }\n'
     'fix = { action = "install-hotfix", params = { knowledge_base = "KB975530" } }',
     "key 'fix.params.knowledge_base': action 'install-hotfix' has no parameter 'knowledge_base' (parameters: kb)"),
    ("fix-placeholder", HOSTS_CONDITION + 'params = { expect = { "name" = { max_length = 15 } } }\n'
     'fix = { action = "install-hotfix", params = { kb = "{hotfix}" } }',
     "key 'fix.params.kb': unknown placeholder {hotfix} (check 'condition' offers: at_risk, at_risk_count, expected, "
     "failed_paths, kind, members, name, path, value)"),
]


def _site(tmp_path: Path, rule: str) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "contoso.toml").write_text(textwrap.dedent(PACK) + rule + "\n", encoding="utf-8")
    return site


COMMANDS = {
    "rules-list": lambda site: ["rules", "list", "--rules", str(site)],
    "check": lambda site: ["check", str(READY), "--rules", str(site)],
    "verify": lambda site: ["verify", str(READY), "--rules", str(site)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("rule", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_rule_is_one_line_naming_file_rule_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        command: str, rule: str, expected: str) -> None:
    site = _site(tmp_path, rule)
    assert main(COMMANDS[command](site)) == 2
    captured = capsys.readouterr()
    assert captured.err == f"preflight: error: {site / 'contoso.toml'}: rule CTS001: {expected}\n"
    assert captured.out == ""


def test_error_in_matrix_data_names_the_matrix_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, 'target = "vmm_servers"\ncheck = "threshold"\n'
                           'params = { tiers = { matrix = "contoso-memory", table = "memory" }, unit = " GB" }')
    matrix = site / "memory.toml"
    matrix.write_text(textwrap.dedent("""
        [matrix]
        id = "contoso-memory"
        title = "Contoso memory tiers"

        [[memory]]
        name = "all"
        minimum = { "hardware.memory_gb" = "16 GB" }
        source = "contoso-standard"
    """), encoding="utf-8")
    assert main(["rules", "list", "--rules", str(site)]) == 2
    assert capsys.readouterr().err == (
        f"preflight: error: {site / 'contoso.toml'}: rule CTS001: key 'params.tiers[0].minimum.hardware.memory_gb': "
        f"expected a number, got '16 GB' (a string) (data from matrix 'contoso-memory' in {matrix})\n")


def test_deeply_nested_toml_is_a_load_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert main(["rules", "list", "--rules", str(site)]) == 2
    assert capsys.readouterr().err == f"preflight: error: {site / 'deep.toml'}: malformed TOML: tables or arrays nest too deeply\n"


def test_condition_nesting_up_to_the_limit_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, HOSTS_CONDITION + f"where = {_nested_not(MAX_DEPTH - 1)}\n"
                           'params = { expect = { "name" = { max_length = 15 } } }')
    assert main(["rules", "list", "--rules", str(site)]) == 0
    assert "CTS001" in capsys.readouterr().out


def test_catastrophic_pattern_cannot_hang_a_check(tmp_path: Path) -> None:
    """`^(a+)+$` against 'aaa...!' backtracks for hours in a backtracking engine; RE2 answers at once."""
    snapshot = json.loads(READY.read_text(encoding="utf-8"))
    snapshot["snapshot"]["name"] = "a" * 40 + "!"
    estate = tmp_path / "estate.json"
    estate.write_text(json.dumps(snapshot), encoding="utf-8")
    site = _site(tmp_path, 'target = "snapshots"\ncheck = "condition"\nparams = { expect = { "name" = { matches = "^(a+)+$" } } }')
    done = subprocess.run([sys.executable, "-m", "preflight", "check", str(estate), "--rules", str(site), "--format", "json",
                           "--fail-on", "warning"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    finding = next(f for f in json.loads(done.stdout)["findings"] if f["rule"] == "CTS001")
    assert finding["status"] == "fail" and finding["target"]["name"] == "a" * 40 + "!"


def test_rule_regexes_run_on_re2() -> None:
    catalog = load_rules()
    software = [rule.check for rule in catalog.rules.values() if rule.check.kind == "software"]
    assert software and all(isinstance(check._regex, re2._Regexp) for check in software)
    assert isinstance(compile_regex("Xeon"), re2._Regexp)
    assert compile_regex("consumer preview").search("Windows 8 Consumer Preview")  # case-insensitive, as before


def test_builtin_packs_pass_the_load_time_validation() -> None:
    catalog = load_rules()
    assert len(catalog.rules) >= 89
    assert all(rule.fix is None or rule.fix.action for rule in catalog.rules.values())


def test_bad_override_parameter_is_reported_at_the_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    site.mkdir()
    overrides = site / "overrides.toml"
    overrides.write_text(textwrap.dedent("""
        [pack]
        id = "contoso-overrides"
        title = "Contoso adjustments"
        version = "1"

        [[overrides]]
        rule = "VMM011"
        enabled = false

        [[overrides]]
        rule = "INV001"
        params = { max_days = "three" }
    """), encoding="utf-8")
    assert main(["check", str(READY), "--rules", str(site)]) == 2
    assert capsys.readouterr().err == (
        f"preflight: error: {overrides}: rule INV001: key 'overrides[1].params.max_days': expected float, got str\n")
