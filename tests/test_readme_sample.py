"""The README's sample `check` output is what `make demo` prints (so it cannot drift with the code or the date)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from preflight.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = re.compile(r"What `check` prints in a change window.*?```\n(.*?)```", re.S)
TIMING = re.compile(r" in \d+\.\d+ s$")


def test_readme_check_sample_lines_are_in_the_demo_output(capsys: pytest.CaptureFixture[str]) -> None:
    sample = SAMPLE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert sample, "the README's sample check output block is missing"
    assert main(["check", str(ROOT / "fixtures" / "estates" / "blocked.json"), "--as-of", "collected"]) == 1
    out = [TIMING.sub("", line) for line in capsys.readouterr().out.splitlines()]
    shown = [TIMING.sub("", line) for line in sample.group(1).splitlines() if line.strip() and line.strip() != "..."]
    for line in shown:
        full = line.removesuffix(", ...")   # an abridged line is a prefix of the real one
        assert any(real == full or (line.endswith(", ...") and real.startswith(full)) for real in out), line
