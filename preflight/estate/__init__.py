"""The estate stage: a validated snapshot turned into indexed targets with derived facts."""

from preflight.estate import fabric, servers  # noqa: F401 - registers target kinds
from preflight.estate.model import TARGET_KINDS, Estate, Target, target_kind

__all__ = ["TARGET_KINDS", "Estate", "Target", "target_kind"]
