"""The estate stage: a validated snapshot turned into indexed targets with derived facts."""

from preflight.estate import (  # noqa: F401 - registers target kinds
    csv_facts,
    fabric,
    replica_targets,
    servers,
    team_facts,
)
from preflight.estate.model import FACT_PROVIDERS, TARGET_KINDS, Estate, Target, facts, target_kind

__all__ = ["FACT_PROVIDERS", "TARGET_KINDS", "Estate", "Target", "facts", "target_kind"]
