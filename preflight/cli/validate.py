"""`preflight validate` and `preflight schema`: snapshot validation and the JSON Schema of the model."""

from __future__ import annotations

import json

from preflight.cli.options import OutputFile, Snapshots


def validate(snapshots: Snapshots) -> None:
    """Validate snapshots (types, unknown fields, references) without evaluating rules."""
    from preflight.cli.output import emit
    from preflight.inventory import load_estate_snapshots
    from preflight.safe_text import visible

    snapshot, infos = load_estate_snapshots(list(snapshots))
    counts = ", ".join(f"{len(getattr(snapshot, kind))} {kind}" for kind in ("vmm_servers", "sql_servers", "hosts", "clusters", "vms"))
    lines = [f"{file}: valid preflight/inventory/v1 snapshot '{info.name}'" for file, info in infos] + [f"estate: {counts}"]
    emit(lambda stream: stream.write("".join(visible(line) + "\n" for line in lines)), None)


def schema(output: OutputFile = None) -> None:
    """Print the JSON Schema of inventory snapshots (generated from the model types)."""
    from preflight.cli.output import emit
    from preflight.inventory import json_schema

    emit(lambda stream: stream.write(json.dumps(json_schema(), indent=2) + "\n"), output)
