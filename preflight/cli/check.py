"""`preflight check`: evaluate snapshots against the rule packs and answer go / no-go / incomplete."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from preflight.cli.exit_codes import exit_code_for
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
from preflight.errors import PreflightError

if TYPE_CHECKING:
    from preflight.pipeline import CheckRequest
    from preflight.report import Report


@dataclass(frozen=True)
class Judgement:
    """The options every evaluating command shares: what decides the verdict, and as of when."""

    fail_on: FailOn
    strict: bool
    allow_unknown: bool
    as_of: str
    waivers: list[Path] | None = None
    no_waivers: bool = False
    baseline: Path | None = None

    include_passed: bool = False

    def inputs(self, snapshots: list[Path], rules: list[Path] | None = None) -> list[Path]:
        """Every file the run reads (snapshots, waivers given or found beside them, baseline, rule packs):
        no output may overwrite one."""
        from preflight.pipeline.judging import discovered_waivers

        waivers = self.waivers or (() if self.no_waivers else discovered_waivers(tuple(snapshots)))
        return [*snapshots, *waivers, *([self.baseline] if self.baseline else []), *rule_files(rules)]

    def request(self, snapshots: list[Path], rules: list[Path] | None) -> CheckRequest:
        """The pipeline request; conflicting or malformed options are a `PreflightError` (exit 2)."""
        from preflight.engine.findings import Severity
        from preflight.inventory.as_of import parse_as_of
        from preflight.pipeline import CheckRequest
        from preflight.report import UnknownPolicy

        if self.strict and self.allow_unknown:
            raise PreflightError("--strict and --allow-unknown contradict each other: choose one")
        if self.waivers and self.no_waivers:
            raise PreflightError("--waivers and --no-waivers contradict each other: choose one")
        policy = (UnknownPolicy.STRICT if self.strict else
                  UnknownPolicy.ALLOW if self.allow_unknown else UnknownPolicy.INCOMPLETE)
        return CheckRequest(tuple(snapshots), tuple(rules or ()), Severity(self.fail_on.value), policy,
                            parse_as_of(self.as_of), tuple(self.waivers or ()), not self.no_waivers, self.baseline,
                            include_passed=self.include_passed)


def rule_files(rules: list[Path] | None) -> list[Path]:
    """The files of the --rules directories (packs, matrices, sources, case files and the JSON snapshots their cases
    start from): inputs too, which no output may overwrite."""
    return [file for directory in rules or () if directory.is_dir()
            for file in sorted([*directory.rglob("*.toml"), *directory.rglob("*.json")])]


def check(
    snapshots: Snapshots,
    format: Annotated[str | None, format_option("text")] = None,
    output: OutputFile = None,
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
    """Check snapshots of an estate: exit 0 go, 1 no-go, 2 bad input, 3 internal error, 4 incomplete.

    With --baseline, 1 and 4 count only findings that are new or regressed since the baseline report.
    With -o the report goes to the file and the verdict line to standard error (not with -q).
    """
    check_and_emit(snapshots, format, output,
                   Judgement(fail_on, strict, allow_unknown, as_of, waivers, no_waivers, baseline, include_passed),
                   rules, quiet, default_format="text")


def check_and_emit(snapshots: list[Path], format: str | None, output: Path | None, judgement: Judgement,
                   rules: list[Path] | None, quiet: bool, *, default_format: str) -> None:
    """Run the check, write it in the chosen format and exit with the verdict's code (shared by check and report)."""
    from preflight.cli.output import check_outputs, choose_formatter, emit
    from preflight.cli.progress import progress_reporter
    from preflight.pipeline import run_check

    chosen = choose_formatter(format, output, default_format)
    check_outputs({"-o": output}, judgement.inputs(snapshots, rules))
    request = replace(judgement.request(snapshots, rules), topology=chosen.reads_topology)
    with progress_reporter(quiet) as progress:
        report, _, _ = run_check(request, progress)
    emit(lambda stream: chosen.write(report, stream), output)
    if not quiet:
        say_verdict(report, output, chosen.name)
    raise typer.Exit(exit_code_for(report.verdict))


def say_verdict(report: Report, output: Path | None, format_name: str, prefix: str = "verdict") -> None:
    """One line on standard error naming the verdict when the report went to a file: a CI log or a terminal
    shows the outcome without opening the report. Nothing when the report itself went to standard output."""
    from preflight.cli.output import is_stdout, writing_stdout
    from preflight.safe_text import visible

    if is_stdout(output):
        return
    with writing_stdout(sys.stderr):
        sys.stderr.write(visible(f"{prefix} {report.verdict_reason()}; {format_name} report written to {output}") + "\n")

