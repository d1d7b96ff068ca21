"""Per-outcome severity that a rule's data declares: one failing rule, two kinds of failure.

Some rules fail in two ways that matter differently (a processor with more cores but a lower clock
than a hardware tier is an advisory, below it on both a blocker; vendor teaming software beside an
LBFO team is a warning, teaming the same adapters a blocker). The rule keeps one severity; a check
that supports it takes a parameter of the types below and sets `Outcome.severity`, which the
finding then carries instead of the rule's.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from preflight.engine.checks.base import Outcome, Target, show
from preflight.engine.conditions import Condition, compile_condition, holds
from preflight.inventory.paths import Unknown, compile_path, resolve

SeverityName = Literal["blocker", "loss", "warning", "advisory"]


class SeverityWhen(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, dict=True):
    """A failing outcome takes `severity` when the condition `when` holds on the target.

    `detail` is appended to the message (variable ``{detail}``), followed by the value at `show` if set.
    A condition that cannot be decided (a field not collected) leaves the rule's severity.
    """

    when: dict[str, Any]
    severity: SeverityName
    detail: str
    show: str | None = None

    def __post_init__(self) -> None:
        self._when: Condition = compile_condition(self.when, "when")
        self._show = compile_path(self.show) if self.show else None

    def apply(self, outcome: Outcome, target: Target) -> Outcome:
        """Set `outcome.severity` and the ``detail`` variable when `when` holds."""
        try:
            if not holds(self._when, target.obj, target.links):
                return outcome
            shown = f": {show(resolve(self._show, target.obj, target.links))}" if self._show else ""
        except Unknown:
            return outcome
        outcome.severity = self.severity
        outcome.variables["detail"] = f"; {self.detail}{shown}"
        return outcome


class Outweighed(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """For the `threshold` check: a shortfall is only `severity` when the metric at `by` beats its limit.

    E.g. ``{ by = "hardware.cores", severity = "advisory", detail = "below the listed clock speed" }``:
    a processor below the tier's clock but with more cores than the tier lists is an advisory;
    below the tier on both (or on cores) it fails at the rule's severity.
    """

    by: str
    severity: SeverityName
    detail: str
