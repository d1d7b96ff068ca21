"""What each condition operator takes as its argument, and the regular expressions operators and checks use.

Both are checked when a rule pack loads, so a wrong argument (``ge = "64 GB"``, ``in = 5``) is a
load error naming the key, never a crash or a silent "fails everywhere" during evaluation.
Regular expressions run on RE2 (`preflight.patterns`): a site's pattern such as ``^(a+)+$`` cannot
make a check hang, whatever the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from preflight.patterns import compile_regex


def _is_number(arg: Any) -> bool:
    return isinstance(arg, (int, float)) and not isinstance(arg, bool)


def _is_scalar(arg: Any) -> bool:
    return isinstance(arg, (str, int, float, bool))


def _is_scalar_list(arg: Any) -> bool:
    return isinstance(arg, list) and bool(arg) and all(_is_scalar(x) for x in arg)


def _is_text_or_texts(arg: Any) -> bool:
    return isinstance(arg, str) or (isinstance(arg, list) and bool(arg) and all(isinstance(x, str) for x in arg))


def _is_version(arg: Any) -> bool:
    return isinstance(arg, str) and re.match(r"\s*\d+", arg) is not None


_SCALAR = "a string, number or boolean"
ARGUMENTS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "eq": (_SCALAR, _is_scalar), "ne": (_SCALAR, _is_scalar),
    "in": ("a non-empty list of strings, numbers or booleans", _is_scalar_list),
    "not_in": ("a non-empty list of strings, numbers or booleans", _is_scalar_list),
    **dict.fromkeys(("lt", "le", "gt", "ge"), ("a number", _is_number)),
    **dict.fromkeys(("version_lt", "version_le", "version_gt", "version_ge", "version_eq"), ('a version string such as "6.2"', _is_version)),
    "prefix": ("a string or a list of strings", _is_text_or_texts),
    "contains": (_SCALAR, _is_scalar), "not_contains": (_SCALAR, _is_scalar),
    "matches": ("a regular expression string", lambda a: isinstance(a, str)),
    "not_matches": ("a regular expression string", lambda a: isinstance(a, str)),
    "present": ("true or false", lambda a: isinstance(a, bool)),
    "max_length": ("a whole number, 0 or more", lambda a: isinstance(a, int) and not isinstance(a, bool) and a >= 0),
    "min_length": ("a whole number, 0 or more", lambda a: isinstance(a, int) and not isinstance(a, bool) and a >= 0),
}
"""What each operator's argument must be: (description, test)."""


def describe_value(value: Any) -> str:
    """A short description of a TOML value for error messages, e.g. "'64 GB' (a string)"."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return f"{value} (a {type(value).__name__})"


def argument_problem(op: str, arg: Any) -> str | None:
    """Why `arg` is not an argument operator `op` takes (None when it is); regexes must compile in RE2."""
    what, test = ARGUMENTS[op]
    if not test(arg):
        hint = " (for one of several values use 'in = [...]')" if op == "eq" and isinstance(arg, list) else ""
        return f"operator '{op}' expects {what}, got {describe_value(arg)}{hint}"
    if op in ("matches", "not_matches"):
        try:
            compile_regex(arg)
        except ValueError as exc:
            return str(exc)
    return None
