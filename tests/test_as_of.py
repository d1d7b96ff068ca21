"""Time is an input: `--as-of` decides what ages are measured against, and nothing else reads the clock."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from preflight.cli import main

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted((ROOT / "fixtures" / "estates").glob("*.*"))
READY = ROOT / "fixtures" / "estates" / "ready.json"
CLOCK_READS = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|\btime\.time\(\)|\btime\.localtime\(")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def json_report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "check", "--format", "json", *args)
    report = json.loads(out)
    report["summary"].pop("elapsed_seconds")
    return code, report


def set_clock(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr("preflight.inventory.as_of.wall_clock", lambda: instant)


@pytest.mark.parametrize("estate", ESTATES, ids=[p.name for p in ESTATES])
def test_sample_estates_give_the_same_result_on_any_date_until_2100(
        estate: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    results = []
    for year in (2026, 2031, 2099):
        set_clock(monkeypatch, datetime(year, 12, 31, 23, 59, tzinfo=UTC))
        for as_of in ("collected", "2026-11-25T22:00:00+01:00"):
            code, report = json_report(capsys, str(estate), "--as-of", as_of)
            results.append((as_of, code, report))
    by_option: dict[str, list] = {}
    for as_of, code, report in results:
        by_option.setdefault(as_of, []).append((code, report))
    for runs in by_option.values():
        assert all(r == runs[0] for r in runs), "the verdict and every finding must not depend on the calendar"
    assert by_option["collected"][0][1]["as_of"]["mode"] == "collected"


def test_the_wall_clock_decides_only_with_as_of_now(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(monkeypatch, datetime(2031, 6, 1, tzinfo=UTC))
    code, report = json_report(capsys, str(READY), "--fail-on", "warning")
    assert code == 1 and report["as_of"] == {"instant": "2031-06-01T00:00:00+00:00", "mode": "now",
                                             "chosen": "the wall clock at the start of the run: --as-of now"}
    stale = next(f for f in report["findings"] if f["rule"] == "INV001")
    # staleness says which snapshot and how old it is
    assert stale["target"]["name"] == "contoso-hq ready for VMM 2012"
    assert "collected 2026-11-24T21:30:00+00:00 (1649.1 days)" in stale["message"]
    assert {f["rule"] for f in report["findings"]} >= {"INV001", "UPG005"}
    code, report = json_report(capsys, str(READY), "--fail-on", "warning", "--as-of", "collected")
    assert code == 0 and report["findings"] == []


def test_a_change_window_instant_measures_the_backup_age(capsys: pytest.CaptureFixture[str]) -> None:
    backup = json.loads(READY.read_text(encoding="utf-8"))["vmm_servers"][0]["vmm"]["database"]["last_full_backup"]
    taken = datetime.fromisoformat(backup.replace("Z", "+00:00"))
    within = (taken + timedelta(hours=23)).isoformat()
    after = (taken + timedelta(hours=25)).astimezone(timezone(timedelta(hours=1))).isoformat()
    _, report = json_report(capsys, str(READY), "--fail-on", "warning", "--as-of", within)
    assert "UPG005" not in {f["rule"] for f in report["findings"]}
    code, report = json_report(capsys, str(READY), "--fail-on", "warning", "--as-of", after)
    assert code == 1 and "UPG005" in {f["rule"] for f in report["findings"]}
    assert report["as_of"]["instant"] == after and report["as_of"]["chosen"] == "given with --as-of"


@pytest.mark.parametrize("value", ["2026-11-25T22:00:00", "tomorrow", "2026-13-01T00:00:00Z", ""])
def test_an_instant_without_a_zone_or_malformed_is_bad_usage(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(READY), "--as-of", value)
    assert code == 2 and out == ""
    assert err.startswith("preflight: error: --as-of: ") and len(err.splitlines()) == 1
    assert "time zone" in err


def test_collected_measures_each_snapshot_at_its_own_time(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    sql = {"schema": data["schema"], "snapshot": {**data["snapshot"], "name": "sql part",
                                                 "collected_at": "2026-10-01T08:00:00Z"},
           "sql_servers": data.pop("sql_servers")}
    (tmp_path / "main.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "sql.json").write_text(json.dumps(sql), encoding="utf-8")
    _code, report = json_report(capsys, str(tmp_path / "main.json"), str(tmp_path / "sql.json"),
                               "--as-of", "collected", "--fail-on", "warning")
    assert "INV001" not in {f["rule"] for f in report["findings"]}
    assert report["as_of"]["instant"] == "2026-11-24T21:30:00+00:00"  # the newest snapshot's
    assert report["as_of"]["per_snapshot"] == {str(tmp_path / "main.json"): "2026-11-24T21:30:00+00:00",
                                               str(tmp_path / "sql.json"): "2026-10-01T08:00:00+00:00"}
    _, report = json_report(capsys, str(tmp_path / "main.json"), str(tmp_path / "sql.json"),
                            "--as-of", "2026-11-25T00:00:00Z", "--fail-on", "warning")
    stale = [f for f in report["findings"] if f["rule"] == "INV001"]
    assert [f["target"]["name"] for f in stale] == ["sql part"] and "54.7 days" in stale[0]["message"]


@pytest.mark.parametrize(("fmt", "needle"), [
    ("text", "as of 2026-11-24T21:30:00+00:00 (each snapshot's collected_at: --as-of collected)"),
    ("md", "As of 2026-11-24T21:30:00+00:00 (each snapshot's collected_at: --as-of collected)"),
    ("html", '<time datetime="2026-11-24T21:30:00+00:00">'),
    ("junit", 'name="as_of" value="2026-11-24T21:30:00+00:00"'),
    ("sarif", '"asOf": "2026-11-24T21:30:00+00:00"'),
    ("json", '"mode": "collected"'),
])
def test_every_format_records_the_as_of_instant_and_how_it_was_chosen(
        fmt: str, needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", str(READY), "--format", fmt, "--as-of", "collected")
    assert needle in out
    if fmt != "text":
        assert "collected" in out


def test_nothing_but_the_as_of_resolution_reads_the_clock() -> None:
    readers = []
    for path in sorted((ROOT / "preflight").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CLOCK_READS.search(line):
                readers.append((str(path.relative_to(ROOT)), number))
    assert [file for file, _ in readers] == ["preflight/inventory/as_of.py"], readers


def test_an_estate_with_no_objects_is_incomplete_never_go(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(READY.read_text(encoding="utf-8"))
    empty = {"schema": data["schema"], "snapshot": data["snapshot"], "domains": data.get("domains", [])}
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(empty), encoding="utf-8")
    for extra in ((), ("--allow-unknown",), ("--fail-on", "advisory")):
        code, report = json_report(capsys, str(path), "--as-of", "collected", *extra)
        assert code == 4 and report["verdict"] == "incomplete"
        assert "describes no server, host, cluster or VM" in report["verdict_reason"]
