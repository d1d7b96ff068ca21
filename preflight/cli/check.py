"""`preflight check`: evaluate snapshots against the rule packs and answer go / no-go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import FailOn, FailOnOption, OutputFile, QuietOption, RuleDirs, Snapshots, StrictOption
from preflight.cli.output import choose_formatter, emit, check_outputs
from preflight.cli.progress import progress_reporter
from preflight.engine.findings import Severity
from preflight.pipeline import CheckRequest, run_check
from preflight.report import Verdict


def check(
    snapshots: Snapshots,
    format: Annotated[str | None, typer.Option("--format", "-f", help="text, json, html, md, junit, sarif (default: from -o's extension, else text).")] = None,
    output: OutputFile = None,
    fail_on: FailOnOption = FailOn.loss,
    strict: StrictOption = False,
    rules: RuleDirs = None,
    quiet: QuietOption = False,
) -> None:
    """Check snapshots of an estate: exit 0 go, 1 no-go, 2 bad input."""
    check_and_emit(snapshots, format, output, fail_on, strict, rules, quiet, default_format="text")


def check_and_emit(snapshots: list[Path], format: str | None, output: Path | None, fail_on: FailOn, strict: bool,
                   rules: list[Path] | None, quiet: bool, *, default_format: str) -> None:
    """Run the check, write it in the chosen format and exit with the verdict's code (shared by check and report)."""
    chosen = choose_formatter(format, output, default_format)
    check_outputs({"-o": output}, snapshots)
    request = CheckRequest(tuple(snapshots), tuple(rules or ()), Severity(fail_on.value), strict)
    with progress_reporter(quiet) as progress:
        report, _, _ = run_check(request, progress)
    emit(lambda stream: chosen.write(report, stream), output)
    raise typer.Exit(ExitCode.NO_GO if report.verdict is Verdict.NO_GO else ExitCode.GO)

