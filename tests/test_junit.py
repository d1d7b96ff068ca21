"""JUnit as Jenkins reads it: valid against the Jenkins JUnit schema (tests/schemas/junit-10.xsd, from
jenkinsci/xunit-plugin), test names that stay the same from run to run (rule code and object, no counts),
and a rule that had nothing to check reported as skipped, not passed."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from report_estates import READY, hostile_snapshot, report_of, write_snapshot

from preflight.formatters import get_formatter
from preflight.report import Report

ROOT = Path(__file__).resolve().parent.parent
ESTATES = ROOT / "fixtures" / "estates"
SCHEMA = xmlschema.XMLSchema10(Path(__file__).resolve().parent / "schemas" / "junit-10.xsd")


def _junit(report: Report) -> str:
    stream = io.StringIO()
    get_formatter("junit").write(report, stream)
    return stream.getvalue()


def _valid(text: str) -> ET.Element:
    SCHEMA.validate(text)
    return ET.fromstring(text.split("\n", 1)[1])


@pytest.mark.parametrize("name", ["blocked.json", "dr-2012.json", "fabric-2012.json", "mixed.toml", "ready.json"])
def test_every_sample_estate_validates_against_the_jenkins_schema(name: str) -> None:
    root = _valid(_junit(report_of(ESTATES / name)))
    assert root.get("timestamp") is None and root.get("skipped") is None
    suites = root.findall("testsuite")
    assert suites and int(root.get("tests")) == sum(int(s.get("tests")) for s in suites) == len(root.findall(".//testcase"))
    assert int(root.get("failures")) == len(root.findall(".//failure"))
    assert all(int(s.get("skipped")) == len(s.findall("testcase/skipped")) for s in suites)


def test_hostile_text_still_validates(tmp_path: Path) -> None:
    _valid(_junit(report_of(write_snapshot(hostile_snapshot(), tmp_path / "hostile.json"))))


def test_the_schema_rejects_what_jenkins_rejects() -> None:
    bad = '<testsuites name="x" timestamp="2026-11-25T09:00:00" skipped="1"><testsuite name="p" tests="0" failures="0" errors="0"/></testsuites>'
    assert not SCHEMA.is_valid(bad)


def _names(report: Report) -> list[str]:
    return sorted(case.get("name") for case in ET.fromstring(_junit(report).split("\n", 1)[1]).iter("testcase"))


def test_test_names_do_not_change_when_only_counts_do(tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    before = _names(report_of(write_snapshot(data, tmp_path / "before.json")))
    data["vms"].append(dict(data["vms"][0], name="WEB02"))    # one more passing VM: every pass count changes
    after = _names(report_of(write_snapshot(data, tmp_path / "after.json")))
    assert before == after
    assert not [name for name in after if "object(s)" in name or "pass" in name.split()]


def test_a_failing_check_is_named_by_rule_and_object_and_namesakes_by_host(tmp_path: Path) -> None:
    data = hostile_snapshot()
    data["vms"] = [vm for vm in data["vms"] if vm["name"].startswith("<img")]
    twin = dict(data["vms"][0], host="HV02", id="22222222-2222-2222-2222-222222222222")
    data["vms"][0]["id"] = "11111111-1111-1111-1111-111111111111"
    data["vms"].append(twin)
    names = [n for n in _names(report_of(write_snapshot(data, tmp_path / "twins.json"))) if n.startswith("REP002 replicated_vms/")]
    assert names == ["REP002 replicated_vms/<img src=x onerror=alert(1)> on HV01",
                     "REP002 replicated_vms/<img src=x onerror=alert(1)> on HV02"]


def test_a_rule_with_nothing_to_check_is_skipped_and_one_that_checked_passes() -> None:
    report = report_of(READY)                      # no clusters, so no CSV; hosts and VMM servers are there
    root = _valid(_junit(report))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    csv = next(r for r in report.rules if r.target == "csvs")
    idle = cases[f"{csv.code} {csv.title}"]
    assert idle.find("skipped").get("message") == "nothing to check: the snapshot has no csvs object"
    ran = next(r for r in report.rules if r.target == "hosts" and report.tallies[r.code].get("pass"))
    case = cases[f"{ran.code} {ran.title}"]
    assert case.find("skipped") is None and case.find("failure") is None
    assert case.find("system-out").text.startswith(f"{report.tallies[ran.code]['pass']} pass, ")
    only_na = [r for r in report.rules if report.tallies[r.code] and set(report.tallies[r.code]) == {"n/a"}]
    for rule in only_na:
        assert cases[f"{rule.code} {rule.title}"].find("skipped").get("message") == \
            "nothing to check: the snapshot has no object it applies to"


# --- --include-passed: a test per passing (rule, object), so dashboards track objects, not counts ---------------

def _with_passes(*paths: Path) -> Report:
    from report_estates import NOW

    from preflight.pipeline import CheckRequest, run_check

    report, _, _ = run_check(CheckRequest(tuple(paths), as_of=NOW, include_passed=True))
    return report


def test_with_include_passed_each_passing_object_is_its_own_valid_test() -> None:
    report = _with_passes(READY)
    root = _valid(_junit(report))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    passes = [c for c in report.passed or () if c.status.value == "pass"]
    assert len(passes) == sum(report.tallies[r.code].get("pass", 0) for r in report.rules) > 20
    for checked in passes:
        case = cases[f"{checked.rule} {checked.target.kind}/{checked.target.name}"]
        assert case.find("failure") is None and case.find("skipped") is None
        assert case.get("classname") == f"{checked.pack}.{checked.rule}"
    assert len(root.findall(".//testcase")) == len(_names(report_of(READY))) + len(passes)
    assert int(root.get("tests")) == len(root.findall(".//testcase"))
    winrm = cases["VMM010 vmm_servers/VMM01"]
    assert "evidence: $.vmm_servers[0].services" in winrm.find("system-out").text
    csv = next(r for r in report.rules if r.target == "csvs")   # nothing to check: still one skipped rule case
    assert cases[f"{csv.code} {csv.title}"].find("skipped") is not None
    assert not [n for n in cases if n.startswith(f"{csv.code} ") and n != f"{csv.code} {csv.title}"]


def test_an_object_keeps_its_test_name_from_passing_to_failing(tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    before = _valid(_junit(_with_passes(write_snapshot(data, tmp_path / "before.json"))))
    data["vmm_servers"][0]["services"][0]["state"] = "Stopped"
    after = _valid(_junit(_with_passes(write_snapshot(data, tmp_path / "after.json"))))
    name = "VMM010 vmm_servers/VMM01"
    (was,) = [c for c in before.iter("testcase") if c.get("name") == name]
    (now,) = [c for c in after.iter("testcase") if c.get("name") == name]
    assert was.find("failure") is None and now.find("failure") is not None
    assert sorted(c.get("name") for c in before.iter("testcase")) == sorted(c.get("name") for c in after.iter("testcase"))


def test_report_include_passed_writes_the_passing_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from preflight.cli import main

    plain, full = tmp_path / "plain.xml", tmp_path / "full.xml"
    assert main(["report", str(READY), "--as-of", "collected", "-o", str(plain)]) == 0
    assert main(["report", str(READY), "--as-of", "collected", "--include-passed", "-o", str(full)]) == 0
    plain_names = {c.get("name") for c in _valid(plain.read_text(encoding="utf-8")).iter("testcase")}
    full_names = {c.get("name") for c in _valid(full.read_text(encoding="utf-8")).iter("testcase")}
    assert "VMM010 vmm_servers/VMM01" in full_names - plain_names and plain_names < full_names
