"""Generic checks on field values: conditions, name length, substrings, allowed values, versions, matrices."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from preflight.engine.checks.base import (
    CheckParams,
    Context,
    Outcome,
    Target,
    check_kind,
    evidence,
    failed,
    passed,
    show,
    unknown,
)
from preflight.engine.checks.params import ConditionTable, FieldPath, MatrixRow
from preflight.engine.conditions import OPERATORS, Condition, TestResult, compile_condition, holds
from preflight.inventory.paths import Unknown, compile_path, resolve
from preflight.inventory.versions import parse_version


class MatchRow(MatrixRow, kw_only=True):
    """A row of a `matrix_match` table: it holds when `when` holds; `label` names it in messages."""

    when: ConditionTable = {}


class ValueRow(MatrixRow, kw_only=True):
    """A row of a `value_in` list taken from a matrix: the allowed `value` with its source."""

    value: str | int | float | bool


class PathCheck(CheckParams, kw_only=True):
    """Base of checks that read one field path (default: the object's name)."""

    path: FieldPath = "name"

    def __post_init__(self) -> None:
        self._path = compile_path(self.path)

    def value(self, target: Target) -> Any:
        """The value at `path` (raises Unknown)."""
        return resolve(self._path, target.obj, target.links)


@check_kind("condition", variables=("failed_paths",))
class ConditionCheck(CheckParams, kw_only=True):
    """Fails when the `expect` condition table does not hold."""

    expect: ConditionTable

    def __post_init__(self) -> None:
        self._expect = compile_condition(self.expect, "expect")

    def run(self, target: Target, context: Context) -> Outcome:
        results: list[TestResult] = []
        missing: list[str] = []
        for test in self._expect.tests:
            try:
                value = resolve(test.path, target.obj, target.links)
            except Unknown as exc:
                missing.append(exc.path)
                continue
            results.append(TestResult(test, value, all(OPERATORS[op](value, arg) for op, arg in test.ops)))
        bad = [r for r in results if not r.held]
        groups_hold = True
        if not bad and (self._expect.any_of or self._expect.negated):
            try:
                groups_hold = holds(Condition((), self._expect.any_of, self._expect.negated), target.obj, target.links)
            except Unknown as exc:
                missing.append(exc.path)
        if bad or not groups_hold:
            shown = bad or results
            first = shown[0] if shown else None
            return failed(
                *(evidence(r.test.path.text, r.value) for r in shown),
                value=show(first.value) if first else "",
                path=first.test.path.text if first else "",
                expected="; ".join(f"{r.test.path.text} {r.test.describe()}" for r in shown),
                failed_paths=", ".join(r.test.path.text for r in shown),
            )
        if missing:
            return unknown(*missing)
        return passed(*(evidence(r.test.path.text, r.value) for r in results))


@check_kind("name_length", variables=("length", "max"))
class NameLength(PathCheck, kw_only=True):
    """Fails when the text at `path` is longer than `max` characters."""

    max: int

    def run(self, target: Target, context: Context) -> Outcome:
        value = self.value(target) or ""
        item = evidence(self.path, value)
        if len(value) > self.max:
            return failed(item, value=value, length=len(value), max=self.max, expected=f"at most {self.max} characters")
        return passed(item)


@check_kind("substring", variables=("found",))
class Substring(PathCheck, kw_only=True):
    """Fails when the text at `path` contains any of the `forbidden` strings."""

    forbidden: list[str]
    case_sensitive: bool = False

    def run(self, target: Target, context: Context) -> Outcome:
        value = self.value(target) or ""
        haystack = value if self.case_sensitive else value.casefold()
        for needle in self.forbidden:
            if (needle if self.case_sensitive else needle.casefold()) in haystack:
                return failed(evidence(self.path, value), value=value, found=needle, expected=f"no '{needle}'")
        return passed(evidence(self.path, value))


@check_kind("value_in", variables=("allowed",))
class ValueIn(PathCheck, kw_only=True):
    """Fails when the value at `path` is not one of `values` (or is one of them, with `deny = true`)."""

    values: list[str | int | float | bool | ValueRow]
    deny: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self._values = [row.value if isinstance(row, ValueRow) else row for row in self.values]

    def run(self, target: Target, context: Context) -> Outcome:
        value = self.value(target)
        found = OPERATORS["in"](value, self._values)
        allowed = ", ".join(show(v) for v in self._values)
        if found == self.deny:
            expected = f"none of {allowed}" if self.deny else f"one of {allowed}"
            return failed(evidence(self.path, value), value=show(value), allowed=allowed, expected=expected)
        return passed(evidence(self.path, value))


@check_kind("version", variables=("min", "max"))
class VersionCheck(PathCheck, kw_only=True):
    """Fails when the dotted version at `path` is below `min` or above `max` (absent fails too)."""

    min: str | None = None
    max: str | None = None

    def run(self, target: Target, context: Context) -> Outcome:
        value = self.value(target)
        item = evidence(self.path, value)
        version = parse_version(value) if value is not None else None
        low = self.min is not None and (not version or OPERATORS["version_lt"](value, self.min))
        high = self.max is not None and version and OPERATORS["version_gt"](value, self.max)
        if low or high:
            expected = " and ".join(x for x in (self.min and f"at least {self.min}", self.max and f"at most {self.max}") if x)
            return failed(item, value=show(value), min=self.min or "", max=self.max or "", expected=expected)
        return passed(item)


@check_kind("matrix_match", variables=("supported", "matched"))
class MatrixMatch(CheckParams, kw_only=True):
    """Passes when one row of a support matrix holds; each row has `when` (a condition) and `label`.

    With ``deny = true`` the rows describe what is *not* allowed, and a matching row fails.
    """

    rows: Annotated[list[MatchRow], Meta(min_length=1)]
    deny: bool = False
    show_paths: list[FieldPath] = []

    def __post_init__(self) -> None:
        self._rows = [(compile_condition(row.when, f"rows[{i}].when"), row.label or f"row {i}")
                      for i, row in enumerate(self.rows)]
        self._shown = [compile_path(p) for p in self.show_paths]

    def _evidence(self, target: Target) -> list:
        items = []
        for path in self._shown:
            try:
                items.append(evidence(path.text, resolve(path, target.obj, target.links)))
            except Unknown:
                items.append(evidence(path.text, "not collected"))
        return items

    def run(self, target: Target, context: Context) -> Outcome:
        pending: str | None = None
        matched = None
        for condition, label in self._rows:
            try:
                if holds(condition, target.obj, target.links):
                    matched = label
                    break
            except Unknown as exc:
                pending = exc.path if pending is None else pending   # the path, not the exception (conditions.py)
        supported = "; ".join(label for _, label in self._rows)
        items = self._evidence(target)
        first = items[0] if items else None
        variables = {"supported": supported, "matched": matched or "", "value": first.value if first else "",
                     "path": first.path if first else "",
                     "expected": ("none of: " if self.deny else "one of: ") + supported}
        if matched is None and pending is not None:
            return unknown(pending)
        if (matched is not None) == self.deny:
            return failed(*items, **variables)
        return passed(*items, **variables)
