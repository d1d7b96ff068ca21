"""Per-rule reference pages (docs/rules/CODE.md) and their index, generated from the built-in catalog.

SARIF `helpUri` points at these pages, so a code-scanning alert links to what the rule checks, why, how
to fix it and where each fact comes from. `make docs` writes them; tests/test_generated_docs.py fails
when one is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

from preflight.engine.catalog import Catalog
from preflight.engine.rules import Rule
from preflight.pipeline import load_rules
from preflight.resources import builtin_rules_dir

GENERATED = "Generated from the rule catalog (`rules/`) by `make docs`; a test fails when this page is out of date."


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _repo_path(file: str) -> str:
    """`rules/packs/csv.toml` for a built-in file, whatever the checkout's location."""
    path, root = Path(file).resolve(), builtin_rules_dir().resolve()
    return f"rules/{path.relative_to(root).as_posix()}" if path.is_relative_to(root) else path.name


def rule_page(rule: Rule, catalog: Catalog) -> str:
    """The Markdown page of one rule."""
    lines = [f"# {rule.code}: {rule.title}", "", GENERATED, "",
             "| | |", "|---|---|",
             f"| name | `{rule.name}` |", f"| severity | {rule.severity.value} |",
             f"| pack | `{rule.pack}` ({_cell(catalog.packs[rule.pack].title) if rule.pack in catalog.packs else ''}) |",
             f"| checks | `{rule.target}`" + (f" where `{_cell(json.dumps(rule.raw_where))}`" if rule.raw_where else "") + " |",
             f"| check | `{rule.check.kind}` `{_cell(json.dumps(rule.raw_params, default=str))}` |",
             f"| defined in | `{_repo_path(rule.file)}` |", "",
             "## Why", "", rule.rationale, "", "## Message", "", f"`{rule.message}`", "",
             "## Fix", "", rule.remediation, ""]
    if rule.powershell:
        lines += ["```powershell", rule.powershell, "```", ""]
    if rule.fix:
        params = f" `{json.dumps(rule.fix.params)}`" if rule.fix.params else ""
        lines += [f"Runbook action: [`{rule.fix.action}`](../actions.md){params}", ""]
    if rule.references:
        lines += ["## References", "", *(f"- <{url}>" for url in rule.references), ""]
    lines += ["## Sources", ""]
    for source_id in rule.sources:
        source = catalog.sources[source_id]
        where = source.url or source.file
        lines.append(f"- `{source_id}` ({source.confidence}): {source.title}" + (f" <{where}>" if source.url else
                                                                                   f" ({where})" if where else ""))
        if source.note:
            lines.append(f"  - note: {source.note}")
    for matrix_id in rule.matrices:
        matrix = catalog.matrices[matrix_id]
        lines.append(f"- matrix `{matrix_id}`: {matrix.title} (`{_repo_path(matrix.file)}`)")
    return "\n".join(lines) + "\n"


def rules_index(catalog: Catalog) -> str:
    """docs/rules/README.md: every built-in rule with its severity, target and title."""
    lines = ["# Built-in rules", "", GENERATED, "", "| rule | severity | pack | checks | title |", "|---|---|---|---|---|"]
    for rule in sorted(catalog.rules.values(), key=lambda r: r.code):
        lines.append(f"| [{rule.code}]({rule.code}.md) | {rule.severity.value} | `{rule.pack}` | `{rule.target}` | {_cell(rule.title)} |")
    return "\n".join(lines) + "\n"


def rule_docs() -> dict[str, str]:
    """File name -> content of every page under docs/rules/ (the built-in catalog only)."""
    catalog = load_rules()
    pages = {f"{rule.code}.md": rule_page(rule, catalog) for rule in catalog.rules.values()}
    pages["README.md"] = rules_index(catalog)
    return pages
