"""Steps the planner inserts around actions: restarts, draining a cluster node, resuming it."""

from __future__ import annotations

from preflight.remediation.actions.base import DCOM, ActionSpec, Invocation, Param, register
from preflight.remediation.actions.phases import Phase
from preflight.remediation.literals import ps_quote as q


def _restart(inv: Invocation) -> list[str]:
    return [f"Restart-Computer -ComputerName {q(inv.server)} -Force",
            f"Wait-PreflightComputer -ComputerName {q(inv.server)}"]


def _drain(inv: Invocation) -> list[str]:
    """Pause the node, then live-migrate each VM to the node the plan chose (PowerShell 2.0 cluster cmdlets)."""
    lines = ["Import-Module FailoverClusters",
             f"Suspend-ClusterNode -Cluster {q(inv.p('cluster'))} -Name {q(inv.server)} | Out-Null"]
    for move in inv.moves:
        lines.append(f"Get-ClusterGroup -Cluster {q(inv.p('cluster'))} -Name {q(move.vm)} | "
                     f"Move-ClusterVirtualMachineRole -Node {q(move.target)} | Out-Null")
    return lines


def _resume(inv: Invocation) -> list[str]:
    return ["Import-Module FailoverClusters",
            f"Resume-ClusterNode -Cluster {q(inv.p('cluster'))} -Name {q(inv.server)} | Out-Null"]


register(ActionSpec(
    "restart-computer", "Restart the computer (activates pending hotfixes, features, renames, domain joins)", (),
    ("vmm_servers", "sql_servers", "hosts", "library_servers"), ("nothing else is running on it",),
    ("services come back by start mode; VMs on a standalone host stop and start again",),
    restart=False, offline=True, duration_min=10, commands=("Restart-Computer", "Wait-PreflightComputer"),
    render=_restart, phase=Phase.RESTART, remote=False, internal=True, channels=(DCOM,)))
register(ActionSpec(
    "drain-node", "Pause a cluster node and live-migrate its VMs away",
    (Param("cluster", "Cluster"),), ("hosts",),
    ("the other nodes have memory for the VMs",), ("no VM runs on the node",), restart=False, offline=False,
    duration_min=5, commands=("Import-Module", "Suspend-ClusterNode", "Get-ClusterGroup", "Move-ClusterVirtualMachineRole",
                              "Out-Null"), render=_drain, phase=Phase.DRAIN, remote=False, internal=True))
register(ActionSpec(
    "resume-node", "Resume a paused cluster node", (Param("cluster", "Cluster"),), ("hosts",), ("the node is back",),
    ("the node takes VMs again",), restart=False, offline=False, duration_min=1,
    commands=("Import-Module", "Resume-ClusterNode", "Out-Null"), render=_resume, phase=Phase.RESUME, remote=False, internal=True))
