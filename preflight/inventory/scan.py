"""Whole-document checks before typed validation: JSON syntax positions, duplicate keys, control characters.

Each check has a fast test at C speed on the happy path (byte counts on the JSON text) and a slow,
precise pass in Python that runs only when the fast test suspects a problem, to name the field path.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from preflight.errors import InputError
from preflight.inventory.read import line_column

_AT_BYTE = re.compile(r"\(byte (\d+)\)")
_LONE_HIGH_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])")
_NOT_JSON_NUMBERS = (b"NaN", b"Infinity", b"-Infinity", b"+Infinity")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FEW_ESCAPES = 10_000
_SLICE = 1_000   # array elements re-encoded at a time by canonical_colons
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# An escape that means a control character: \b \f \n \r \t, or \u0000-\u001f, \u007f, \u0080-\u009f
# (searched for once escaped backslashes are gone, so the pattern starts with a literal and scans at C speed).
_CONTROL_ESCAPE = re.compile(rb"\\(?:[bfnrt]|u00(?:[01][0-9a-fA-F]|7[fF]|[89][0-9a-fA-F]))")
_COLONLESS_OFFSET = re.compile(rb":\d\d(?:\.\d+)?[+-]\d\d\d\d\"")   # starts with a literal: a fast scan


def json_syntax_error(file: str, data: bytes, exc: msgspec.DecodeError) -> InputError:
    """A one-line error with line and column for JSON that msgspec could not parse."""
    message = str(exc).removeprefix("JSON is malformed: ")
    at = _AT_BYTE.search(message)
    if at:
        offset = int(at.group(1))
        if data[offset:].startswith(_NOT_JSON_NUMBERS):
            offset -= data[offset - 1:offset] in (b"-", b"+")   # point at the sign of -Infinity
            return InputError(file, None, f"malformed JSON: NaN and Infinity are not JSON numbers ({line_column(data, offset)})")
        return InputError(file, None, f"malformed JSON: {_AT_BYTE.sub('', message).strip()} ({line_column(data, offset)})")
    surrogate = _LONE_HIGH_SURROGATE.search(data)
    if surrogate:
        return InputError(file, None, "malformed JSON: a \\u escape is half of a UTF-16 surrogate pair, not a character "
                                      f"({line_column(data, surrogate.start())})")
    if "truncated" in message:
        return InputError(file, None, f"malformed JSON: the file ends in the middle of a value, truncated? "
                                      f"({line_column(data, len(data))})")
    return InputError(file, None, f"malformed JSON: {message}")


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key)}]"


def may_have_duplicate_keys(data: bytes, canonical: bytes) -> bool:
    """False when `data` (JSON) certainly has no object with a key twice; `canonical` is msgspec's
    re-encoding of its decoded value, in which any duplicate has been collapsed.

    Every key is followed by exactly one ':' outside strings. The re-encoding keeps all colons inside
    strings and can only add ones that `data` wrote as a \\u003a escape (such a document is always
    suspect), so equal counts mean no key was collapsed; unequal counts only trigger the precise pass.
    """
    if b"\\" in data and b"\\u003" in data:
        return True   # rare; \u003a could hide a collapsed key's colon from the count
    return data.count(b":") != canonical.count(b":")


def untyped_may_have_duplicate_keys(data: bytes) -> bool:
    """`may_have_duplicate_keys(data, canonical)` with `canonical` msgspec's untyped re-encoding of the valid
    JSON `data`, without ever holding the untyped tree of a whole snapshot (see `canonical_colons`)."""
    if b"\\" in data and b"\\u003" in data:
        return True
    return data.count(b":") != canonical_colons(data)


def canonical_colons(data: bytes) -> int:
    """The number of ':' in msgspec's untyped re-encoding of the valid JSON `data`.

    The re-encoding of an object is its keys and re-encoded values, so the count is summed per top-level
    key, and a top-level array (25,000 VMs) is re-encoded `_SLICE` elements at a time: the untyped tree
    (dicts take ~5x the text) then never exists for the whole document next to the typed one.
    """
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except msgspec.ValidationError:   # not an object at the top: small enough for the plain way
        return msgspec.json.encode(msgspec.json.decode(data)).count(b":")
    colons = 0
    for key, raw in top.items():
        colons += 1 + key.count(":")
        try:
            items = msgspec.json.decode(raw, type=list[msgspec.Raw])
        except msgspec.ValidationError:
            colons += msgspec.json.encode(msgspec.json.decode(raw)).count(b":")
            continue
        for start in range(0, len(items), _SLICE):
            part = b"[" + b",".join(items[start:start + _SLICE]) + b"]"
            colons += msgspec.json.encode(msgspec.json.decode(part)).count(b":")
    return colons


def json_may_have_duplicate_keys(data: bytes, typed: bytes) -> bool:
    """False when `data` (JSON that decoded into the typed model) certainly has no object with a key twice;
    `typed` is msgspec's encoding of the decoded model, in which any duplicate has been collapsed.

    The model omits defaults on encoding, so a key colon of `data` is either written again or dropped,
    never added: fewer colons mean a collapsed duplicate or a field given its default value (both only
    trigger the precise pass). Strings keep their colons; a timestamp's offset written without one
    (+0100) is the only value that gains a colon, and its presence makes the document suspect.
    """
    return may_have_duplicate_keys(data, typed) or _COLONLESS_OFFSET.search(data) is not None


def json_may_have_control_characters(data: bytes) -> bool:
    """False when no string (or key) of the valid JSON text `data` holds a control character.

    A JSON parser refuses raw C0 controls in strings, so they can only be escapes (\\n, \\u0001, ...);
    DEL and C1 controls may also be raw bytes (C1 as UTF-8: C2 80-9F). One C-speed search each.
    """
    if b"\x7f" in data or (b"\xc2" in data and _C1.search(data) is not None):
        return True
    escapes = data.count(b"\\")
    if escapes > _FEW_ESCAPES:
        # a run of backslashes pairs up from its left, as a parser reads it: drop every escaped backslash, and
        # every backslash left starts an escape of its own
        return _CONTROL_ESCAPE.search(data.replace(b"\\\\", b"")) is not None
    at = data.find(b"\\")
    # few escapes (the usual case): look at each; the next one starts past the character this one escapes
    # (the four hex digits of a \u escape hold no backslash)
    while at != -1:
        if _CONTROL_ESCAPE.match(data, at):
            return True
        at = data.find(b"\\", at + 2)
    return False


class _Pairs(list[tuple[str, Any]]):
    """A JSON object's (key, value) pairs in document order."""


