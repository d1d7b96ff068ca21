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
