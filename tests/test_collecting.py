"""The loader, the emulator's copies and `verify` pause or slow the cyclic garbage collector only inside
their own work: a program that calls them keeps its collector settings, also when they fail."""

from __future__ import annotations

import gc

import pytest

from preflight.errors import InputError
from preflight.inventory.collecting import paused_collections, rarer_collections
from preflight.inventory.load import decode_snapshot


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


def test_rarer_collections_restore_the_thresholds() -> None:
    before = gc.get_threshold()
    with pytest.raises(ValueError), rarer_collections(50_000):
        assert gc.get_threshold()[0] == 50_000
        raise ValueError("boom")
    assert gc.get_threshold() == before


def test_a_refused_snapshot_leaves_the_collector_on() -> None:
    with pytest.raises(InputError):
        decode_snapshot(b'{"schema": "preflight/inventory/v1", "snapshot": 1}', "estate.json", ".json")
    assert gc.isenabled()
