"""The loader, the emulator's copies and `verify` pause the cyclic garbage collector only inside
their own work: a program that calls them keeps its collector settings, also when they fail; and the snapshot's
records, which the collector never tracks, cannot form a reference cycle."""

from __future__ import annotations

import gc
from pathlib import Path

import msgspec
import pytest

from preflight.errors import InputError
from preflight.inventory.collecting import paused_collections
from preflight.inventory.load import decode_snapshot
from preflight.inventory.snapshot import Snapshot


def test_a_pause_ends_with_the_block_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), paused_collections():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_pause_inside_a_disabled_collector_leaves_it_disabled() -> None:
    gc.disable()
    try:
        with paused_collections():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_refused_snapshot_leaves_the_collector_on() -> None:
    with pytest.raises(InputError):
        decode_snapshot(b'{"schema": "preflight/inventory/v1", "snapshot": 1}', "estate.json", ".json")
    assert gc.isenabled()


def _struct_types(info: msgspec.inspect.Type) -> list[type]:
    """The struct classes a field of this type can hold directly (through lists, dicts, unions, ...)."""
    if isinstance(info, msgspec.inspect.StructType):
        return [info.cls]
    if isinstance(info, msgspec.inspect.UnionType):
        return [cls for member in info.types for cls in _struct_types(member)]
    if isinstance(info, (msgspec.inspect.ListType, msgspec.inspect.SetType, msgspec.inspect.FrozenSetType,
                         msgspec.inspect.VarTupleType)):
        return _struct_types(info.item_type)
    if isinstance(info, msgspec.inspect.DictType):
        return _struct_types(info.value_type)
    if isinstance(info, msgspec.inspect.TupleType):
        return [cls for item in info.item_types for cls in _struct_types(item)]
    if isinstance(info, msgspec.inspect.Metadata):
        return _struct_types(info.type)
    return []


def test_no_snapshot_record_can_contain_a_record_of_its_own_type() -> None:
    """`Model` is declared gc=False: a record the collector does not track must never sit in a cycle."""
    children: dict[type, set[type]] = {}
    pending = [Snapshot]
    while pending:
        cls = pending.pop()
        if cls in children:
            continue
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        assert cls.__struct_config__.gc is False, f"{cls.__name__} is tracked by the collector"
        children[cls] = {child for field in info.fields for child in _struct_types(field.type)}
        pending.extend(children[cls])
    assert len(children) > 10   # the walk reached the entities, not only the envelope

    def reaches(start: type, target: type, seen: set[type]) -> bool:
        return any(child is target or (child not in seen and reaches(child, target, seen | {child}))
                   for child in children[start])

    assert [cls.__name__ for cls in children if reaches(cls, cls, {cls})] == []


def test_a_decoded_estate_is_untracked() -> None:
    snapshot = decode_snapshot(Path("fixtures/estates/ready.json").read_bytes(), "estate.json", ".json")
    assert snapshot.hosts and not any(gc.is_tracked(host) for host in snapshot.hosts)


def test_check_runs_with_the_collector_paused_and_hands_it_back(monkeypatch) -> None:
    """The run pauses the collector (a collection inside it would walk the whole estate) and restores it after."""
    from datetime import UTC, datetime

    import preflight.engine.evaluate as evaluate_module
    from preflight.pipeline import CheckRequest, run_check

    seen = []
    real = evaluate_module.evaluate_rule
    monkeypatch.setattr(evaluate_module, "evaluate_rule", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    run_check(CheckRequest((Path("fixtures/estates/ready.json"),), as_of=datetime(2026, 11, 25, tzinfo=UTC)))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_what_a_pause_allocated_joins_the_oldest_generation() -> None:
    """Else the first young collection after the pause would walk all of it (the whole estate)."""
    with paused_collections():
        tree = [[index] for index in range(1000)]
    young = {id(item) for item in gc.get_objects(generation=0)}
    assert id(tree) not in young and id(tree[0]) not in young
    assert any(item is tree for item in gc.get_objects(generation=2))


def test_a_pause_leaves_what_its_caller_froze_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_collections():
            [[index] for index in range(100)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_check_and_verify_leave_no_reference_cycles(tmp_path: Path) -> None:
    """With the collector paused for the whole run, a cycle would hold what it reaches until the run ends: a caught
    `Unknown` kept in a local of a frame its traceback holds did, with the target and the estate behind it
    (~120,000 objects at 25,000 VMs). Every run's garbage goes by reference counting alone."""
    import json
    from datetime import UTC, datetime

    from benchmarks.generate import generate_estate
    from preflight.pipeline import CheckRequest, run_check, verify

    path = tmp_path / "estate.json"
    path.write_text(json.dumps(generate_estate(108, 2700, seed=11)), encoding="utf-8")
    request = CheckRequest((path,), as_of=datetime(2026, 11, 25, 12, tzinfo=UTC))
    run_check(request)   # first use: caches and lazily built tables are not garbage
    for run in (run_check, verify):
        gc.collect()
        run(request)
        assert gc.collect() == 0, f"{run.__name__} left objects in reference cycles"