def find_duplicate_key(data: bytes) -> str | None:
    """The field path of the first key that appears twice in one JSON object of `data`, if any."""
    return _first_duplicate(json.loads(data, object_pairs_hook=_Pairs), "$")


def _first_duplicate(node: Any, path: str) -> str | None:
    if isinstance(node, _Pairs):
        seen: set[str] = set()
        for key, _ in node:
            if key in seen:
                return _key_path(path, key)
            seen.add(key)
        children = ((_key_path(path, key), value) for key, value in node)
    elif isinstance(node, list):
        children = ((f"{path}[{i}]", value) for i, value in enumerate(node))
    else:
        return None
    for child_path, child in children:
        found = _first_duplicate(child, child_path)
        if found:
            return found
    return None


def may_have_control_characters(canonical: bytes) -> bool:
    """False when no string (or key) of the document encoded as `canonical` holds a control character."""
    # msgspec writes C0 controls as \u00XX or \b \f \n \r \t and no other character escaped but '"' and
    # the backslash; DEL and C1 controls stay raw bytes (C1 as UTF-8: C2 80-9F).
    if b"\x7f" in canonical or (b"\xc2" in canonical and _C1.search(canonical) is not None):
        return True
    if canonical.count(b"\\") > _FEW_ESCAPES:   # one pass in C: drop escaped backslashes, then only \" may remain
        unescaped = canonical.replace(b"\\\\", b"")
        return unescaped.count(b"\\") != unescaped.count(b'\\"')
    at = canonical.find(b"\\")
    while at != -1:   # few escapes (the usual case): look at each
        if canonical[at + 1:at + 2] not in (b"\\", b'"'):
            return True
        at = canonical.find(b"\\", at + 2)
    return False


def find_control_character(node: Any, path: str = "$") -> tuple[str, str] | None:
    """(field path, 'U+XXXX') of the first control character in a string or key of a decoded document."""
    if isinstance(node, str):
        found = _CONTROL_CHAR.search(node)
        return (path, f"U+{ord(found.group()):04X}") if found else None
    if isinstance(node, dict):
        for key, value in node.items():
            found = _CONTROL_CHAR.search(key)
            if found:
                return _key_path(path, key), f"U+{ord(found.group()):04X}"   # json.dumps escapes it
            hit = find_control_character(value, _key_path(path, key))
            if hit:
                return hit
    elif isinstance(node, list):
        for index, value in enumerate(node):
            hit = find_control_character(value, f"{path}[{index}]")
            if hit:
                return hit
    return None
