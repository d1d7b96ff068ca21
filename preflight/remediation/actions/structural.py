"""Steps the planner inserts around actions: restarts, draining a cluster node, resuming it."""

from __future__ import annotations

from preflight.remediation.actions.base import DCOM, ActionSpec, Invocation, Param, register
from preflight.remediation.actions.phases import Phase
from preflight.remediation.literals import ps_quote as q


def _restart(inv: Invocation) -> list[str]:
    # Over WMI, not remoting: the restart works on a server whose WinRM is stopped, and so does the wait.
    # A pending rename takes effect now: the computer comes back under its new name (comes_back_as).
    back = inv.p("comes_back_as") or inv.server
    return [f"$booted = (Get-WmiObject -Class Win32_OperatingSystem -ComputerName {q(inv.server)}).LastBootUpTime",
            f"Restart-Computer -ComputerName {q(inv.server)} -Force",
            f"Wait-PreflightComputer -ComputerName {q(back)} -BootedBefore $booted"]


def _no_restart_pending(inv: Invocation) -> list[str]:
    if not inv.p("comes_back_as"):
        return [f"-not (Test-PreflightRestartPending -ComputerName {q(inv.server)})"]
    # done once the computer answers to its new name with nothing pending; until the restart that name does not resolve
    return ["$pending = $null",
            f"try {{ $pending = Test-PreflightRestartPending -ComputerName {q(inv.p('comes_back_as'))} }} catch {{ $pending = $null }}",
            "$pending -eq $false"]


def _drain(inv: Invocation) -> list[str]:
    """Pause the node, then live-migrate each VM the node still owns to the node the plan chose (PowerShell 2.0
    cluster cmdlets); a VM another node owns already (a rerun after the node was resumed) stays where it is."""
    lines = ["Import-Module FailoverClusters",
             f"Suspend-ClusterNode -Cluster {q(inv.p('cluster'))} -Name {q(inv.server)} | Out-Null"]
    for move in inv.moves:
        lines.append(f"Get-ClusterGroup -Cluster {q(inv.p('cluster'))} -Name {q(move.vm)} | "
                     f"Where-Object {{ $_.OwnerNode.Name -eq {q(inv.server)} }} | "
                     f"Move-ClusterVirtualMachineRole -Node {q(move.target)} | Out-Null")
    return lines


def _drained(inv: Invocation) -> list[str]:
    vms = "@(" + ", ".join(q(m.vm) for m in inv.moves) + ")"
    return ["Import-Module FailoverClusters",
            f"$node = Get-ClusterNode -Cluster {q(inv.p('cluster'))} -Name {q(inv.server)}",
            f"$left = @(Get-ClusterGroup -Cluster {q(inv.p('cluster'))} | Where-Object {{ "
            f"$_.OwnerNode.Name -eq {q(inv.server)} -and {vms} -contains $_.Name }})",
            "[string]$node.State -eq 'Paused' -and $left.Count -eq 0"]


def _resume(inv: Invocation) -> list[str]:
    return ["Import-Module FailoverClusters",
            f"Resume-ClusterNode -Cluster {q(inv.p('cluster'))} -Name {q(inv.server)} | Out-Null"]


def _resumed(inv: Invocation) -> list[str]:
    return ["Import-Module FailoverClusters",
            f"[string](Get-ClusterNode -Cluster {q(inv.p('cluster'))} -Name {q(inv.server)}).State -eq 'Up'"]


register(ActionSpec(
    "restart-computer", "Restart the computer (activates pending hotfixes, features, renames, domain joins)",
    (Param("comes_back_as", "The new name a pending rename gives it (set by the planner)", pattern=r"[A-Za-z0-9-]{1,15}",
           required=False),),
    ("vmm_servers", "sql_servers", "hosts", "library_servers"), ("nothing else is running on it",),
    ("services come back by start mode; VMs on a standalone host stop and start again",),
    restart=False, offline=True, duration_min=10, commands=("Get-WmiObject", "Restart-Computer", "Wait-PreflightComputer", "Test-PreflightRestartPending"),
    render=_restart, test=_no_restart_pending, phase=Phase.RESTART, remote=False, internal=True,
    channels=(DCOM,)))
register(ActionSpec(
    "drain-node", "Pause a cluster node and live-migrate its VMs away",
    (Param("cluster", "Cluster"),), ("hosts",),
    ("the other nodes have memory for the VMs",), ("no VM runs on the node",), restart=False, offline=False,
    duration_min=5, commands=("Import-Module", "Suspend-ClusterNode", "Get-ClusterGroup", "Move-ClusterVirtualMachineRole",
                              "Out-Null", "Get-ClusterNode", "Where-Object"), render=_drain, test=_drained, phase=Phase.DRAIN, remote=False,
    internal=True))
register(ActionSpec(
    "resume-node", "Resume a paused cluster node", (Param("cluster", "Cluster"),), ("hosts",), ("the node is back",),
    ("the node takes VMs again",), restart=False, offline=False, duration_min=1,
    commands=("Import-Module", "Resume-ClusterNode", "Out-Null", "Get-ClusterNode"), render=_resume, test=_resumed,
    phase=Phase.RESUME, remote=False, internal=True))
