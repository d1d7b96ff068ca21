"""Inventory snapshot model v1: typed, strict, versioned; loaded from JSON or TOML."""

from preflight.inventory.load import decode_snapshot, load_estate_snapshots, read_snapshot
from preflight.inventory.snapshot import SCHEMA_ID, Snapshot, encode_json, json_schema

__all__ = ["SCHEMA_ID", "Snapshot", "decode_snapshot", "encode_json", "json_schema", "load_estate_snapshots", "read_snapshot"]
