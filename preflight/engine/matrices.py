"""Sources and support matrices of the rule catalog: loading them, checking every row has a known source, and
replacing a rule's `{ matrix = ..., table = ... }` parameters with the matrix data.

The documents are parsed TOML, so their values are `Any` until msgspec converts them into typed specs.
"""

from __future__ import annotations

from typing import Any

import msgspec

from preflight.engine.catalog_model import Catalog, Matrix, MatrixInfo, SourceSpec
from preflight.engine.fieldtypes import suggest
from preflight.errors import CatalogError, split_validation_error

KIND_TEXT = {"unknown": "unknown key", "missing": "required key is missing"}


def spec_error(file: str, rule: str | None, exc: msgspec.ValidationError, prefix: str = "") -> CatalogError:
    """The catalog error for a msgspec validation error of a spec (its key under `prefix`)."""
    path, kind, problem = split_validation_error(exc)
    key = ".".join(x for x in (prefix, path.removeprefix("$").lstrip(".")) if x) or None
    return CatalogError(file, rule, key, KIND_TEXT[kind] if kind else problem)


def load_sources(catalog: Catalog, file: str, data: dict[str, Any]) -> None:
    """Add the `[sources.*]` tables of one TOML document to the catalog."""
    for key, value in data.get("sources", {}).items():
        try:
            catalog.sources[key] = msgspec.convert(value, SourceSpec)
        except msgspec.ValidationError as exc:
            raise spec_error(file, None, exc, f"sources.{key}") from None


def load_matrix(catalog: Catalog, file: str, data: dict[str, Any]) -> None:
    """Add (or replace, by id) the support matrix of one TOML document."""
    try:
        info = msgspec.convert(data["matrix"], MatrixInfo)
    except msgspec.ValidationError as exc:
        raise spec_error(file, None, exc, "matrix") from None
    tables = {}
    for name, rows in data.items():
        if name in ("matrix", "sources"):
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CatalogError(file, None, name, "expected an array of tables ([[" + name + "]])")
        tables[name] = rows
    previous = catalog.matrices.get(info.id)
    catalog.matrices[info.id] = Matrix(info.id, info.title, info.description, file, tables,
                                       replaces=previous.file if previous else None)


def resolve_matrix_refs(catalog: Catalog, file: str, code: str, value: Any, key: str, used: dict[str, Matrix]) -> Any:
    """Replace `{ matrix = "id", table = "t" [, id = "row"] }` tables with the matrix data.

    `used` collects key -> matrix, so an error inside matrix data can say where it is.
    """
    if isinstance(value, dict) and "matrix" in value and set(value) <= {"matrix", "table", "id"}:
        matrix = catalog.matrices.get(value["matrix"])
        if matrix is None:
            raise CatalogError(file, code, key, f"unknown matrix '{value['matrix']}'{suggest(str(value['matrix']), catalog.matrices)}")
        table = value.get("table")
        if table not in matrix.tables:
            raise CatalogError(file, code, key, f"matrix '{matrix.id}' has no table '{table}' (has {', '.join(matrix.tables)})")
        used[key] = matrix
        rows = matrix.tables[table]
        if "id" in value:
            row = next((r for r in rows if r.get("id") == value["id"]), None)
            if row is None:
                raise CatalogError(file, code, key, f"matrix '{matrix.id}' table '{table}' has no row id '{value['id']}'")
            return row
        return rows
    if isinstance(value, dict):
        return {k: resolve_matrix_refs(catalog, file, code, v, f"{key}.{k}", used) for k, v in value.items()}
    return value


def keyed(key: str, problem: str, origins: dict[str, Matrix]) -> tuple[str, str]:
    """(key, problem) naming the matrix file the key's data came from, when it came from one."""
    origin = next((origins[k] for k in sorted(origins, key=len, reverse=True)
                   if key == k or key.startswith((k + ".", k + "["))), None)
    return key, f"{problem} (data from matrix '{origin.id}' in {origin.file})" if origin else problem


def check_matrix_sources(catalog: Catalog) -> None:
    """Every matrix row names a source the catalog defines."""
    for matrix in catalog.matrices.values():
        for table, rows in matrix.tables.items():
            for index, row in enumerate(rows):
                source = row.get("source")
                if source is None:
                    raise CatalogError(matrix.file, None, f"{table}[{index}].source", "every matrix row needs a source")
                if source not in catalog.sources:
                    raise CatalogError(matrix.file, None, f"{table}[{index}].source", f"unknown source '{source}'")

