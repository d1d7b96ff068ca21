"""`preflight rules list` and `preflight rules show CODE`: the rule catalog and each rule's provenance."""

from __future__ import annotations

import json
from typing import Annotated, TextIO

import typer

from preflight.cli.options import RuleDirs
from preflight.errors import PreflightError

rules_app = typer.Typer(help="List the rule catalog or show one rule with its sources.", no_args_is_help=True)


@rules_app.command("list")
def list_rules(
    pack: Annotated[str | None, typer.Option("--pack", help="Only this pack.")] = None,
    rules: RuleDirs = None,
) -> None:
    """List every rule: code, name, severity, target and title."""
    from rich.console import Console
    from rich.table import Table

    from preflight.cli.output import emit
    from preflight.pipeline import load_rules
    from preflight.safe_text import visible_markup

    catalog = load_rules(tuple(rules or ()))
    if pack and pack not in catalog.packs:
        raise PreflightError(f"unknown pack '{pack}' (known: {', '.join(sorted(catalog.packs))})")
    screen = Console()  # the terminal's width and colours, for the table rendered in memory
    tables = []
    for pack_id, info in sorted(catalog.packs.items()):
        if pack and pack_id != pack:
            continue
        table = Table(title=visible_markup(f"{pack_id} {info.version}: {info.title}"), title_justify="left", show_lines=False)
        for column in ("code", "name", "severity", "target", "title"):
            table.add_column(column)
        for rule in catalog.pack_rules(pack_id):
            table.add_row(*(visible_markup(cell) for cell in (rule.code, rule.name, rule.severity.value, rule.target, rule.title)))
        tables.append(table)

    def write(stream: TextIO) -> None:
        console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False, width=screen.width,
                          force_terminal=screen.is_terminal,
                          color_system="auto" if screen.color_system else None)
        for table in tables:
            console.print(table)

    emit(write, None)  # not rich's own stdout: it turns a closed pipe into exit 1, which reads as no-go


@rules_app.command("show")
def show_rule(code: Annotated[str, typer.Argument(help="Rule code (VMM005) or name (vmm-computer-name-length).")],
              rules: RuleDirs = None) -> None:
    """Everything about one rule: check, parameters, rationale, fix and the source of every fact."""
    from preflight.cli.output import writing_stdout
    from preflight.pipeline import load_rules
    from preflight.safe_text import visible

    catalog = load_rules(tuple(rules or ()))
    rule = catalog.rules.get(code.upper()) or next((r for r in catalog.rules.values() if r.name == code), None)
    if rule is None:
        raise PreflightError(f"no rule '{code}' (see 'preflight rules list')")
    def out(line: str) -> None:
        with writing_stdout():
            typer.echo(visible(line))

    out(f"{rule.code}  {rule.name}  [{rule.severity.value}]  pack {rule.pack}")
    out(f"title:       {rule.title}")
    out(f"target:      {rule.target}" + (f" where {json.dumps(rule.raw_where)}" if rule.raw_where else ""))
    out(f"check:       {rule.check.kind} {json.dumps(rule.raw_params, default=str)}")
    out(f"message:     {rule.message}")
    out(f"rationale:   {rule.rationale}")
    out(f"remediation: {rule.remediation}")
    for number, line in enumerate((rule.powershell or "").splitlines()):
        out(("powershell:  " if number == 0 else "             ") + line)
    if rule.fix:
        out(f"fix action:  {rule.fix.action} {json.dumps(rule.fix.params) if rule.fix.params else ''}".rstrip())
    for url in rule.references:
        out(f"reference:   {url}")
    out(f"defined in:  {rule.file}")
    for file in rule.overridden_by:
        out(f"overridden:  by {file}")
    out("sources:")
    for source_id in rule.sources:
        source = catalog.sources[source_id]
        where = source.url or source.file or ""
        out(f"  - {source_id} [{source.confidence}] {source.title}" + (f" <{where}>" if where else ""))
        if source.note:
            out(f"    note: {source.note}")
    for matrix_id in rule.matrices:
        matrix = catalog.matrices[matrix_id]
        out(f"matrix {matrix_id}: {matrix.title} ({matrix.file})" + (f", replacing {matrix.replaces}" if matrix.replaces else ""))
        for table, rows in matrix.tables.items():
            for row in rows:
                source = catalog.sources[row["source"]]
                label = row.get("label") or row.get("id") or row.get("name") or row.get("kb") or table
                confidence = row.get("confidence", source.confidence)
                out(f"  - {table}: {label}  <- {row['source']} [{confidence}]")
                if "included_in" in row:
                    inclusion = catalog.sources.get(row.get("included_in_source", row["source"]))
                    out(f"      included in {row['included_in']} of Windows {row.get('included_in_os', '?')}"
                        + (f" <- {row.get('included_in_source')} [{inclusion.confidence}]" if inclusion else ""))
