"""`preflight diff` (snapshots or JSON reports, findings by fingerprint, changed facts) and `check --baseline`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fixture_scope import module_unless_mutating
from report_estates import IMG, READY, write_snapshot

from preflight.cli import main
from preflight.engine.findings import Severity, Status
from preflight.inventory.facts_diff import ABSENT, FactChange, ObjectChange, changed_facts
from preflight.inventory.load import read_snapshot
from preflight.report.baseline import FindingKey, compare_findings

ROOT = Path(__file__).resolve().parent.parent
WEEK1 = ROOT / "fixtures" / "estates" / "blocked.json"
WEEK2 = ROOT / "fixtures" / "diff" / "blocked-week2.json"


@pytest.fixture(scope=module_unless_mutating)
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The JSON reports of both weeks, as CI would have archived them."""
    out = tmp_path_factory.mktemp("reports")
    paths = out / "week1.json", out / "week2.json"
    for snapshot, path in zip((WEEK1, WEEK2), paths):
        assert main(["check", str(snapshot), "--as-of", "collected", "-f", "json", "-o", str(path)]) == 1
    return paths


def _classes(document: dict) -> dict[str, list[tuple[str, str]]]:
    f = document["findings"]
    return {"new": [(k["rule"], k["name"]) for k in f["new"]], "resolved": [(k["rule"], k["name"]) for k in f["resolved"]],
            "regressed": [(r["new"]["rule"], r["old"]["severity"] + "->" + r["new"]["severity"]) for r in f["regressed"]]}


EXPECTED = {
    "new": [("VMM010", "FAB-VMM-BR01"), ("HW005", "FAB-VMM-BR01"), ("HW006", "FAB-VMM-BR01")],
    "resolved": [("SQL001", "FAB-VMM-BR01"), ("SQL002", "FAB-VMM-BR01"), ("SQL003", "FAB-VMM-BR01")],
    "regressed": [("HW002", "advisory->warning")],
}


def test_two_snapshots_diff_findings_and_facts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(WEEK1), str(WEEK2), "--as-of", "collected", "-f", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "preflight/diff/v1"
    assert _classes(document) == EXPECTED
    assert document["summary"] == {"new": 3, "resolved": 3, "regressed": 1, "unchanged": 23, "objects_changed": 4}
    facts = {(c["kind"], c["name"]): c for c in document["facts"]}
    assert facts[("sql_servers", "FAB-VMM-BR01")]["facts"] == [
        {"path": "version", "old": "9.00.4035.00", "new": "10.50.2500.0"},
        {"path": "edition", "old": "Express", "new": "Standard"},
        {"path": "architecture", "old": "x86", "new": "x64"}]
    assert {"path": "services[WinRM].state", "old": "Running", "new": "Stopped"} in facts[("vmm_servers", "FAB-VMM-BR01")]["facts"]
    assert facts[("vms", "FAB-WEB02")] == {"kind": "vms", "name": "FAB-WEB02", "change": "added", "facts": []}


def test_text_view(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(WEEK1), str(WEEK2), "--as-of", "collected"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"DIFF {WEEK1} (snapshot) -> {WEEK2} (snapshot): 3 new, 1 regressed, 3 resolved, 23 unchanged "
                      "finding(s); 4 object(s) changed")
    assert "  HW002 vmm_servers/FAB-SCVMM-MGMT01: advisory fail -> warning fail: FAB-SCVMM-MGMT01: hardware.clock_ghz is 2.4, " \
           "below the recommended 2.8 for a VMM 2012 server managing up to 150 hosts" in out
    assert "    edition: Express -> Standard" in out and "  vms/FAB-WEB02 (added)" in out


def test_two_reports_diff_findings_without_facts(reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(reports[0]), str(reports[1]), "-f", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert _classes(document) == EXPECTED
    assert document["old"]["kind"] == "report" and document["facts"] is None
    # a report against a snapshot: the same finding classes
    assert main(["diff", str(reports[0]), str(WEEK2), "--as-of", "collected", "-f", "json"]) == 1
    assert _classes(json.loads(capsys.readouterr().out)) == EXPECTED


def test_nothing_new_or_regressed_exits_0(reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(WEEK2), str(reports[1]), "--as-of", "collected"]) == 0
    assert "0 new, 0 regressed, 0 resolved, 27 unchanged finding(s)" in capsys.readouterr().out
    # the other way round swaps new and resolved, and the regression becomes an unchanged finding
    assert main(["diff", str(reports[1]), str(reports[0])]) == 1
    assert "3 new, 0 regressed, 3 resolved, 24 unchanged finding(s)" in capsys.readouterr().out


