"""`preflight report`: write a report for people or pipelines (HTML, Markdown, JUnit XML, SARIF, JSON)."""

from __future__ import annotations

from typing import Annotated

import typer

from preflight.cli.check import Judgement, check_and_emit
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
)

REPORT_FORMAT_HELP = "html, md, junit, sarif, json (default: from -o's extension: .html .md .xml .sarif .json; else html)."


def report(
    snapshots: Snapshots,
    output: OutputFile = None,
    format: Annotated[str | None, typer.Option("--format", "-f", help=REPORT_FORMAT_HELP)] = None,
    fail_on: FailOnOption = FailOn.loss,
    strict: StrictOption = False,
    allow_unknown: AllowUnknownOption = False,
    as_of: AsOfOption = "now",
    rules: RuleDirs = None,
    quiet: QuietOption = False,
    waivers: WaiversOption = None,
    no_waivers: NoWaiversOption = False,
) -> None:
    """Write a report of the check (HTML by default): exit 0 go, 1 no-go, 2 bad input, 3 internal error, 4 incomplete."""
    check_and_emit(snapshots, format, output, Judgement(fail_on, strict, allow_unknown, as_of, waivers, no_waivers), rules, quiet,
                   default_format="html")
