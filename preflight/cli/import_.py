"""`preflight import`: collector bundles (or hand exports in the same layout) to one inventory snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def import_(
    bundles: Annotated[list[Path], typer.Argument(help="Bundle folders or zips (several merge into one estate).")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE",
        help="Write the snapshot to this file (required; atomically). With '-o -' the snapshot goes to standard "
             "output and the provenance report to standard error.")] = None,
    format: Annotated[str, typer.Option(
        "--format", help="Provenance report: text or json, on standard output (standard error with '-o -').")] = "text",
) -> None:
    """Import raw PowerShell exports (Export-Clixml, ConvertTo-Json) into a preflight/inventory/v1 snapshot.

    The snapshot is written to -o; the provenance report (each field's file and property, each field not
    collected and why) is printed on standard output, or on standard error when the snapshot takes standard
    output (-o -), so the snapshot stays one JSON document there.
    """
    import msgspec

    from preflight.cli.output import check_outputs, emit, is_stdout
    from preflight.errors import PreflightError
    from preflight.importer import import_bundles
    from preflight.safe_text import json_document, visible

    if format not in ("text", "json"):
        raise PreflightError(f"--format: expected text or json, got {format!r}")
    if output is None:
        raise PreflightError("import needs -o FILE for the snapshot (the provenance report goes to standard output)")
    check_outputs({"-o": output}, bundles)
    _refuse_writing_into_a_bundle(output, bundles)
    result = import_bundles(bundles)
    text = msgspec.json.format(msgspec.json.encode(result.document), indent=2).decode("utf-8") + "\n"
    emit(lambda stream: stream.write(text), output)
    to_stderr = is_stdout(output)
    report = [obj.report() for obj in result.objects]
    if format == "json":
        document = {"snapshot": str(output), "objects": report, "failed_sources": result.not_collected}
        typer.echo(json_document(document), err=to_stderr)
        return
    # every line carries names and reasons from the exports: shown with control and bidi characters visible
    for item in report:
        typer.echo(visible(f"{item['kind']} {item['name']}: {len(item['fields'])} fields"), err=to_stderr)
        for path, origin in item["fields"].items():
            typer.echo(visible(f"  {path} <- {origin}"), err=to_stderr)
        for path, reason in item["not_collected"].items():
            typer.echo(visible(f"  {path}: NOT COLLECTED - {reason}"), err=to_stderr)
    for failed in result.not_collected:
        typer.echo(visible(f"source {failed['source']} of {failed['computer']} {failed['status']}: {failed['reason']}"),
                   err=to_stderr)


def _refuse_writing_into_a_bundle(output: Path, bundles: list[Path]) -> None:
    """PreflightError when -o lies inside a bundle folder: the bundle is the collected evidence, and a file
    there (its manifest.json, an export) would be overwritten or added to it."""
    from preflight.cli.output import is_stdout
    from preflight.errors import PreflightError

    if is_stdout(output):
        return
    target = output.resolve()
    for bundle in bundles:
        if bundle.is_dir() and target.is_relative_to(bundle.resolve()):
            raise PreflightError(f"-o {output}: is inside the bundle folder {bundle}; refusing to write into an input "
                                 "(write the snapshot beside the bundle)")
