"""The script is the thing verified: how each step reaches its server, reading the script back, and
`preflight verify --from-script` on scripts an admin edited (steps removed, reordered, duplicated, values
or bodies changed, statements added)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.cli.app import main
from preflight.emulator.script import parse_script, top_level_statements
from preflight.inventory import read_snapshot
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.moves import Move
from preflight.remediation.channels import route
from preflight.remediation.powershell import header, render_script
from preflight.remediation.runbook import Plan, Step

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
AS_OF = ["--as-of", "2026-11-25T12:00:00Z"]


def _winrm_stopped(tmp_path: Path, start_mode: str = "Auto") -> Path:
    """ready.json with the VMM server's WinRM stopped and an old Windows AIK to replace (two WinRM steps)."""
    data = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))
    server = data["vmm_servers"][0]
    next(s for s in server["services"] if s["name"] == "WinRM").update(state="Stopped", start_mode=start_mode)
    next(s for s in server["installed_software"] if "Automated Installation Kit" in s["name"])["version"] = "1.1.0.0"
    path = tmp_path / "winrm-stopped.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _split(script: str) -> tuple[str, list[str]]:
    """The script's header and its step blocks (each from its '# Step N of' comment), in order."""
    head, *blocks = script.split("\n# Step ")
    return head, ["# Step " + block for block in blocks]


def _join(head: str, blocks: list[str]) -> str:
    return "\n".join([head, *blocks]) + ("" if blocks and blocks[-1].endswith("\n") else "\n")


def _verify(estate: Path, script: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["verify", str(estate), "--from-script", str(script), *AS_OF, *extra])
    return code, capsys.readouterr().out


@pytest.fixture
def rendered(tmp_path: Path, capsys) -> tuple[Path, Path, str]:
    """(estate, script path, script text) for the WinRM-stopped estate, as `verify --script` writes it."""
    estate, script = _winrm_stopped(tmp_path), tmp_path / "plan.ps1"
    assert main(["verify", str(estate), "--script", str(script), *AS_OF]) == 0, capsys.readouterr().out
    capsys.readouterr()
    return estate, script, script.read_text(encoding="utf-8")


def test_winrm_stopped_on_the_vmm_server_is_started_over_dcom_before_any_remote_step(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    parsed = parse_script(script, top_level_statements(header()))
    assert parsed.unmodelled == ()
    backup, first = parsed.steps[0], parsed.steps[1]   # the backup runs from the workstation: no WinRM needed
    assert (backup.action, backup.via) == ("backup-vmm-database", "Local")
    assert (first.server, first.action, first.via, dict(first.request.params)) == ("VMM01", "start-service", "DCOM", {"service": "WinRM"})
    assert "Set-Service -ComputerName 'VMM01' -Name 'WinRM' -Status Running" in first.body
    assert [s.via for s in parsed.steps[2:]] == ["WinRM", "WinRM", "WinRM"]   # uninstall, install, upgrade
    report = tmp_path / "verify.json"
    assert main(["verify", str(estate), "-o", str(report), *AS_OF]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))["verification"]
    assert data["passed"] and data["complete"] and [s["via"] for s in data["plan"]["steps"][:2]] == ["Local", "DCOM"]


def test_unchanged_script_verifies_as_the_plan(rendered, capsys) -> None:
    estate, script, _ = rendered
    code, out = _verify(estate, script, capsys)
    assert code == 0, out
    assert "PLAN VERIFIED:" in out and "NOT MODELLED" not in out


