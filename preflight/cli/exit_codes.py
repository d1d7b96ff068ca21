"""Exit codes a CI gate can trust."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.report import Verdict


class ExitCode(IntEnum):
    """0 go, 1 no-go, 2 bad input or usage, 3 internal error, 4 incomplete; 130 Ctrl-C, 143 SIGTERM (128 + signal)."""

    GO = 0
    NO_GO = 1
    BAD_INPUT = 2
    INTERNAL_ERROR = 3
    INCOMPLETE = 4
    INTERRUPTED = 130
    TERMINATED = 143


EXIT_CODES_HELP = ("Exit codes: 0 go, 1 no-go, 2 bad input or usage, 3 internal error, "
                   "4 incomplete (nothing fails but data a deciding check needs was not collected), "
                   "130 interrupted (Ctrl-C), 143 terminated (SIGTERM).")


def exit_code_for(verdict: Verdict) -> ExitCode:
    """The exit code of a verdict."""
    from preflight.report import Verdict  # the report model loads the engine: only when a command judged

    return {Verdict.GO: ExitCode.GO, Verdict.NO_GO: ExitCode.NO_GO, Verdict.INCOMPLETE: ExitCode.INCOMPLETE}[verdict]
