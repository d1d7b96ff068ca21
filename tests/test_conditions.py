"""The condition language, operator by operator, at its boundaries, and its three-valued logic.

A rule pack's `where` and `expect` tables are written by people who trust the operator names: each
operator here is pinned at the values where an off-by-one or a swapped comparison would flip a verdict.
"""

from __future__ import annotations

from typing import Any

import pytest

from preflight.engine.conditions import MAX_DEPTH, ConditionError, compile_condition, holds
from preflight.inventory.paths import Unknown
from preflight.inventory.versions import parse_version


def check(table: dict[str, Any], obj: dict[str, Any]) -> bool:
    return holds(compile_condition(table), obj, {})


def outcome(table: dict[str, Any], obj: dict[str, Any]) -> str:
    """'true', 'false' or 'unknown:<path>' (three-valued)."""
    try:
        return str(check(table, obj)).lower()
    except Unknown as exc:
        return f"unknown:{exc.path}"


# (operator, argument, value, holds)
OPERATOR_CASES = [
    ("eq", "Running", "running", True), ("eq", "Running", "Stopped", False), ("eq", 4, 4, True), ("eq", 4, 5, False),
    ("eq", True, True, True), ("eq", "x", None, False),
    ("ne", "Running", "RUNNING", False), ("ne", "Running", "Stopped", True), ("ne", 4, 4, False), ("ne", 4, 5, True),
    ("ne", "x", None, True),
    ("in", ["Standard", "Datacenter"], "DATACENTER", True), ("in", ["Standard"], "Enterprise", False),
    ("not_in", ["Standard", "Datacenter"], "datacenter", False), ("not_in", ["Standard"], "Enterprise", True),
    ("lt", 4, 3.9, True), ("lt", 4, 4, False), ("lt", 4, None, False), ("lt", 4, "3", False),
    ("le", 4, 4, True), ("le", 4, 4.1, False), ("le", 4, None, False),
    ("gt", 4, 4.1, True), ("gt", 4, 4, False), ("gt", 0, True, False), ("gt", 4, None, False),
    ("ge", 4, 4, True), ("ge", 4, 3.9, False), ("ge", 0, False, False),
    ("version_lt", "6.2", "6.1.7601", True), ("version_lt", "6.2", "6.2", False), ("version_lt", "6.2", "6.2.0", False),
    ("version_lt", "6.2", None, False),
    ("version_le", "6.2", "6.2.0.0", True), ("version_le", "6.2", "6.1.7601", True), ("version_le", "6.2", "6.2.9200", False),
    ("version_le", "6.2", None, False),
    ("version_gt", "6.1.7601", "6.1.7601.0", False), ("version_gt", "6.1.7601", "6.1.7601.1", True),
    ("version_gt", "6.1.7601", "6.1.7600", False), ("version_gt", "6.1", None, False),
    ("version_ge", "6.1.7601", "6.1.7601.0", True), ("version_ge", "6.2", "6.1.9999", False),
    ("version_ge", "10.0", "6.3.9600", False), ("version_ge", "6.3", "10.0.14393", True),
    ("version_eq", "2.0", "2.0.0.0", True), ("version_eq", "2.0", "2.0 SP1", True), ("version_eq", "2.0", "2.0.1", False),
    ("version_eq", "2.0", "1.9", False), ("version_eq", "6.2.0", "6.2", True), ("version_lt", "6.2.1", "6.2", True), ("version_eq", "2.0", None, False),
    ("prefix", "Windows Server 2008", "windows server 2008 R2 Enterprise", True),
    ("prefix", ["Microsoft", "Windows"], "Windows 7", True), ("prefix", ["Microsoft"], "Windows 7", False),
    ("prefix", "x", None, False),
    ("contains", "net-framework-core", ["NET-Framework-Core", "Hyper-V"], True),
    ("contains", "net-framework", ["NET-Framework-Core"], False),  # list items match whole, not as substrings
    ("contains", "SP1", "Windows 7 sp1", True), ("contains", "SP2", "Windows 7 SP1", False), ("contains", "x", None, False),
    ("not_contains", "Hyper-V", ["hyper-v"], False), ("not_contains", "Hyper-V", ["Failover-Clustering"], True),
    ("not_contains", "x", None, True),
    ("matches", r"^HV\d+$", "hv01", True), ("matches", r"^HV\d+$", "HVX", False), ("matches", "None", None, False),
    ("not_matches", r"^HV\d+$", "hv01", False), ("not_matches", r"^HV\d+$", "HVX", True), ("not_matches", "None", None, True),
    ("present", True, "x", True), ("present", True, None, False), ("present", False, None, True), ("present", False, 0, False),
    ("max_length", 15, "A" * 15, True), ("max_length", 15, "A" * 16, False), ("max_length", 0, None, True),
    ("min_length", 2, ["a", "b"], True), ("min_length", 2, ["a"], False), ("min_length", 1, None, False),
]


