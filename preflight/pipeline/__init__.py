"""The pipelines the CLI runs: check (files or a snapshot in memory) and verify. Nothing below imports them.

`verify` is loaded on first use: `check` must not pay for importing the planner and the emulator.
"""

from typing import Any

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

__all__ = ["CheckRequest", "Progress", "check_snapshot", "fix_actions", "load_estate", "load_rules", "run_check",
           "run_evaluation", "verify"]


def __getattr__(name: str) -> Any:
    if name == "verify":
        from preflight.pipeline.verify_plan import verify

        return verify
    raise AttributeError(f"module 'preflight.pipeline' has no attribute {name!r}")
