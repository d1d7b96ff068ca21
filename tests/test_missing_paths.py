"""Fields named as not collected use one dialect: the position in the snapshot, `$.hosts[3].nics`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from preflight.engine.evaluate import evaluate
from preflight.engine.findings import Status
from preflight.estate import Estate
from preflight.inventory import decode_snapshot
from preflight.inventory.index import SnapshotIndex
from preflight.pipeline import load_rules

BASES = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "_bases"
POSITIONAL = re.compile(r"^\$\.[a-z_]+\[\d+\](\.[a-z_]+(\[(\d+|\*)\])?)*$")
ABSENT = re.compile(r"^\$\.hosts\[([^\]\d][^\]]*)\](\.[a-z_]+)*$")
STRIPPED = ("site", "domain", "replica", "nics", "teams", "adapters", "last_boot", "ntlm_enabled", "fqdn", "edition")


def _strip(node: object) -> None:
    """Drop the optional fields facts depend on, everywhere below the top-level lists."""
    if isinstance(node, dict):
        for key in [k for k in node if k in STRIPPED]:
            del node[key]
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for value in node:
            _strip(value)


@pytest.mark.parametrize("base", sorted(p.stem for p in BASES.glob("*.json")))
def test_every_missing_field_is_named_by_its_position(base: str) -> None:
    data = json.loads((BASES / f"{base}.json").read_text(encoding="utf-8"))
    for _kind, items in data.items():
        if isinstance(items, list):
            _strip(items)
    snapshot = decode_snapshot(msgspec.json.encode(data), f"{base}.json", ".json")
    catalog = load_rules()
    evaluation = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()),
                          datetime(2026, 11, 25, 12, tzinfo=UTC))
    missing = {path for f in evaluation.findings if f.status is Status.UNKNOWN for path in f.missing}
    assert missing, "stripping collected fields leaves some rules unknown"
    index = SnapshotIndex(snapshot)
    odd = sorted(path for path in missing if not path.startswith("@") and not POSITIONAL.match(path)
                 and not _names_an_absent_host(path, index))
    assert not odd, odd


def _names_an_absent_host(path: str, index: SnapshotIndex) -> bool:
    """`$.hosts[hv09.contoso.local]`: a replica server the snapshot has no host for (nothing to point at)."""
    found = ABSENT.match(path)
    return found is not None and index.host(found.group(1)) is None


def _missing_after(base: str, strip: Callable[[dict], None]) -> set[str]:
    data = json.loads((BASES / f"{base}.json").read_text(encoding="utf-8"))
    strip(data)
    snapshot = decode_snapshot(msgspec.json.encode(data), f"{base}.json", ".json")
    catalog = load_rules()
    evaluation = evaluate(catalog, Estate(snapshot, [("x", snapshot.snapshot)], catalog.os_releases()),
                          datetime(2026, 11, 25, 12, tzinfo=UTC))
    return {path for f in evaluation.findings if f.status is Status.UNKNOWN for path in f.missing}


def _second_adapter_of_guest01(data: dict) -> None:
    (guest,) = [vm for vm in data["vms"] if vm["name"] == "GUEST01"]
    del guest["adapters"][1]["switch_name"], guest["adapters"][1]["allow_teaming"]


def _second_network_of_the_cluster(data: dict) -> None:
    del data["clusters"][0]["networks"][1]["state"]


@pytest.mark.parametrize(("base", "strip", "expected"), [
    ("teaming", _second_adapter_of_guest01, {"$.vms[{guest}].adapters[1].switch_name",
                                             "$.vms[{guest}].adapters[1].allow_teaming"}),
    ("cluster2012", _second_network_of_the_cluster, {"$.clusters[0].networks[1].state"}),
])
def test_a_field_missing_from_an_item_of_a_nested_list_is_named_at_its_position(
        base: str, strip: Callable[[dict], None], expected: set[str]) -> None:
    data = json.loads((BASES / f"{base}.json").read_text(encoding="utf-8"))
    guest = next((i for i, vm in enumerate(data.get("vms", [])) if vm["name"] == "GUEST01"), None)
    assert {path.format(guest=guest) for path in expected} <= _missing_after(base, strip)