@pytest.mark.parametrize(("op", "arg", "value", "expected"), OPERATOR_CASES,
                         ids=[f"{c[0]}-{c[1]!r}-{c[2]!r}" for c in OPERATOR_CASES])
def test_operator(op: str, arg: Any, value: Any, expected: bool) -> None:
    assert check({"v": {op: arg}}, {"v": value}) is expected


def test_a_bare_value_means_eq_and_every_operator_of_a_key_must_hold() -> None:
    assert check({"v": "RUNNING"}, {"v": "Running"})
    assert check({"v": {"ge": 2, "le": 4}}, {"v": 4})
    assert not check({"v": {"ge": 2, "le": 4}}, {"v": 5})
    assert not check({"v": {"ge": 5, "le": 9}}, {"v": 4})
    assert not check({"a": 1, "b": 2}, {"a": 1, "b": 3}), "every key must hold, the last one too"
    assert not check({"a": 1, "b": 2}, {"a": 0, "b": 2})


@pytest.mark.parametrize(("text", "expected"), [
    ("6.1.7601", (6, 1, 7601)), ("2.0 SP1", (2, 0)), ("6,1,7601", (6, 1, 7601)), (" 6 . 2 ", (6, 2)),
    ("10.0.14393.0", (10, 0, 14393, 0)), ("R2", ()), ("6.3.9600a.1", (6, 3, 9600)), ("6.1.x.5", (6, 1)), (6.2, (6, 2)),
])
def test_a_version_is_the_leading_dotted_numbers(text: Any, expected: tuple[int, ...]) -> None:
    assert parse_version(text).parts == expected


# Three-valued logic: a missing field makes a part unknown; a definite answer elsewhere can still decide.
T, F, U = {"t": 1}, {"t": 2}, {"missing": 1}  # over {"t": 1}: holds, fails, unknown


@pytest.mark.parametrize(("options", "expected"), [
    ([T, U], "true"), ([U, T], "true"), ([F, F], "false"), ([F, U], "unknown:missing"), ([U, F], "unknown:missing"),
    ([U], "unknown:missing"), ([F], "false"), ([T], "true"),
])
def test_any_of_is_true_when_one_option_holds_else_unknown_when_one_is_unknown(options: list, expected: str) -> None:
    assert outcome({"any_of": options}, {"t": 1}) == expected


@pytest.mark.parametrize(("negated", "expected"), [(T, "false"), (F, "true"), (U, "unknown:missing")])
def test_not_negates_and_keeps_unknown_unknown(negated: dict, expected: str) -> None:
    assert outcome({"not": negated}, {"t": 1}) == expected


