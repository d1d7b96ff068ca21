"""`preflight collect` snapshots the machine it runs on, and the result passes preflight's own validation."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from preflight.cli import main
from preflight.collect import local
from preflight.collect.local import collect_local, service_entry

VERDICT_EXIT = {"no-go": 1, "incomplete": 4}  # the README's exit codes; GO (0) is impossible without VMM facts


def _collect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, int, dict]:
    target = tmp_path / "local.json"
    assert main(["collect", "-o", str(target), "--name", "JUMPHOST01"]) == 0
    assert main(["validate", str(target)]) == 0
    capsys.readouterr()
    code = main(["check", str(target), "--format", "json", "--as-of", "collected"])
    return json.loads(target.read_text(encoding="utf-8")), code, json.loads(capsys.readouterr().out)


def test_collect_writes_a_valid_snapshot_of_this_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real collector on whatever machine runs the suite: its facts, never its verdict, are asserted."""
    data, code, report = _collect(tmp_path, capsys)
    server = data["vmm_servers"][0]
    assert server["name"] == "JUMPHOST01"
    assert server["hardware"]["memory_gb"] == pytest.approx(psutil.virtual_memory().total / 2**30, abs=0.1)
    assert server["hardware"]["logical_processors"] == psutil.cpu_count()
    assert any(v["size_gb"] > 0 for v in server["hardware"]["volumes"])
    # what psutil cannot see is left out, so the check reports it as unknown rather than guessing: never GO
    assert report["verdict"] in VERDICT_EXIT and code == VERDICT_EXIT[report["verdict"]]
    unknown = {f["rule"] for f in report["findings"] if f["status"] == "unknown"}
    assert {"VMM001", "VMM004"} <= unknown
    missing = {m["name"]: m for m in report["missing_data"]}
    assert "$.vmm_servers[0].vmm" in missing["JUMPHOST01"]["fields"]


LINUX = {"caption": "Linux 6.1", "architecture": "x64"}
STRONG = {"memory_gb": 32.0, "architecture": "x64", "logical_processors": 8, "cores": 4, "clock_ghz": 2.6,
          "volumes": [{"drive": "/", "file_system": "ext4", "size_gb": 200.0, "free_gb": 120.0}]}
WEAK = {"memory_gb": 1.0, "architecture": "x86", "logical_processors": 1, "cores": 1, "clock_ghz": 1.0,
        "volumes": [{"drive": "/", "file_system": "ext4", "size_gb": 20.0, "free_gb": 1.0}]}


@pytest.mark.parametrize(("machine", "os", "verdict", "code", "failing"), [
    (STRONG, LINUX, "incomplete", 4, set()),
    (WEAK, {**LINUX, "architecture": "x86"}, "no-go", 1, {"HW007", "VMM002"}),
])
def test_collected_machine_gets_the_verdict_of_its_facts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, machine: dict, os: dict,
                                                         verdict: str, code: int, failing: set[str]) -> None:
    """The same collector and check on two pinned machines: the verdict follows the hardware, exactly."""
    monkeypatch.setattr(local, "hardware", lambda: json.loads(json.dumps(machine)))
    monkeypatch.setattr(local, "operating_system", lambda: dict(os))
    monkeypatch.setattr(local, "services", lambda: None)
    data, got, report = _collect(tmp_path, capsys)
    assert data["vmm_servers"][0]["hardware"] == machine
    assert (report["verdict"], got) == (verdict, code)
    assert {f["rule"] for f in report["findings"] if f["status"] == "fail"} == failing
    assert {"VMM001", "VMM004"} <= {f["rule"] for f in report["findings"] if f["status"] == "unknown"}


def test_collected_at_is_now_with_a_time_zone() -> None:
    data = collect_local("X")
    assert data["snapshot"]["collected_at"].endswith("+00:00")


def test_windows_service_mapping() -> None:
    entry = service_entry({"name": "WinRM", "display_name": "Windows Remote Management (WS-Management)",
                           "status": "stopped", "start_type": "automatic"})
    assert entry == {"name": "WinRM", "display_name": "Windows Remote Management (WS-Management)",
                     "state": "Stopped", "start_mode": "Auto"}
    assert service_entry({"name": "x", "status": "weird", "start_type": "delayed"}) == {"name": "x"}
