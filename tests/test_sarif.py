"""SARIF as a code-scanning dashboard reads it: where a result is (locations), where its help is (helpUri),
how the rule is described, and what each artifact is."""

from __future__ import annotations

import io
import json
from datetime import UTC
from pathlib import Path

import pytest
from fixture_scope import module_unless_mutating
from report_estates import READY, report_of

from preflight.formatters import get_formatter
from preflight.formatters.sarif import FINGERPRINT_KEY, SARIF_SCHEMA, artifact_uri, build_sarif

PACK = '''
[pack]
id = "site-sarif"
title = "Site checks for the SARIF tests"
version = "1.0.0"

[sources.site-sarif]
title = "Site build standard"
confidence = "site"

[[rules]]
code = "SAR001"
name = "sarif-memory-small"
title = "VM has more than 4 GB of memory"
severity = "advisory"
target = "vms"
check = "condition"
params = { expect = { "memory_gb" = { le = 4 } } }
message = "{name}: has {value} GB of memory"
rationale = "Large VMs take longer to live-migrate."
remediation = "Drain large VMs first."
powershell = "Get-VM | Where-Object MemoryStartup -gt 4GB"
references = ["https://example.test/kb/large-vms", "https://example.test/kb/drain-order"]
sources = ["site-sarif"]

[[rules]]
code = "SAR002"
name = "sarif-backup-configured"
title = "VM has no backup"
severity = "loss"
target = "vms"
check = "condition"
params = { expect = { "backup.configured" = true } }
message = "{name}: no backup"
rationale = "Without a backup there is no way back."
remediation = "Add the VM to a backup job."
sources = ["site-sarif"]
'''


