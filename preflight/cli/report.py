"""`preflight report`: write a report for people or pipelines (HTML, Markdown, JUnit XML, SARIF, JSON)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import FailOn, FailOnOption, OutputFile, QuietOption, RuleDirs, Snapshots, StrictOption
from preflight.cli.output import emit
from preflight.cli.progress import progress_reporter
from preflight.engine.findings import Severity
from preflight.formatters import formatter_for_path, get_formatter
from preflight.pipeline import CheckRequest, run_check
from preflight.report import Verdict

REPORT_FORMAT_HELP = "html, md, junit, sarif, json (default: from -o's extension: .html .md .xml .sarif .json; else html)."


def report(
    snapshots: Snapshots,
    output: OutputFile = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help=REPORT_FORMAT_HELP)] = None,
    fail_on: FailOnOption = FailOn.loss,
    strict: StrictOption = False,
    rules: RuleDirs = None,
    quiet: QuietOption = False,
) -> None:
    """Write a report of the check (HTML by default): exit 0 go, 1 no-go, 2 bad input."""
    chosen = get_formatter(format) if format else (formatter_for_path(str(output), "html") if output else get_formatter("html"))
    request = CheckRequest(tuple(snapshots), tuple(rules or ()), Severity(fail_on.value), strict)
    with progress_reporter(quiet) as progress:
        result, _, _ = run_check(request, progress)
    emit(lambda stream: chosen.write(result, stream), output)
    raise typer.Exit(ExitCode.NO_GO if result.verdict is Verdict.NO_GO else ExitCode.GO)
