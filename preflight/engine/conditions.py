"""Conditions: the small, data-only language of `where` selectors and `expect` tables.

A condition table maps field paths to a test::

    { "os.version" = { version_ge = "6.2" }, "platform" = "hyperv", "name" = { max_length = 15 } }

A bare value means `eq`. Every entry must hold. String comparisons ignore case (Windows names and
PowerShell enum values are case-insensitive). ``any_of = [ {..}, {..} ]`` holds when one of the
nested tables holds; ``not = {..}`` negates one.

Everything that can be wrong with a table is found when it is compiled (when the rule pack loads):
an unknown operator, an argument of the wrong type (``ge = "64 GB"``, ``in = 5``: see
`preflight.engine.arguments`), a regular expression RE2 cannot compile, or nesting deeper than
`MAX_DEPTH`. Regular expressions run on RE2, so no pattern in a site's pack can hang a check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from preflight.engine.arguments import argument_problem, compile_regex
from preflight.inventory.paths import Path, Unknown, compile_path, resolve
from preflight.inventory.versions import compare_versions

MAX_DEPTH = 8
"""How deeply `any_of` / `not` tables may nest."""


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _as_list(arg: Any) -> list[Any]:
    return list(arg) if isinstance(arg, (list, tuple)) else [arg]


def _length(value: Any) -> int:
    return 0 if value is None else len(value)


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _num_op(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def op(value: Any, arg: Any) -> bool:
        number = _number(value)
        return number is not None and test(number, arg)
    return op


def _ver_op(test: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, arg: value is not None and test(compare_versions(value, arg))


def _matches(value: Any, arg: Any) -> bool:
    return value is not None and compile_regex(arg).search(str(value)) is not None


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, a: _fold(v) == _fold(a),
    "ne": lambda v, a: _fold(v) != _fold(a),
    "in": lambda v, a: _fold(v) in {_fold(x) for x in a},
    "not_in": lambda v, a: _fold(v) not in {_fold(x) for x in a},
    "lt": _num_op(lambda v, a: v < a),
    "le": _num_op(lambda v, a: v <= a),
    "gt": _num_op(lambda v, a: v > a),
    "ge": _num_op(lambda v, a: v >= a),
    "version_lt": _ver_op(lambda c: c < 0),
    "version_le": _ver_op(lambda c: c <= 0),
    "version_gt": _ver_op(lambda c: c > 0),
    "version_ge": _ver_op(lambda c: c >= 0),
    "version_eq": _ver_op(lambda c: c == 0),
    "prefix": lambda v, a: v is not None and any(str(v).casefold().startswith(str(p).casefold()) for p in _as_list(a)),
    "contains": lambda v, a: v is not None and (
        any(_fold(a) == _fold(x) for x in v) if isinstance(v, (list, tuple)) else str(a).casefold() in str(v).casefold()),
    "not_contains": lambda v, a: not OPERATORS["contains"](v, a),
    "matches": _matches,
    "not_matches": lambda v, a: not _matches(v, a),
    "present": lambda v, a: (v is not None) == bool(a),
    "max_length": lambda v, a: _length(v) <= a,
    "min_length": lambda v, a: _length(v) >= a,
}

OPERATOR_TEXT: dict[str, str] = {
    "eq": "equal to", "ne": "not", "in": "one of", "not_in": "none of", "lt": "below", "le": "at most",
    "gt": "above", "ge": "at least", "version_lt": "a version below", "version_le": "a version at most",
    "version_gt": "a version above", "version_ge": "a version at least", "version_eq": "version",
    "prefix": "starting with", "contains": "containing", "not_contains": "not containing",
    "matches": "matching", "not_matches": "not matching", "present": "present:", "max_length": "at most this many characters:",
    "min_length": "at least this many characters:",
}


@dataclass(frozen=True, slots=True)
class Test:
    """One path with its operator tests."""

    path: Path
    ops: tuple[tuple[str, Any], ...]

    def describe(self) -> str:
        """Human text of what the test expects, e.g. 'at most 15'."""
        return " and ".join(f"{OPERATOR_TEXT[op]} {_show(arg)}" for op, arg in self.ops)


def _show(arg: Any) -> str:
    if isinstance(arg, (list, tuple)):
        return ", ".join(str(x) for x in arg)
    return str(arg).lower() if isinstance(arg, bool) else str(arg)


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition table."""

    tests: tuple[Test, ...]
    any_of: tuple[Condition, ...] = ()
    negated: tuple[Condition, ...] = ()


