"""Read a snapshot file safely (regular files only, size cap) and turn what Windows writes into UTF-8.

Windows PowerShell 5.1 writes UTF-16 LE with a byte order mark from `Out-File` and `>`, and UTF-8 with
a BOM from `Out-File -Encoding utf8`; both are read as they are. Bytes that are not text in a known
encoding are refused with the position and the fix, never guessed at.
"""

from __future__ import annotations

import codecs
import math
import os
import stat
from pathlib import Path

from preflight.errors import InputError, PreflightError

MAX_INPUT_ENV = "PREFLIGHT_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 256
MB = 1_000_000
SAVE_AS_UTF8 = "save it as UTF-8 (PowerShell: Out-File -Encoding utf8 or Set-Content -Encoding utf8)"

# UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def max_input_bytes() -> int:
    """The input size cap in bytes: `PREFLIGHT_MAX_INPUT_MB` megabytes (10^6 bytes), default 256."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT_MB * MB
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise PreflightError(f"{MAX_INPUT_ENV}: expected a positive number of megabytes, got {raw[:40]!r}")
    return int(value * MB)


def read_input(path: Path) -> bytes:
    """The bytes of a snapshot file; anything but a regular file, or a file over the cap, is an `InputError`.

    The file is opened non-blocking, so a FIFO is refused at once instead of waiting for a writer, and
    at most cap + 1 bytes are read, so a device or a growing file cannot exhaust memory.
    """
    file, limit = str(path), max_input_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(file, None, f"cannot read: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((text for test, text in _FILE_KINDS if test(mode)), "not a regular file")
        raise InputError(file, None, f"is {kind}; a snapshot must be a regular file")
    with os.fdopen(fd, "rb") as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise InputError(file, None, f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise InputError(file, None, f"is larger than the input limit of {limit / MB:g} MB "
                                     f"(set {MAX_INPUT_ENV} to raise it)")
    return data


def line_column(data: bytes, offset: int) -> str:
    """'line L, column C' (1-based, columns in characters) of a byte offset into UTF-8 `data`."""
    offset = max(0, min(offset, len(data)))
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}, column {column}"


def to_utf8(data: bytes, file: str) -> bytes:
    """`data` as UTF-8 without a byte order mark, from UTF-8 (BOM optional) or UTF-16/UTF-32 with a BOM."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    else:
        for bom, codec, name in _BOMS:
            if data.startswith(bom):
                return _transcode(data, codec, name, file)
    if b"\x00" in data:
        raise InputError(file, None, "contains NUL bytes, so it is not UTF-8 text (UTF-16 without a byte order "
                                     f"mark?); {SAVE_AS_UTF8}")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(file, None, f"is not UTF-8 text (byte 0x{data[exc.start]:02X} at "
                                         f"{line_column(data, exc.start)}); {SAVE_AS_UTF8}") from None
    return data


def _transcode(data: bytes, codec: str, name: str, file: str) -> bytes:
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode(codec, errors="replace").encode("utf-8")
        raise InputError(file, None, f"is not valid {name} ({exc.reason} at {line_column(before, len(before))}); "
                                     f"{SAVE_AS_UTF8}") from None
    except UnicodeEncodeError as exc:   # a lone surrogate escaped as a UTF-32 code unit
        raise InputError(file, None, f"is not valid {name} ({exc.reason}); {SAVE_AS_UTF8}") from None