@pytest.mark.parametrize(("table", "expected"), [
    ({"missing": 1, "any_of": [F]}, "false"),      # a definite failure wins over an earlier unknown
    ({"any_of": [U], "t": 2}, "false"),
    ({"not": T, "missing": 1}, "false"),
    ({"not": U, "t": 2}, "false"),
    ({"missing": 1, "t": 1}, "unknown:missing"),
    ({"any_of": [U], "not": F}, "unknown:missing"),
    ({"any_of": [T], "not": F, "t": 1}, "true"),
])
def test_a_definite_failure_anywhere_wins_over_an_unknown(table: dict, expected: str) -> None:
    assert outcome(table, {"t": 1}) == expected


@pytest.mark.parametrize("table", [
    {"any_of": [T], "t": 2}, {"not": F, "t": 2}, {"any_of": [T], "not": F, "t": 2},
    {"not": F, "any_of": [F]}, {"any_of": [T], "not": T},
])
def test_keys_after_any_of_and_not_still_count(table: dict) -> None:
    assert check(table, {"t": 1}) is False


def test_two_any_of_groups_in_nested_tables_must_both_hold() -> None:
    table = {"any_of": [T], "not": {"any_of": [F, {"t": 3}]}}
    assert check(table, {"t": 1}) is True
    assert check({**table, "not": {"any_of": [F, T]}}, {"t": 1}) is False


def test_unknown_names_the_first_missing_field() -> None:
    assert outcome({"first": 1, "second": 1}, {}) == "unknown:first"
    assert outcome({"any_of": [{"first": 1}, {"second": 1}]}, {}) == "unknown:first"
    assert outcome({"any_of": [{"first": 1}], "not": {"second": 1}}, {}) == "unknown:first"
    assert outcome({"not": {"first": 1}, "any_of": [{"second": 1}]}, {}) == "unknown:second"  # tests, any_of, then not
    assert outcome({"first": 1, "not": {"second": 1}}, {}) == "unknown:first"
    assert outcome({"not": {"first": 1}, "any_of": [{"second": 1}]}, {"second": 1}) == "unknown:first"


@pytest.mark.parametrize(("table", "key", "problem"), [
    ([1], "where", "expected a table of field path = test"),
    ({"any_of": []}, "where.any_of", "expected a non-empty list of condition tables"),
    ({"any_of": {"t": 1}}, "where.any_of", "expected a non-empty list of condition tables"),
    ({"any_of": [{"t": {"bogus": 1}}]}, "where.any_of[0].t.bogus", "unknown operator 'bogus'"),
    ({"not": {"t": {"ge": "64 GB"}}}, "where.not.t.ge", "a number"),
    ({"t": {}}, "where.t", "expected a value or a table of operators (eq, ne, in,"),
    ({"t": [1, 2]}, "where.t", "a string, number or boolean"),
    ({"a..b": 1}, "where.a..b", "bad field path"),
    ({"t": {"ge": 1, "matches": "("}}, "where.t.matches", "bad regular expression"),
])
def test_compile_errors_name_the_key(table: Any, key: str, problem: str) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(table)
    assert caught.value.key == key
    assert problem in str(caught.value)


def test_nesting_limit_is_exactly_max_depth() -> None:
    def nested(depth: int) -> dict:
        table: dict = {"t": 1}
        for _ in range(depth - 1):
            table = {"not": table}
        return table

    assert compile_condition(nested(MAX_DEPTH))
    with pytest.raises(ConditionError) as caught:
        compile_condition(nested(MAX_DEPTH + 1))
    assert f"more than {MAX_DEPTH} levels" in str(caught.value)
    assert caught.value.key == "where" + ".not" * MAX_DEPTH
    assert check(nested(MAX_DEPTH), {"t": 1}) is (MAX_DEPTH % 2 == 1)


def test_describe_says_what_the_test_expects() -> None:
    condition = compile_condition({"name": {"max_length": 15, "matches": "^HV"}, "flag": True,
                                   "os.edition": {"in": ["Standard", "Datacenter"]}, "v": {"version_ge": "6.2"}})
    assert [t.describe() for t in condition.tests] == [
        "at most this many characters: 15 and matching ^HV", "equal to true", "one of Standard, Datacenter",
        "a version at least 6.2"]
