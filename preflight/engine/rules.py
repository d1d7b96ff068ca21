"""A rule as written in a pack (`RuleSpec`) and as compiled for evaluation (`Rule`)."""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from preflight.engine.checks.base import COMMON_VARIABLES, CheckParams
from preflight.engine.conditions import Condition
from preflight.engine.fieldtypes import FieldError, suggest
from preflight.engine.findings import Severity

RuleCode = Annotated[str, Meta(pattern=r"^[A-Z]{2,6}\d{3}$", description="Short code, e.g. VMM005")]
RuleName = Annotated[str, Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Readable id, e.g. vmm-computer-name-length")]


class FixSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The remediation action that fixes a failing rule, with parameters bound from the finding.

    Parameter values are templates filled with the finding's message variables, e.g.
    ``{ action = "install-hotfix", params = { kb = "{kb}" } }``.
    """

    action: str
    params: dict[str, Any] = {}


class RuleSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One `[[rules]]` table of a pack."""

    code: RuleCode
    name: RuleName
    title: str
    severity: Literal["blocker", "loss", "warning", "advisory"]
    target: str
    check: str
    message: str
    rationale: str
    remediation: str
    sources: Annotated[list[str], Meta(min_length=1)]
    where: dict[str, Any] | None = None
    params: dict[str, Any] = {}
    powershell: str | None = None
    references: list[str] = []
    fix: FixSpec | None = None
    tags: list[str] = []


class PackInfo(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The `[pack]` table."""

    id: RuleName
    title: str
    version: str
    description: str = ""


class Override(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An `[[overrides]]` table: a site's change to a rule without editing its pack."""

    rule: RuleCode
    severity: Literal["blocker", "loss", "warning", "advisory"] | None = None
    params: dict[str, Any] = {}
    enabled: bool = True


class PackSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A whole rule pack file."""

    pack: PackInfo
    rules: list[RuleSpec] = []
    overrides: list[Override] = []
    sources: dict[str, Any] = {}


@dataclass(frozen=True)
class Rule:
    """A compiled rule, ready to evaluate."""

    code: str
    name: str
    pack: str
    title: str
    severity: Severity
    target: str
    where: Condition | None
    check: CheckParams
    message: str
    rationale: str
    remediation: str
    sources: tuple[str, ...]
    file: str
    raw_params: dict[str, Any] = field(default_factory=dict)
    raw_where: dict[str, Any] | None = None
    powershell: str | None = None
    references: tuple[str, ...] = ()
    fix: FixSpec | None = None
    matrices: tuple[str, ...] = ()
    overridden_by: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def render(self, variables: dict[str, Any]) -> str:
        """The message for one finding (missing variables render as empty)."""
        return self.render_text(self.message, variables)

    @staticmethod
    def render_text(template: str, variables: dict[str, Any]) -> str:
        """Fill a template (message or fix parameter) with a finding's variables (its placeholders are plain
        names, checked when the catalog compiles: `template_fields`)."""
        return template.format_map(_Blank(variables))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def template_fields(template: str) -> list[str]:
    """Placeholder names of a message template; raises ValueError on bad syntax."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder '{{{name}}}' must be a plain name")
        names.append(name)
    return names


def check_fix(spec: RuleSpec, actions: Mapping[str, Collection[str]] | None, variables: frozenset[str]) -> None:
    """Check a rule's `fix`: a known action (when `actions`, name -> parameter names, is given), its
    parameters, and the placeholders of their templates; raises FieldError naming the key."""
    if spec.fix is None:
        return
    if actions is not None and spec.fix.action not in actions:
        raise FieldError("fix.action", f"unknown action '{spec.fix.action}'{suggest(spec.fix.action, actions)}")
    for name, value in spec.fix.params.items():
        key = f"fix.params.{name}"
        if actions is not None and name not in actions[spec.fix.action]:
            known = ", ".join(sorted(actions[spec.fix.action])) or "none"
            raise FieldError(key, f"action '{spec.fix.action}' has no parameter '{name}' (parameters: {known})")
        try:
            unknown = sorted(set(template_fields(str(value))) - variables)
        except ValueError as exc:
            raise FieldError(key, str(exc)) from None
        if unknown:
            raise FieldError(key, f"unknown placeholder {{{unknown[0]}}} (check '{spec.check}' offers: {', '.join(sorted(variables))})")


def allowed_variables(check: type[CheckParams]) -> frozenset[str]:
    """Variables a message template may use with this check kind."""
    return COMMON_VARIABLES | check.variables
