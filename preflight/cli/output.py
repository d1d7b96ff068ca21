"""Write command output to stdout or atomically to a file (temp file + rename: never half-written)."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from preflight.errors import PreflightError


def emit(write: Callable[[TextIO], None], output: Path | None) -> None:
    """Render with `write`, then send to stdout or replace `output` in one step."""
    if output is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    buffer = io.StringIO()
    write(buffer)
    directory = output.resolve().parent
    if not directory.is_dir():
        raise PreflightError(f"{output}: directory {directory} does not exist")
    handle, temp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(buffer.getvalue())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is meant to be shared
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
