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
                   show_default=False),
]
RuleDirs = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="Add an organisation's rule directory (packs, matrices, overrides). Repeatable."),
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
    Path | None, typer.Option("-o", "--output", help="Write to this file (atomically; - is standard output) instead of standard output.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output on standard error.")]
WaiversOption = Annotated[
    list[Path] | None,
    typer.Option("--waivers", metavar="FILE",
                 help="A waivers file (TOML, preflight/waivers/v1): rule, object, reason, approver, ticket, expires. "
                      "Repeatable. Without it, <snapshot stem>.waivers.toml beside a snapshot is used.")
]
NoWaiversOption = Annotated[
    bool, typer.Option("--no-waivers", help="Ignore <snapshot stem>.waivers.toml beside the snapshots.")
]
