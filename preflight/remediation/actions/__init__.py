"""The catalog of remediation actions: every name a rule's `fix` may use, plus the planner's own steps.

Importing this package registers every action; `ACTIONS` maps a name to its `ActionSpec`.
"""

from preflight.remediation.actions import backup, cluster, hyperv, structural, vmm, windows  # noqa: F401 - registration
from preflight.remediation.actions.base import ACTIONS, ActionSpec, Invocation, Param

VOCABULARY: tuple[str, ...] = tuple(name for name, spec in ACTIONS.items() if not spec.internal)
"""Action names rule packs may use in `fix = { action = ... }`."""


def get_action(name: str) -> ActionSpec | None:
    """The action called `name`, or None when the catalog has no such action."""
    return ACTIONS.get(name)


__all__ = ["ACTIONS", "VOCABULARY", "ActionSpec", "Invocation", "Param", "get_action"]
