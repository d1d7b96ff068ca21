"""`preflight report` and `check --format`: formats by extension, exit codes, atomic files, quiet progress."""

from __future__ import annotations

import io
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from report_estates import READY, write_snapshot

from benchmarks.generate import generate_estate
from preflight.cli import main
from preflight.cli.progress import progress_reporter
from preflight.inventory import load_estate_snapshots


def blocked_file(tmp_path: Path) -> Path:
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["vmm_servers"][0]["services"][0]["state"] = "Stopped"
    return write_snapshot(data, tmp_path / "blocked.json")


@pytest.mark.parametrize("name, check", [
    ("out.html", lambda t: t.startswith("<!DOCTYPE html>") and 'data-verdict="no-go"' in t),
    ("out.md", lambda t: t.startswith("## Pre-flight verdict: **NO-GO**")),
    ("out.xml", lambda t: ET.fromstring(t.split("\n", 1)[1]).tag == "testsuites"),
    ("out.sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
    ("out.sarif.json", lambda t: json.loads(t)["version"] == "2.1.0"),
    ("out.json", lambda t: json.loads(t)["schema"] == "preflight/report/v1"),
])
def test_report_format_follows_the_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, check) -> None:
    out = tmp_path / name
    code = main(["report", str(blocked_file(tmp_path)), "-o", str(out)])
    _, err = capsys.readouterr()
    # the report went to the file; the verdict line goes to standard error for the log
    assert code == 1 and err == f"verdict no-go: a rule fails at or above 'loss'; { {'xml': 'junit'}.get(name.split('.')[1], name.split('.')[1])} report written to {out}\n"
    assert check(out.read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["blocked.json", name]), "no temp file left"


def test_report_exit_codes_match_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(READY), "-o", str(tmp_path / "ready.html")]) == 0
    assert main(["report", str(blocked_file(tmp_path)), "-o", str(tmp_path / "b.md"), "--fail-on", "blocker"]) == 1
    assert main(["report", str(tmp_path / "missing.json"), "-o", str(tmp_path / "x.html")]) == 2
    assert main(["report", str(READY), "-o", str(tmp_path / "x.html"), "--format", "pdf"]) == 2
    err = capsys.readouterr().err
    assert "unknown format 'pdf'" in err and "sarif" in err
    assert not (tmp_path / "x.html").exists()


def test_explicit_format_wins_and_stdout_defaults_to_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.txt"
    assert main(["report", str(READY), "-o", str(out), "--format", "md"]) == 0
    assert out.read_text(encoding="utf-8").startswith("## Pre-flight verdict: **GO**")
    capsys.readouterr()
    assert main(["report", str(READY)]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_check_reaches_the_report_formatters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = blocked_file(tmp_path)
    for fmt, start in (("md", "## Pre-flight verdict: **NO-GO**"), ("html", "<!DOCTYPE html>"),
                       ("junit", "<?xml"), ("sarif", "{")):
        assert main(["check", str(path), "--format", fmt]) == 1
        assert capsys.readouterr().out.startswith(start)
    assert main(["check", str(path), "-o", str(tmp_path / "c.sarif")]) == 1
    assert json.loads((tmp_path / "c.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal_and_never_with_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_reporter(quiet=False) as progress:
        assert progress is not None
        progress("evaluate", 1, 2)
    assert terminal.getvalue(), "a terminal gets the bar"
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_reporter(quiet=True) as progress:
        assert progress is None
    assert terminal.getvalue() == ""
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with progress_reporter(quiet=False) as progress:
        assert progress is None
    assert pipe.getvalue() == ""


def test_report_to_a_file_says_only_the_verdict_on_stderr_and_nothing_with_quiet(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(READY), "-o", str(out)]) == 0
    assert capfd.readouterr().err == (f"verdict go: every applicable check at or above 'loss' was evaluated and passed; "
                                      f"html report written to {out}\n")   # no progress bar off a terminal
    assert main(["report", str(READY), "-o", str(out), "-q"]) == 0
    assert capfd.readouterr().err == ""
    assert main(["report", str(READY), "-f", "json"]) == 0
    assert capfd.readouterr().err == "", "the report on standard output says the verdict itself"


def test_generated_estate_is_valid_and_reproducible(tmp_path: Path) -> None:
    data = generate_estate(120, 3000, seed=7)
    assert generate_estate(120, 3000, seed=7) == data
    assert generate_estate(120, 3000, seed=8) != data
    snapshot, _ = load_estate_snapshots([write_snapshot(data, tmp_path / "estate.json")])
    assert len(snapshot.hosts) == 120 and len(snapshot.vms) == 3000
    assert snapshot.clusters and snapshot.vmm_servers
    clustered = {n for c in snapshot.clusters for n in c.nodes}
    assert all(h.cluster in (None, *{c.name for c in snapshot.clusters}) for h in snapshot.hosts)
    assert any(h.name not in clustered for h in snapshot.hosts), "some standalone hosts"
