"""`preflight verify` and `preflight drill` as a user runs them: exit codes, outputs, script, emitted snapshot."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from psparse import parse

from preflight.cli.app import main
from preflight.inventory import read_snapshot
from preflight.inventory.references import check_references

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"


def test_ready_estate_verifies_and_writes_script_and_snapshot(tmp_path: Path, capsys) -> None:
    script, emitted = tmp_path / "plan.ps1", tmp_path / "after.json"
    code = main(["verify", str(ESTATES / "ready.json"), "--script", str(script), "--emit-snapshot", str(emitted)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PLAN VERIFIED: " in out and "upgrade-vmm-2012" in out
    parsed = parse(script.read_text(encoding="utf-8"))
    assert parsed.errors() == [] and "Start-Process" in parsed.command_names()
    after = read_snapshot(emitted)
    check_references(after, str(emitted))
    original = read_snapshot(ESTATES / "ready.json").snapshot.name
    assert (after.snapshot.name, after.snapshot.collector.name) == (f"{original} (emulated after the plan)", "preflight-emulator")


def test_blocked_estate_fails_verification_with_reasons(tmp_path: Path, capsys) -> None:
    report = tmp_path / "verify.json"
    assert main(["verify", str(ESTATES / "blocked.json"), "-o", str(report)]) == 1
    # the report went to the file; the verification verdict still reaches the log, in the report's own words
    assert capsys.readouterr().err == (f"PLAN NOT VERIFIED; estate verdict no-go: a rule fails at or above 'loss'; "
                                       f"json report written to {report}\n")
    data = json.loads(report.read_text(encoding="utf-8"))["verification"]
    assert data["passed"] is False
    assert any(u["succeeded"] is False and u["failed_checks"] for u in data["upgrade"])
    unresolved = [f for f in data["findings"] if f["outcome"] == "unresolved"]
    assert unresolved and all(f["reason"] for f in unresolved)
    assert any(f["outcome"] == "resolved" for f in data["findings"])
    assert data["plan"]["totals"]["steps"] == len(data["plan"]["steps"])


def test_verification_in_html_and_markdown(tmp_path: Path, capsys) -> None:
    html, markdown = tmp_path / "verify.html", tmp_path / "ticket.md"
    assert main(["verify", str(ESTATES / "blocked.json"), "-o", str(html)]) == 1
    assert main(["verify", str(ESTATES / "blocked.json"), "-o", str(markdown)]) == 1
    page = html.read_text(encoding="utf-8")
    assert "PLAN NOT VERIFIED" in page and '<table class="runbook">' in page
    assert "rolls back" in page and "point of no return" in page
    assert "cannot run: fails in the emulator" in page  # the rename the emulator refused
    ticket = markdown.read_text(encoding="utf-8")
    assert "### Remediation plan: PLAN NOT VERIFIED in the emulator" in ticket
    assert ("upgrade-vmm-2012 FAB-SCVMM-MGMT01 (POINT OF NO RETURN; cannot run: fails in the emulator: "
            "VMM 2012 setup rolled back") in ticket
    assert "Simulated VMM 2012 upgrade of **FAB-SCVMM-MGMT01**: rolls back" in ticket
    data = tmp_path / "verify.json"
    main(["verify", str(ESTATES / "blocked.json"), "-o", str(data), "-q"])
    verification = json.loads(data.read_text(encoding="utf-8"))["verification"]
    tally = Counter(f["outcome"] for f in verification["findings"])
    assert (f"**PLAN NOT VERIFIED**: {tally['resolved']} resolved, {tally['unresolved']} unresolved, "
            f"{tally['regressed']} regressed, {len(verification['introduced'])} introduced.") in ticket
    assert ticket.index("PLAN NOT VERIFIED") < ticket.index("### Blockers"), "the plan's verdict right after the verdict"
    long_steps = [s["params"]["instruction"] for s in verification["plan"]["steps"]
                  if s["manual"] and len(s["params"]["instruction"]) > 110]
    assert long_steps, "a manual step longer than the screen's cut"
    flat = " ".join(ticket.replace("\\", "").split())
    for instruction in long_steps:
        assert " ".join(instruction.split()) in flat, instruction


def test_hostile_names_in_the_runbook_stay_text(tmp_path: Path, capsys) -> None:
    hostile = "<img src=x onerror=alert(1)>"   # a NIC name is free text (a computer name cannot carry it)
    data = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))
    data["hosts"][0]["nics"] = [{"name": "NIC1", "media_type": "802.3", "status": "Up"},
                                {"name": hostile, "media_type": "802.3", "status": "Up"}]
    data["hosts"][0]["teams"] = [{"name": "Team1", "members": [{"name": "NIC1"}]}]   # one member: add the free NIC
    source = tmp_path / "estate.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    html, markdown = tmp_path / "verify.html", tmp_path / "verify.md"
    main(["verify", str(source), "-o", str(html)])
    main(["verify", str(source), "-o", str(markdown)])
    page = html.read_text(encoding="utf-8")
    assert "add-team-member HV01/Team1 (member=&lt;img src=x onerror=alert(1)&gt;)" in page
    assert hostile not in page
    ticket = markdown.read_text(encoding="utf-8")
    assert "add-team-member HV01/Team1 (member=&lt;img src=x onerror=alert(1)&gt;)" in ticket
    assert ticket.count(hostile) == ticket.count(f"`{hostile}`")  # raw only inside code spans, which render as text


def test_bad_input_is_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["verify", str(bad)]) == 2
    assert main(["drill", str(bad)]) == 2


# Per sample estate: the exit code, how many drills of each fault, and the drills that take VMs down.
DRILLS = {
    "blocked.json": (0, {}, {}),   # standalone hosts, no teams, no replication: nothing to inject
    "ready.json": (0, {}, {}),
    "dr-2012.json": (0, {"team-member-fails": 12, "node-fails": 4, "replica-link-drops": 6}, {}),
    # HVCLUS08: each node's big VM has nowhere to restart when the other node fails
    "fabric-2012.json": (1, {"node-fails": 6, "storage-path-lost": 6},
                         {"HVCLUS08/HV81": ["EXCH81"], "HVCLUS08/HV82": ["SP82"]}),
}


@pytest.mark.parametrize("estate", sorted(DRILLS))
def test_drill_reports_every_fault_as_json(estate: str, capsys) -> None:
    code = main(["drill", str(ESTATES / estate), "-f", "json"])
    drills = json.loads(capsys.readouterr().out)["drills"]
    expected_code, counts, down = DRILLS[estate]
    assert code == expected_code
    assert dict(Counter(d["fault"] for d in drills)) == counts
    assert {d["target"]: d["down"] for d in drills if d["down"]} == down


def test_every_sample_json_estate_has_its_drills_pinned() -> None:
    assert sorted(DRILLS) == sorted(p.name for p in ESTATES.glob("*.json"))


def test_drill_finds_the_overcommitted_two_node_cluster(capsys) -> None:
    # HVCLUS08: HV82 runs a 48 GB VM on 64 GB, so when HV81 fails EXCH81 (16 GB) has nowhere to restart
    assert main(["drill", str(ESTATES / "fabric-2012.json")]) == 1
    out = capsys.readouterr().out
    assert "2 take VMs down" in out.splitlines()[0]
    assert "HVCLUS08/HV81: DOWN: EXCH81; restarted elsewhere: FILE81" in out
    assert "HVCLUS01/HV201: no VM down" in out


def test_drill_to_a_file_says_its_outcome_on_stderr_unless_quiet(tmp_path: Path, capsys) -> None:
    out = tmp_path / "drills.json"
    assert main(["drill", str(ESTATES / "fabric-2012.json"), "-f", "json", "-o", str(out)]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("drill: ") and "2 take VMs down" in err and err.endswith(f"json written to {out}\n")
    assert len(json.loads(out.read_text(encoding="utf-8"))["drills"]) > 2
    assert main(["drill", str(ESTATES / "fabric-2012.json"), "-f", "json", "-o", str(out), "-q"]) == 1
    assert capsys.readouterr().err == ""
