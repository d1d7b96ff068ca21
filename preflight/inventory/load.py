"""Read snapshots from JSON or TOML files into the typed model, with one-line errors."""

from __future__ import annotations

import difflib
import json
import tomllib
import typing
from pathlib import Path
from typing import Any

import msgspec
from msgspec import UNSET

from preflight.errors import InputError, split_validation_error
from preflight.inventory import names, scan
from preflight.inventory.choices import allowed_values, field_names
from preflight.inventory.collecting import paused_collections
from preflight.inventory.consistency import check_consistency
from preflight.inventory.read import read_input, to_utf8
from preflight.inventory.references import Origin, check_references
from preflight.inventory.snapshot import ENTITY_LISTS, SCHEMA_ID, Snapshot, SnapshotInfo
from preflight.inventory.toml_nulls import nulls_from_false
from preflight.inventory.vms import Vm

_KIND_TEXT = {"unknown": "unknown field (not in preflight/inventory/v1)", "missing": "required field is missing"}
_PATTERN_TEXT = {
    names.ComputerName: "expected a computer name: letters, digits and hyphens, at most 63 characters, "
                        "not starting or ending with a hyphen (Microsoft KB909264)",
    names.DnsName: "expected a DNS name: dot-separated labels of letters, digits and hyphens, at most 63 characters "
                   "a label and 255 in all (Microsoft KB909264)",
    names.DnsNameOrWildcard: "expected an FQDN or a wildcard such as *.contoso.local",
}
_PATTERNS = {typing.get_args(alias)[1].pattern: text for alias, text in _PATTERN_TEXT.items()}
_TOO_DEEP = "nested too deeply (arrays or objects inside each other far beyond any snapshot field)"


def _validation_error(file: str, error: msgspec.ValidationError) -> InputError:
    path, kind, problem = split_validation_error(error)
    if kind == "unknown":
        parent, _, name = path.rpartition(".")
        close = difflib.get_close_matches(name, field_names(parent), n=1, cutoff=0.75)
        return InputError(file, path, _KIND_TEXT[kind] + (f"; did you mean '{close[0]}'?" if close else ""))
    if kind:
        return InputError(file, path, _KIND_TEXT[kind])
    if problem.startswith("invalid enum value"):
        allowed = allowed_values(path)
        if allowed:
            return InputError(file, path, f"{problem} (expected one of: {', '.join(allowed)})")
    pattern = problem.partition("matching regex '")[2][:-1].replace("\\\\", "\\")
    return InputError(file, path, _PATTERNS.get(pattern, problem))


def _check_schema_id(file: str, raw: Any) -> None:
    """Give a clear error for a missing or foreign `schema` before field-level validation."""
    if not isinstance(raw, dict):
        raise InputError(file, "$", "expected an object (a snapshot) at the top level")
    schema = raw.get("schema")
    if schema != SCHEMA_ID:
        shown = json.dumps(schema, default=str)
        raise InputError(file, "$.schema", f"expected \"{SCHEMA_ID}\", got {shown[:80]}{'...' if len(shown) > 80 else ''}")


def _check_document(file: str, data: bytes | None, raw: Any) -> None:
    """Schema id, duplicate JSON keys (`data` is the JSON text, None for TOML) and control characters."""
    _check_schema_id(file, raw)
    canonical = msgspec.json.encode(raw)
    if data is not None and scan.may_have_duplicate_keys(data, canonical):
        duplicate = scan.find_duplicate_key(data)
        if duplicate:
            raise InputError(file, duplicate, "duplicate key: this key appears twice in one object")
    if scan.may_have_control_characters(canonical):
        found = scan.find_control_character(raw)
        if found:
            raise InputError(file, found[0], f"control character {found[1]} in text (control characters, "
                                             "TAB and line breaks included, are not allowed)")


def _decode_json(data: bytes, file: str) -> Snapshot:
    """Typed decode first; the whole-document checks then run on the bytes and the typed value, at C speed.

    Only a document the typed decode refuses (or one the fast tests suspect) is decoded a second time,
    untyped, so its errors come in the same order as ever: schema id, duplicate key, control character,
    then the field that does not fit the model.
    """
    try:
        snapshot = msgspec.json.decode(data, type=Snapshot)
    except msgspec.DecodeError:   # a ValidationError too: the untyped pass says which error comes first
        return _decode_json_checked(data, file)
    if scan.json_may_have_control_characters(data):
        return _decode_json_checked(data, file)
    # fields written with their default value (an empty list, a null) also drop out of the typed encoding:
    # the untyped re-encoding keeps them, so only a real collapse still differs there
    if (scan.json_may_have_duplicate_keys(data, msgspec.json.encode(snapshot))
            and scan.untyped_may_have_duplicate_keys(data)):
        return _decode_json_checked(data, file)
    return snapshot


