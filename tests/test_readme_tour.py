"""The README's waivers, baseline and diff samples are what the commands print (real output, not prose)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from preflight.cli import main

ROOT = Path(__file__).resolve().parent.parent
TIMING = re.compile(r" in \d+\.\d+ s$")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def sample_after(marker: str) -> list[str]:
    """The lines of the first fenced block after `marker` in the README (blank lines and '...' dropped)."""
    start = README.index(marker)
    match = re.compile(r"```\n(.*?)```", re.S).search(README, start)
    assert match, f"no sample block after {marker!r}"
    return [TIMING.sub("", line) for line in match.group(1).splitlines() if line.strip() and line.strip() != "..."]


def assert_shown(sample: list[str], out: str) -> None:
    """Every sample line is a real line; one ending in ', ...' is a prefix of a real line."""
    real = [TIMING.sub("", line) for line in out.splitlines()]
    for line in sample:
        full = line.removesuffix(", ...")
        assert any(r == full or (line.endswith(", ...") and r.startswith(full)) for r in real), line


def test_the_waivers_sample(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "fixtures/estates/blocked.json", "--as-of", "collected",
                 "--waivers", "fixtures/waivers/blocked.toml"]) == 1
    assert_shown(sample_after("What `check --waivers` adds"), capsys.readouterr().out)
    assert main(["waivers", "check", "fixtures/waivers/blocked.toml"]) == 0


def test_the_waivers_file_example_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = README.index("one `[[waivers]]` table per exception")
    example = re.compile(r"```toml\n(.*?)```", re.S).search(README, start)
    assert example
    path = tmp_path / "waivers.toml"
    path.write_text(example.group(1), encoding="utf-8")
    assert main(["waivers", "check", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "  1. PLT002 hosts/ESX-FAB01: expires 2026-12-31, ticket CHG-4711, approved by J. Smith (CAB)")


def commands_after(marker: str) -> list[list[str]]:
    """The preflight commands of the first ```sh block after `marker`, as argv (comments dropped)."""
    start = README.index(marker)
    match = re.compile(r"```sh\n(.*?)```", re.S).search(README, start)
    assert match, f"no sh block after {marker!r}"
    lines = [line.split("  #")[0].strip() for line in match.group(1).splitlines() if line.strip()]
    return [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/preflight ")]


def test_the_baseline_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The commands as printed, in a fresh directory holding the sample snapshots: last week's report is
    written by the first, so the second runs as shown."""
    for sample in ("fixtures/estates/blocked.json", "fixtures/diff/blocked-week2.json"):
        (tmp_path / sample).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / sample, tmp_path / sample)
    monkeypatch.chdir(tmp_path)
    last_week, this_week = commands_after("this week's run names it as the baseline")
    assert main(last_week) == 1 and (tmp_path / "last-week.json").is_file()
    capsys.readouterr()
    assert main(this_week) == 1 and "--baseline" in this_week
    assert_shown(sample_after("with last week's report as the baseline"), capsys.readouterr().out)


def test_the_diff_sample(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["diff", "fixtures/estates/blocked.json", "fixtures/diff/blocked-week2.json", "--as-of", "collected"]) == 1
    assert_shown(sample_after("`preflight diff fixtures/estates/blocked.json fixtures/diff/blocked-week2.json"),
                 capsys.readouterr().out)


def assert_abridged(sample: list[str], out: str) -> None:
    """Every sample line is one real line with parts cut out: the pieces around each '...' appear in that
    line in order, the first piece starting it and the last ending it (a trailing '...' leaves the end open)."""
    real = out.splitlines()

    def matches(line: str, candidate: str) -> bool:
        first, *rest = line.split("...")
        if not candidate.startswith(first):
            return False
        at = len(first)
        for piece in rest:
            found = candidate.find(piece, at)
            if found < 0:
                return False
            at = found + len(piece)
        return not rest or rest[-1] == "" or candidate.endswith(rest[-1])

    for line in sample:
        assert any(matches(line, candidate) for candidate in real), line


def test_the_verify_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The runbook tally, step numbers, introduced findings and setup verdicts the README shows for
    `verify` on blocked.json are what it prints (step counts and minutes drift when the planner changes)."""
    monkeypatch.chdir(tmp_path)
    assert main(["verify", str(ROOT / "fixtures" / "estates" / "blocked.json"), "--as-of", "collected",
                 "--script", "plan.ps1"]) == 1
    sample = sample_after("and which findings the plan itself introduces:")
    assert sample[1].startswith("Runbook: ") and len(sample) >= 6
    assert_abridged(sample, capsys.readouterr().out)


def test_the_drill_examples(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The two `drill` lines of the README do what their comments say (exit code, the VM taken down)."""
    monkeypatch.chdir(ROOT)
    drills = [argv for argv in commands_after("### Prove the plan before the change window") if argv[0] == "drill"]
    assert len(drills) == 2
    assert main(drills[0]) == 0
    assert capsys.readouterr().out.startswith("22 faults injected one at a time; 0 take VMs down")
    assert main(drills[1]) == 1
    assert any(line.split()[0] == "node-fails" and "DOWN: EXCH81" in line for line in capsys.readouterr().out.splitlines())
