"""`preflight collector`: write out the read-only PowerShell collector script shipped with preflight."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def collector(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the script ('-' for standard output).",
                                         show_default=False)],
) -> None:
    """Write Collect-PreflightInventory.ps1, the read-only collector to run on the VMM server (PowerShell 2.0+).

    A file gets what Windows PowerShell needs: UTF-8 with a byte order mark and CRLF line endings.
    Standard output gets the plain text (newlines as the platform writes them), for reading or piping.
    """
    from preflight.cli.output import check_outputs, emit, is_stdout
    from preflight.collector import collector_script, script_source

    check_outputs({"-o": output}, [])
    # on standard output the stream adds the platform's line endings itself, and a BOM would show as noise
    text = script_source() if is_stdout(output) else collector_script()
    emit(lambda stream: stream.write(text), output)
