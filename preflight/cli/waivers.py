"""`preflight waivers check FILE`: validate a waivers file before it goes into a change window."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from preflight.cli.options import RuleDirs

waivers_app = typer.Typer(help="Waivers: accepted, approved, expiring exceptions for one rule on named objects.",
                          no_args_is_help=True, rich_markup_mode=None)  # plain help, as the root's (cli/app.py)


@waivers_app.command("check")
def check_waivers(
    file: Annotated[Path, typer.Argument(help="A waivers file (TOML, schema preflight/waivers/v1).", show_default=False)],
    rules: RuleDirs = None,
) -> None:
    """Validate a waivers file: keys, dates, and every rule code and kind against the catalog (with --rules, a site's
    packs too). Exit 0 valid, 2 invalid (one line naming the file and the key)."""
    from preflight.pipeline import load_rules
    from preflight.pipeline.judging import check_waivers_against
    from preflight.report.waivers import read_waivers
    from preflight.safe_text import visible

    waivers = read_waivers(file)
    check_waivers_against((waivers,), load_rules(tuple(rules or ())))
    count = len(waivers.waivers)
    typer.echo(visible(f"{file}: {count} waiver{'s' if count != 1 else ''}, valid"))
    for w in waivers.waivers:
        typer.echo(visible(f"  {w.index + 1}. {w.rule} {w.kind + '/' if w.kind else ''}{w.pattern}: expires {w.expires_text}, "
                           f"ticket {w.ticket}, approved by {w.approver}"))
