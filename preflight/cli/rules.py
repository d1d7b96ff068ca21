"""`preflight rules list` and `preflight rules show CODE`: the rule catalog and each rule's provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, TextIO

import typer

from preflight.cli.options import QuietOption, RuleDirs
from preflight.errors import PreflightError

rules_app = typer.Typer(help="List the rule catalog, show one rule with its sources, or test a rule pack against its cases.",
                        no_args_is_help=True, rich_markup_mode=None)  # plain help, as the root's (cli/app.py)


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
    out(f"defined in:  {_shown_file(rule.file)}")
    for file in rule.overridden_by:
        out(f"overridden:  by {_shown_file(file)}")
    out("sources:")
    for source_id in rule.sources:
        source = catalog.sources[source_id]
        where = source.url or _shipped(source.file)
        out(f"  - {source_id} [{source.confidence}] {source.title}" + (f" <{where}>" if where else ""))
        if source.note:
            out(f"    note: {source.note}")
    for matrix_id in rule.matrices:
        matrix = catalog.matrices[matrix_id]
        out(f"matrix {matrix_id}: {matrix.title} ({_shown_file(matrix.file)})" + (f", replacing {_shown_file(matrix.replaces)}" if matrix.replaces else ""))
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


def _shown_file(file: str) -> str:
    """A rule file as a user finds it: `built-in rules/packs/x.toml` for a shipped one, else the path given."""
    from preflight.resources import builtin_rules_dir

    builtin = builtin_rules_dir().resolve()
    path = Path(file).resolve()
    return f"built-in rules/{path.relative_to(builtin).as_posix()}" if path.is_relative_to(builtin) else file


def _shipped(file: str | None) -> str:
    """A source's file when it ships with preflight (a rules/ matrix or pack), else "" (project reference material
    such as the source article does not ship: the source's title says what it is)."""
    from preflight.resources import builtin_rules_dir

    if not file or not file.startswith("rules/"):
        return ""
    return f"built-in {file}" if (builtin_rules_dir() / file.removeprefix("rules/")).is_file() else ""


@rules_app.command("test")
def test_rules(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="An organisation's rule directory: its packs and, "
                                              "anywhere beneath them, its case files (TOML files with a top-level rule and cases).")],
    rules: RuleDirs = None,
    quiet: QuietOption = False,
) -> None:
    """Run an organisation's rule pack against its own case files, with the harness the built-in rules use:
    exit 0 when every case passes, 1 when one fails, 2 for a broken pack or case file.

    Each case edits a base snapshot and states the status each object must get (docs/rule-packs.md,
    'Testing a rule'). Rules of DIR's packs that no case tests are listed. With -q only failures and the tally.
    """
    from preflight.cli.output import emit
    from preflight.engine.casefiles import load_cases, run_case
    from preflight.pipeline import load_rules
    from preflight.safe_text import visible

    catalog = load_rules((*(rules or ()), directory))
    cases = load_cases(directory)
    if not cases:
        raise PreflightError(f"{directory}: no case files (TOML files with rule = \"CODE\" and [[cases]]) to run")
    lines: list[str] = []
    failed = 0
    for case in cases:
        problems = run_case(case, catalog)
        failed += bool(problems)
        if problems:
            lines.append(f"FAIL {case.name} ({case.file})")
            lines += [f"  {problem}" for problem in problems]
        elif not quiet:
            lines.append(f"PASS {case.name}")
    own = sorted(code for code, rule in catalog.rules.items()
                 if Path(rule.file).resolve().is_relative_to(directory.resolve()))
    untested = [code for code in own if code not in {case.rule for case in cases}]
    if untested and not quiet:
        lines.append(f"no case tests: {', '.join(untested)}")
    lines.append(f"{len(cases)} case{'s' if len(cases) != 1 else ''}: {len(cases) - failed} passed, {failed} failed")
    emit(lambda stream: stream.write("".join(visible(line) + "\n" for line in lines)), None)
    raise typer.Exit(1 if failed else 0)
