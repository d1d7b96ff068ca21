"""Checks against numeric limits: thresholds by tier, counts of items, ages of timestamps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from msgspec import Meta

from preflight.engine.arguments import describe_value
from preflight.engine.checks.base import (
    CheckParams,
    Context,
    Outcome,
    Target,
    check_kind,
    evidence,
    failed,
    not_applicable,
    passed,
    show,
)
from preflight.engine.checks.params import ConditionTable, FieldPath, ItemCondition, Limits, MatrixRow
from preflight.engine.checks.severity import Outweighed
from preflight.engine.conditions import OPERATORS, compile_condition, holds
from preflight.engine.fieldtypes import FieldError
from preflight.inventory.paths import compile_path, resolve


def _fmt(number: float) -> str:
    return f"{number:g}"


class TierRow(MatrixRow, kw_only=True):
    """A tier of a `threshold` check: its `name`, when it applies, and path = limit tables per bound."""

    name: str
    when: ConditionTable = {}
    minimum: Limits | None = None
    maximum: Limits | None = None
    recommended: Limits | None = None

    def __post_init__(self) -> None:
        for bound in ("minimum", "maximum", "recommended"):
            for path, limit in (getattr(self, bound) or {}).items():
                if not isinstance(limit, (int, float)) or isinstance(limit, bool):
                    raise FieldError(f"{bound}.{path}", f"expected a number, got {describe_value(limit)}")


@check_kind("threshold", variables=("tier", "limit", "unit", "bound", "detail"))
class Threshold(CheckParams, kw_only=True):
    """Compares metrics with the limits of the first tier whose `when` holds.

    Each tier row: ``{ name, when = {..}, minimum = { path = limit }, recommended = {..}, source }``.
    `bound` picks the limit table. A value below a limit fails (above, with ``compare = "le"``).
    A tier with no limit table for `bound` makes the rule n/a for that object.
    `outweighed` (optional): when the metric at its `by` path beats its limit, a shortfall in the
    other metrics fails at its severity instead of the rule's (see `checks.severity.Outweighed`).
    """

    tiers: Annotated[list[TierRow], Meta(min_length=1)]
    bound: Literal["minimum", "maximum", "recommended"] = "minimum"
    compare: Literal["ge", "le"] = "ge"
    unit: str = ""
    outweighed: Outweighed | None = None

    def __post_init__(self) -> None:
        self._tiers = []
        for i, row in enumerate(self.tiers):
            limits = {compile_path(p): float(v) for p, v in (row.get(self.bound) or {}).items()}
            self._tiers.append((compile_condition(row.get("when", {}), f"tiers[{i}].when"), row["name"], limits))

    def run(self, target: Target, context: Context) -> Outcome:
        for condition, tier, limits in self._tiers:  # noqa: B007 - the tier found is used after the loop
            if holds(condition, target.obj, target.links):
                break
        else:
            return not_applicable()
        if not limits:
            return not_applicable()
        items, short, beaten = [], [], {}
        for path, limit in limits.items():
            value = resolve(path, target.obj, target.links)
            items.append(evidence(path.text, value))
            if not OPERATORS[self.compare](value, limit):
                short.append((path, value, limit))
            elif value != limit:
                beaten[path.text] = (value, limit)
        if not short:
            return passed(*items, tier=tier)
        path, value, limit = short[0]
        word = "at least" if self.compare == "ge" else "at most"
        outcome = failed(*items, value=show(value), path=path.text, tier=tier, limit=_fmt(limit),
                         unit=self.unit, bound=self.bound, expected=f"{word} {_fmt(limit)}{self.unit}", detail="")
        by = self.outweighed.by if self.outweighed else None
        if by in beaten and all(p.text != by for p, _, _ in short):
            assert self.outweighed is not None
            more, listed = beaten[by]
            outcome.severity = self.outweighed.severity
            outcome.variables["detail"] = f"; {self.outweighed.detail} ({by} is {show(more)}, beyond the {_fmt(listed)} listed)"
        return outcome


@check_kind("count", variables=("count", "limit"))
class Count(CheckParams, kw_only=True):
    """Counts the items of the list at `path` (optionally those matching `where`) against `min` / `max`."""

    path: FieldPath
    where: ItemCondition = {}
    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        self._path = compile_path(self.path)
        self._where = compile_condition(self.where, "where") if self.where else None

    def run(self, target: Target, context: Context) -> Outcome:
        items = resolve(self._path, target.obj, target.links) or []
        selected = [i for i in items if self._where is None or holds(self._where, i, {})]
        count = len(selected)
        proof = evidence(f"{self.path}.count", count)
        if self.max is not None and count > self.max:
            return failed(proof, value=count, count=count, limit=self.max, expected=f"at most {self.max}")
        if self.min is not None and count < self.min:
            return failed(proof, value=count, count=count, limit=self.min, expected=f"at least {self.min}")
        return passed(proof)


@check_kind("age", variables=("age", "max_days"))
class Age(CheckParams, kw_only=True):
    """Fails when the timestamp at `path` is older than `max_days`, in the future, or null ("never")."""

    path: FieldPath
    max_days: float
    future_tolerance_minutes: float = 5

    def run(self, target: Target, context: Context) -> Outcome:
        value: datetime | None = resolve(compile_path(self.path), target.obj, target.links)
        proof = evidence(self.path, value if value is not None else "never")
        limit = f"within the last {_fmt(self.max_days)} days"
        if value is None:
            return failed(proof, value="never", age="never", max_days=_fmt(self.max_days), expected=limit)
        age = context.now - value
        if age < -timedelta(minutes=self.future_tolerance_minutes):
            return failed(proof, value=show(value), age="in the future", max_days=_fmt(self.max_days),
                          expected=f"not after the run time {context.now.isoformat()}")
        if age > timedelta(days=self.max_days):
            days = age.total_seconds() / 86400
            return failed(proof, value=show(value), age=f"{days:.1f} days", max_days=_fmt(self.max_days), expected=limit)
        return passed(proof)
