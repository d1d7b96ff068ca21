"""Load rule packs, support matrices and sources from `rules/` directories into one `Catalog`.

Every `.toml` file under a rules directory is a pack (has `[pack]`), a matrix (has `[matrix]`) or
a sources file (only `[sources.*]`); a pack or matrix may carry its own `[sources.*]` too. A later directory (an organisation's `--rules`)
adds packs, replaces a matrix with the same id, and may override rules with `[[overrides]]`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import msgspec

from preflight.engine.checks import REGISTRY, CheckParams
from preflight.engine.conditions import ConditionError, compile_condition
from preflight.engine.fieldtypes import FieldError, Scope, suggest, warm
from preflight.engine.findings import Severity
from preflight.engine.rules import PackInfo, PackSpec, Rule, RuleSpec, allowed_variables, check_fix, template_fields
from preflight.errors import CatalogError, split_validation_error
from preflight.estate import TARGET_KINDS
from preflight.estate.model import link_types

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
    tables: dict[str, list[dict[str, Any]]]
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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(str(path), None, None, f"malformed TOML: {exc}") from None
    except RecursionError:
        raise CatalogError(str(path), None, None, "malformed TOML: tables or arrays nest too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(str(path), None, None, f"cannot read: {exc}") from None


_KIND_TEXT = {"unknown": "unknown key", "missing": "required key is missing"}


def _spec_error(file: str, rule: str | None, exc: msgspec.ValidationError, prefix: str = "") -> CatalogError:
    path, kind, problem = split_validation_error(exc)
    key = ".".join(x for x in (prefix, path.removeprefix("$").lstrip(".")) if x) or None
    return CatalogError(file, rule, key, _KIND_TEXT[kind] if kind else problem)


def _load_sources(catalog: Catalog, file: str, data: dict[str, Any]) -> None:
    for key, value in data.get("sources", {}).items():
        try:
            catalog.sources[key] = msgspec.convert(value, SourceSpec)
        except msgspec.ValidationError as exc:
            raise _spec_error(file, None, exc, f"sources.{key}") from None


def _load_matrix(catalog: Catalog, file: str, data: dict[str, Any]) -> None:
    try:
        info = msgspec.convert(data["matrix"], MatrixInfo)
    except msgspec.ValidationError as exc:
        raise _spec_error(file, None, exc, "matrix") from None
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


def _resolve_matrix_refs(catalog: Catalog, file: str, code: str, value: Any, key: str, used: dict[str, Matrix]) -> Any:
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
        return {k: _resolve_matrix_refs(catalog, file, code, v, f"{key}.{k}", used) for k, v in value.items()}
    return value


def _keyed(key: str, problem: str, origins: dict[str, Matrix]) -> tuple[str, str]:
    """(key, problem) naming the matrix file the key's data came from, when it came from one."""
    origin = next((origins[k] for k in sorted(origins, key=len, reverse=True)
                   if key == k or key.startswith((k + ".", k + "["))), None)
    return key, f"{problem} (data from matrix '{origin.id}' in {origin.file})" if origin else problem


def _convert_params(file: str, code: str, params: Any, kind: type[CheckParams], origins: dict[str, Matrix]) -> CheckParams:
    try:
        return msgspec.convert(params, kind)
    except msgspec.ValidationError as exc:
        path, what, problem = split_validation_error(exc)
        cause = exc.__context__
        key = "params" + path.removeprefix("$")
        if isinstance(getattr(cause, "key", None), str):  # raised by a check kind's __post_init__, naming its key
            key, problem = f"{key}.{cause.key}", str(cause)  # type: ignore[union-attr]
        elif what:
            problem = _KIND_TEXT[what]
        raise CatalogError(file, code, *_keyed(key, problem, origins)) from None


@cache
def _warm_types() -> None:
    """The types of every target kind's model and links, in one pass (see `fieldtypes.warm`)."""
    warm(a for kind, spec in TARGET_KINDS.items() for a in (spec.model, *link_types(kind).values()))


@cache
def _scope(target: str) -> Scope:
    _warm_types()
    return Scope.of_target(target, TARGET_KINDS[target].model, link_types(target))


