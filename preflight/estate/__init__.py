"""The estate stage: a validated snapshot turned into indexed targets with derived facts."""

from preflight.estate import fabric, servers  # noqa: F401 - registers target kinds
from preflight.estate import csv_facts  # noqa: F401 - facts for the CSV rules
from preflight.estate import replica_targets  # noqa: F401 - Hyper-V Replica targets/facts
from preflight.estate import team_facts  # noqa: F401 - NIC teaming facts
from preflight.estate.model import FACT_PROVIDERS, TARGET_KINDS, Estate, Target, facts, target_kind

__all__ = ["FACT_PROVIDERS", "TARGET_KINDS", "Estate", "Target", "facts", "target_kind"]
