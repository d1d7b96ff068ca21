"""Load rule packs, support matrices and sources from `rules/` directories into one `Catalog`.

Every `.toml` file under a rules directory is a pack (has `[pack]`), a matrix (has `[matrix]`) or
a sources file (only `[sources.*]`); a pack or matrix may carry its own `[sources.*]` too. A later directory (an organisation's `--rules`)
adds packs, replaces a matrix with the same id, and may override rules with `[[overrides]]`.

This module reads the files and applies overrides; `catalog_model` holds what a catalog is, `matrices` loads
sources and matrices, and `compile` validates and compiles each rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import msgspec

from preflight.engine.catalog_model import Catalog, Confidence, Matrix, MatrixInfo, SourceSpec
from preflight.engine.compile import compile_rule
from preflight.engine.matrices import check_matrix_sources, load_matrix, load_sources, spec_error
from preflight.engine.rules import PackSpec, RuleSpec
from preflight.errors import CatalogError

__all__ = ["Catalog", "Confidence", "Matrix", "MatrixInfo", "SourceSpec", "compile_rule", "is_case_file", "load_catalog",
           "rule_files"]


def _read_toml(path: Path) -> dict[str, Any]:  # Any: parsed TOML, typed when msgspec converts it
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(str(path), None, None, f"malformed TOML: {exc}") from None
    except RecursionError:
        raise CatalogError(str(path), None, None, "malformed TOML: tables or arrays nest too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(str(path), None, None, f"cannot read: {exc}") from None


def is_case_file(data: dict[str, Any]) -> bool:  # Any: parsed TOML
    """True for a parsed TOML document that is a rule case file (`rule` and `[[cases]]`, see engine/casefiles.py):
    a site keeps its cases beside its packs, and the loader skips them."""
    return "cases" in data and "rule" in data and not {"pack", "matrix", "sources"} & data.keys()


def rule_files(directory: Path) -> list[Path]:
    """Every `.toml` file under a rules directory, in load order (the rule cache hashes the same list)."""
    if not directory.is_dir():
        raise CatalogError(str(directory), None, None, "not a directory of rule packs")
    return sorted(directory.rglob("*.toml"))


def load_catalog(directories: list[Path], actions: Mapping[str, Collection[str]] | None = None) -> Catalog:
    """Load and validate every pack, matrix and sources file of `directories`, in order.

    `actions` maps each remediation action a rule's `fix` may name to its parameter names; the
    engine cannot import the remediation stage, so `preflight.pipeline.load_rules` passes them in.
    """
    catalog = Catalog()
    packs: list[tuple[str, PackSpec]] = []
    documents = [(str(path), data) for directory in directories for path in rule_files(directory)
                 if not is_case_file(data := _read_toml(path))]
    for file, data in documents:
        if "sources" in data:
            load_sources(catalog, file, data)
    for file, data in documents:
        kinds = [k for k in ("pack", "matrix") if k in data]
        if len(kinds) > 1 or (not kinds and "sources" not in data):
            raise CatalogError(file, None, None,
                               "expected a [pack] or a [matrix] (either may carry [sources.*]) or only [sources.*] at the top level")
        if kinds == ["matrix"]:
            load_matrix(catalog, file, data)
        elif kinds == ["pack"]:
            try:
                packs.append((file, msgspec.convert(data, PackSpec)))
            except msgspec.ValidationError as exc:
                raise _pack_error(file, data, exc) from None
    check_matrix_sources(catalog)
    specs: dict[str, tuple[RuleSpec, str, str]] = {}
    for file, pack in packs:
        if pack.pack.id in catalog.packs:
            raise CatalogError(file, None, "pack.id", f"pack '{pack.pack.id}' is already defined in {catalog.pack_files[pack.pack.id]}")
        catalog.packs[pack.pack.id] = pack.pack
        catalog.pack_files[pack.pack.id] = file
        for spec in pack.rules:
            if spec.code in specs:
                raise CatalogError(file, spec.code, "code", f"rule code already defined in {specs[spec.code][2]}")
            if any(s.name == spec.name for s, _, _ in specs.values()):
                raise CatalogError(file, spec.code, "name", f"rule name '{spec.name}' is already used")
            specs[spec.code] = (spec, pack.pack.id, file)
    originals = {code: spec for code, (spec, _, _) in specs.items()}
    overridden: dict[str, list[str]] = {}
    blame: dict[str, tuple[str, int]] = {}  # rule -> (file, index) of the last override of its params
    disabled: set[str] = set()
    for file, pack in packs:
        for index, override in enumerate(pack.overrides):
            if override.rule not in specs:
                raise CatalogError(file, None, f"overrides[{index}].rule", f"no rule '{override.rule}' to override")
            spec, pack_id, origin = specs[override.rule]
            changes: dict[str, Any] = {"params": {**spec.params, **override.params}}  # Any: msgspec replace kwargs
            if override.severity:
                changes["severity"] = override.severity
            specs[override.rule] = (msgspec.structs.replace(spec, **changes), pack_id, origin)
            overridden.setdefault(override.rule, []).append(file)
            if override.params:
                blame[override.rule] = (file, index)
            if not override.enabled:
                disabled.add(override.rule)
    for code, (spec, pack_id, file) in specs.items():
        if code not in disabled:
            try:
                catalog.rules[code] = compile_rule(catalog, spec, pack_id, file, tuple(overridden.get(code, ())), actions)
            except CatalogError as exc:
                if code not in blame or not (exc.key or "").startswith("params"):
                    raise
                compile_rule(catalog, originals[code], pack_id, file, (), actions)  # fails here: the rule itself is wrong
                raise _blame_override(exc, blame[code]) from None
    return catalog


def _blame_override(error: CatalogError, override: tuple[str, int]) -> CatalogError:
    """The error reported at the override whose parameters caused it (not at the pack it overrides)."""
    prefix = ": ".join([error.file, f"rule {error.rule}", f"key '{error.key}'"]) + ": "
    file, index = override
    key = f"overrides[{index}].params{(error.key or '').removeprefix('params')}"
    return CatalogError(file, error.rule, key, str(error).removeprefix(prefix))


def _pack_error(file: str, data: dict[str, Any], exc: msgspec.ValidationError) -> CatalogError:  # Any: parsed TOML
    match = re.search(r"rules\[(\d+)\]", str(exc))
    rule = None
    if match:
        rules = data.get("rules", [])
        index = int(match.group(1))
        rule = rules[index].get("code", f"#{index + 1}") if index < len(rules) and isinstance(rules[index], dict) else None
    error = spec_error(file, rule, exc)
    if rule and error.key:
        key = re.sub(r"^rules\[\d+\]\.?", "", error.key) or None
        return CatalogError(file, rule, key, str(error).rsplit(": ", 1)[-1])
    return error
