"""`preflight report`: write a report for people or pipelines (HTML, Markdown, JUnit XML, SARIF, JSON)."""

from __future__ import annotations

from typing import Annotated

from preflight.cli.check import Judgement, check_and_emit
from preflight.cli.options import (
    AllowUnknownOption,
    AsOfOption,
    BaselineOption,
    FailOn,
    FailOnOption,
    IncludePassedOption,
    NoWaiversOption,
    OutputFile,
    QuietOption,
    RuleDirs,
    Snapshots,
    StrictOption,
    WaiversOption,
    format_option,
)


def report(
    snapshots: Snapshots,
    output: OutputFile = None,
    format: Annotated[str | None, format_option("html")] = None,
    fail_on: FailOnOption = FailOn.loss,
    strict: StrictOption = False,
    allow_unknown: AllowUnknownOption = False,
    as_of: AsOfOption = "now",
    rules: RuleDirs = None,
    quiet: QuietOption = False,
    waivers: WaiversOption = None,
    no_waivers: NoWaiversOption = False,
    baseline: BaselineOption = None,
    include_passed: IncludePassedOption = False,
) -> None:
    """Write a report of the check (HTML by default): exit 0 go, 1 no-go, 2 bad input, 3 internal error, 4 incomplete.

    With --baseline, 1 and 4 count only findings that are new or regressed since the baseline report.
    With -o the verdict line goes to standard error (not with -q).
    """
    check_and_emit(snapshots, format, output,
                   Judgement(fail_on, strict, allow_unknown, as_of, waivers, no_waivers, baseline, include_passed),
                   rules, quiet, default_format="html")
