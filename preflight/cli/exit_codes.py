"""Exit codes a CI gate can trust."""

from enum import IntEnum


class ExitCode(IntEnum):
    """0 go, 1 no-go, 2 bad input or usage, 3 internal error; 130 Ctrl-C, 143 SIGTERM (128 + signal)."""

    GO = 0
    NO_GO = 1
    BAD_INPUT = 2
    INTERNAL_ERROR = 3
    INTERRUPTED = 130
    TERMINATED = 143
