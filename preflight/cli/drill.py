"""`preflight drill`: inject one fault at a time and report which faults take which VMs down."""

from __future__ import annotations

import sys
from typing import Annotated, TextIO

import typer

from preflight.cli.exit_codes import ExitCode
from preflight.cli.options import AsOfOption, OutputFile, QuietOption, RuleDirs, Snapshots


def drill(
    snapshots: Snapshots,
    format: Annotated[str | None, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")] = "text",
    output: OutputFile = None,
    as_of: AsOfOption = "now",
    rules: RuleDirs = None,
    quiet: QuietOption = False,
) -> None:
    """Fault drills (team member, cluster node, storage path, Replica link): exit 1 when a single fault takes VMs down.

    Drills depend on no date today; the as-of instant is validated and recorded so every evaluating command
    takes the same option. --rules loads and validates the organisation's packs as every evaluating command
    does (a broken pack is exit 2 here too). With -o the drill verdict goes to standard error (not with -q).
    """
    from preflight.cli.check import rule_files
    from preflight.cli.output import check_outputs, emit
    from preflight.emulator import run_drills
    from preflight.formatters.verification import drill_dict
    from preflight.inventory import load_estate_snapshots
    from preflight.inventory.as_of import parse_as_of, resolve_as_of
    from preflight.safe_text import json_document, visible

    if format not in ("text", "json"):
        raise typer.BadParameter("expected text or json", param_hint="--format")
    spec = parse_as_of(as_of)
    check_outputs({"-o": output}, [*snapshots, *rule_files(rules)])
    if rules:
        from preflight.pipeline import load_rules

        load_rules(tuple(rules))
    snapshot, infos = load_estate_snapshots(list(snapshots))
    instant = resolve_as_of(spec, [(file, info.collected_at) for file, info in infos])
    results = run_drills(snapshot)

    def write(stream: TextIO) -> None:
        if format == "json":
            document = {"as_of": {"instant": instant.instant.isoformat(), "chosen": instant.describe()},
                        "drills": [drill_dict(r) for r in results]}
            stream.write(json_document(document) + "\n")
            return
        harmful = [r for r in results if r.down]
        stream.write(f"{len(results)} faults injected one at a time; {len(harmful)} take VMs down "
                     f"(as of {instant.instant.isoformat()}: {instant.describe()})\n")
        for r in results:
            verdict = f"DOWN: {', '.join(r.down)}" if r.down else "no VM down"
            extra = f"; restarted elsewhere: {', '.join(r.restarted)}" if r.restarted else ""
            stream.write(visible(f"  {r.fault:<18} {r.target}: {verdict}{extra} ({r.note})") + "\n")

    emit(write, output)
    if not quiet and output is not None and str(output) != "-":
        from preflight.cli.output import writing_stdout

        harmful = sum(1 for r in results if r.down)
        with writing_stdout(sys.stderr):
            sys.stderr.write(f"drill: {len(results)} faults injected one at a time; {harmful} take VMs down; "
                             f"{format} written to {visible(str(output))}\n")
    raise typer.Exit(ExitCode.NO_GO if any(r.down for r in results) else ExitCode.GO)
