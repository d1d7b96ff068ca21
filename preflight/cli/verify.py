"""`preflight verify`: plan the fixes, apply them in the emulator, re-check, simulate the VMM 2012 upgrade."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from preflight.cli.check import Judgement
from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import (
    AllowUnknownOption,
    AsOfOption,
    FailOn,
    FailOnOption,
    NoWaiversOption,
    OutputFile,
    QuietOption,
    RuleDirs,
    Snapshots,
    StrictOption,
    WaiversOption,
    format_option,
)


def verify(
    snapshots: Snapshots,
    format: Annotated[str | None, format_option("text")] = None,
    output: OutputFile = None,
    script: Annotated[Path | None, typer.Option("--script", metavar="FILE", help="Write the plan as a PowerShell script (supports -WhatIf).")] = None,
    from_script: Annotated[Path | None, typer.Option(
        "--from-script", metavar="FILE",
        help="Verify this (edited) PowerShell script instead of the one rendered from the plan.")] = None,
    emit_snapshot: Annotated[Path | None, typer.Option("--emit-snapshot", metavar="FILE", help="Write the emulated post-remediation estate as a snapshot.")] = None,
    fail_on: FailOnOption = FailOn.loss,
    strict: StrictOption = False,
    allow_unknown: AllowUnknownOption = False,
    as_of: AsOfOption = "now",
    rules: RuleDirs = None,
    waivers: WaiversOption = None,
    no_waivers: NoWaiversOption = False,
    quiet: QuietOption = False,
) -> None:
    """Verify the remediation script in the emulator (the plan's rendered script, or --from-script's): exit 0 when
    it leaves no blocker, introduces nothing, no step of an edited script fails and the simulated VMM 2012
    upgrade succeeds; 1 otherwise; 4 when it passes but is incomplete (a statement of the script the emulator
    does not model, or data a deciding check needs was not collected); 2 for bad input.

    With -o the verification verdict goes to standard error too (not with -q).
    """
    from preflight.cli.output import Writer, check_outputs, choose_formatter, emit_all
    from preflight.inventory import encode_json
    from preflight.pipeline import verify as run_verify
    from preflight.pipeline.verify_plan import read_script
    from preflight.remediation.powershell import render_script
    from preflight.report import Verdict

    chosen = choose_formatter(format, output, "text")
    judgement = Judgement(fail_on, strict, allow_unknown, as_of, waivers, no_waivers)
    check_outputs({"-o": output, "--script": script, "--emit-snapshot": emit_snapshot},
                  [*judgement.inputs(snapshots, rules), *([from_script] if from_script else [])])
    edited = read_script(from_script) if from_script is not None else None
    request = replace(judgement.request(snapshots, rules), topology=chosen.reads_topology)
    report, emulated, plan = run_verify(request, edited)
    outputs: list[tuple[Writer, Path | None]] = [(lambda stream: chosen.write(report, stream), output)]
    if script is not None:
        outputs.append((lambda stream: stream.write(render_script(plan)), script))
    if emit_snapshot is not None:
        outputs.append((lambda stream: stream.write(encode_json(emulated).decode("utf-8")), emit_snapshot))
    emit_all(outputs)  # all or none: no script without its report, no report without its snapshot
    if not quiet:
        from preflight.cli.check import say_verdict
        from preflight.formatters.verification import plan_verdict

        say_verdict(report, output, chosen.name, prefix=f"{plan_verdict(report.verification)}; estate verdict")
    if report.verification is None or not report.verification.passed:
        raise typer.Exit(ExitCode.NO_GO)
    incomplete = report.verdict is Verdict.INCOMPLETE or not report.verification.complete
    raise typer.Exit(ExitCode.INCOMPLETE if incomplete else ExitCode.GO)