def _decode_json_checked(data: bytes, file: str) -> Snapshot:
    """The careful path: untyped decode, every whole-document check with its field path, then the typed decode."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.ValidationError:
        raw = None   # a number out of range: the typed decode below names its field
    except msgspec.DecodeError as exc:
        raise scan.json_syntax_error(file, data, exc) from None
    if raw is not None:
        _check_document(file, data, raw)
    try:
        snapshot = msgspec.json.decode(data, type=Snapshot)
    except msgspec.ValidationError as exc:
        raise _validation_error(file, exc) from None
    if raw is None:
        raise InputError(file, None, "a number is out of range")
    return snapshot


def _decode_toml(data: bytes, file: str) -> Snapshot:
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        hint = " (a key or table is defined twice)" if str(exc).startswith(("Cannot overwrite", "Cannot declare")) else ""
        raise InputError(file, None, f"malformed TOML: {exc}{hint}") from None
    _check_document(file, None, raw)
    try:
        return msgspec.convert(nulls_from_false(raw, Snapshot), type=Snapshot)
    except msgspec.ValidationError as exc:
        raise _validation_error(file, exc) from None


def decode_snapshot(data: bytes, file: str, suffix: str) -> Snapshot:
    """Decode snapshot bytes (JSON or TOML by `suffix`; UTF-8, or UTF-16/32 with a BOM) into a validated
    `Snapshot`, with no contradictory entries (references across entities are checked by the caller)."""
    data = to_utf8(data, file)
    try:
        with paused_collections():   # decoding creates ~10 objects per key and no cycles
            snapshot = _decode_toml(data, file) if suffix == ".toml" else _decode_json(data, file)
    except RecursionError:
        raise InputError(file, None, _TOO_DEEP) from None
    check_consistency(snapshot, file)
    return snapshot


def read_snapshot(path: Path) -> Snapshot:
    """Read and validate one snapshot file (`.json` or `.toml`)."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise InputError(file, None, "expected a .json or .toml snapshot")
    return decode_snapshot(read_input(path), file, suffix)


def _vm_key(vm: Vm) -> tuple[str, str]:
    """A VM is one per host and id (or per host and name without an id); see `Vm`."""
    return "vms", f"{vm.host}\x1f{vm.name if vm.id is UNSET else vm.id}".lower()


def merge_snapshots(parts: list[tuple[str, Snapshot]]) -> tuple[Snapshot, Origin]:
    """Merge snapshots of parts of one estate; a name defined in two files is an error
    (except an identical domain, which every part may describe).

    Returns the merged snapshot and, for each entity (by ``id``), the file it came from and its index there.
    """
    first = parts[0][1]
    merged = Snapshot(schema=first.schema, snapshot=first.snapshot)
    origin: Origin = {}
    seen: dict[tuple[str, str], str] = {}
    for file, part in parts:
        for kind in ENTITY_LISTS:
            target: list = getattr(merged, kind)
            for index, item in enumerate(getattr(part, kind)):
                key = (kind, item.name.lower()) if kind != "vms" else _vm_key(item)
                if key in seen and kind == "domains" and item in target:
                    continue  # parts of one estate may all describe the domain they live in
                if key in seen:
                    raise InputError(
                        file, f"$.{kind}[{index}].name",
                        f"'{item.name}' is already defined in {seen[key]}",
                    )
                seen[key] = file
                origin[id(item)] = (file, index)
                target.append(item)
    return merged, origin


def load_estate_snapshots(paths: list[Path]) -> tuple[Snapshot, list[tuple[str, SnapshotInfo]]]:
    """Read, merge and reference-check the snapshots that make up one estate."""
    with paused_collections():   # the checks build sets and dicts over every entity: no cycles worth a walk
        parts = [(str(path), read_snapshot(path)) for path in paths]
        merged, origin = merge_snapshots(parts) if len(parts) > 1 else (parts[0][1], {})
        check_references(merged, default_file=parts[0][0], origin=origin)
    return merged, [(file, snap.snapshot) for file, snap in parts]
