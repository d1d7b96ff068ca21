"""Keeping Python's cyclic garbage collector off the estate while a large acyclic tree is built and read.

Decoding a snapshot, copying it and indexing it allocate millions of objects and no reference cycles.
Every ~700 allocations the collector runs, and each run that reaches the oldest generation walks every
live object (the whole estate, and in `verify` several copies of it) to find nothing: at 25,000 VMs
that was a fifth of `verify`. Three measures, each measured with `make bench`:

- the snapshot's records are not tracked at all (`Model` is declared with ``gc=False``: they hold no
  reference cycles, `tests/test_collecting.py` checks that no model type can contain itself);
- building a tree pauses the collector (`paused_collections`);
- inside a run of work (`bulk_work`: `check`, `verify`, the drills) young collections are rarer, and what
  each pause built is frozen (`gc.freeze`) at its end, so that no later collection walks it again; the
  outermost run hands it all back to the collector when it ends.

Objects are still freed by reference counting throughout; only garbage in reference cycles waits longer.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
"""How many `bulk_work` blocks are open (freezing happens only inside one, which later unfreezes)."""


@contextmanager
def paused_collections() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after it, also on an error); inside `bulk_work`,
    what exists at its end is frozen out of later collections until the work ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _depth:
            gc.freeze()
        if collecting:
            gc.enable()


@contextmanager
def bulk_work(allocations: int = 20_000) -> Iterator[None]:
    """A young-generation collection every `allocations` net allocations inside the block instead of 700
    (the older generations follow at the same ratios), and objects frozen by pauses inside it; settings restored
    and frozen objects handed back to the collector after the outermost block (unless some were frozen before
    it: those are the caller's, and stay frozen).

    `check`, `verify` and the drills build and read an estate's worth of objects (`verify` several times
    over), and every collection of the oldest generation walks all of them: at 100,000 VMs the default
    rate cost `check` a quarter of its time.
    """
    global _depth
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.set_threshold(max(allocations, before[0]), *before[1:])
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        gc.set_threshold(*before)
        if not _depth and not frozen_before:
            gc.unfreeze()
