"""`verify` copies less of the estate than it used to, and every result stays what full copies give:
VMM upgrades copy only the lists setup changes, drills read the estate without copying it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from benchmarks.generate import generate_estate
from preflight.emulator import EmulatedEstate, run_drills, run_vmm_upgrade
from preflight.emulator.state import copy_lists
from preflight.inventory import decode_snapshot
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import CheckRequest, verify
from preflight.pipeline.verify_plan import UPGRADE_CHANGES, _upgrades

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _generated(tmp_path: Path) -> Path:
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(generate_estate(900, 2700, seed=11)), encoding="utf-8")   # 3 VMM servers
    return path


def _one_copy_each(snapshot: Snapshot) -> list:
    return [run_vmm_upgrade(EmulatedEstate(snapshot), s.name) for s in snapshot.vmm_servers if s.vmm is not None]


def test_copied_lists_are_private_and_the_rest_is_shared() -> None:
    snapshot = decode_snapshot((ROOT / "fixtures" / "estates" / "ready.json").read_bytes(), "ready.json", ".json")
    copied = copy_lists(snapshot, ("hosts",))
    copied.hosts[0].name = "RENAMED"
    assert snapshot.hosts[0].name != "RENAMED"
    assert copied.vms[0] is snapshot.vms[0] and copied.clusters is snapshot.clusters


def test_upgrades_report_what_a_full_copy_per_server_reports(tmp_path: Path) -> None:
    report, emulated, _ = verify(CheckRequest((_generated(tmp_path),), as_of=AS_OF))
    before = msgspec.json.encode(emulated)
    upgrades = _upgrades(emulated)
    assert [u.succeeded for u in upgrades].count(True) >= 1 and len(upgrades) == 3
    assert upgrades == report.verification.upgrades == tuple(_one_copy_each(emulated))
    assert msgspec.json.encode(emulated) == before, "the emulated estate verify returns is left as it was"
    assert set(UPGRADE_CHANGES) == {"vmm_servers", "hosts", "vcenters"}


def test_upgrades_of_the_original_estate_match_too(tmp_path: Path) -> None:
    snapshot = decode_snapshot(_generated(tmp_path).read_bytes(), "estate.json", ".json")
    assert _upgrades(snapshot) == tuple(_one_copy_each(snapshot))


def test_drills_leave_the_estate_unchanged() -> None:
    snapshot = decode_snapshot((ROOT / "fixtures" / "rules" / "_bases" / "replica.json").read_bytes(), "replica.json", ".json")
    before = msgspec.json.encode(snapshot)
    drills = run_drills(snapshot)
    assert any(d.fault == "replica-link-drops" for d in drills)
    assert msgspec.json.encode(snapshot) == before
    assert run_drills(snapshot) == drills


def test_drills_reuse_an_index_only_over_the_same_snapshot() -> None:
    snapshot = decode_snapshot((ROOT / "fixtures" / "rules" / "_bases" / "replica.json").read_bytes(), "replica.json", ".json")
    other = decode_snapshot(msgspec.json.encode(snapshot), "copy.json", ".json")
    assert run_drills(snapshot, SnapshotIndex(snapshot)) == run_drills(snapshot)
    with pytest.raises(ValueError, match="not over the emulated snapshot"):
        run_drills(snapshot, SnapshotIndex(other))
