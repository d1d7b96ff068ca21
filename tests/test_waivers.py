"""Waivers: the file format and its one-line errors, expiry at --as-of, stale waivers, the verdict, and every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fixture_scope import module_unless_mutating
from report_estates import READY, write_snapshot

from preflight.cli import main
from preflight.engine.findings import Finding, Severity, Status, TargetRef
from preflight.report.waivers import Waiver, WaiverState, apply_waivers, parse_waivers

ROOT = Path(__file__).resolve().parent.parent
BLOCKED = ROOT / "fixtures" / "estates" / "blocked.json"
TOUR_WAIVERS = ROOT / "fixtures" / "waivers" / "blocked.toml"

WINRM_WAIVER = """schema = "preflight/waivers/v1"
[[waivers]]
rule = "VMM010"
kind = "vmm_servers"
object = "vmm0*"
reason = "WinRM is started by the change runbook's first step"
approver = "J. Smith (CAB)"
ticket = "CHG-1001"
expires = {expires}
"""


def winrm_stopped(tmp_path: Path) -> Path:
    """ready.json with the VMM server's WinRM stopped: exactly one blocker (VMM010 on VMM01)."""
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["vmm_servers"][0]["services"][0]["state"] = "Stopped"
    return write_snapshot(data, tmp_path / "estate.json")


