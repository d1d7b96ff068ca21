"""Help a user reads: value labels (FILE, DIR, FORMAT) instead of Python type names, and an example per command.

Typer labels a value by its annotation (`<list[Path]>`, `<str>`, `<bool>` for a flag). `plain_help` walks the
built command tree once and gives every parameter without an explicit `metavar` a plain label, so an option
another command adds later reads the same without anyone remembering to do it.
"""

from __future__ import annotations

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
    if not getattr(command, "_preflight_help", False):   # click makes --help per context: label it as made
        made = command.get_help_option

        def help_option(ctx: Any) -> Any:
            option = made(ctx)
            if option is not None:
                _label(option)
            return option

        command.get_help_option = help_option
        command._preflight_help = True
    examples = EXAMPLES.get(path)
    if examples and not getattr(command, "_preflight_examples", False):
        # rich help joins single line breaks: a blank line between examples keeps one per line
        text = "Example" + ("s" if len(examples) > 1 else "") + ":\n\n" + "\n\n".join(f"  {e}" for e in examples)
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
        param.display_type = lambda ctx: ""
        param._usage_display_name = lambda: shown if param.required else f"[{shown}]"
        return
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
        param.display_type = lambda ctx: ""
        return
    if param.metavar is None:
        param.metavar = _value_label(param)
    label = param.metavar
    param.display_type = lambda ctx: label


def _value_label(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and descriptor.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ())
    if descriptor is not None and descriptor.is_path:
        return "FILE"
    annotation = getattr(descriptor, "annotation", None)
    if annotation is int:
        return "N"
    return "TEXT"
