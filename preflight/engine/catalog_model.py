"""What a loaded rule catalog holds: rules by code, packs, support matrices and sources (data only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from preflight.engine.rules import PackInfo, Rule

Confidence = Literal["article", "confirmed", "confirmed-later-version", "third-party", "unconfirmed", "site"]


class SourceSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Where a fact comes from, and how sure we are of it."""

    title: str
    confidence: Confidence
    url: str | None = None
    file: str | None = None
    note: str | None = None


class MatrixInfo(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The `[matrix]` table of a support matrix file."""

    id: str
    title: str
    description: str = ""


@dataclass
class Matrix:
    """A support matrix: named tables of rows, each row with a `source`."""

    id: str
    title: str
    description: str
    file: str
    tables: dict[str, list[dict[str, Any]]]  # Any: matrix rows are TOML tables whose columns each rule reads
    replaces: str | None = None


@dataclass
class Catalog:
    """Everything the engine evaluates: rules by code, packs, matrices and sources."""

    rules: dict[str, Rule] = field(default_factory=dict)
    packs: dict[str, PackInfo] = field(default_factory=dict)
    pack_files: dict[str, str] = field(default_factory=dict)
    matrices: dict[str, Matrix] = field(default_factory=dict)
    sources: dict[str, SourceSpec] = field(default_factory=dict)

    def os_releases(self) -> list[tuple[str, str]]:
        """(version prefix, release name) pairs from the windows-releases matrix."""
        matrix = self.matrices.get("windows-releases")
        rows = matrix.tables.get("releases", []) if matrix else []
        return [(row["version"], row["release"]) for row in rows]

    def pack_rules(self, pack: str) -> list[Rule]:
        """Rules of one pack, in code order."""
        return sorted((r for r in self.rules.values() if r.pack == pack), key=lambda r: r.code)
