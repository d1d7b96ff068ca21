"""The registry of check kinds and what a check returns.

A check kind is a `msgspec.Struct` of its parameters (so a missing or mistyped parameter is a
catalog error naming the key) with a ``run`` method that looks at one target. Parameters that
name fields are annotated (`FieldPath`, `ConditionTable`, matrix row Structs: see
`preflight.engine.checks.params`) so every path is checked against the model when the pack loads. Register it with
`@check_kind("name", variables=...)`; ``variables`` are the names its message templates may use
besides the common ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, TypeVar

import msgspec

from preflight.engine.checks.params import check_params
from preflight.engine.fieldtypes import Scope
from preflight.engine.findings import Evidence, Status

COMMON_VARIABLES = frozenset({"name", "kind", "value", "path", "expected", "at_risk_count", "at_risk", "members"})


class Target(Protocol):
    """What a check sees of one object (read-only): see `preflight.estate.model.Target`."""

    @property
    def kind(self) -> str:
        """The target kind."""

    @property
    def name(self) -> str:
        """The object's display name."""

    @property
    def obj(self) -> Any:  # the inventory model object of the target kind: each check kind knows which
        """The model object."""

    @property
    def links(self) -> Mapping[str, Any]:  # links and facts of mixed types, declared per target kind
        """Links to related objects and derived facts (`@name` in paths)."""


@dataclass(frozen=True, slots=True)
class Context:
    """Run-wide inputs of checks: the time of the run (for ages and expiry)."""

    now: datetime


@dataclass(slots=True)
class Outcome:
    """What a check says about one target."""

    status: Status
    evidence: list[Evidence] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    severity: str | None = None  # set when the rule's data gives this outcome another severity than the rule's


def show(value: Any) -> str:
    """Render a snapshot value for evidence and messages."""
    if value is None:
        return "absent"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, msgspec.Struct):
        name = getattr(value, "name", None)
        return str(name) if name is not None else json.dumps(msgspec.to_builtins(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else f"{value:.6g}"
    return str(value)


def evidence(path: str, value: Any) -> Evidence:
    """Evidence for a field path and its value."""
    return Evidence(path, show(value))


def passed(*items: Evidence, **variables: Any) -> Outcome:
    """A passing outcome."""
    return Outcome(Status.PASS, list(items), variables)


def failed(*items: Evidence, **variables: Any) -> Outcome:
    """A failing outcome with its evidence and message variables."""
    return Outcome(Status.FAIL, list(items), variables)


def not_applicable() -> Outcome:
    """The rule does not apply to this target."""
    return Outcome(Status.NOT_APPLICABLE)


def unknown(*paths: str) -> Outcome:
    """The snapshot lacks the named fields."""
    return Outcome(Status.UNKNOWN, missing=tuple(paths))


class CheckParams(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, dict=True):
    """Base of every check kind's parameter struct."""

    kind: ClassVar[str] = ""
    variables: ClassVar[frozenset[str]] = frozenset()

    def run(self, target: Target, context: Context) -> Outcome:  # pragma: no cover - abstract
        """Evaluate the check on one target."""
        raise NotImplementedError

    def check_fields(self, scope: Scope) -> None:
        """Check every field the parameters name against the target's types, when the pack loads.

        The default walks the parameter annotations (`FieldPath`, `ConditionTable`, ... in
        `preflight.engine.checks.params`); a kind that names fields another way extends it.
        Raises `FieldError` whose key is relative to ``params``.
        """
        check_params(self, scope)


REGISTRY: dict[str, type[CheckParams]] = {}
C = TypeVar("C", bound=type[CheckParams])


def check_kind(name: str, variables: tuple[str, ...] = ()) -> Callable[[C], C]:
    """Class decorator registering a check kind under `name`."""

    def register(cls: C) -> C:
        if name in REGISTRY:
            raise RuntimeError(f"check kind '{name}' registered twice")
        cls.kind = name
        cls.variables = frozenset(variables)
        REGISTRY[name] = cls
        return cls

    return register
