"""Rule catalog loading: errors name the file, rule and key; sites add packs, override rules and replace matrices."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.engine.catalog import load_catalog
from preflight.errors import CatalogError
from preflight.pipeline import load_rules
from preflight.resources import builtin_rules_dir

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"

GOOD_RULE = """
[pack]
id = "contoso"
title = "Contoso standards"
version = "1.0.0"

[sources.contoso-standard]
title = "Contoso server build standard v7"
confidence = "site"

[[rules]]
code = "CTS001"
name = "contoso-vmm-memory"
title = "VMM server has less than 16 GB of memory"
severity = "warning"
target = "vmm_servers"
check = "condition"
params = { expect = { "hardware.memory_gb" = { ge = 16 } } }
message = "{name}: has {value} GB of memory; Contoso builds VMM servers with 16 GB"
rationale = "Contoso's VMM servers also run the library and reporting; below 16 GB they page."
remediation = "Add memory to reach 16 GB."
sources = ["contoso-standard"]
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path



@pytest.mark.parametrize(
    ("change", "rule", "key", "problem"),
    [
        (('check = "condition"', 'check = "telepathy"'), "CTS001", "check", "unknown check kind 'telepathy'"),
        (('severity = "warning"', 'severity = "critical"'), "CTS001", "severity", "invalid enum value 'critical'"),
        (('params = { expect = { "hardware.memory_gb" = { ge = 16 } } }', 'params = {}'), "CTS001", "params.expect", "required key is missing"),
        (('target = "vmm_servers"', 'target = "toasters"'), "CTS001", "target", "unknown target kind 'toasters'"),
        (('{ ge = 16 }', '{ gte = 16 }'), "CTS001", "params", "unknown operator 'gte'"),
        (('sources = ["contoso-standard"]', 'sources = ["nowhere"]'), "CTS001", "sources", "unknown source 'nowhere'"),
        (('{value} GB', '{valeu} GB'), "CTS001", "message", "unknown placeholder {valeu}"),
        (('title = "VMM server has less than 16 GB of memory"\n', ''), "CTS001", "title", "required key is missing"),
        (('code = "CTS001"', 'code = "VMM005"'), "VMM005", "code", "rule code already defined"),
        (('name = "contoso-vmm-memory"', 'name = "Contoso Memory"'), "CTS001", "name", "expected `str` matching regex"),
    ],
)
def test_catalog_errors_name_file_rule_and_key(tmp_path: Path, change: tuple[str, str], rule: str, key: str, problem: str) -> None:
    text = GOOD_RULE.replace(*change)
    path = write(tmp_path / "site", "site.toml", text)
    with pytest.raises(CatalogError) as caught:
        load_catalog([builtin_rules_dir(), tmp_path / "site"])
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert f"rule {rule}" in message, message
    assert f"key '{key}" in message, message
    assert problem.replace("`", "") in message, message


def test_site_pack_is_evaluated_with_builtin_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "site", "contoso.toml", GOOD_RULE)
    code = main(["check", str(READY), "--rules", str(tmp_path / "site"), "--fail-on", "warning", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    finding = next(f for f in report["findings"] if f["rule"] == "CTS001")
    assert finding["message"] == "VMM01: has 8 GB of memory; Contoso builds VMM servers with 16 GB"
    assert report["packs"]["contoso"] == "1.0.0" and "vmm2012" in report["packs"]


def test_override_changes_params_and_severity(tmp_path: Path) -> None:
    write(tmp_path / "site", "overrides.toml", """
        [pack]
        id = "contoso-overrides"
        title = "Contoso adjustments"
        version = "1"

        [[overrides]]
        rule = "INV001"
        params = { max_days = 2 }
        severity = "blocker"

        [[overrides]]
        rule = "VMM011"
        enabled = false
    """)
    catalog = load_rules((tmp_path / "site",))
    assert catalog.rules["INV001"].check.max_days == 2
    assert catalog.rules["INV001"].severity.value == "blocker"
    assert catalog.rules["INV001"].overridden_by == (str(tmp_path / "site" / "overrides.toml"),)
    assert "VMM011" not in catalog.rules


def test_override_of_unknown_rule_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "site", "o.toml", """
        [pack]
        id = "x"
        title = "x"
        version = "1"

        [[overrides]]
        rule = "ABC999"
    """)
    with pytest.raises(CatalogError, match=r"overrides\[0\]\.rule.*no rule 'ABC999'") as caught:
        load_catalog([builtin_rules_dir(), tmp_path / "site"])
    assert str(caught.value).startswith(str(path))


def test_site_matrix_replaces_builtin_and_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "site", "upgrade.toml", """
        [matrix]
        id = "vmm2012-upgrade"
        title = "Contoso: only 2.0.4521 counts"

        [sources.contoso-cab]
        title = "Contoso CAB decision 2026-41"
        confidence = "site"

        [[upgrade_from]]
        label = "VMM 2008 R2 SP1 build 4521 only"
        when = { "vmm.version" = { prefix = "2.0.4521" } }
        source = "contoso-cab"

        [[server_os]]
        label = "Windows Server 2008 R2 Datacenter only"
        when = { "os.version" = { prefix = "6.1" }, "os.edition" = "Datacenter" }
        source = "contoso-cab"
    """)
    assert main(["check", str(READY), "--rules", str(tmp_path / "site")]) == 1  # Enterprise edition now fails VMM002
    capsys.readouterr()
    assert main(["rules", "show", "VMM002", "--rules", str(tmp_path / "site")]) == 0
    out = capsys.readouterr().out
    assert "Datacenter only  <- contoso-cab [site]" in out
    assert "replacing built-in rules/matrices/vmm2012-upgrade.toml" in out


def test_matrix_row_without_source_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "site", "m.toml", """
        [matrix]
        id = "extra"
        title = "x"

        [[rows]]
        label = "no source"
    """)
    with pytest.raises(CatalogError, match=r"key 'rows\[0\]\.source': every matrix row needs a source") as caught:
        load_catalog([builtin_rules_dir(), tmp_path / "site"])
    assert str(caught.value).startswith(str(path))


def test_bad_rules_dir_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "site", "broken.toml", "[pack\nid=")
    assert main(["check", str(READY), "--rules", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "broken.toml: malformed TOML" in err and err.count("\n") == 1
    assert main(["check", str(READY), "--rules", str(tmp_path / "absent")]) == 2
