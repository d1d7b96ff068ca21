"""A command imports only what it uses: `--help` loads no engine, `check` no HTML templates, emulator or psutil."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"
PROBE = """
import contextlib, io, json, sys
from preflight.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def loaded(*args: str) -> set[str]:
    """The modules a whole `preflight` process has imported after running `args`."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_help_loads_no_stage_of_the_pipeline() -> None:
    modules = loaded("--help")
    assert not {m for m in modules if m.startswith(("preflight.engine", "preflight.pipeline", "preflight.emulator",
                                                     "preflight.formatters", "preflight.remediation"))}
    assert not {"jinja2", "psutil"} & modules
    # typer 0.29 validated options with pydantic; rich help imported rich.markdown and markdown_it
    assert not {"pydantic", "rich", "markdown_it"} & modules


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_loads_only_its_own_formatter(fmt: str) -> None:
    modules = loaded("check", str(READY), "--as-of", "collected", "-q", "-f", fmt)
    assert "preflight.pipeline" in modules and f"preflight.formatters.{'json_format' if fmt == 'json' else 'text'}" in modules
    assert not {"jinja2", "psutil", "rich", "pydantic", "preflight.emulator", "preflight.formatters.html"} & modules


def test_report_html_still_renders_with_its_templates(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert "jinja2" in loaded("report", str(READY), "--as-of", "collected", "-q", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_command_builds_only_itself_and_help_still_lists_every_command() -> None:
    from preflight.cli.app import COMMANDS

    modules = loaded("check", str(READY), "--as-of", "collected", "-q", "-f", "json")
    others = {f"preflight.cli.{module}" for name, (module, _) in COMMANDS.items() if module != "check"}
    assert not others & modules, "check imported another command's module"
    listing = subprocess.run([sys.executable, "-m", "preflight", "--help"], capture_output=True, text=True, cwd=ROOT,
                             check=True).stdout
    assert all(f"  {name} " in listing for name in COMMANDS)
