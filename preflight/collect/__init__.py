"""Collectors that make snapshots."""

from preflight.collect.local import collect_local

__all__ = ["collect_local"]
