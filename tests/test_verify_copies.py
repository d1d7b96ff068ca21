"""`verify` copies less of the estate than it used to, and every result stays what full copies give:
VMM upgrades run on the script's checkpoints (copies already) without another copy, drills read the estate
without copying it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

import preflight.pipeline.verify_plan as verify_plan
from benchmarks.generate import generate_estate
from preflight.emulator import EmulatedEstate, run_drills, run_vmm_upgrade
from preflight.inventory import decode_snapshot
from preflight.inventory.index import SnapshotIndex
from preflight.pipeline import CheckRequest, verify

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _generated(tmp_path: Path) -> Path:
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(generate_estate(900, 2700, seed=11)), encoding="utf-8")   # 3 VMM servers
    return path


def test_upgrades_on_checkpoint_views_report_what_full_copies_report(tmp_path: Path, monkeypatch) -> None:
    real, seen = verify_plan._upgrades, []

    def full_copies_first(run):   # each checkpoint copied in full, before the views change them
        seen.append(tuple(run_vmm_upgrade(EmulatedEstate(point.snapshot), point.name)
                          for point in run.checkpoints if point.action == verify_plan.UPGRADE))
        return real(run)

    monkeypatch.setattr(verify_plan, "_upgrades", full_copies_first)
    report, _, _ = verify(CheckRequest((_generated(tmp_path),), as_of=AS_OF))
    assert len(seen) == 1 and len(seen[0]) == 3   # three VMM servers, one setup each
    assert report.verification.upgrades == seen[0]


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
