"""Fields named as not collected use one dialect: the position in the snapshot, `$.hosts[3].nics`."""

from __future__ import annotations

import json
import re
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
