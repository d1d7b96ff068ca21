"""Check kinds. Importing this package registers every built-in kind in `REGISTRY`."""

from preflight.engine.checks import fields, limits, replica, software, teaming  # noqa: F401 - registration  # noqa: F401 - Hyper-V Replica and NIC teaming kinds
from preflight.engine.checks.base import REGISTRY, CheckParams, Context, Outcome, check_kind

__all__ = ["REGISTRY", "CheckParams", "Context", "Outcome", "check_kind"]
