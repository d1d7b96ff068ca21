"""Help a user reads: value labels (FILE, DIR, FORMAT) instead of Python type names, and an example per command.

Typer labels a value by its click type (`<path>` beside an argument, `TEXT` for a choice of an enum). `plain_help` walks the
built command tree once and gives every parameter without an explicit `metavar` a plain label, so an option
another command adds later reads the same without anyone remembering to do it.
"""

from __future__ import annotations

import copy
from typing import Any

FORMAT_HELP = ("text (terminal), json, html, md (Markdown), junit (JUnit XML), sarif. Default: from -o's extension "
               "(.txt .json .html .htm .md .markdown .xml .sarif .sarif.json), else {default}.")
"""What `--format` accepts on the commands that write a report (kept equal to the formatter registry by a test)."""

EXAMPLES: dict[str, tuple[str, ...]] = {
    "check": ("preflight check estate.json",
              "preflight check vmm.json hosts.toml --as-of 2026-12-05T22:00:00+01:00 -o report.html",
              "preflight check estate.json --waivers waivers.toml --baseline last-week.json"),
    "report": ("preflight report estate.json -o report.html", "preflight report estate.json -f sarif -o results.sarif"),
    "validate": ("preflight validate estate.json",),
    "schema": ("preflight schema -o inventory.schema.json",),
    "collect": ("preflight collect -o vmm01.json",),
    "collector": ("preflight collector -o Collect-PreflightInventory.ps1",),
    "verify": ("preflight verify estate.json --script fix.ps1 -o verified.md",),
    "drill": ("preflight drill estate.json -f json -o drills.json",),
    "import": ("preflight import bundle.zip -o estate.json",),
    "rules list": ("preflight rules list --pack vmm2012", "preflight rules list --rules ./site-rules"),
    "rules show": ("preflight rules show VMM005",),
    "rules test": ("preflight rules test ./site-rules",),
    "diff": ("preflight diff last-week.json estate.json", "preflight diff old-report.json new-report.json -f md -o changes.md"),
    "waivers check": ("preflight waivers check estate.waivers.toml --rules ./site-rules",),
}
"""One or two command lines per command, shown at the end of its help."""


def plain_help(command: Any, path: str = "") -> Any:
    """Give every parameter of `command` (and its subcommands) a plain value label and every command its
    example lines; returns `command`."""
    for param in getattr(command, "params", ()):
        _label(param)
    examples = EXAMPLES.get(path)
    if examples and not getattr(command, "_preflight_examples", False):
        # click rewraps a paragraph unless its first line is \b: an example stays one line, to copy and paste
        text = "Example" + ("s" if len(examples) > 1 else "") + ":\n\n\b\n" + "\n".join(f"  {e}" for e in examples)
        command.epilog = f"{command.epilog}\n\n{text}" if command.epilog else text
        command._preflight_examples = True
    for name, sub in getattr(command, "commands", {}).items():
        plain_help(sub, f"{path} {name}".strip())
    return command


def _label(param: Any) -> None:
    """Set the label typer shows for one parameter, unless the command declared its own metavar."""
    if param.param_type_name == "argument":
        label = (param.metavar or param.name.upper()).removesuffix("...")
        shown = label + ("..." if param.nargs != 1 else "")
        param.metavar = shown
        param.get_usage_pieces = lambda ctx: [shown if param.required else f"[{shown}]"]
        unlabelled = copy.copy(param.type)  # rich help prints the type of an argument beside its name: none
        unlabelled.get_metavar = lambda param, ctx: ""
        param.type = unlabelled
        return
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return
    if param.metavar is None:
        param.metavar = _value_label(param)


def _value_label(param: Any) -> str:
    kind = param.type
    if getattr(kind, "choices", None):
        return "|".join(str(getattr(c, "value", c)) for c in kind.choices)
    if kind.name in ("path", "filename"):
        return "FILE"
    if kind.name == "integer":
        return "N"
    return "TEXT"
