"""The pipelines the CLI runs: check (files or a snapshot in memory) and verify. Nothing below imports them."""

from preflight.pipeline.check import (
    CheckRequest,
    Progress,
    check_snapshot,
    fix_actions,
    load_estate,
    load_rules,
    run_check,
    run_evaluation,
)
from preflight.pipeline.verify import verify

__all__ = ["CheckRequest", "Progress", "check_snapshot", "fix_actions", "load_estate", "load_rules", "run_check",
           "run_evaluation", "verify"]
