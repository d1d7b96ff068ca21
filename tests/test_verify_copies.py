"""`verify` copies less of the estate than it used to, and every result stays what full copies give:
VMM upgrades run on the script's checkpoints (copies already) without another copy, drills read the estate
without copying it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

import preflight.pipeline.verify_plan as verify_plan
from benchmarks.generate import generate_estate
from preflight.emulator import EmulatedEstate, run_drills, run_vmm_upgrade
from preflight.emulator.state import copy_snapshot
from preflight.inventory import decode_snapshot
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import CheckRequest, verify

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _generated(tmp_path: Path) -> Path:
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(generate_estate(900, 2700, seed=11)), encoding="utf-8")   # 3 VMM servers
    return path


def test_setup_where_the_script_runs_it_reports_what_a_fresh_copy_of_the_estate_there_reports(tmp_path: Path,
                                                                                              monkeypatch) -> None:
    """VMM setup runs once per upgrade step, on the trial copy the script's run makes anyway: its result is what
    setup gives on a fresh, full copy of the estate at that point (how verify simulated it before)."""
    real_fork, copies = EmulatedEstate.fork, []

    def fork_recording(self: EmulatedEstate, lists: tuple[str, ...] | None = None,
                       changing: Callable[[Any], bool] | None = None) -> EmulatedEstate:
        copies.append(msgspec.json.decode(msgspec.json.encode(self.snapshot), type=Snapshot))
        return real_fork(self, lists, changing)

    monkeypatch.setattr(EmulatedEstate, "fork", fork_recording)
    report, _, plan = verify(CheckRequest((_generated(tmp_path),), as_of=AS_OF))
    upgrades = [s for s in plan.steps if s.action == verify_plan.UPGRADE]
    assert len(upgrades) == 3 and len(report.verification.upgrades) == 3   # three VMM servers
    fresh = tuple(run_vmm_upgrade(EmulatedEstate(snapshot), step.object_name)
                  for snapshot, step in zip(copies[-3:], upgrades, strict=True))
    assert report.verification.upgrades == fresh


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


def test_a_fork_of_some_lists_copies_those_and_shares_the_rest() -> None:
    """VMM setup is tried on a fork that copies only the lists setup changes: the VMs stay shared, the hosts the
    trial changes do not reach the estate it was forked from."""
    snapshot = decode_snapshot((ROOT / "fixtures" / "estates" / "ready.json").read_bytes(), "ready.json", ".json")
    state = EmulatedEstate(snapshot)
    trial = state.fork(("hosts",))
    trial.snapshot.hosts[0].name = "RENAMED"
    assert state.snapshot.hosts[0].name != "RENAMED"
    assert trial.snapshot.vms[0] is state.snapshot.vms[0] and trial.snapshot.clusters is state.snapshot.clusters


def test_a_wrong_rename_prediction_plans_and_runs_again_on_the_estate_as_loaded(tmp_path: Path, monkeypatch) -> None:
    """The script runs on the loaded estate itself, not a copy; when the run refuses a rename the prediction
    let through, the second plan and run start from the estate as it was loaded, not as the first run left it."""
    path = _generated(tmp_path)
    request = CheckRequest((path,), as_of=AS_OF)
    expected, emulated, plan = verify(request)
    assert any(s.action == "rename-computer" and s.number in {o.number for o in expected.verification.steps
                                                              if o.result == "failed"} for s in plan.steps)
    runs = []
    real_run = verify_plan.run_script
    monkeypatch.setattr(verify_plan, "run_script", lambda *a, **k: runs.append(1) or real_run(*a, **k))
    monkeypatch.setattr(verify_plan, "_refused_at_start", lambda plan, snapshot, index: frozenset())
    report, emulated_again, plan_again = verify(request)
    assert len(runs) == 2
    assert plan_again == plan and report.verification == expected.verification
    assert msgspec.json.encode(emulated_again) == msgspec.json.encode(emulated)


def test_renames_are_predicted_on_a_view_that_stays_unchanged(tmp_path: Path) -> None:
    """A rename only marks the new name pending until the restart: the prediction needs no copy of the estate."""
    from preflight.pipeline import run_check
    from preflight.remediation.plan import build_plan

    report, estate, _ = run_check(CheckRequest((_generated(tmp_path),), as_of=AS_OF))
    before = msgspec.json.encode(estate.snapshot)
    plan = build_plan(report.findings, estate.snapshot, index=estate.index)
    refused = verify_plan._refused_at_start(plan, estate.snapshot, estate.index)
    assert refused   # the generated VMM servers' names are invalid, and a VMM server cannot be renamed
    assert msgspec.json.encode(estate.snapshot) == before
    assert all(estate.index.computer(name) is not None for name in refused)


def test_a_fork_that_shares_the_vms_reuses_their_lookups_and_keeps_its_own_placements(tmp_path: Path) -> None:
    snapshot = decode_snapshot(_generated(tmp_path).read_bytes(), "estate.json", ".json")
    state = EmulatedEstate(snapshot, view=True)
    trial = state.fork(("vmm_servers", "hosts", "vcenters"))
    fresh = SnapshotIndex(trial.snapshot)
    for vm in snapshot.vms[:200]:
        assert trial.index.vm(vm.name, vm.host) is fresh.vm(vm.name, vm.host) is vm
        assert list(trial.index.vms_on(vm.host)) == list(fresh.vms_on(vm.host))
    assert trial.index.host(snapshot.hosts[0].name) is trial.snapshot.hosts[0] is not snapshot.hosts[0]
    host = snapshot.hosts[0].name
    before = list(state.vms_on(host))
    trial.index._vms_by_host[host.casefold()].clear()   # the fork's own lists: the estate forked from keeps its own
    assert state.vms_on(host) == before
    with pytest.raises(ValueError, match="another list of VMs"):
        SnapshotIndex(trial.snapshot, vms_of=SnapshotIndex(copy_snapshot(snapshot)))


def test_a_second_run_refuses_a_snapshot_that_changed_while_verify_ran(tmp_path: Path, monkeypatch) -> None:
    from preflight.errors import InputError

    path = _generated(tmp_path)
    real_run = verify_plan.run_script

    def run_then_edit(*args: Any, **kwargs: Any) -> Any:
        result = real_run(*args, **kwargs)
        path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")   # still valid, other bytes
        return result

    monkeypatch.setattr(verify_plan, "run_script", run_then_edit)
    monkeypatch.setattr(verify_plan, "_refused_at_start", lambda plan, snapshot, index: frozenset())
    with pytest.raises(InputError, match=r"estate\.json: changed while verify ran; run verify again"):
        verify(CheckRequest((path,), as_of=AS_OF))


def test_setup_trials_copy_only_what_setup_changes_and_give_what_full_copies_give(tmp_path: Path, monkeypatch) -> None:
    """Each VMM setup trial copies its server and what that server manages, not every host: the run, the
    checkpoints and the estate left are what whole copies give, and the estate is untouched by the trials."""
    path = _generated(tmp_path)
    request = CheckRequest((path,), as_of=AS_OF)
    report, emulated, _ = verify(request)
    copied: list[int] = []
    real_fork = EmulatedEstate.fork

    def fork_recording(self: EmulatedEstate, lists: tuple[str, ...] | None = None,
                       changing: Callable[[Any], bool] | None = None) -> EmulatedEstate:
        trial = real_fork(self, lists, changing)
        copied.append(sum(a is not b for a, b in zip(trial.snapshot.hosts, self.snapshot.hosts, strict=True)))
        return trial

    monkeypatch.setattr(EmulatedEstate, "fork", fork_recording)
    verify(request)
    assert len(copied) == 3 and 0 < sum(copied) <= len(emulated.hosts)   # the 900 hosts once in all, not 3 times
    monkeypatch.setattr(EmulatedEstate, "fork", lambda self, lists=None, changing=None: real_fork(self))
    whole, emulated_whole, _ = verify(request)
    assert whole.verification == report.verification
    assert msgspec.json.encode(emulated_whole) == msgspec.json.encode(emulated)
