"""Parameters a rule cannot bind from its finding, completed from the estate by the action's own `derive`."""

from __future__ import annotations

from functools import cache

from preflight.inventory.index import SnapshotIndex
from preflight.remediation.actions import ACTIONS
from preflight.remediation.actions.base import Planning
from preflight.remediation.targets import Resolved, estate_domain


def derive_params(action: str, where: Resolved, params: dict[str, str], index: SnapshotIndex,
                  finding_target: str) -> tuple[dict[str, str], str | None]:
    """Complete an action's parameters from the estate; the second value says why it cannot be done."""
    params = {k: v for k, v in params.items() if v != ""} | dict(where.extra)
    spec = ACTIONS[action]
    if spec.derive is None:
        return params, None
    domain = cache(lambda: estate_domain(index.snapshot))
    return params, spec.derive(Planning(index, where, finding_target, domain), params)
