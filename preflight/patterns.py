"""Regular expressions from rule packs and plans run on RE2 (Google's linear-time engine).

A site's pattern such as ``^(a+)+$`` can then never make a check, or the emulator's uninstall step, hang,
whatever the text. One compiler for every stage (it sits outside the layers, like `errors` and `safe_text`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.case_sensitive = False
_RE2_OPTIONS.log_errors = False  # RE2 would print every bad pattern to stderr; the caller reports it once


@lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Any:
    """A case-insensitive RE2 pattern (linear-time matching); raises ValueError naming what is wrong."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"bad regular expression {pattern!r}: {detail} (RE2 syntax: no backreferences or look-around)") from None
