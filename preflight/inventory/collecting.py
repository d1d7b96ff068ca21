"""Pausing Python's cyclic garbage collector while a large acyclic tree is built.

Decoding a snapshot, copying it and indexing it allocate millions of objects and no reference cycles.
Every ~700 allocations the collector runs, and each run that reaches the oldest generation walks every
live object (the whole estate, and in `verify` several copies of it) to find nothing: at 25,000 VMs
that was a fifth of `verify`. Objects are still freed by reference counting inside the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collections() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after it, also on an error)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def rarer_collections(allocations: int = 20_000) -> Iterator[None]:
    """A young-generation collection every `allocations` net allocations inside the block instead of 700
    (the older generations follow at the same ratios); restored after it.

    `check`, `verify` and the drills build and read an estate's worth of objects (`verify` several times
    over), and every collection of the oldest generation walks all of them: at 100,000 VMs the default
    rate cost `check` a quarter of its time. Garbage in reference cycles still goes, a little later: peak
    memory does not change measurably.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(allocations, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
