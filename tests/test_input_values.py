"""Values inside a snapshot: Windows names, control characters, length limits, duplicate keys, contradictions, plausibility."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from preflight.cli import main

READY = Path(__file__).resolve().parent.parent / "fixtures" / "estates" / "ready.json"
TEXT = READY.read_text(encoding="utf-8")


def ready() -> dict[str, Any]:
    return json.loads(TEXT)


def validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any] | str) -> tuple[int, str, str]:
    path = tmp_path / "estate.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    code = main(["validate", str(path)])
    return code, capsys.readouterr().err, str(path)


def assert_bad(tmp_path: Path, capsys, data: dict[str, Any] | str, where: str, *expected: str) -> None:
    code, err, path = validate(tmp_path, capsys, data)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith(f"preflight: error: {path}: {where}: "), err
    for text in expected:
        assert text in lines[0], err


def edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = ready()
    change(data)
    return data


COMPUTER = "expected a computer name: letters, digits and hyphens"
DNS = "expected a DNS name"


@pytest.mark.parametrize(("where", "change", "expected"), [
    ("$.hosts[0].name", lambda d: d["hosts"][0].update(name="HV 01"), COMPUTER),
    ("$.hosts[0].name", lambda d: d["hosts"][0].update(name="-HV01"), COMPUTER),
    ("$.hosts[0].name", lambda d: d["hosts"][0].update(name="HV_01"), COMPUTER),
    ("$.hosts[0].name", lambda d: d["hosts"][0].update(name="H" * 64), "length <= 63"),
    ("$.vmm_servers[0].name", lambda d: d["vmm_servers"][0].update(name="<img src=x>"), COMPUTER),
    ("$.hosts[0].managed_by", lambda d: d["hosts"][0].update(managed_by="VMM01;rm"), COMPUTER),
    ("$.vmm_servers[0].vmm.database.server", lambda d: d["vmm_servers"][0]["vmm"]["database"].update(server="SQL01\\INST"), COMPUTER),
    ("$.vms[0].host", lambda d: d["vms"][0].update(host="HV01 "), COMPUTER),
    ("$.hosts[0].fqdn", lambda d: d["hosts"][0].update(fqdn="hv01..contoso.local"), DNS),
    ("$.hosts[0].domain", lambda d: d["hosts"][0].update(domain="contoso.local/"), DNS),
    ("$.hosts[0].fqdn", lambda d: d["hosts"][0].update(fqdn=("a" * 63 + ".") * 4 + "local"), "length <= 255"),
])
def test_names_windows_refuses_are_bad_input(tmp_path: Path, capsys, where: str, change, expected: str) -> None:
    assert_bad(tmp_path, capsys, edit(change), where, expected)


def test_a_long_computer_name_is_a_finding_not_bad_input(tmp_path: Path, capsys) -> None:
    data = json.loads(TEXT.replace('"VMM01"', '"FABRIKAM-VMM-SRV01"'))
    data["vmm_servers"][0]["fqdn"] = "fabrikam-vmm-srv01.contoso.local"
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert any(f["target"]["name"] == "FABRIKAM-VMM-SRV01" and "15" in f["message"] for f in findings)


def test_free_text_names_stay_free_text(tmp_path: Path, capsys) -> None:
    data = ready()
    data["vms"][0]["name"] = "Web server (prod) — <b>ü</b> 'x' & \"y\""
    code, err, _ = validate(tmp_path, capsys, data)
    assert code == 0, err


@pytest.mark.parametrize("char", ["\u0000", "\u0007", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u009b"])
def test_control_characters_are_refused_everywhere(tmp_path: Path, capsys, char: str) -> None:
    data = ready()
    data["vms"][0]["name"] = f"WEB{char}01"
    assert_bad(tmp_path, capsys, data, "$.vms[0].name", f"control character U+{ord(char):04X}")


def test_control_character_in_a_key_is_refused(tmp_path: Path, capsys) -> None:
    text = TEXT.replace('"caption"', '"cap\\u001btion"', 1)
    code, err, _ = validate(tmp_path, capsys, text)
    assert code == 2 and "control character U+001B" in err and "\x1b" not in err


def test_escaped_backslashes_are_not_control_characters(tmp_path: Path, capsys) -> None:
    data = ready()
    data["vms"][0]["name"] = "C:\\new\\table\\u0007\\"
    code, err, _ = validate(tmp_path, capsys, data)
    assert code == 0, err


def test_text_longer_than_the_limit_is_bad_input(tmp_path: Path, capsys) -> None:
    data = ready()
    data["vms"][0]["name"] = "V" * 1_000_000
    assert_bad(tmp_path, capsys, data, "$.vms[0].name", "length <= 256")


def test_duplicate_json_key_names_the_path(tmp_path: Path, capsys) -> None:
    text = json.dumps(ready()).replace('"installation_type": "Full"', '"installation_type": "Core", "installation_type": "Full"', 1)
    assert_bad(tmp_path, capsys, text, "$.vmm_servers[0].os.installation_type", "duplicate key")


def test_duplicate_key_hidden_behind_an_escaped_colon_is_found(tmp_path: Path, capsys) -> None:
    text = json.dumps(ready()).replace('"installation_type": "Full"',
                                       '"installation_type": "Core", "installation_type": "Full", "edition": "x\\u003a"', 1)
    assert_bad(tmp_path, capsys, text, "$.vmm_servers[0].os.installation_type", "duplicate key")


def test_colons_in_values_do_not_look_like_duplicates(tmp_path: Path, capsys) -> None:
    data = ready()
    data["vms"][0]["name"] = '": "x": '
    code, err, _ = validate(tmp_path, capsys, json.dumps(data, indent=4, separators=(",", " : ")))
    assert code == 0, err


@pytest.mark.parametrize(("where", "change"), [
    ("$.vmm_servers[0].services[2].name", lambda d: d["vmm_servers"][0]["services"].append(
        dict(d["vmm_servers"][0]["services"][0], name="winrm", state="Stopped"))),
    ("$.vmm_servers[0].hardware.volumes[1].drive", lambda d: d["vmm_servers"][0]["hardware"]["volumes"].append(
        dict(d["vmm_servers"][0]["hardware"]["volumes"][0], free_gb=1))),
    ("$.hosts[0].nics[1].name", lambda d: d["hosts"][0].update(nics=[{"name": "NIC1", "status": "Up"}, {"name": "NIC1", "status": "Down"}])),
    ("$.hosts[0].certificates[1].thumbprint", lambda d: d["hosts"][0].update(certificates=[
        {"thumbprint": "AB12", "subject": "CN=HV01"}, {"thumbprint": "ab12", "subject": "CN=OTHER"}])),
])
def test_one_object_described_twice_differently_is_bad_input(tmp_path: Path, capsys, where: str, change) -> None:
    assert_bad(tmp_path, capsys, edit(change), where, "listed twice with different content", "also at")


def test_an_identical_repeat_is_tolerated(tmp_path: Path, capsys) -> None:
    data = edit(lambda d: d["vmm_servers"][0]["services"].append(dict(d["vmm_servers"][0]["services"][0])))
    code, err, _ = validate(tmp_path, capsys, data)
    assert code == 0, err


@pytest.mark.parametrize(("where", "change", "expected"), [
    ("$.vmm_servers[0].hardware.memory_gb", lambda d: d["vmm_servers"][0]["hardware"].update(memory_gb=-8), "> 0"),
    ("$.vmm_servers[0].hardware.clock_ghz", lambda d: d["vmm_servers"][0]["hardware"].update(clock_ghz=29.3), "<= 10"),
    ("$.vmm_servers[0].hardware.volumes[0].size_gb",
     lambda d: d["vmm_servers"][0]["hardware"]["volumes"][0].update(size_gb=2_000_000, free_gb=1), "<= 1048576"),
    ("$.vmm_servers[0].hardware.volumes[0]",
     lambda d: d["vmm_servers"][0]["hardware"]["volumes"][0].update(size_gb=100, free_gb=200), "free_gb (200) is larger than size_gb (100)"),
    ("$.vms[0].memory_gb", lambda d: d["vms"][0].update(memory_gb=1e9), "<= 65536"),
])
def test_physically_absurd_values_are_bad_input(tmp_path: Path, capsys, where: str, change, expected: str) -> None:
    assert_bad(tmp_path, capsys, edit(change), where, expected)


def test_a_number_beyond_float_range_names_its_field(tmp_path: Path, capsys) -> None:
    text = json.dumps(ready()).replace('"memory_gb": 4', '"memory_gb": 1e999', 1)
    assert_bad(tmp_path, capsys, text, "$.vms[0].memory_gb", "out of range")


def test_a_hyperv_hosts_version_and_os_version_must_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(TEXT)
    host = data["hosts"][0]
    host["version"], host["os"]["version"] = "6.2.9200", "6.1.7601"
    path = tmp_path / "two-versions.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "$.hosts[0].version: '6.2.9200' disagrees with os.version '6.1.7601'" in err
    host["version"] = "6.1.7601.0"   # the same version, written with a zero more: no contradiction
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["check", str(path), "--as-of", "collected"]) == 0


@pytest.mark.parametrize(("path", "value", "allowed"), [
    (("hosts", 0, "platform"), "kvm", "esx, esxi, hyperv, virtual-server"),
    (("vmm_servers", 0, "os", "installation_type"), "Nano", "Core, Full"),
    (("vmm_servers", 0, "services", 0, "start_mode"), "Automatic", "Auto, Boot, Disabled, Manual, System"),
])
def test_an_enum_error_lists_the_values_the_field_accepts(path: tuple, value: str, allowed: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(TEXT)
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    file = tmp_path / "enum.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    assert main(["check", str(file)]) == 2
    dotted = "$." + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")
    assert capsys.readouterr().err == (f"preflight: error: {file}: {dotted}: invalid enum value '{value}' "
                                       f"(expected one of: {allowed})\n")
