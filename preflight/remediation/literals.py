"""The one way a value from a snapshot enters generated PowerShell: a single-quoted literal.

In a single-quoted PowerShell string nothing is expanded (no `$var`, no `$(...)`, no backtick escapes);
the only special character is the quote itself, written twice. PowerShell also treats the typographic
quotes U+2018..U+201B as single quotes, so they are doubled too. Line breaks are legal inside such a
string and stay part of the value.
"""

from __future__ import annotations

_SINGLE_QUOTES = ("'", "\u2018", "\u2019", "\u201a", "\u201b")


def ps_quote(value: object) -> str:
    """`value` as a PowerShell single-quoted string literal (embedded quotes doubled)."""
    text = str(value)
    for quote in _SINGLE_QUOTES:
        text = text.replace(quote, quote * 2)
    return f"'{text}'"


def ps_int(value: object) -> str:
    """A non-negative integer literal; anything else raises ValueError (never reaches a script)."""
    text = str(value).strip()
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return str(int(text))
