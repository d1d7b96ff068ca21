"""`preflight verify`: plan the fixes, apply them in the emulator, re-check, simulate the VMM 2012 upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import FailOn, FailOnOption, OutputFile, RuleDirs, Snapshots, StrictOption
from preflight.cli.output import Writer, choose_formatter, emit_all, check_outputs
from preflight.engine.findings import Severity
from preflight.inventory import encode_json
from preflight.pipeline import CheckRequest
from preflight.remediation.powershell import render_script
from preflight.remediation.verify import verify as run_verify


def verify(
    snapshots: Snapshots,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="text or json (default: from -o's extension, else text).")] = None,
    output: OutputFile = None,
    script: Annotated[Optional[Path], typer.Option("--script", help="Write the plan as a PowerShell script (supports -WhatIf).")] = None,
    emit_snapshot: Annotated[Optional[Path], typer.Option("--emit-snapshot", help="Write the emulated post-remediation estate as a snapshot.")] = None,
    fail_on: FailOnOption = FailOn.loss,
    strict: StrictOption = False,
    rules: RuleDirs = None,
) -> None:
    """Verify the remediation plan in the emulator: exit 0 when it leaves no blocker, introduces nothing and the
    simulated VMM 2012 upgrade succeeds; 1 otherwise; 2 for bad input."""
    chosen = choose_formatter(format, output, "text")
    check_outputs({"-o": output, "--script": script, "--emit-snapshot": emit_snapshot}, snapshots)
    request = CheckRequest(tuple(snapshots), tuple(rules or ()), Severity(fail_on.value), strict)
    report, emulated, plan = run_verify(request)
    outputs: list[tuple[Writer, Path | None]] = [(lambda stream: chosen.write(report, stream), output)]
    if script is not None:
        outputs.append((lambda stream: stream.write(render_script(plan)), script))
    if emit_snapshot is not None:
        outputs.append((lambda stream: stream.write(encode_json(emulated).decode("utf-8")), emit_snapshot))
    emit_all(outputs)  # all or none: no script without its report, no report without its snapshot
    raise typer.Exit(ExitCode.GO if report.verification is not None and report.verification.passed else ExitCode.NO_GO)