def compile_rule(catalog: Catalog, spec: RuleSpec, pack: str, file: str, overridden_by: tuple[str, ...] = (),
                 actions: Mapping[str, Collection[str]] | None = None) -> Rule:
    """Validate one rule spec against the registries and the target's model, and compile it.

    `actions` maps the remediation action names a `fix` may use to their parameter names (None: not checked).
    """
    if spec.check not in REGISTRY:
        raise CatalogError(file, spec.code, "check", f"unknown check kind '{spec.check}' (known: {', '.join(sorted(REGISTRY))})")
    if spec.target not in TARGET_KINDS:
        raise CatalogError(file, spec.code, "target", f"unknown target kind '{spec.target}' (known: {', '.join(sorted(TARGET_KINDS))})")
    for source in spec.sources:
        if source not in catalog.sources:
            raise CatalogError(file, spec.code, "sources", f"unknown source '{source}' (define it under [sources.{source}])")
    used: dict[str, Matrix] = {}
    params = _resolve_matrix_refs(catalog, file, spec.code, spec.params, "params", used)
    kind = REGISTRY[spec.check]
    check = _convert_params(file, spec.code, params, kind, used)
    scope = _scope(spec.target)
    where = None
    if spec.where is not None:
        try:
            where = compile_condition(spec.where, "where")
            scope.condition("where", spec.where)
        except ValueError as exc:  # ConditionError / FieldError naming the key
            raise CatalogError(file, spec.code, getattr(exc, "key", "where"), str(exc)) from None
    try:
        check.check_fields(scope)
    except ConditionError as exc:  # FieldError too: its key is relative to params
        raise CatalogError(file, spec.code, *_keyed(f"params.{exc.key}", str(exc), used)) from None
    try:
        names = template_fields(spec.message)
    except ValueError as exc:
        raise CatalogError(file, spec.code, "message", str(exc)) from None
    unknown_names = sorted(set(names) - allowed_variables(kind))
    if unknown_names:
        raise CatalogError(file, spec.code, "message", f"unknown placeholder {{{unknown_names[0]}}} "
                           f"(check '{spec.check}' offers: {', '.join(sorted(allowed_variables(kind)))})")
    try:
        check_fix(spec, actions, allowed_variables(kind))
    except FieldError as exc:
        raise CatalogError(file, spec.code, exc.key, str(exc)) from None
    return Rule(
        code=spec.code, name=spec.name, pack=pack, title=spec.title, severity=Severity(spec.severity),
        target=spec.target, where=where, check=check, message=spec.message, rationale=spec.rationale.strip(),
        remediation=spec.remediation.strip(), sources=tuple(spec.sources), file=file, raw_params=spec.params,
        raw_where=spec.where, powershell=spec.powershell.strip() if spec.powershell else None,
        references=tuple(spec.references), fix=spec.fix, matrices=tuple(sorted({m.id for m in used.values()})),
        overridden_by=overridden_by, tags=tuple(spec.tags),
    )


def _files(directory: Path) -> list[Path]:
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
    documents = [(str(path), _read_toml(path)) for directory in directories for path in _files(directory)]
    for file, data in documents:
        if "sources" in data:
            _load_sources(catalog, file, data)
    for file, data in documents:
        kinds = [k for k in ("pack", "matrix") if k in data]
        if len(kinds) > 1 or (not kinds and "sources" not in data):
            raise CatalogError(file, None, None,
                               "expected a [pack] or a [matrix] (either may carry [sources.*]) or only [sources.*] at the top level")
        if kinds == ["matrix"]:
            _load_matrix(catalog, file, data)
        elif kinds == ["pack"]:
            try:
                packs.append((file, msgspec.convert(data, PackSpec)))
            except msgspec.ValidationError as exc:
                raise _pack_error(file, data, exc) from None
    _check_matrix_sources(catalog)
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
            changes: dict[str, Any] = {"params": {**spec.params, **override.params}}
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


def _pack_error(file: str, data: dict[str, Any], exc: msgspec.ValidationError) -> CatalogError:
    match = re.search(r"rules\[(\d+)\]", str(exc))
    rule = None
    if match:
        rules = data.get("rules", [])
        index = int(match.group(1))
        rule = rules[index].get("code", f"#{index + 1}") if index < len(rules) and isinstance(rules[index], dict) else None
    error = _spec_error(file, rule, exc)
    if rule and error.key:
        key = re.sub(r"^rules\[\d+\]\.?", "", error.key) or None
        return CatalogError(file, rule, key, str(error).rsplit(": ", 1)[-1])
    return error


def _check_matrix_sources(catalog: Catalog) -> None:
    for matrix in catalog.matrices.values():
        for table, rows in matrix.tables.items():
            for index, row in enumerate(rows):
                source = row.get("source")
                if source is None:
                    raise CatalogError(matrix.file, None, f"{table}[{index}].source", "every matrix row needs a source")
                if source not in catalog.sources:
                    raise CatalogError(matrix.file, None, f"{table}[{index}].source", f"unknown source '{source}'")

