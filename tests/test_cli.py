"""CLI behaviour a user or CI gate relies on: exit codes, one-line errors, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from preflight.cli import main

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot_text(**changes: object) -> str:
    data = json.loads(READY.read_text(encoding="utf-8"))
    data.update(changes)
    return json.dumps(data)


def test_ready_estate_is_go(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(READY))
    assert code == 0
    assert out.startswith(" GO ")
    assert "rules," in out and "checks" in out


def test_blocked_estate_is_no_go_with_explained_blockers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["vmm_servers"][0]["services"][0]["state"] = "Stopped"
    path = tmp_path / "stopped.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert out.startswith(" NO-GO ")
    assert "VMM010" in out and "the WinRM service is Stopped" in out
    assert "evidence: $.vmm_servers[0].services[WinRM].state = Stopped" in out
    assert "fix: Start the WinRM service" in out


def test_fail_on_blocker_ignores_warnings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["vmm_servers"][0]["services"][0]["start_mode"] = "Manual"  # VMM011: a warning
    path = tmp_path / "manual.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run(capsys, "check", str(path), "--fail-on", "warning")[0] == 1
    assert run(capsys, "check", str(path), "--fail-on", "blocker")[0] == 0


def test_unknown_makes_the_verdict_incomplete_unless_allowed_or_strict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    del data["vmm_servers"][0]["services"]
    path = tmp_path / "no-services.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 4
    assert out.startswith(" INCOMPLETE ")
    assert "unknown (snapshot lacks the data)" in out.splitlines()[0]
    assert "pass --allow-unknown" in out.splitlines()[1]
    assert "VMM01 (vmm_servers; VMM010" in out and "$.vmm_servers[0].services" in out
    code, out, _ = run(capsys, "check", str(path), "--allow-unknown")
    assert code == 0 and out.startswith(" GO ") and "--allow-unknown" in out.splitlines()[1]
    assert run(capsys, "check", str(path), "--strict")[0] == 1
    code, _, err = run(capsys, "check", str(path), "--strict", "--allow-unknown")
    assert code == 2 and "contradict" in err
    # below --fail-on an unknown does not decide: a blocker-only gate is not incomplete for a warning's data
    del data["vmm_servers"][0]["vmm"]["database"]["last_full_backup"]
    data["vmm_servers"][0]["services"] = json.loads(READY.read_text(encoding="utf-8"))["vmm_servers"][0]["services"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run(capsys, "check", str(path))[0] == 0
    assert run(capsys, "check", str(path), "--fail-on", "warning")[0] == 4


def test_json_output_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["vmm_servers"][0]["os"]["installation_type"] = "Core"
    path = tmp_path / "core.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["schema"] == "preflight/report/v1"
    assert report["verdict"] == "no-go"
    assert set(report["summary"]["status"]) == {"fail", "pass", "unknown", "n/a"}
    finding = next(f for f in report["findings"] if f["rule"] == "VMM003")
    assert finding["severity"] == "blocker" and finding["status"] == "fail"
    assert finding["target"] == {"kind": "vmm_servers", "name": "VMM01"}
    assert finding["evidence"] == [{"path": "$.vmm_servers[0].os.installation_type", "value": "Core"}]
    assert finding["name"] == "vmm-server-full-installation"
    assert len(finding["fingerprint"]) == 32
    assert all(f["status"] in ("fail", "unknown") for f in report["findings"])
    assert report["inputs"][0]["sha256"] and report["tool"]["name"] == "preflight"


def test_fingerprint_is_stable_across_runs_and_volatile_fields(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prints = []
    for stamp in ("2026-11-24T21:30:00Z", "2026-11-20T08:00:00Z"):
        data = json.loads(READY.read_text(encoding="utf-8"))
        data["snapshot"]["collected_at"] = stamp
        data["vmm_servers"][0]["os"]["installation_type"] = "Core"
        data["vmm_servers"][0]["hardware"]["memory_gb"] = 12
        path = tmp_path / f"{stamp[:10]}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        _, out, _ = run(capsys, "check", str(path), "--format", "json")
        prints.append({f["rule"]: f["fingerprint"] for f in json.loads(out)["findings"]})
    assert prints[0]["VMM003"] == prints[1]["VMM003"]


def test_output_file_by_extension(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    code, out, _ = run(capsys, "check", str(READY), "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"] == "go"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", '{"schema": "preflight/inventory/v1", "snapshot": {', "malformed JSON: the file ends in the middle of a value, truncated? (line 1, column 51)"),
        ("bad.toml", 'schema = "preflight/inventory/v1"\nsnapshot = {', "malformed TOML"),
        ("wrong-type.json", None, "$.vmm_servers[0].hardware.memory_gb: expected `float`, got `str`"),
        ("unknown-field.json", None, "$.hosts[0].colour: unknown field (not in preflight/inventory/v1)"),
        ("dangling.json", None, "$.vms[0].host: 'HV99' does not name an entry of hosts"),
        ("missing.json", None, "$.snapshot.collected_at: required field is missing"),
        ("schema.json", '{"schema": "preflight/inventory/v0"}', '$.schema: expected "preflight/inventory/v1", got "preflight/inventory/v0"'),
        ("enum.json", None, "$.hosts[0].platform: invalid enum value 'kvm'"),
        ("snapshot.yaml", "schema: x", "expected a .json or .toml snapshot"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str,
                                      content: str | None, expected: str) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    if name == "wrong-type.json":
        data["vmm_servers"][0]["hardware"]["memory_gb"] = "eight"
    elif name == "unknown-field.json":
        data["hosts"][0]["colour"] = "blue"
    elif name == "dangling.json":
        data["vms"][0]["host"] = "HV99"
    elif name == "missing.json":
        del data["snapshot"]["collected_at"]
    elif name == "enum.json":
        data["hosts"][0]["platform"] = "kvm"
    path = tmp_path / name
    path.write_text(content if content is not None else json.dumps(data), encoding="utf-8")
    output = tmp_path / "out.json"
    code, out, err = run(capsys, "check", str(path), "-o", str(output))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"preflight: error: {path}")
    assert expected.replace("`", "") in lines[0]
    assert not output.exists(), "no partial output file on bad input"


def test_missing_file_and_duplicate_across_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read" in err
    copy = tmp_path / "copy.json"
    copy.write_text(READY.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run(capsys, "check", str(READY), str(copy))
    assert code == 2 and "'VMM01' is already defined in" in err


def test_merging_parts_of_one_estate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    sql_part = {"schema": data["schema"], "snapshot": dict(data["snapshot"], name="sql part"), "sql_servers": data.pop("sql_servers")}
    (tmp_path / "main.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "sql.json").write_text(json.dumps(sql_part), encoding="utf-8")
    assert run(capsys, "check", str(tmp_path / "main.json"))[0] == 2  # SQL01 unknown on its own
    assert run(capsys, "check", str(tmp_path / "main.json"), str(tmp_path / "sql.json"))[0] == 0


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", str(READY), "--fail-on", "sometimes")[0] == 2
    assert run(capsys, "check", str(READY), "--format", "yaml")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_validate_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(READY))
    assert code == 0 and "valid preflight/inventory/v1 snapshot" in out
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$id"] == "urn:preflight:inventory:v1"
    assert "Host" in schema["$defs"] and schema["$defs"]["Host"]["additionalProperties"] is False


def test_rules_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--pack", "vmm2012")
    assert code == 0 and "VMM005" in out
    code, out, _ = run(capsys, "rules", "show", "VMM001")
    assert code == 0
    assert "sources:" in out and "[article]" in out and "[unconfirmed]" in out
    code, out, _ = run(capsys, "rules", "show", "HFX002")
    assert code == 0
    assert "included in SP1 of Windows 6.1 <- hfx-2008r2-sp1-inclusion [unconfirmed]" in out
    for code in ("VMM005", "HFX001", "HW002", "NIC008", "CSV001"):   # what a user needs, no development notes
        shown = run(capsys, "rules", "show", code)[1]
        assert "defined in:  built-in rules/" in shown and str(ROOT) not in shown
        for internal in ("shared/reference", "domain-facts", "domain-corrections", "domain review", "semantic search"):
            assert internal not in shown, f"{code}: {internal}"
    assert run(capsys, "rules", "show", "NOPE999")[0] == 2
    assert run(capsys, "rules", "list", "--pack", "nope")[0] == 2


def test_no_traceback_from_the_installed_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "preflight", "check", str(bad)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.count("\n") == 1


def test_output_file_is_readable_by_others(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import os
    import stat

    previous = os.umask(0o022)
    try:
        target = tmp_path / "shared.json"
        assert run(capsys, "check", str(READY), "-o", str(target))[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_longest_extension_picks_the_formatter() -> None:
    from preflight.formatters import formatter_for_path

    assert formatter_for_path("out.sarif.json", "text").name == "sarif"
    assert formatter_for_path("out.JSON", "text").name == "json"
    assert formatter_for_path("out.unknown", "text").name == "text"