def test_removing_the_winrm_start_fails_verify_naming_the_steps_that_break(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    head, blocks = _split(script)
    assert "-Action 'start-service'" in blocks[1]
    edited = tmp_path / "edited.ps1"
    edited.write_text(_join(head, [blocks[0], *blocks[2:]]), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 1, out
    assert "PLAN NOT VERIFIED:" in out
    assert ("STEP FAILED 3 (uninstall-software VMM01): VMM01: the WinRM service is Stopped, so Invoke-Command "
            "-ComputerName cannot reach it") in out
    assert "STEP FAILED 5 (upgrade-vmm-2012 VMM01)" in out


def test_reordering_steps_where_order_matters_is_noticed(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    head, blocks = _split(script)
    assert "'uninstall-software'" in blocks[2] and "'install-software'" in blocks[3]
    edited = tmp_path / "edited.ps1"
    edited.write_text(_join(head, [blocks[0], blocks[1], blocks[3], blocks[2], blocks[4]]), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 1, out
    assert "STEP FAILED 4 (install-software VMM01): VMM01: the Windows AIK for Windows 7 installer stops" in out


def test_a_duplicated_idempotent_step_changes_nothing(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    head, blocks = _split(script)
    edited = tmp_path / "edited.ps1"
    edited.write_text(_join(head, [*blocks[:4], blocks[3], blocks[4]]), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 0, out


def test_changed_values_say_what_breaks(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    edited = tmp_path / "edited.ps1"
    # the admin narrows the uninstall to a product that is not there: the old kit stays, the install stops
    edited.write_text(script.replace("'pattern' = 'Windows Automated Installation Kit|Windows AIK'",
                                     "'pattern' = 'Some Other Kit'"), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 1, out
    assert "STEP FAILED 4 (install-software VMM01)" in out
    assert "uninstall-software VMM01 (below_version=2.0, pattern=Some Other Kit)" in out   # the runbook is the script's


def test_a_statement_outside_the_modelled_vocabulary_makes_the_result_incomplete(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    edited = tmp_path / "edited.ps1"
    edited.write_text(script + "Remove-Item -Path 'C:\\Temp' -Recurse\n", encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 4, out
    assert "PLAN VERIFIED ONLY IN PART:" in out
    assert "NOT MODELLED line " in out and "not modelled (not a step of the plan): Remove-Item -Path 'C:\\Temp' -Recurse" in out


def test_an_edited_body_or_a_computed_value_is_not_modelled(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    edited = tmp_path / "edited.ps1"
    edited.write_text(script.replace("-Status Running", "-Status Running; Restart-Computer -Force", 1), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 4, out
    assert "step 2 (start-service VMM01): not modelled (body edited)" in out
    edited.write_text(script.replace("-Server 'VMM01' -Action 'uninstall-software'", "-Server $env:COMPUTERNAME "
                                     "-Action 'uninstall-software'"), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code in (1, 4), out
    assert "is not a single-quoted literal" in out


def test_edited_script_saved_as_utf16_by_windows_powershell_is_read(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    edited = tmp_path / "edited.ps1"
    edited.write_bytes(b"\xff\xfe" + script.replace("\n", "\r\n").encode("utf-16-le"))
    code, out = _verify(estate, edited, capsys)
    assert code == 0, out


def test_unreadable_script_is_one_line_exit_2(tmp_path, capsys) -> None:
    code = main(["verify", str(ESTATES / "ready.json"), "--from-script", str(tmp_path / "missing.ps1"), *AS_OF])
    err = capsys.readouterr().err
    assert code == 2 and "missing.ps1: cannot read" in err and "Traceback" not in err


def test_blocked_estate_reaches_its_vmm_server_only_after_starting_winrm_there() -> None:
    snapshot = read_snapshot(ESTATES / "blocked.json")
    from preflight.pipeline import CheckRequest
    from preflight.pipeline import verify as run_verify

    _, _, plan = run_verify(CheckRequest(snapshots=(ESTATES / "blocked.json",), as_of="2026-11-25T12:00:00Z"))
    parsed = parse_script(render_script(plan), top_level_statements(header()))
    server = "FAB-SCVMM-MGMT01"
    mine = [s for s in parsed.steps if s.server == server and not s.blocked and "manual" not in s.flags]
    start = next(i for i, s in enumerate(mine) if s.action == "start-service")
    assert mine[start].via == "DCOM"
    assert all(s.via != "WinRM" for s in mine[:start]), [(s.number, s.action, s.via) for s in mine[:start]]
    assert snapshot is not None


def test_winrm_with_manual_start_is_started_again_after_the_restart() -> None:
    data = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))
    next(s for s in data["vmm_servers"][0]["services"] if s["name"] == "WinRM").update(state="Stopped", start_mode="Manual")
    from preflight.inventory import decode_snapshot

    snapshot = decode_snapshot(json.dumps(data).encode(), "winrm.json", ".json")
    steps = [Step(0, "install-hotfix", "VMM01", "vmm_servers", "VMM01", (("kb", "KB2526776"),), restart=True),
             Step(0, "restart-computer", "VMM01", "vmm_servers", "VMM01"),
             Step(0, "enable-windows-feature", "VMM01", "vmm_servers", "VMM01", (("feature", "NET-Framework"),))]
    routed = route(steps, SnapshotIndex(snapshot))
    assert [(s.action, s.channel) for s in routed] == [
        ("start-service", "DCOM"), ("install-hotfix", "WinRM"), ("restart-computer", "DCOM"),
        ("start-service", "DCOM"), ("enable-windows-feature", "WinRM")]


HOSTILE = "x'; Remove-Item C:\\ -Recurse; '\u2019\n$(y)"


def test_hostile_values_read_back_exactly() -> None:
    step = Step(1, "drain-node", HOSTILE, "hosts", HOSTILE, (("cluster", HOSTILE),), item=HOSTILE,
                moves=(Move(HOSTILE, HOSTILE, "HV2"), Move("VM2", HOSTILE, HOSTILE)))
    parsed = parse_script(render_script(Plan((step,))), top_level_statements(header()))
    assert parsed.unmodelled == ()
    (read,) = parsed.steps
    assert (read.server, read.request.name, read.request.item, dict(read.request.params)) == (HOSTILE, HOSTILE, HOSTILE, {"cluster": HOSTILE})
    assert read.request.moves == step.moves and read.via == "Local"


def test_the_upgrade_meets_the_estate_where_the_script_runs_it(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    head, blocks = _split(script)
    assert "'upgrade-vmm-2012'" in blocks[4]
    edited = tmp_path / "edited.ps1"
    # moved before the Windows AIK steps: setup meets the old kit and rolls back, though the kit is fixed later
    edited.write_text(_join(head, [blocks[0], blocks[1], blocks[4], blocks[2], blocks[3]]), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 1, out
    assert "VMM 2012 upgrade of VMM01: ROLLS BACK - No Windows AIK older than the Windows 7 kit" in out
    assert "0 unresolved" in out   # every finding is fixed by the end of the script: only the order is wrong


def test_a_script_without_the_upgrade_does_not_pass(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    head, blocks = _split(script)
    edited = tmp_path / "edited.ps1"
    edited.write_text(_join(head, blocks[:4]), encoding="utf-8")
    code, out = _verify(estate, edited, capsys)
    assert code == 1, out
    assert "NOT IN THE SCRIPT plan step 5 (upgrade-vmm-2012 VMM01)" in out


def test_html_and_markdown_say_an_incomplete_pass_is_only_partly_verified(rendered, tmp_path, capsys) -> None:
    estate, _, script = rendered
    edited, html, markdown = tmp_path / "edited.ps1", tmp_path / "v.html", tmp_path / "v.md"
    edited.write_text(script + "Write-Host 'done'\n", encoding="utf-8")
    assert _verify(estate, edited, capsys, "-o", str(html))[0] == 4
    assert _verify(estate, edited, capsys, "-o", str(markdown))[0] == 4
    page = html.read_text(encoding="utf-8")
    assert "PLAN VERIFIED ONLY IN PART" in page and "not modelled (not a step of the plan): Write-Host" in page
    ticket = markdown.read_text(encoding="utf-8")
    assert "### Remediation plan: PLAN VERIFIED ONLY IN PART in the emulator" in ticket
    assert "Not modelled (the result is incomplete): line " in ticket


@pytest.mark.parametrize("name", ["blocked.json", "dr-2012.json", "fabric-2012.json", "mixed.toml", "ready.json"])
def test_the_script_verify_writes_runs_clean_and_a_rerun_changes_nothing(name: str) -> None:
    from preflight.inventory import encode_json
    from preflight.pipeline import CheckRequest
    from preflight.pipeline import verify as run_verify
    from preflight.remediation.script_run import run_script

    snapshot = read_snapshot(ESTATES / name)
    _, _, plan = run_verify(CheckRequest(snapshots=(ESTATES / name,), as_of="2026-11-25T12:00:00Z"))
    script = render_script(plan)   # as `verify --script` writes it: steps the emulator saw fail are skipped
    first = run_script(script, plan, snapshot)
    again = run_script(script, plan, snapshot, state=first.state)
    assert first.unmodelled == () and first.missing == ()
    for run in (first, again):
        assert [o for o in run.outcomes if o.result == "failed" and not o.reason.startswith("not planned")] == []
    assert encode_json(again.state.export()) == encode_json(first.state.export())
    # a rerun restarts again (a cluster node's turn: drain, restart, resume, leaving the VMs where the first run
    # put them), takes a fresh backup (what a destructive step after it needs), and tries VMM setup again on a
    # copy (the emulator never applies the upgrade to the estate it re-checks); the estate ends the same
    assert all(o.result in ("no-change", "manual")
               or o.action in ("restart-computer", "drain-node", "resume-node", "backup-vmm-database", "upgrade-vmm-2012")
               or o.reason.startswith("not planned")
               for o in again.outcomes), [o for o in again.outcomes if o.result == "applied"]


def _drain_plan():
    from remedy import snapshot_of
    from test_drain_placement import _hotfix_on, drain_estate

    from preflight.remediation.plan import build_plan

    snapshot = snapshot_of(drain_estate())
    return snapshot, build_plan([_hotfix_on("HV21")], snapshot, include_upgrade=False)


@pytest.mark.parametrize(("edit", "outcomes", "damage"), [
    ("as rendered", ["applied"] * 4, []),
    ("drain duplicated", ["applied", "no-change", "applied", "applied", "applied"], []),
    ("drain removed", ["applied", "applied", "no-change"],
     [f"VM {vm} is down for 10 min (host HV21 restarts), which the runbook does not show"
      for vm in ("BIG", "APPA", "APPB", "LAB", "TINY")]),
    ("resume removed", ["applied"] * 3, ["cluster node HV21 is left paused: no step resumes it"]),
])
def test_drain_edits_the_runbook_would_not_show_are_damage(edit: str, outcomes: list[str], damage: list[str]) -> None:
    from preflight.remediation.fates import run_damage
    from preflight.remediation.script_run import run_script

    snapshot, plan = _drain_plan()
    assert [s.action for s in plan.steps] == ["drain-node", "install-hotfix", "restart-computer", "resume-node"]
    head, blocks = _split(render_script(plan))
    edited = {"as rendered": blocks, "drain duplicated": [blocks[0], *blocks], "drain removed": blocks[1:],
              "resume removed": blocks[:3]}[edit]
    run = run_script(_join(head, edited), plan, snapshot)
    assert [o.result for o in run.outcomes] == outcomes
    paused = [run.state.host(key).name for key in run.state.paused]
    assert run_damage(run.plan, run.state.outages, paused) == damage


def _verdict(v) -> tuple:
    return (sorted((f.rule, f.target, f.outcome) for f in v.findings), sorted(f.rule for f in v.introduced), v.passed,
            [o.number for o in v.failed_steps], v.upgrade_missing, v.damage, [u.succeeded for u in v.upgrades])


@pytest.mark.parametrize("name", ["blocked.json", "fabric-2012.json", "mixed.toml"])
def test_removing_any_step_that_changes_the_estate_changes_the_verdict(name: str) -> None:
    """Mutation test: each scripted step of the rendered script is deleted in turn; where that leaves another
    emulated estate, `--from-script` must say so (a fate, a failed step, the upgrade, damage), not pass it as
    the unedited script."""
    from preflight.inventory import encode_json
    from preflight.pipeline import CheckRequest
    from preflight.pipeline.verify_plan import verify

    request = CheckRequest(snapshots=(ESTATES / name,), as_of="2026-11-25T12:00:00Z")
    report, emulated, plan = verify(request)
    head, blocks = _split(render_script(plan))
    unnoticed = []
    for at, block in enumerate(blocks):
        if "-Blocked '" in block or "-Flags @('manual')" in block:
            continue
        edited, after, _ = verify(request, _join(head, blocks[:at] + blocks[at + 1:]))
        assert edited.verification is not None and report.verification is not None
        if _verdict(edited.verification) == _verdict(report.verification) and encode_json(after) != encode_json(emulated):
            unnoticed.append(block.split("\n", 1)[0])
    assert unnoticed == []


@pytest.mark.parametrize("estate", ["blocked.json", "fabric-2012.json", "mixed.toml"])
def test_a_script_starting_with_the_rendered_header_reads_the_same_without_parsing_it_again(
        estate: str, tmp_path: Path, capsys) -> None:
    """`verify` skips parsing the header every rendered script starts with: the steps, their lines and what is not
    modelled are exactly what a parse of the whole text gives, also for a script edited after the header or in it."""
    from preflight.remediation.script_run import HEADER_LINES

    script = tmp_path / "plan.ps1"
    main(["verify", str(ESTATES / estate), "--script", str(script), *AS_OF])
    capsys.readouterr()
    text = script.read_text(encoding="utf-8")
    accepted = top_level_statements(header())
    assert text.startswith(HEADER_LINES)
    inserted = text.replace(HEADER_LINES, HEADER_LINES + "Remove-Item -Recurse 'C:\\VMM'\n", 1)
    in_header = text.replace("$ErrorActionPreference = 'Stop'", "$ErrorActionPreference = 'Continue'", 1)
    for variant in (text, inserted, in_header):
        assert parse_script(variant, accepted, known_prefix=HEADER_LINES) == parse_script(variant, accepted)
    assert parse_script(text, accepted, known_prefix=HEADER_LINES).steps[0].line > HEADER_LINES.count("\n")
    extra = parse_script(inserted, accepted, known_prefix=HEADER_LINES).unmodelled
    assert [(u.line, u.text) for u in extra] == [(HEADER_LINES.count("\n") + 1, "Remove-Item -Recurse 'C:\\VMM'")]
    assert parse_script(in_header, accepted, known_prefix=HEADER_LINES).unmodelled   # the edited header statement


_CALL = "Invoke-PreflightStep -Number 1 -Server 'S1' -Action 'manual' -Via 'Local' -ObjectKind 'hosts' -ObjectName 'S1' "


def test_data_values_read_back_in_the_order_written() -> None:
    parsed = parse_script(_CALL + "-Parameters @{ 'z' = '1'; 'a' = 'it''s'; 'm' = '3' } "
                          "-Moves @(@('VM2', 'H2'), @('VM1', 'H3')) -Flags @('manual', 'restart')\n")
    assert parsed.unmodelled == ()
    request = parsed.steps[0].request
    assert list(request.params.items()) == [("z", "1"), ("a", "it's"), ("m", "3")]
    assert request.moves == (Move("VM2", "S1", "H2"), Move("VM1", "S1", "H3"))
    assert parsed.steps[0].flags == ("manual", "restart")


def test_a_literal_inside_a_computed_data_value_does_not_count_as_a_value_of_its_own() -> None:
    parsed = parse_script(_CALL + "-Parameters @{ 'k' = \"x$('y')\"; 'z' = 'w' }\n")
    assert parsed.steps == ()
    assert "'\"x$('y')\"' is not a single-quoted literal" in str(parsed.unmodelled[0]), parsed.unmodelled
