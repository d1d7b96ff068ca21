"""`preflight diff OLD NEW`: what changed between two snapshots or reports of one estate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import AsOfOption, OutputFile, RuleDirs

Side = Annotated[Path, typer.Argument(help="A snapshot (.json or .toml) or a JSON report (--format json).",
                                      show_default=False)]


def diff(
    old: Side,
    new: Side,
    format: Annotated[str | None, typer.Option("--format", "-f", help="text, json, md, html (default: from -o's extension, else text).")] = None,
    output: OutputFile = None,
    as_of: AsOfOption = "now",
    rules: RuleDirs = None,
) -> None:
    """Compare two snapshots or JSON reports: findings new, resolved, regressed (severity up, or unknown -> fail) and
    unchanged by fingerprint; for two snapshots also the changed facts per object (field path, old -> new).
    Exit 0 when nothing is new or regressed, 1 when something is, 2 for bad input."""
    from preflight.cli.check import Judgement
    from preflight.cli.options import FailOn
    from preflight.cli.output import check_outputs, emit
    from preflight.formatters.diff import diff_writer
    from preflight.pipeline.diff import run_diff

    writer = diff_writer(format, None if output is None else str(output))
    judgement = Judgement(FailOn.loss, False, False, as_of)
    check_outputs({"-o": output}, judgement.inputs([old, new], rules))
    request = judgement.request([old], rules)
    result = run_diff(old, new, request)
    emit(lambda stream: writer(result, stream), output)
    raise typer.Exit(ExitCode.NO_GO if result.worsened else ExitCode.GO)
