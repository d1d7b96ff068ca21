"""The estate's management topology for reports: VMM server -> clusters -> nodes -> VMs.

Each node carries the worst severity of the failing findings on it, so a reader sees the blast
radius of a host-level blocker.
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.engine.findings import Severity


@dataclass(frozen=True)
class TopologyNode:
    """One object of the topology tree."""

    kind: str
    name: str
    worst: Severity | None = None
    findings: int = 0
    children: tuple[TopologyNode, ...] = ()
