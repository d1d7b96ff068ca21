"""A live migration as data: the vocabulary the planner writes and the emulator reads.

A drain is a list of `Move`s. The planner decides them (`remediation/plan.py`), the script performs
them (one `Move-ClusterVirtualMachineRole` each), and the emulator applies exactly those moves and
checks them on its own (`emulator/restart.py`). Only the vocabulary is shared here, not the judgement
of where a VM should go.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Move:
    """Live-migrate the VM `vm` from the cluster node `source` to the node `target`.

    A VM is named together with its host (two VMs may share a name on different hosts); inside one
    cluster the name is also the VM's cluster group, which is how the cmdlets find it.
    """

    vm: str
    source: str
    target: str