def test_markdown_and_html_views(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md, html = tmp_path / "diff.md", tmp_path / "diff.html"
    for path in (md, html):
        assert main(["diff", str(WEEK1), str(WEEK2), "--as-of", "collected", "-o", str(path)]) == 1
    text = md.read_text(encoding="utf-8")
    assert "### Regressed findings" in text and "| HW002 | FAB-SCVMM-MGMT01 (vmm_servers) | advisory fail | warning fail |" in text
    assert "| FAB-VMM-BR01 (sql_servers) | changed | `edition` | Express | Standard |" in text
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert '<section id="regressed">' in page and "<td><code>services[WinRM].state</code></td><td>Running</td><td>Stopped</td>" in page


def test_html_escapes_snapshot_text(tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    old = write_snapshot(data, tmp_path / "old.json")
    data["vms"].append({"name": IMG, "host": "HV01", "state": "Running"})
    new = write_snapshot(data, tmp_path / "new.json")
    out = tmp_path / "diff.html"
    assert main(["diff", str(old), str(new), "--as-of", "collected", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert IMG not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_bad_sides_and_formats_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    assert main(["diff", str(WEEK1), str(other)]) == 2
    assert f"{other}: expected a snapshot (.json or .toml) or a JSON report" in capsys.readouterr().err
    assert main(["diff", str(WEEK1), str(WEEK2), "-f", "pdf"]) == 2
    assert "unknown diff format 'pdf' (expected one of: text, json, md, html)" in capsys.readouterr().err
    assert main(["diff", str(WEEK1), str(WEEK2), "-o", str(WEEK2), "-f", "text"]) == 2
    assert "refusing to overwrite an input" in capsys.readouterr().err


def test_the_waivers_beside_a_side_are_an_input_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """diff reads `<stem>.waivers.toml` beside each snapshot, so -o may not replace it."""
    old = tmp_path / "old.json"
    old.write_bytes(WEEK1.read_bytes())
    waivers = tmp_path / "old.waivers.toml"
    waivers.write_text('schema = "preflight/waivers/v1"\n', encoding="utf-8")
    assert main(["diff", str(old), str(WEEK2), "-o", str(waivers), "-f", "text"]) == 2
    assert "refusing to overwrite an input" in capsys.readouterr().err
    assert waivers.read_text(encoding="utf-8") == 'schema = "preflight/waivers/v1"\n'


# --- the pieces ------------------------------------------------------------------------------------------------

def test_changed_facts_match_lists_by_name_and_objects_by_kind_and_name(tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    old = read_snapshot(write_snapshot(data, tmp_path / "a.json"))
    services = data["vmm_servers"][0]["services"]
    services.reverse()                          # order of a named list is no change
    data["vmm_servers"][0]["name"] = data["vmm_servers"][0]["name"].lower()   # names are case-insensitive
    del data["sql_servers"][0]["collation"]     # absent = not collected
    removed = data["hosts"].pop()["name"]
    data["vms"] = [vm for vm in data["vms"] if vm["host"] != removed]
    for cluster in data.get("clusters", []):
        cluster["nodes"] = [n for n in cluster["nodes"] if n != removed]
    new = read_snapshot(write_snapshot(data, tmp_path / "b.json"))
    changes = {(c.kind, c.name.casefold()): c for c in changed_facts(old, new)}
    sql = changes[("sql_servers", data["sql_servers"][0]["name"].casefold())]
    assert sql.facts == (FactChange("collation", "SQL_Latin1_General_CP1_CI_AS", ABSENT),)
    assert changes[("hosts", removed.casefold())] == ObjectChange("hosts", removed, "removed")
    vmm = changes[("vmm_servers", "vmm01")]
    assert [f.path for f in vmm.facts] == ["name"], "only the name's case changed, not the services"


def test_compare_findings_by_fingerprint() -> None:
    def key(fp: str, severity: Severity, status: Status = Status.FAIL) -> FindingKey:
        return FindingKey(fp, "R1", "hosts", fp, severity, status, "m")
    old = (key("a", Severity.WARNING), key("b", Severity.BLOCKER), key("c", Severity.LOSS, Status.UNKNOWN), key("d", Severity.LOSS))
    new = (key("a", Severity.BLOCKER), key("b", Severity.WARNING), key("c", Severity.LOSS), key("e", Severity.ADVISORY))
    diff = compare_findings(old, new)
    assert [k.fingerprint for k in diff.new] == ["e"] and [k.fingerprint for k in diff.resolved] == ["d"]
    assert [n.fingerprint for _, n in diff.regressed] == ["a", "c"], "severity up, or unknown -> fail"
    assert [n.fingerprint for _, n in diff.unchanged] == ["b"], "severity down is no regression"
    assert diff.worsened == {"a", "c", "e"}


# --- check --baseline ------------------------------------------------------------------------------------------

def test_baseline_gate_fails_only_on_new_or_regressed(reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0]), "-f", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["verdict_reason"] == (
        f"no-go: a new or regressed finding fails at or above 'loss' (only findings new or regressed since the "
        f"baseline {reports[0]} count: 23 known findings did not)")
    baseline = document["baseline"]
    assert baseline["file"] == str(reports[0]) and len(baseline["new"]) == 3 and len(baseline["regressed"]) == 1
    assert baseline["unchanged"] == 23 and len(baseline["resolved"]) == 3
    # the new blocker is what fails the gate: with --fail-on blocker and only the new warnings, ...
    assert main(["check", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[1])]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("go: nothing new or regressed fails at or above 'loss'")
    assert "[known]" in out and "[new]" not in out


def test_baseline_text_marks_new_and_regressed(reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0])]) == 1
    out = capsys.readouterr().out
    assert f"baseline {reports[0]}: 3 new, 1 regressed, 23 known, 3 resolved" in out
    assert "    VMM010 vmm-winrm-running: WinRM service not running [new]" in out
    assert "[regressed]" in out


def test_new_findings_below_fail_on_pass_the_gate(tmp_path: Path, reports: tuple[Path, Path]) -> None:
    data = json.loads(WEEK1.read_text(encoding="utf-8"))
    data["vmm_servers"][1]["hardware"]["volumes"][0]["free_gb"] = 30   # new HW005/HW006 warnings only
    changed = write_snapshot(data, tmp_path / "blocked.json")
    assert main(["check", str(changed), "--as-of", "collected", "--baseline", str(reports[0])]) == 0
    assert main(["check", str(changed), "--as-of", "collected", "--baseline", str(reports[0]), "--fail-on", "warning"]) == 1


@pytest.mark.parametrize("content, expected", [
    (None, "$.schema: expected 'preflight/report/v1' (a preflight JSON report"),
    ('{"schema": "preflight/report/v1", "findings": [{"rule": "X"}]}', "$.findings[0].severity: required key is missing"),
    ("not json", "not a preflight JSON report"),
])
def test_a_bad_baseline_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           content: str | None, expected: str) -> None:
    baseline = READY if content is None else tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content, encoding="utf-8")
    assert main(["check", str(WEEK1), "--baseline", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{baseline}: " in err and expected in err, err


# --- report --baseline: the same gate as check's, in every report format -----------------------------------------

def test_report_takes_the_baseline_and_gates_exactly_as_check_does(
        reports: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("check", "report"):
        target = tmp_path / f"{command}.json"
        assert main([command, str(WEEK2), "--as-of", "collected", "--baseline", str(reports[1]),
                     "-f", "json", "-o", str(target)]) == 0
    capsys.readouterr()
    by_check, by_report = (json.loads((tmp_path / f"{c}.json").read_text(encoding="utf-8")) for c in ("check", "report"))
    assert by_report["verdict"] == "go" and by_report["baseline"] == by_check["baseline"]
    assert by_report["verdict_reason"] == by_check["verdict_reason"]
    html = tmp_path / "report.html"
    assert main(["report", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0]), "-o", str(html)]) == 1
    assert f"since the baseline {reports[0]} count" in html.read_text(encoding="utf-8")


def test_report_baseline_marks_sarif_results_and_junit_failures(
        reports: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif, junit = tmp_path / "gate.sarif", tmp_path / "gate.xml"
    for target in (sarif, junit):
        assert main(["report", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0]), "-o", str(target)]) == 1
    run = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]
    states = [r["baselineState"] for r in run["results"]]
    assert (states.count("new"), states.count("updated"), states.count("unchanged")) == (3, 1, 23)
    state = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r["baselineState"] for r in run["results"]}
    assert state[("VMM010", "FAB-VMM-BR01")] == "new" and state[("VMM010", "FAB-SCVMM-MGMT01")] == "unchanged"
    assert state[("HW002", "FAB-SCVMM-MGMT01")] == "updated", "regressed: the same finding, severity up"
    assert run["properties"]["baseline"] == {"file": str(reports[0]), "new": 3, "regressed": 1, "unchanged": 23,
                                             "resolved": 3}
    root = ET.fromstring(junit.read_text(encoding="utf-8").split("\n", 1)[1])
    lines = [f.text.splitlines()[-1] for f in root.iter("failure")]
    assert [lines.count(f"baseline: {s} (against {reports[0]})") for s in ("new", "regressed", "known")] == [3, 1, 23]
    assert main(["report", str(WEEK2), "--as-of", "collected", "-f", "sarif"]) == 1
    assert all("baselineState" not in r for r in json.loads(capsys.readouterr().out)["runs"][0]["results"])


