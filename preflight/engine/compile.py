"""Compile one rule spec into a `Rule`: check kind, target, sources, matrix data, fields, message and fix are
validated against the registries and the target's typed model before anything is evaluated."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

import msgspec

from preflight.engine.catalog_model import Catalog, Matrix
from preflight.engine.checks import REGISTRY, CheckParams
from preflight.engine.conditions import ConditionError, compile_condition
from preflight.engine.fieldtypes import FieldError, Scope, warm
from preflight.engine.findings import Severity
from preflight.engine.matrices import KIND_TEXT, keyed, resolve_matrix_refs
from preflight.engine.rules import Rule, RuleSpec, allowed_variables, check_fix, template_fields
from preflight.engine.snippets import template_problem
from preflight.errors import CatalogError, split_validation_error
from preflight.estate import TARGET_KINDS
from preflight.estate.model import link_types


# Any: rule params are parsed TOML (with matrix data spliced in) until msgspec converts them here.
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
            problem = KIND_TEXT[what]
        raise CatalogError(file, code, *keyed(key, problem, origins)) from None


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
    params = resolve_matrix_refs(catalog, file, spec.code, spec.params, "params", used)
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
        raise CatalogError(file, spec.code, *keyed(f"params.{exc.key}", str(exc), used)) from None
    try:
        names = template_fields(spec.message)
    except ValueError as exc:
        raise CatalogError(file, spec.code, "message", str(exc)) from None
    unknown_names = sorted(set(names) - allowed_variables(kind))
    if unknown_names:
        raise CatalogError(file, spec.code, "message", f"unknown placeholder {{{unknown_names[0]}}} "
                           f"(check '{spec.check}' offers: {', '.join(sorted(allowed_variables(kind)))})")
    problem = template_problem(spec.powershell) if spec.powershell else None
    if problem:
        raise CatalogError(file, spec.code, "powershell", problem)
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
