"""One version parser for every stage: the engine, the estate, the planner and the emulator agree."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from preflight.emulator import EmulatedEstate, Request, Result, apply
from preflight.engine.conditions import compile_condition, holds
from preflight.inventory import decode_snapshot
from preflight.inventory.versions import EMPTY, WS2008R2, WS2012, WS2012R2, Version, compare_versions, parse_version
from preflight.remediation.actions import ACTIONS
from preflight.remediation.actions.base import Invocation

ROOT = Path(__file__).resolve().parent.parent
BASES = ROOT / "fixtures" / "rules" / "_bases"


@pytest.mark.parametrize(("text", "parts"), [
    ("6.1.7601", (6, 1, 7601)),
    ("2.0 SP1", (2, 0)),            # the engine read (2, 0), the emulator (2,): one answer now
    ("10,50,2500", (10, 50, 2500)),
    (" 6.3.9600 ", (6, 3, 9600)),
    ("6.1a.5", (6, 1)),             # text after a number ends the version
    ("SP1", ()),
    ("", ()),
])
def test_parse_reads_the_leading_dotted_number(text: str, parts: tuple[int, ...]) -> None:
    assert parse_version(text).parts == parts


def test_comparison_pads_with_zeros() -> None:
    assert parse_version("6.1.7601") == parse_version("6.1.7601.0")
    assert not parse_version("6.1.7601") < parse_version("6.1.7601.0")
    assert parse_version("6.1") < parse_version("6.1.0.1") < parse_version("6.2")
    assert compare_versions("2", "2.0") == 0 and compare_versions("10.0", "6.3.9600") == 1
    assert parse_version("0.1") > EMPTY and not EMPTY and parse_version("0.1") and parse_version("0")
    # built directly, not through the parser's cache: trailing zeros pad, inner ones count
    assert Version.of(6, 1, 0) == WS2008R2 and Version.of(6, 1, 0, 0) == Version.of(6, 1) != Version.of(6)
    assert Version.of(6, 0, 1) != Version.of(6, 1) and str(Version.of(6, 1, 0)) == "6.1.0"
    assert hash(parse_version("6.2")) == hash(parse_version("6.2.0"))


def test_named_releases_and_membership() -> None:
    assert (Version.of(6, 1), Version.of(6, 2), Version.of(6, 3)) == (WS2008R2, WS2012, WS2012R2)
    assert parse_version("6.3.9600").within(WS2012R2)
    assert not parse_version("6.30.1").within(WS2012R2)   # startswith("6.3") said it was
    assert not parse_version("6.2.9200").within(WS2012R2)
    assert parse_version("6.3.9600").release == WS2012R2 and str(parse_version("6.3.9600").release) == "6.3"


def test_engine_version_operators_agree_with_the_parser() -> None:
    for op, expected in (("version_eq", True), ("version_lt", False), ("version_ge", True), ("version_gt", False)):
        assert holds(compile_condition({"v": {op: "6.1.7601.0"}}), {"v": "6.1.7601"}, {}) is expected, op
    assert holds(compile_condition({"v": {"version_ge": "2.0"}}), {"v": "2.0 SP1"}, {})


def test_the_emulator_no_longer_sees_a_padded_version_as_newer() -> None:
    data = json.loads((BASES / "vmm.json").read_text(encoding="utf-8"))
    data["vmm_servers"][0]["installed_software"].append({"name": "Contoso Agent", "version": "6.1.7601"})
    state = EmulatedEstate(decode_snapshot(msgspec.json.encode(data), "vmm.json", ".json"))
    request = Request("uninstall-software", "vmm_servers", "VMM01", {"pattern": "Contoso Agent", "below_version": "6.1.7601.0"})
    assert apply(state, request).result is Result.NO_CHANGE   # 6.1.7601 is not below 6.1.7601.0
    request = Request("uninstall-software", "vmm_servers", "VMM01", {"pattern": "Contoso Agent", "below_version": "6.1.7601.1"})
    assert apply(state, request).result is Result.APPLIED


def test_csv_cache_property_names_follow_the_release_not_a_text_prefix() -> None:
    def script(os_version: str) -> str:
        spec = ACTIONS["set-csv-block-cache"]
        return "\n".join(spec.render(Invocation(spec.name, "C", "clusters", "C", {"size_mb": "512"}, os_version=os_version)))
    assert "$cluster.BlockCacheSize = 512" in script("6.3.9600")
    assert "SharedVolumeBlockCacheSizeInMB" in script("6.2.9200")
    assert "SharedVolumeBlockCacheSizeInMB" in script("6.30.1")


def test_os_at_least_2012_compares_versions() -> None:
    assert Invocation("x", "C", "clusters", "C", os_version="6.3.9600").os_at_least_2012
    assert Invocation("x", "C", "clusters", "C", os_version="6.2").os_at_least_2012
    assert not Invocation("x", "C", "clusters", "C", os_version="6.1.7601").os_at_least_2012
    assert not Invocation("x", "C", "clusters", "C").os_at_least_2012
