"""Options shared by several commands, defined once."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class FailOn(str, Enum):
    """Severities that can make the verdict no-go."""

    blocker = "blocker"
    loss = "loss"
    warning = "warning"
    advisory = "advisory"


Snapshots = Annotated[
    list[Path],
    typer.Argument(help="Snapshot files (.json or .toml). Several files are merged into one estate.",
                   show_default=False, metavar="SNAPSHOT"),
]
RuleDirs = Annotated[
    list[Path] | None,
    typer.Option("--rules", metavar="DIR",
                 help="Add an organisation's rule directory (packs, matrices, overrides). Repeatable."),
]
FailOnOption = Annotated[
    FailOn, typer.Option("--fail-on", help="Lowest severity of a failing rule that makes the verdict no-go.")
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Treat unknown checks at or above --fail-on as failures (no-go).")
]
AllowUnknownOption = Annotated[
    bool, typer.Option("--allow-unknown", help="Count unknown checks as passes (by default they make the verdict "
                                               "incomplete, exit 4).")
]
AsOfOption = Annotated[
    str, typer.Option("--as-of", metavar="WHEN",
                      help="The instant ages and expiry are measured at: an ISO 8601 instant with a time zone "
                           "(the start of the change window), 'now', or 'collected' (each snapshot's collected_at; "
                           "reproducible on any date).")
]
OutputFile = Annotated[
    Path | None, typer.Option("-o", "--output", metavar="FILE",
                              help="Write to this file (atomically; - is standard output) instead of standard output.")
]
WaiversOption = Annotated[
    list[Path] | None,
    typer.Option("--waivers", metavar="FILE",
                 help="A waivers file (TOML, preflight/waivers/v1): rule, object, reason, approver, ticket, expires. "
                      "Repeatable. Without it, <snapshot stem>.waivers.toml beside a snapshot is used.")
]
NoWaiversOption = Annotated[
    bool, typer.Option("--no-waivers", help="Ignore <snapshot stem>.waivers.toml beside the snapshots.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Nothing on standard error but errors: no progress "
                                                                  "bar, no verdict line.")]
BaselineOption = Annotated[
    Path | None, typer.Option(
        "--baseline", metavar="FILE",
        help="A previous JSON report (--format json): only findings new or regressed (severity up, or unknown "
             "-> fail) since then decide the verdict and the exit code.")
]
IncludePassedOption = Annotated[
    bool, typer.Option("--include-passed", help="JSON report: also list every passing and not-applicable check "
                                                "(rule, object, evidence), as proof that each rule ran; JUnit: a "
                                                "test case per passing (rule, object).")
]


def format_option(default: str) -> object:
    """The `--format` option of a command writing a report (`default`: the format for standard output)."""
    from preflight.cli.helptext import FORMAT_HELP

    return typer.Option("--format", "-f", metavar="FORMAT", help=FORMAT_HELP.format(default=default))
