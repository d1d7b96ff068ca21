"""Errors that the CLI reports as one line and exit code 2 (bad input or usage)."""

from __future__ import annotations


class PreflightError(Exception):
    """A user-facing error: bad input, bad rule catalog or bad usage. `str()` is the whole message."""


class InputError(PreflightError):
    """A snapshot (or other input file) is unreadable or invalid."""

    def __init__(self, file: str, path: str | None, expected: str) -> None:
        self.file = file
        self.path = path
        self.expected = expected
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {expected}")


class CatalogError(PreflightError):
    """A rule pack or support matrix is invalid."""

    def __init__(self, file: str, rule: str | None, key: str | None, problem: str) -> None:
        self.file = file
        self.rule = rule
        self.key = key
        parts = [file]
        if rule:
            parts.append(f"rule {rule}")
        if key:
            parts.append(f"key '{key}'")
        super().__init__(": ".join(parts) + f": {problem}")
