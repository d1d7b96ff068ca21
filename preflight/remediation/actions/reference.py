"""The action catalog as a Markdown reference (docs/actions.md), generated from the registry so it cannot drift."""

from __future__ import annotations

from preflight.remediation.actions import ACTIONS
from preflight.remediation.actions.base import ActionSpec, Param

HEADER = """# Remediation actions

Generated from the action registry (`preflight/remediation/actions/`) by `make docs`; a test fails when
this file is out of date. A rule names one of these in `fix = { action = "...", params = { ... } }`
(actions marked *internal* are used by the planner itself and cannot be named by a rule).

| action | what it does | runs on | parameters | restart | notes |
|---|---|---|---|---|---|
"""


def _param(param: Param) -> str:
    extra = f" ({' | '.join(param.choices)})" if param.choices else (" (integer)" if param.integer else "")
    return f"`{param.name}`{'' if param.required else '?'}{extra}: {param.description}"


_CHANNEL_TEXT = {
    "WinRM": "the server, through PowerShell remoting (WinRM)",
    "DCOM": "the admin workstation, reaching the server over WMI/DCOM or its service control manager (no WinRM)",
    "Local": "the admin workstation, naming the domain or cluster",
}


def _row(spec: ActionSpec) -> str:
    params = "<br>".join(_param(p) for p in spec.params) or "none"
    restart = "when its parameters need it" if spec.restart_when else ("yes" if spec.restart else "no")
    notes = [label for flag, label in ((spec.manual, "manual"), (spec.point_of_no_return, "point of no return"),
                                       (spec.offline, "server offline while it runs"),
                                       (spec.after_restart, "after the restart"), (spec.internal, "internal"))
             if flag]
    where = " or ".join(_CHANNEL_TEXT[via] for via in spec.vias)
    cells = [f"`{spec.name}`", spec.title, f"{where}; targets {', '.join(spec.targets)}", params, restart,
             ", ".join(notes + [f"phase {int(spec.phase)} ({spec.phase.name.lower().replace('_', ' ')})", f"about {spec.duration_min} min"])]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def actions_markdown() -> str:
    """The whole of docs/actions.md."""
    return HEADER + "\n".join(_row(spec) for _, spec in sorted(ACTIONS.items())) + "\n"
