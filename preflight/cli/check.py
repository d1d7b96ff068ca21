"""`preflight check`: evaluate snapshots against the rule packs and answer go / no-go."""

from __future__ import annotations

from typing import Annotated

import typer

from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import FailOn, FailOnOption, OutputFile, QuietOption, RuleDirs, Snapshots, StrictOption
from preflight.cli.output import emit
from preflight.cli.progress import progress_reporter
from preflight.engine.findings import Severity
from preflight.formatters import formatter_for_path, get_formatter
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
    chosen = get_formatter(format) if format else (formatter_for_path(str(output), "text") if output else get_formatter("text"))
    request = CheckRequest(tuple(snapshots), tuple(rules or ()), Severity(fail_on.value), strict)
    with progress_reporter(quiet) as progress:
        report, _, _ = run_check(request, progress)
    emit(lambda stream: chosen.write(report, stream), output)
    raise typer.Exit(ExitCode.NO_GO if report.verdict is Verdict.NO_GO else ExitCode.GO)
