"""`preflight collect`: write a snapshot of the local machine (psutil, no WMI)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from preflight.cli.options import OutputFile


def collect(
    output: OutputFile = None,
    name: Annotated[str | None, typer.Option("--name", help="Computer name to record (default: this host's name).")] = None,
) -> None:
    """Snapshot this computer (OS, processor, memory, volumes, Windows services) as a VMM server candidate."""
    from preflight.cli.output import emit
    from preflight.collect import collect_local  # psutil: only when collecting
    from preflight.inventory import decode_snapshot

    data = collect_local(name)
    text = json.dumps(data, indent=2) + "\n"
    decode_snapshot(text.encode("utf-8"), "<collected>", ".json")  # never emit a snapshot preflight itself rejects
    emit(lambda stream: stream.write(text), output)