def test_report_baseline_marks_markdown_objects_new_first(reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0]), "-f", "md"]) == 1
    out = capsys.readouterr().out
    assert f"Baseline `{reports[0]}`: 3 new, 1 regressed, 23 known, 3 resolved (new and regressed objects are marked)." in out
    # the new object first, so that the few objects a rule block names include it
    assert "WinRM service not running (blocker, 2 objects): FAB-VMM-BR01 (**new**), FAB-SCVMM-MGMT01\n" in out
    assert "Also 11 warning, 1 advisory finding(s) (2 new, 1 regressed); see the full report." in out
    assert main(["report", str(WEEK2), "--as-of", "collected", "-f", "md"]) == 1
    plain = capsys.readouterr().out
    assert "(**new**)" not in plain and "Baseline" not in plain and "finding(s); see the full report." in plain


def test_report_refuses_a_bad_baseline_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(WEEK1), "--baseline", str(READY), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{READY}: $.schema: expected 'preflight/report/v1'" in err, err
    assert not (tmp_path / "r.html").exists()


def test_sarif_under_a_baseline_gives_every_result_a_baseline_state_waived_ones_too(
        reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    waivers = ROOT / "fixtures" / "waivers" / "blocked.toml"
    assert main(["report", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0]), "--waivers", str(waivers),
                 "-f", "sarif"]) == 1
    import jsonschema
    from test_formatters import _sarif_schema

    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert all("baselineState" in r for r in results)   # SARIF: on one result of a run, then on all of them
    waived = {r["locations"][0]["logicalLocations"][0]["name"]: r["baselineState"] for r in results
              if "suppressions" in r and r["ruleId"] == "PLT002"}
    assert waived == {"ESX-FAB01": "unchanged"}, "last week's report had it: waiving it now is no new finding"


def test_sarif_under_a_baseline_a_waived_new_finding_is_new_and_the_capped_note_unchanged(
        reports: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from preflight.formatters import sarif

    waivers = tmp_path / "week2.waivers.toml"
    waivers.write_text('schema = "preflight/waivers/v1"\n\n[[waivers]]\nrule = "VMM010"\nobject = "FAB-VMM-BR01"\n'
                       'reason = "WinRM is started by the change itself"\napprover = "J. Smith (CAB)"\n'
                       'ticket = "CHG-5000"\nexpires = "never"\n', encoding="utf-8")
    argv = ["report", str(WEEK2), "--as-of", "collected", "--baseline", str(reports[0]), "--waivers", str(waivers),
            "-f", "sarif"]
    main(argv)
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    (winrm,) = [r for r in results if r["ruleId"] == "VMM010" and "suppressions" in r]
    assert winrm["baselineState"] == "new", "last week's report did not have it: waived or not, it is new"
    monkeypatch.setattr(sarif, "MAX_RESULTS", 5)
    main(argv)
    capped = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    assert capped["ruleId"] == sarif.CAPPED_RULE and capped["baselineState"] == "unchanged"