def waivers_file(tmp_path: Path, text: str, name: str = "waivers.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


# --- the file format ------------------------------------------------------------------------------------------

BASE = 'rule = "VMM010"\nobject = "VMM01"\nreason = "r"\napprover = "a"\nticket = "t"\n'


@pytest.mark.parametrize("body, expected", [
    (BASE, "$.waivers[0].expires: required key is missing (every waiver expires: a date, or \"never\""),
    (BASE + "expires = 2026-12-31T18:00:00\n", "$.waivers[0].expires: the instant has no time zone"),
    (BASE + 'expires = "soon"\n', "$.waivers[0].expires: expected a date (expires = 2026-12-31), an instant with a time zone, or \"never\"; got 'soon'"),
    (BASE + "expires = 7\n", "$.waivers[0].expires: expected a date"),
    (BASE.replace('reason = "r"\n', "") + 'expires = "never"\n', "$.waivers[0].reason: required key is missing"),
    (BASE.replace('ticket = "t"', 'ticket = "  "') + "expires = 2026-12-31\n", "$.waivers[0].ticket: must not be empty"),
    (BASE + "expires = 2026-12-31\nowner = \"x\"\n", "$.waivers[0].owner: unknown key"),
    (BASE.replace("VMM010", "VMM999") + "expires = 2026-12-31\n", "$.waivers[0].rule: unknown rule code 'VMM999'"),
    (BASE + 'expires = 2026-12-31\nkind = "hosts"\n', "$.waivers[0].kind: rule VMM010 checks vmm_servers, not 'hosts'"),
    (BASE + "expires = 2026-12-31\n[[waivers]]\n" + BASE + 'expires = "never"\n',
     "$.waivers[1]: waives the same rule and object as $.waivers[0]; keep one"),
])
def test_an_invalid_waiver_is_one_line_naming_the_file_and_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str) -> None:
    path = waivers_file(tmp_path, "[[waivers]]\n" + body)
    assert main(["waivers", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"preflight: error: {path}: ") and expected in err, err
    # the same file on check: exit 2 before any output
    assert main(["check", str(winrm_stopped(tmp_path)), "--waivers", str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_malformed_toml_and_wrong_schema_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waivers", "check", str(waivers_file(tmp_path, "[[waivers]\n"))]) == 2
    assert "malformed TOML" in capsys.readouterr().err
    assert main(["waivers", "check", str(waivers_file(tmp_path, 'schema = "preflight/waivers/v9"\n'))]) == 2
    assert "$.schema: expected 'preflight/waivers/v1'" in capsys.readouterr().err


def test_waivers_check_lists_a_valid_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waivers", "check", str(TOUR_WAIVERS)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{TOUR_WAIVERS}: 4 waivers, valid"
    assert "  3. UPG005 FAB-*: expires never, ticket CHG-4712, approved by A. Jones (DBA lead)" in out


# --- matching and expiry ----------------------------------------------------------------------------------------

def _finding(name: str, rule: str = "VMM010", kind: str = "vmm_servers") -> Finding:
    return Finding(rule, "n", "vmm2012", Severity.BLOCKER, Status.FAIL, TargetRef(kind, name), "m", "r")


def _waiver(expires: date | datetime | None, pattern: str = "VMM01", kind: str | None = None) -> Waiver:
    return Waiver("w.toml", 0, "VMM010", pattern, "reason", "approver", "T-1", expires, kind)


def test_a_date_holds_through_that_day_at_the_as_of_instants_own_offset() -> None:
    waiver = _waiver(date(2026, 11, 25))
    assert waiver.active_at(datetime(2026, 11, 25, 23, 59, tzinfo=UTC))
    assert not waiver.active_at(datetime(2026, 11, 26, 0, 0, tzinfo=UTC))
    # 2026-11-25T23:30Z is already the 26th in Berlin (+01:00): an as-of given there sees the waiver expired
    assert not waiver.active_at(datetime(2026, 11, 26, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    instant = _waiver(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    assert instant.active_at(datetime(2026, 11, 25, 17, 59, tzinfo=UTC))
    assert not instant.active_at(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    assert _waiver(None).active_at(datetime(9999, 1, 1, tzinfo=UTC))


def test_objects_match_by_name_or_glob_case_insensitively_and_by_kind() -> None:
    assert _waiver(None, "vmm0*").matches(_finding("VMM01"))
    assert _waiver(None, "VMM0?").matches(_finding("vmm02"))
    assert not _waiver(None, "VMM0").matches(_finding("VMM01"))
    assert not _waiver(None, "VMM01", kind="hosts").matches(_finding("VMM01"))
    assert not _waiver(None, "VMM01").matches(_finding("VMM01", rule="VMM011"))


def test_apply_waivers_splits_counted_waived_expired_and_stale() -> None:
    files = parse_waivers(b"""
[[waivers]]
rule = "VMM010"
object = "VMM01"
reason = "r"
approver = "a"
ticket = "in-force"
expires = 2026-12-31
[[waivers]]
rule = "VMM010"
object = "VMM02"
reason = "r"
approver = "a"
ticket = "lapsed"
expires = 2026-11-01
[[waivers]]
rule = "VMM010"
object = "GONE-*"
reason = "r"
approver = "a"
ticket = "stale"
expires = "never"
""", "w.toml")
    from preflight.report.waivers import WaiverFile
    findings = (_finding("VMM01"), _finding("VMM02"), _finding("VMM03"))
    outcome = apply_waivers(findings, (WaiverFile("w.toml", "0" * 64, files),), datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert [f.target.name for f in outcome.counted] == ["VMM02", "VMM03"]
    assert [(w.finding.target.name, w.waiver.ticket) for w in outcome.waived] == [("VMM01", "in-force")]
    assert outcome.expired_waiver(findings[1]).ticket == "lapsed"
    assert outcome.expired_waiver(findings[2]) is None
    assert [(u.waiver.ticket, u.state) for u in outcome.uses] == [
        ("in-force", WaiverState.APPLIED), ("lapsed", WaiverState.EXPIRED), ("stale", WaiverState.STALE)]


# --- the verdict ------------------------------------------------------------------------------------------------

def test_a_waived_blocker_does_not_count_and_an_expired_one_counts_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    estate = winrm_stopped(tmp_path)
    path = waivers_file(tmp_path, WINRM_WAIVER.format(expires="2026-11-30"))
    assert main(["check", str(estate), "--as-of", "collected"]) == 1   # without the waiver: no-go
    capsys.readouterr()
    code, report = run_json(capsys, str(estate), "--as-of", "collected", "--waivers", str(path))
    assert code == 0 and report["verdict"] == "go"
    assert report["findings"] == [] and report["summary"]["severity"]["blocker"] == 0
    assert report["summary"]["waived"] == 1 and report["summary"]["status"]["fail"] == 0
    (waived,) = report["waived"]
    assert waived["rule"] == "VMM010" and waived["target"]["name"] == "VMM01"
    assert waived["waiver"]["ticket"] == "CHG-1001" and waived["waiver"]["expires"] == "2026-11-30"
    assert report["waivers"][0]["state"] == "applied" and report["waivers"][0]["matched"] == 1
    # the same file a week later: the waiver has expired, the blocker counts again and says why
    code, report = run_json(capsys, str(estate), "--as-of", "2026-12-01T08:00:00+01:00", "--waivers", str(path))
    assert code == 1 and report["verdict"] == "no-go" and report["waived"] == []
    assert report["findings"][0]["waiver_expired"]["ticket"] == "CHG-1001"
    assert report["waivers"][0]["state"] == "expired"
    assert main(["check", str(estate), "--as-of", "2026-12-01T08:00:00+01:00", "--waivers", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"waiver expired: 2026-11-30 (ticket CHG-1001, {path} waiver 1): this finding counts again" in out
    assert "EXPIRED WAIVERS (1)" in out


def test_the_waivers_file_beside_the_snapshot_is_found_and_can_be_ignored(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    estate = winrm_stopped(tmp_path)
    waivers_file(tmp_path, WINRM_WAIVER.format(expires='"never"'), "estate.waivers.toml")
    assert main(["check", str(estate), "--as-of", "collected"]) == 0
    assert "WAIVED (1)" in capsys.readouterr().out
    assert main(["check", str(estate), "--as-of", "collected", "--no-waivers"]) == 1
    capsys.readouterr()
    other = waivers_file(tmp_path, WINRM_WAIVER.format(expires='"never"').replace("VMM010", "VMM011"), "other.toml")
    code, report = run_json(capsys, str(estate), "--as-of", "collected", "--waivers", str(other))
    assert code == 1, "--waivers replaces the file found beside the snapshot"
    assert [w["state"] for w in report["waivers"]] == ["stale"]
    assert main(["check", str(estate), "--waivers", str(other), "--no-waivers"]) == 2
    assert "--waivers and --no-waivers contradict each other" in capsys.readouterr().err


def test_an_output_may_not_overwrite_the_waivers_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = waivers_file(tmp_path, WINRM_WAIVER.format(expires='"never"'))
    before = path.read_text(encoding="utf-8")
    assert main(["check", str(winrm_stopped(tmp_path)), "--waivers", str(path), "-f", "text", "-o", str(path)]) == 2
    assert "refusing to overwrite an input" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == before


# --- every format shows the waived findings, expired and stale waivers --------------------------------------------

@pytest.fixture(scope=module_unless_mutating)
def tour_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("waived")
    texts = {}
    for fmt in ("text", "json", "md", "html", "sarif", "junit"):
        target = out / f"report.{fmt}"
        assert main(["report", str(BLOCKED), "--as-of", "collected", "--waivers", str(TOUR_WAIVERS),
                     "--format", fmt, "-o", str(target)]) == 1
        texts[fmt] = target.read_text(encoding="utf-8")
    return texts


def test_text_has_the_waived_section_and_counts(tour_outputs: dict[str, str]) -> None:
    text = tour_outputs["text"]
    assert text.splitlines()[0] == " NO-GO  12 blockers, 4 losses, 6 warnings, 2 advisories; 3 waived"
    assert "WAIVED (3) accepted, not counted toward the verdict:" in text
    assert ("  PLT002 ESX-FAB01 (hosts; loss): ESX host is retired in January; its VMs move to Hyper-V first, "
            "so losing it in VMM 2012 is accepted") in text
    assert f"STALE WAIVERS (1) match no finding (fixed, renamed or mistyped): remove them:\n  {TOUR_WAIVERS} waiver 4" in text
    assert "(49 pass, 24 fail, 0 unknown, 29 n/a, 3 waived)" in text


def test_markdown_and_html_have_their_own_waived_section(tour_outputs: dict[str, str]) -> None:
    md = tour_outputs["md"]
    assert "| waived (not counted) | 3 |" in md
    assert ("| PLT002 | ESX-FAB01 (hosts) | loss | ESX host is retired in January; its VMs move to Hyper-V first, so "
            "losing it in VMM 2012 is accepted | J. Smith (CAB) | CHG-4711 | 2026-12-31 |") in md
    assert "**Expired waivers (the findings they name count again):**" in md
    html = tour_outputs["html"]
    section = html[html.index('<section id="waivers"'):html.index("</section>", html.index('<section id="waivers"'))]
    assert section.count("<tr data-fingerprint=") == 3
    assert "CHG-4711" in section and "J. Smith (CAB)" in section and '<time datetime="2026-12-31">' in section
    assert "Expired waivers (1)" in section and "Stale waivers (1)" in section
    assert '<span class="n">3</span> waived' in html


def test_sarif_suppresses_waived_results_with_the_justification(tour_outputs: dict[str, str]) -> None:
    import jsonschema
    from test_formatters import _sarif_schema

    log = json.loads(tour_outputs["sarif"])
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert sorted(r["ruleId"] for r in suppressed) == ["PLT002", "UPG005", "UPG005"]
    (plt,) = (r for r in suppressed if r["ruleId"] == "PLT002")
    assert plt["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "ESX host is retired in January; its VMs move to Hyper-V first, so losing it in VMM 2012 is accepted",
        "properties": {"approver": "J. Smith (CAB)", "ticket": "CHG-4711", "expires": "2026-12-31",
                       "waiver": f"{TOUR_WAIVERS} waiver 1"}}]
    assert sum("suppressions" not in r for r in log["runs"][0]["results"]) == 24


def test_junit_skips_waived_cases_with_the_reason(tour_outputs: dict[str, str]) -> None:
    root = ET.fromstring(tour_outputs["junit"].split("\n", 1)[1])
    skipped = root.find(".//testcase[@name='PLT002 hosts/ESX-FAB01']/skipped")
    assert skipped is not None and skipped.get("message").startswith("waived: ESX host is retired in January")
    assert "ticket CHG-4711, expires 2026-12-31" in skipped.get("message")
    assert root.find(".//testcase[@name='PLT002 hosts/ESX-FAB01']/failure") is None
    vmm = root.find("testsuite[@name='vmm2012']")
    assert int(vmm.get("skipped")) == len(vmm.findall("testcase/skipped")) >= 3


def test_verify_plans_only_what_counts_and_reports_the_waived(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(BLOCKED), "--as-of", "collected", "--waivers", str(TOUR_WAIVERS), "-f", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert sorted((w["rule"], w["target"]["name"]) for w in document["waived"]) == [
        ("PLT002", "ESX-FAB01"), ("UPG005", "FAB-SCVMM-MGMT01"), ("UPG005", "FAB-VMM-BR01")]
    fates = {(f["rule"], f["target"]) for f in document["verification"]["findings"]}
    assert ("PLT002", "ESX-FAB01") not in fates and ("SQL001", "FAB-VMM-BR01") in fates


def test_a_waived_finding_does_not_colour_the_topology(tmp_path: Path) -> None:
    from preflight.inventory.as_of import AsOfMode
    from preflight.pipeline import CheckRequest, run_check
    from preflight.report.topology import TopologyNode

    estate = winrm_stopped(tmp_path)

    def worst(waivers: tuple[Path, ...]) -> dict[str, object]:
        report, _, _ = run_check(CheckRequest((estate,), as_of=AsOfMode.COLLECTED, waivers=waivers))
        found: dict[str, object] = {}

        def walk(nodes: tuple[TopologyNode, ...]) -> None:
            for node in nodes:
                found[node.name] = node.worst
                walk(node.children)
        walk(report.topology)
        return found

    assert worst(())["VMM01"] is Severity.BLOCKER
    assert worst((waivers_file(tmp_path, WINRM_WAIVER.format(expires='"never"')),))["VMM01"] is None


def test_waived_unknown_checks_no_longer_keep_the_verdict_incomplete(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    del data["vmm_servers"][0]["services"]   # VMM010 and VMM012 (deciding) and VMM011 cannot be evaluated
    estate = write_snapshot(data, tmp_path / "estate.json")
    code, report = run_json(capsys, str(estate), "--as-of", "collected")
    assert code == 4 and report["missing_data"][0]["rules"] == ["VMM010", "VMM012"]
    both = WINRM_WAIVER.format(expires="2026-12-31") + WINRM_WAIVER.format(expires="2026-12-31").split("\n", 1)[1].replace("VMM010", "VMM012")
    path = waivers_file(tmp_path, both)
    code, report = run_json(capsys, str(estate), "--as-of", "collected", "--waivers", str(path))
    assert code == 0 and report["verdict"] == "go" and report["missing_data"] == []
    assert sorted((w["rule"], w["status"]) for w in report["waived"]) == [("VMM010", "unknown"), ("VMM012", "unknown")]
    assert report["summary"]["status"]["unknown"] == 1 and report["summary"]["waived"] == 2   # VMM011 stays unknown


def test_sarif_says_when_a_finding_counts_again_because_its_waiver_expired(tour_outputs: dict[str, str]) -> None:
    results = json.loads(tour_outputs["sarif"])["runs"][0]["results"]
    (lapsed,) = (r for r in results if "waiverExpired" in r["properties"])
    assert lapsed["ruleId"] == "UPG002" and "suppressions" not in lapsed and lapsed["kind"] == "fail"
    assert lapsed["properties"]["waiverExpired"]["ticket"] == "CHG-4650"
    assert lapsed["properties"]["waiverExpired"]["expires"] == "2026-11-01"
    assert lapsed["message"]["text"].endswith(
        f"(waiver expired 2026-11-01 (ticket CHG-4650, {TOUR_WAIVERS} waiver 2): this finding counts again)")
    assert lapsed["message"]["text"].startswith("FABLIB01")   # the finding's own message comes first


def test_junit_failure_says_when_its_waiver_expired(tour_outputs: dict[str, str]) -> None:
    root = ET.fromstring(tour_outputs["junit"].split("\n", 1)[1])
    failures = [f for f in root.iter("failure") if "waiver expired" in f.get("message", "")]
    assert len(failures) == 1
    (failure,) = failures
    note = f"waiver expired 2026-11-01 (ticket CHG-4650, {TOUR_WAIVERS} waiver 2): this finding counts again"
    assert failure.get("message").endswith(f"({note})") and failure.text.endswith(note)
    case = next(c for c in root.iter("testcase") if c.find("failure") is failure)
    assert case.get("name").startswith("UPG002 ")
