"""Engine building blocks: field paths, conditions, unknown handling, evaluation over an estate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from preflight.engine.conditions import compile_condition, holds
from preflight.engine.evaluate import evaluate
from preflight.engine.findings import Status
from preflight.estate import Estate
from preflight.inventory import read_snapshot
from preflight.inventory.paths import Unknown, compile_path, resolve
from preflight.inventory.versions import parse_version
from preflight.pipeline import load_rules

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = read_snapshot(ROOT / "fixtures" / "rules" / "_bases" / "vmm.json")
VMM = SNAPSHOT.vmm_servers[0]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_paths_select_by_name_case_insensitively() -> None:
    assert resolve(compile_path("services[winrm].state"), VMM, {}) == "Running"
    assert resolve(compile_path("hardware.volumes[0].drive"), VMM, {}) == "C:"
    assert resolve(compile_path("services[NoSuchService].state"), VMM, {}) is None


def test_uncollected_field_is_unknown_and_names_the_field() -> None:
    server = msgspec.structs.replace(VMM, services=msgspec.UNSET)
    with pytest.raises(Unknown) as caught:
        resolve(compile_path("services[WinRM].state"), server, {})
    assert caught.value.path == "services[WinRM]"


def test_links_and_null_values() -> None:
    assert resolve(compile_path("@sql.collation"), VMM, {"sql": SNAPSHOT.sql_servers[0]}) == "SQL_Latin1_General_CP1_CI_AS"
    assert resolve(compile_path("vmm.pro_connection.operations_manager_server"), VMM, {}) is None
    with pytest.raises(Unknown):
        resolve(compile_path("@nothing"), VMM, {})


@pytest.mark.parametrize("bad", ["a..b", "a[", "@a.@b", "1abc"])
def test_bad_paths_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        compile_path(bad)


def test_conditions_operators() -> None:
    def check(table: dict) -> bool:
        return holds(compile_condition(table), VMM, {})

    assert check({"os.version": {"version_ge": "6.1", "version_lt": "6.2"}})
    assert check({"os.edition": {"in": ["standard", "ENTERPRISE"]}})
    assert check({"name": {"max_length": 15, "matches": "^vmm\\d+$"}})
    assert not check({"os.installation_type": "Core"})
    assert check({"any_of": [{"os.edition": "Datacenter"}, {"os.edition": "Enterprise"}]})
    assert check({"not": {"domain": {"present": False}}})
    assert check({"windows_features": {"contains": "net-framework-core"}})


def test_a_definite_failure_wins_over_an_unknown() -> None:
    server = msgspec.structs.replace(VMM, services=msgspec.UNSET)
    condition = compile_condition({"services[WinRM].state": "Running", "os.installation_type": "Core"})
    assert holds(condition, server, {}) is False
    with pytest.raises(Unknown):
        holds(compile_condition({"services[WinRM].state": "Running"}), server, {})


@given(st.lists(st.integers(min_value=0, max_value=9999), min_size=1, max_size=4),
       st.lists(st.integers(min_value=0, max_value=9999), min_size=1, max_size=4))
def test_version_comparison_matches_tuple_order(a: list[int], b: list[int]) -> None:
    text_a, text_b = ".".join(map(str, a)), ".".join(map(str, b))
    width = max(len(a), len(b))
    pad = lambda v: tuple(v) + (0,) * (width - len(v))  # noqa: E731
    expected = pad(a) >= pad(b)
    assert holds(compile_condition({"v": {"version_ge": text_b}}), {"v": text_a}, {}) is expected
    assert parse_version(text_a).parts == tuple(a)


def test_every_pair_ends_in_one_status_and_unknown_is_never_a_pass() -> None:
    catalog = load_rules()
    server = msgspec.structs.replace(VMM, services=msgspec.UNSET, os=msgspec.UNSET)
    snapshot = msgspec.structs.replace(SNAPSHOT, vmm_servers=[server])
    evaluation = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()), NOW)
    for code in ("VMM002", "VMM003", "VMM010", "VMM011"):
        assert evaluation.tallies[code].get(Status.UNKNOWN) == 1, code
        assert Status.PASS not in evaluation.tallies[code], code
    unknown = {f.rule for f in evaluation.findings if f.status is Status.UNKNOWN}
    assert {"VMM002", "VMM003", "VMM010", "VMM011"} <= unknown
    total = sum(evaluation.status_counts().values())
    assert total == evaluation.checks


def test_findings_are_frozen_with_stable_fingerprints() -> None:
    catalog = load_rules()
    server = msgspec.structs.replace(VMM, name="A-VERY-LONG-SERVER-NAME")
    snapshot = msgspec.structs.replace(SNAPSHOT, vmm_servers=[server])
    first = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()), NOW)
    later = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()),
                     datetime(2027, 1, 1, tzinfo=UTC))
    by_rule = lambda e: {f.rule: f.fingerprint for f in e.findings if f.rule == "VMM005"}  # noqa: E731
    assert by_rule(first) == by_rule(later) and by_rule(first)
    finding = next(f for f in first.findings if f.rule == "VMM005")
    with pytest.raises(AttributeError):
        finding.message = "changed"  # type: ignore[misc]
