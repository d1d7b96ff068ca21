"""Errors that the CLI reports as one line and exit code 2 (bad input or usage)."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

_AT_PATH = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.S)


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


def split_validation_error(
    error: msgspec.ValidationError,
) -> tuple[str, Literal["missing", "unknown"] | None, str]:
    """(field path, kind, problem) of a msgspec validation error.

    The path starts at ``$`` and, for a missing or unknown field, ends with that field's name; `kind`
    says which of the two it is (None for any other problem, whose text is `problem`, lower-cased).
    """
    match = _AT_PATH.match(str(error))
    assert match is not None
    message, path = match.group("msg").replace("`", ""), match.group("path") or "$"
    for prefix, kind in (("Object contains unknown field", "unknown"), ("Object missing required field", "missing")):
        if message.startswith(prefix):
            return f"{path}.{message.split()[-1]}", kind, message  # type: ignore[return-value]
    return path, None, message[0].lower() + message[1:]
