"""Keeping Python's cyclic garbage collector off the estate while it is built and read.

Decoding a snapshot, copying it, indexing it and checking it allocate millions of objects and no
reference cycles. Every ~700 allocations the collector runs, and each run that reaches the oldest generation
walks every live object (the whole estate, and in `verify` several copies of it) to find nothing: at 25,000
VMs that was a fifth of `verify`, and still ~7 % with the collector made twenty times rarer. So:

- the snapshot's records are not tracked at all (`Model` is declared with ``gc=False``: they hold no
  reference cycles; `tests/test_collecting.py` checks that no model type can contain itself);
- decoding, copying and indexing, and the whole of `check`, `verify` and the drills run with the collector
  paused (`paused_collections`). Objects are still freed by reference counting throughout, and those runs
  make no reference cycles (`tests/test_collecting.py`: a cycle would live until the run ends); at the end
  of a pause, what it allocated joins the oldest generation at once, instead of making the next young
  collection walk all of it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collections() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after it, also on an error); what the block
    allocated then joins the oldest generation, as long-lived objects do."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            _promote_all()
            gc.enable()


def _promote_all() -> None:
    """Move every tracked object to the oldest generation (two list splices, no walk): else the first young
    collection after the pause walks everything the pause allocated, the whole estate (~0.15 s of `verify` at
    25,000 VMs). Skipped when a caller has frozen objects (`gc.unfreeze` would release them too)."""
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()
