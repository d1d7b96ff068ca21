"""Read snapshots from JSON or TOML files into the typed model, with one-line errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import msgspec

from preflight.errors import InputError, split_validation_error
from preflight.inventory.references import check_references
from preflight.inventory.snapshot import ENTITY_LISTS, SCHEMA_ID, Snapshot, SnapshotInfo
from preflight.inventory.toml_nulls import nulls_from_false

_KIND_TEXT = {"unknown": "unknown field (not in preflight/inventory/v1)", "missing": "required field is missing"}


def _validation_error(file: str, error: msgspec.ValidationError) -> InputError:
    path, kind, problem = split_validation_error(error)
    return InputError(file, path, _KIND_TEXT[kind] if kind else problem)


def _syntax_error(file: str, data: bytes, suffix: str) -> InputError:
    """Re-parse with the standard library to get a line and column for the message."""
    try:
        if suffix == ".toml":
            tomllib.loads(data.decode("utf-8"))
        else:
            json.loads(data)
    except UnicodeDecodeError as exc:
        return InputError(file, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "TOML" if suffix == ".toml" else "JSON"
        return InputError(file, None, f"malformed {kind}: {exc}")
    return InputError(file, None, "malformed input")


def _check_schema_id(file: str, data: bytes, suffix: str) -> None:
    """Give a clear error for a missing or foreign `schema` before field-level validation."""
    try:
        raw = tomllib.loads(data.decode("utf-8")) if suffix == ".toml" else msgspec.json.decode(data)
    except Exception:  # noqa: BLE001 - syntax errors are reported by the typed decode
        return
    if not isinstance(raw, dict):
        raise InputError(file, "$", "expected an object (a snapshot) at the top level")
    schema = raw.get("schema")
    if schema != SCHEMA_ID:
        raise InputError(file, "$.schema", f"expected \"{SCHEMA_ID}\", got {json.dumps(schema, default=str)}")


def decode_snapshot(data: bytes, file: str, suffix: str) -> Snapshot:
    """Decode snapshot bytes (JSON or TOML by `suffix`) into a validated `Snapshot`."""
    _check_schema_id(file, data, suffix)
    try:
        if suffix == ".toml":
            raw = tomllib.loads(data.decode("utf-8"))
            return msgspec.convert(nulls_from_false(raw, Snapshot), type=Snapshot)
        return msgspec.json.decode(data, type=Snapshot)
    except msgspec.ValidationError as exc:
        raise _validation_error(file, exc) from None
    except (msgspec.DecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        raise _syntax_error(file, data, suffix) from None


def read_snapshot(path: Path) -> Snapshot:
    """Read and validate one snapshot file (`.json` or `.toml`), references included."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise InputError(file, None, "expected a .json or .toml snapshot")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(file, None, f"cannot read: {exc.strerror}") from None
    return decode_snapshot(data, file, suffix)


def merge_snapshots(parts: list[tuple[str, Snapshot]]) -> tuple[Snapshot, dict[int, str]]:
    """Merge snapshots of parts of one estate; a name defined in two files is an error
    (except an identical domain, which every part may describe).

    Returns the merged snapshot and, for each entity (by ``id``), the file it came from.
    """
    first_file, first = parts[0]
    merged = Snapshot(schema=first.schema, snapshot=first.snapshot)
    origin: dict[int, str] = {}
    seen: dict[tuple[str, str], str] = {}
    for file, part in parts:
        for kind in ENTITY_LISTS:
            target: list = getattr(merged, kind)
            for index, item in enumerate(getattr(part, kind)):
                key = (kind, item.name.lower())
                if key in seen and kind == "domains" and item in target:
                    continue  # parts of one estate may all describe the domain they live in
                if key in seen:
                    raise InputError(
                        file, f"$.{kind}[{index}].name",
                        f"'{item.name}' is already defined in {seen[key]}",
                    )
                seen[key] = file
                origin[id(item)] = file
                target.append(item)
    return merged, origin


def load_estate_snapshots(paths: list[Path]) -> tuple[Snapshot, list[tuple[str, SnapshotInfo]]]:
    """Read, merge and reference-check the snapshots that make up one estate."""
    parts = [(str(path), read_snapshot(path)) for path in paths]
    merged, origin = merge_snapshots(parts) if len(parts) > 1 else (parts[0][1], {})
    check_references(merged, default_file=parts[0][0], origin=origin)
    return merged, [(file, snap.snapshot) for file, snap in parts]