class ConditionError(ValueError):
    """A condition table is malformed; `key` names the offending key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def compile_condition(table: Mapping[str, Any], key: str = "where", depth: int = 1) -> Condition:
    """Compile a condition table, raising ConditionError naming the bad key."""
    if not isinstance(table, Mapping):
        raise ConditionError(key, "expected a table of field path = test")
    if depth > MAX_DEPTH:
        raise ConditionError(key, f"conditions nest more than {MAX_DEPTH} levels deep (any_of / not)")
    tests: list[Test] = []
    any_of: list[Condition] = []
    negated: list[Condition] = []
    for path_text, spec in table.items():
        sub_key = f"{key}.{path_text}"
        if path_text == "any_of":
            if not isinstance(spec, list) or not spec:
                raise ConditionError(sub_key, "expected a non-empty list of condition tables")
            any_of.append(Condition(tests=(), any_of=tuple(
                compile_condition(t, f"{sub_key}[{i}]", depth + 1) for i, t in enumerate(spec))))
            continue
        if path_text == "not":
            negated.append(compile_condition(spec, sub_key, depth + 1))
            continue
        try:
            path = compile_path(path_text)
        except ValueError as exc:
            raise ConditionError(sub_key, str(exc)) from None
        ops = list(spec.items()) if isinstance(spec, Mapping) else [("eq", spec)]
        if not ops:
            raise ConditionError(sub_key, f"expected a value or a table of operators ({', '.join(OPERATORS)})")
        for op, arg in ops:
            if op not in OPERATORS:
                raise ConditionError(f"{sub_key}.{op}", f"unknown operator '{op}' (expected one of {', '.join(OPERATORS)})")
            problem = argument_problem(op, arg)
            if problem:
                raise ConditionError(sub_key if not isinstance(spec, Mapping) else f"{sub_key}.{op}", problem)
        tests.append(Test(path, tuple((op, arg) for op, arg in ops)))
    return Condition(tuple(tests), tuple(any_of), tuple(negated))


@dataclass(frozen=True, slots=True)
class TestResult:
    """Outcome of one path test: the value seen and whether it held."""

    test: Test
    value: Any
    held: bool


def holds(condition: Condition, obj: Any, links: Mapping[str, Any]) -> bool:
    """True when every test, every any_of group and every negation holds.

    A part that definitely fails makes the answer False even when another part is unknown;
    Unknown is raised only when the answer depends on a missing value.
    """
    pending: str | None = None   # the first missing path; a path, not the exception (see _any_holds)
    for test in condition.tests:
        try:
            value = resolve(test.path, obj, links)
        except Unknown as exc:
            pending = exc.path if pending is None else pending
            continue
        for op, arg in test.ops:   # a loop, not all() over a generator: this runs for every test of every target
            if not OPERATORS[op](value, arg):
                return False
    for group in condition.any_of:
        try:
            if not _any_holds(group.any_of, obj, links):
                return False
        except Unknown as exc:
            pending = exc.path if pending is None else pending
    for negation in condition.negated:
        try:
            if holds(negation, obj, links):
                return False
        except Unknown as exc:
            pending = exc.path if pending is None else pending
    if pending is not None:
        raise Unknown(pending)
    return True


def _any_holds(options: Sequence[Condition], obj: Any, links: Mapping[str, Any]) -> bool:
    # The missing path is kept, not the exception: a caught exception held in a local of a frame its traceback
    # holds is a reference cycle, and through the frames it keeps the target and the estate alive until the
    # cyclic collector runs (which check pauses).
    pending: str | None = None
    for option in options:
        try:
            if holds(option, obj, links):
                return True
        except Unknown as exc:
            pending = exc.path if pending is None else pending
    if pending is not None:
        raise Unknown(pending)
    return False