@pytest.fixture(scope=module_unless_mutating)
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """ready.json (WEB01 4 GB, APP01 8 GB, LNX01 2 GB; no backup collected) with the two-rule pack above."""
    base = tmp_path_factory.mktemp("sarif")
    rules = base / "rules"
    rules.mkdir()
    (rules / "site-sarif.toml").write_text(PACK, encoding="utf-8")
    snapshot = base / "ready estate.json"
    snapshot.write_text(json.dumps(json.loads(READY.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    return snapshot, rules


@pytest.fixture  # per test, not per module: mutmut maps each mutant to the tests that call the code
def run(site: tuple[Path, Path]) -> dict:
    snapshot, rules = site
    return build_sarif(report_of(snapshot, rule_dirs=(rules,)))["runs"][0]


def _rule(run: dict, code: str) -> dict:
    return next(r for r in run["tool"]["driver"]["rules"] if r["id"] == code)


def test_help_uri_is_the_first_reference_and_absent_without_references(run: dict) -> None:
    assert _rule(run, "SAR001")["helpUri"] == "https://example.test/kb/large-vms"
    assert "helpUri" not in _rule(run, "SAR002")


def test_rule_help_carries_rationale_fix_powershell_and_references(run: dict) -> None:
    with_all, plain = _rule(run, "SAR001"), _rule(run, "SAR002")
    assert with_all["help"]["text"] == ("Large VMs take longer to live-migrate.\n\nFix: Drain large VMs first.\n\n"
                                        "PowerShell:\nGet-VM | Where-Object MemoryStartup -gt 4GB")
    assert with_all["help"]["markdown"] == "\n".join([
        "**VM has more than 4 GB of memory**", "", "Large VMs take longer to live-migrate.", "",
        "**Fix:** Drain large VMs first.", "", "```powershell", "Get-VM | Where-Object MemoryStartup -gt 4GB", "```", "",
        "- <https://example.test/kb/large-vms>", "- <https://example.test/kb/drain-order>"])
    assert plain["help"] == {"text": "Without a backup there is no way back.\n\nFix: Add the VM to a backup job.",
                             "markdown": "**VM has no backup**\n\nWithout a backup there is no way back.\n\n"
                                         "**Fix:** Add the VM to a backup job."}
    assert (with_all["name"], with_all["shortDescription"], with_all["fullDescription"]) == (
        "sarif-memory-small", {"text": "VM has more than 4 GB of memory"}, {"text": "Large VMs take longer to live-migrate."})
    assert with_all["defaultConfiguration"] == {"level": "note"} and plain["defaultConfiguration"] == {"level": "error"}
    assert with_all["properties"] == {"pack": "site-sarif", "severity": "advisory", "target": "vms",
                                      "tags": ["preflight", "site-sarif", "advisory"]}


def test_results_locate_the_object_and_the_one_input_file(run: dict, site: tuple[Path, Path]) -> None:
    results = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r for r in run["results"]
               if r["ruleId"].startswith("SAR")}
    assert sorted(results) == [("SAR001", "APP01"), ("SAR002", "APP01"), ("SAR002", "LNX01"), ("SAR002", "WEB01")]
    failing = results[("SAR001", "APP01")]
    assert failing["locations"] == [{
        "logicalLocations": [{"name": "APP01", "kind": "vms", "fullyQualifiedName": "vms/APP01"}],
        "physicalLocation": {"artifactLocation": {"uri": site[0].as_uri(), "index": 0},
                             "region": {"startLine": _entry_line(site[0], "APP01")}}}]
    assert site[0].as_uri().endswith("/ready%20estate.json")
    assert (failing["kind"], failing["level"], failing["message"]) == ("fail", "note", {"text": "APP01: has 8 GB of memory"})
    assert failing["properties"] == {"severity": "advisory", "pack": "site-sarif",
                                     "evidence": [{"path": "$.vms[1].memory_gb", "value": "8"}]}
    assert run["tool"]["driver"]["rules"][failing["ruleIndex"]]["id"] == "SAR001"
    unknown = results[("SAR002", "WEB01")]
    assert (unknown["kind"], unknown["level"]) == ("review", "none")
    assert unknown["properties"]["missing"] == ["$.vms[0].backup"]
    assert set(unknown["partialFingerprints"]) == {FINGERPRINT_KEY}


def _entry_line(path: Path, name: str) -> int:
    """The line of the `{` opening the entry whose name line (indented JSON) reads `"name": "NAME"`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(f'"name": "{name}"'))
    return next(i for i in range(at, -1, -1) if lines[i].rstrip().endswith("{")) + 1


def test_merged_inputs_place_each_result_in_the_file_that_defines_its_object(site: tuple[Path, Path], tmp_path: Path) -> None:
    snapshot, rules = site
    other = json.loads(READY.read_text(encoding="utf-8"))
    other["snapshot"]["name"] = "second"
    for key in ("vmm_servers", "sql_servers", "library_servers", "hosts", "vcenters", "domains"):
        other.pop(key, None)
    other["vms"] = [dict(other["vms"][1], name="APP02", memory_gb=16)]
    second = tmp_path / "second.json"
    second.write_text(json.dumps(other, indent=2), encoding="utf-8")
    run = build_sarif(report_of(snapshot, second, rule_dirs=(rules,)))["runs"][0]
    placed = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r["locations"][0]["physicalLocation"]
              for r in run["results"] if r["ruleId"].startswith("SAR")}
    assert placed[("SAR001", "APP02")] == {"artifactLocation": {"uri": second.as_uri(), "index": 1},
                                          "region": {"startLine": _entry_line(second, "APP02")}}
    assert placed[("SAR001", "APP01")] == {"artifactLocation": {"uri": snapshot.as_uri(), "index": 0},
                                          "region": {"startLine": _entry_line(snapshot, "APP01")}}
    assert [a["location"]["uri"] for a in run["artifacts"]] == [snapshot.as_uri(), second.as_uri()]


def test_artifacts_describe_each_input(run: dict, site: tuple[Path, Path]) -> None:
    import hashlib
    (artifact,) = run["artifacts"]
    data = json.loads(site[0].read_text(encoding="utf-8"))
    assert artifact == {
        "location": {"uri": site[0].as_uri()}, "description": {"text": data["snapshot"]["name"]},
        "hashes": {"sha-256": hashlib.sha256(site[0].read_bytes()).hexdigest()}, "mimeType": "application/json",
        "properties": {"collected_at": "2026-11-24T21:30:00+00:00", "collector": "preflight-collect 0.1.0"}}
    assert data["snapshot"]["collected_at"] == "2026-11-24T21:30:00Z"


def test_toml_input_is_declared_as_toml() -> None:
    from datetime import datetime

    from preflight.formatters.sarif import _artifact
    from preflight.report.model import InputFile
    item = InputFile("estate.TOML", "s", "00", datetime(2026, 1, 1, tzinfo=UTC), "c")
    assert _artifact(item)["mimeType"] == "application/toml"


@pytest.mark.parametrize(("path", "uri"), [
    ("estates/ready estate.json", "estates/ready%20estate.json"), ("a#b?.json", "a%23b%3F.json"),
    ("/srv/in/x.json", "file:///srv/in/x.json"), ("/srv/in/a b.json", "file:///srv/in/a%20b.json"),
])
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_log_header_and_invocation(run: dict, site: tuple[Path, Path]) -> None:
    snapshot, rules = site
    stream = io.StringIO()
    report = report_of(snapshot, rule_dirs=(rules,))
    get_formatter("sarif").write(report, stream)
    log = json.loads(stream.getvalue())
    assert (log["$schema"], log["version"]) == (SARIF_SCHEMA, "2.1.0")
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("preflight", report.tool_version,
                                                                             report.tool_version)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    props = invocation["properties"]
    assert (props["verdict"], props["failOn"], props["asOf"]) == (
        report.verdict.value, report.fail_on.value, "2026-11-25T09:00:00+00:00")
    assert log["runs"][0]["properties"] == {"verdict": report.verdict.value, "omittedResults": 0}
    assert {name: value for name, value in props.items() if name != "missingData"} == {
        "verdict": "incomplete", "verdictReason": report.verdict_reason(), "failOn": "loss", "unknownPolicy": "incomplete",
        "strict": False, "asOf": "2026-11-25T09:00:00+00:00", "asOfChosen": "given with --as-of"}
    assert driver["properties"] == {"packs": report.packs} and driver["properties"]["packs"]["site-sarif"] == "1.0.0"
    assert {m["name"] for m in props["missingData"]} >= {"WEB01", "APP01", "LNX01"}


def test_a_failing_result_counts_the_vms_at_risk_and_carries_its_own_powershell() -> None:
    report = report_of(Path(__file__).resolve().parent.parent / "fixtures" / "estates" / "fabric-2012.json")
    results = build_sarif(report)["runs"][0]["results"]
    (hotfix,) = [r for r in results if r["ruleId"] == "HFX001"
                 and r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "hosts/HVLAB01"]
    assert hotfix["properties"]["atRiskVmCount"] == 4   # LAB-DC8, LAB-SQL8, LAB-W8CP, LAB-TOOLS
    assert "Get-HotFix -ComputerName 'HVLAB01'" in hotfix["properties"]["powershell"]
    assert all("powershell" not in r["properties"] for r in results if r["kind"] != "fail")
