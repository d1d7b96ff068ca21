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


EDIT_LOOP = re.compile(r"#### Edit the script, then verify it again.*?```sh\n.*?```\n\n```\n(.*?)```", re.S)
STEP_SAMPLE = re.compile(r"whose `-Test`/`-Body` are the commands:\n\n```powershell\n(.*?)```", re.S)


def test_readme_edit_and_reverify_loop_is_what_verify_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    loop, step = EDIT_LOOP.search(readme), STEP_SAMPLE.search(readme)
    assert loop and step, "the README's edit-and-reverify samples are missing"
    script = tmp_path / "plan.ps1"
    estate = str(ROOT / "fixtures" / "estates" / "blocked.json")
    assert main(["verify", estate, "--as-of", "collected", "--script", str(script)]) == 1
    capsys.readouterr()
    text = script.read_text(encoding="utf-8")
    for line in step.group(1).splitlines():
        if "..." not in line:
            assert line in text.splitlines(), line
    head, *blocks = text.split("\n# Step ")
    # the README's edit: delete the step that starts WinRM on the VMM server (step numbers are in the sample)
    blocks = [b for b in blocks if not ("-Action 'start-service'" in b and "-Server 'FAB-SCVMM-MGMT01'" in b)]
    script.write_text("\n# Step ".join([head, *blocks]), encoding="utf-8")
    assert main(["verify", estate, "--as-of", "collected", "--from-script", str(script)]) == 1
    out = capsys.readouterr().out.splitlines()
    for line in loop.group(1).splitlines():
        full = line.removesuffix(", ...")
        assert any(real == full or (line.endswith(", ...") and real.startswith(full)) for real in out), line
