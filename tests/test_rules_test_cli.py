"""`preflight rules test DIR`: an organisation's pack against its own case files, with the built-in harness.

The example is the one docs/rule-packs.md documents, taken from the page itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from preflight.cli import main

DOC = (Path(__file__).resolve().parent.parent / "docs" / "rule-packs.md").read_text(encoding="utf-8")
_FILE_BLOCK = re.compile(r"^`(contoso-rules/[^`]+)`:\n\n```\w+\n(.*?)```", re.M | re.S)


def documented_pack(tmp_path: Path) -> Path:
    """The documented contoso-rules directory, written out file by file from the page."""
    files = _FILE_BLOCK.findall(DOC)
    assert {name for name, _ in files} == {"contoso-rules/contoso.toml", "contoso-rules/tests/CTS001.toml",
                                            "contoso-rules/tests/_bases/vmm.json"}
    for name, text in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "contoso-rules"


def documented_output() -> str:
    block = DOC.split("$ preflight rules test contoso-rules\n", 1)[1]
    return block.split("```", 1)[0]


def test_documented_example_passes_with_the_documented_output(tmp_path: Path, capsys, monkeypatch) -> None:
    directory = documented_pack(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["rules", "test", "contoso-rules"]) == 0
    assert capsys.readouterr().out == documented_output()
    # the case file beside the pack is not read as a rule pack by the evaluating commands
    snapshot = directory / "tests" / "_bases" / "vmm.json"
    main(["check", str(snapshot), "--rules", str(directory), "-q", "--as-of", "collected", "-f", "json",
          "--include-passed"])
    passed = json.loads(capsys.readouterr().out)["passed"]
    assert {"rule": "CTS001", "name": "contoso-vmm-memory", "pack": "contoso", "status": "pass",
            "target": {"kind": "vmm_servers", "name": "VMM01"},
            "evidence": [{"path": "$.vmm_servers[0].hardware.memory_gb", "value": "16"}]} in passed


def test_a_failing_case_is_exit_1_naming_the_case_and_what_differs(tmp_path: Path, capsys) -> None:
    directory = documented_pack(tmp_path)
    cases = directory / "tests" / "CTS001.toml"
    cases.write_text(cases.read_text(encoding="utf-8").replace('"memory_gb" = 8', '"memory_gb" = 32')
                     .replace("memory_gb\" = 8", "memory_gb\" = 32"), encoding="utf-8")
    assert main(["rules", "test", str(directory), "-q"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL CTS001-too-little ({cases})" in out
    assert "VMM01: expected fail, got pass" in out and "hardware.memory_gb = 32" in out
    assert "PASS" not in out, "-q shows only failures and the tally"
    assert out.endswith("3 cases: 2 passed, 1 failed\n")


def test_an_untested_rule_is_listed(tmp_path: Path, capsys) -> None:
    directory = documented_pack(tmp_path)
    pack = directory / "contoso.toml"
    text = pack.read_text(encoding="utf-8")
    second = text[text.index("[[rules]]"):].replace("CTS001", "CTS002").replace("contoso-vmm-memory", "contoso-vmm-memory-2")
    pack.write_text(text + "\n" + second, encoding="utf-8")
    assert main(["rules", "test", str(directory)]) == 0
    assert "no case tests: CTS002" in capsys.readouterr().out


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace('status = "pass"', 'status = "passes"'), "CTS001.toml: $.cases[0].expect[0].status: invalid enum value 'passes'"),
    (lambda t: t.replace('id = "at-standard"', 'id = "at-standard"\nsett = { }'), "CTS001.toml: $.cases[0].sett: unknown key in a case file"),
    (lambda t: t.replace('base = "vmm"', 'base = "hyperv"'), "CTS001.toml: base: no base snapshot 'hyperv'"),
    (lambda t: t.replace("vmm_servers[VMM01].hardware", "vmm_servers[VMM99].hardware"), "CTS001.toml: $.cases[1]: case 'too-little': an edit does not fit"),
    (lambda t: t.replace('rule = "CTS001"', 'rule = "CTS999"'), "CTS001.toml: rule: no rule 'CTS999'"),
])
def test_a_broken_case_file_is_one_line_and_exit_2(tmp_path: Path, capsys, edit, expected: str) -> None:
    directory = documented_pack(tmp_path)
    cases = directory / "tests" / "CTS001.toml"
    cases.write_text(edit(cases.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["rules", "test", str(directory)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err


def test_a_directory_without_cases_is_exit_2(tmp_path: Path, capsys) -> None:
    directory = documented_pack(tmp_path)
    (directory / "tests" / "CTS001.toml").unlink()
    assert main(["rules", "test", str(directory)]) == 2
    assert "no case files" in capsys.readouterr().err
