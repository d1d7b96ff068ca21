"""Terminal-safe text: data (names, values, file names) can never drive the terminal it is printed on.

A snapshot, a rule pack or a file name is data an admin did not write. Printed raw, an ESC could clear
the screen or retitle the window, a CR or a newline could forge a line ("GO"), and a bidi override could
make a name read differently from what it is. `visible` turns every such character into its escape
sequence, so the admin sees exactly which characters are there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import msgspec

# Bidi embeddings/overrides/isolates and marks, the Arabic letter mark, and the line/paragraph separators:
# not "Cc", but each can reorder or break what the terminal shows.
_FORMAT_HAZARDS = "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Cc (C0, DEL, C1), the hazards above, and lone surrogates (undecodable bytes of a file name).
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT_HAZARDS}\ud800-\udfff]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_FORMAT_HAZARDS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control, escape, bidi-override and line-separator character shown as an escape.

    ESC becomes the four characters ``\\x1b``, a newline ``\\n``, U+202E ``\\u202e``, an undecodable
    byte of a file name (a lone surrogate) ``\\udcXX``; everything else, including a backslash, is
    unchanged. The result is one line and cannot move the cursor, retitle the window or reorder text.
    """
    return _UNSAFE.sub(_escape, text)


def visible_markup(text: str) -> str:
    """`visible(text)` for a rich markup string: the data's own brackets stay literal (``[red]`` is text)."""
    from rich.markup import escape  # rich loads only for the commands that draw with it

    return escape(visible(text))


def json_visible(json_text: str) -> str:
    """JSON text with DEL, C1 controls, bidi and separator characters written as ``\\uXXXX`` escapes.

    A JSON encoder leaves these raw (`ensure_ascii=False`); escaped they decode to the same strings, so
    the document means the same and is still safe to print on a terminal. C0 controls are escaped by
    every JSON encoder already, and these characters can only occur inside JSON strings.
    """
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


def json_document(document: Any, default: Callable[[Any], Any] | None = None) -> str:
    """`document` as indented JSON text (two spaces, UTF-8 characters as they are), safe to print (`json_visible`).

    Byte for byte what ``json.dumps(document, indent=2, ensure_ascii=False, default=default)`` writes, several times
    faster on a large report: the standard library encodes in C only without `indent`, and msgspec re-indents that
    text, copying every number and string as written. A NaN or an infinity (not JSON, which msgspec refuses to read)
    is left to the standard library.
    """
    compact = json.dumps(document, ensure_ascii=False, default=default)
    try:
        indented = msgspec.json.format(compact, indent=2)
    except msgspec.DecodeError:
        indented = json.dumps(document, indent=2, ensure_ascii=False, default=default)
    return json_visible(indented)
