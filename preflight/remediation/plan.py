"""From findings to an ordered, de-duplicated runbook.

Order: first a backup of every database a later destructive step puts at risk (collation rebuild,
uninstall, the VMM 2012 upgrade); then SQL Servers, then VMM servers, library servers, standalone hosts, cluster nodes one at a time
(drain: live-migrate VMs to nodes with memory free; act; restart; resume), cluster-wide steps, and last
the VMM 2012 upgrade itself (the point of no return). Each step then gets its channel (`channels.route`):
a server whose WinRM is stopped has it started over DCOM before its first step that needs WinRM. On each server: actions by phase (old WAIK out
before the new one goes in, hotfixes and features before the one restart that activates them), then
the restart, then what must run after it (starting services).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from msgspec import UNSET

from preflight.engine.findings import Finding, Status
from preflight.inventory.clusters import Cluster
from preflight.inventory.common import known
from preflight.inventory.hosts import Host
from preflight.inventory.index import SnapshotIndex
from preflight.inventory.moves import Move
from preflight.inventory.snapshot import Snapshot
from preflight.inventory.vms import Vm
from preflight.remediation.actions import ACTIONS
from preflight.remediation.actions.base import ActionSpec
from preflight.remediation.backups import backups_needed
from preflight.remediation.channels import route
from preflight.remediation.node_restarts import CACHE_SIZE, RESTART_NODES, NodeRestart, node_restarts
from preflight.remediation.params import derive_params
from preflight.remediation.renames import follow_renames
from preflight.remediation.replica_listeners import follow_authentication, merge_server_authentication
from preflight.remediation.runbook import Plan, Step, VmOutage
from preflight.remediation.targets import Resolved, os_version, resolve

RESTART_MIN = ACTIONS["restart-computer"].duration_min
HOST_RESERVE_GB = 2.0
_SERVER_RANK = {"sql_servers": 0, "vmm_servers": 1, "library_servers": 2, "vcenters": 3, "hosts": 4, "host_teams": 4,
                "vms": 4, "vm_teams": 5, "clusters": 7, "csvs": 7}


@dataclass
class _Draft:
    action: str
    where: Resolved
    params: dict[str, str]
    findings: list[str] = field(default_factory=list)
    blocked: str | None = None


def _key(draft: _Draft) -> tuple[Any, ...]:
    scope = ACTIONS[draft.action].scope
    if scope is not None:  # one step for an effect shared beyond its object (the domain's DKM container)
        return (draft.action, *(part.casefold() for part in scope(draft.params)))
    where = draft.where   # the server tells apart namesake VMs (a Replica copy) that need the same fix
    return (draft.action, where.object_kind, where.object_name.casefold(), where.server.casefold(),
            tuple(sorted(draft.params.items())))


def _drafts(findings: Iterable[Finding], index: SnapshotIndex) -> tuple[list[_Draft], list[tuple[str, str]]]:
    drafts: dict[tuple[Any, ...], _Draft] = {}
    unplanned: list[tuple[str, str]] = []
    for finding in findings:
        if finding.status is not Status.FAIL:
            continue
        fix_params = dict(finding.fix_params)
        spec: ActionSpec | None
        if finding.fix_action is None:  # no automated fix: the rule's remediation becomes a manual step
            spec, fix_params = ACTIONS["manual"], {"instruction": finding.remediation}
        else:
            spec = ACTIONS.get(finding.fix_action)
        if spec is None or spec.internal:
            unplanned.append((finding.rule, finding.target.name))
            continue
        places = resolve(index, finding.target.ref, spec.name)
        if not places:
            unplanned.append((finding.rule, finding.target.name))
            continue
        for where in places:
            if not spec.needed(where.object_kind, {k: v for k, v in fix_params.items() if v != ""}):
                continue
            params, problem = derive_params(spec.name, where, fix_params, index, finding.target.name)
            draft = _Draft(spec.name, where, params, blocked=problem or "; ".join(spec.problems(params)) or None)
            draft = drafts.setdefault(_key(draft), draft)
            if finding.fingerprint not in draft.findings:
                draft.findings.append(finding.fingerprint)
    merged = merge_server_authentication(list(drafts.values()))
    return follow_authentication(merged, index, lambda host, rule: _firewall_draft(host, rule, index)), unplanned


def _firewall_draft(host: str, rule: str, index: SnapshotIndex) -> _Draft:
    where = Resolved("hosts", host, host, os_version=os_version(index, host))
    return _Draft("enable-firewall-rule", where, {"rule": rule})


class _Fleet:
    """The shared index of the snapshot a plan is built for, and where the plan has put each running VM so far.

    The view evolves as steps are planned, in plan order: a VM an earlier drain moved to another node
    runs there when that node's turn comes, so that node's drain must move it again.
    """

    def __init__(self, snapshot: Snapshot, index: SnapshotIndex | None = None) -> None:
        if index is not None and index.snapshot is not snapshot:
            raise ValueError("the index given is not over the snapshot planned for")
        self.index = index if index is not None else SnapshotIndex(snapshot)
        self._running: dict[str, list[Vm]] = {}

    def host(self, name: str) -> Host | None:
        """The host called `name` (or with that FQDN), or None."""
        return self.index.host(name)

    def cluster_of(self, host: Host | None) -> Cluster | None:
        """The cluster `host` is a node of, or None."""
        return self.index.cluster_of(host)

    def running_on(self, host: str) -> list[Vm]:
        """Running VMs on `host` at this point of the plan: snapshot order, then VMs moved there in move order."""
        record = self.index.host(host)
        if record is None:
            return []
        key = record.name.casefold()
        if key not in self._running:
            self._running[key] = [vm for vm in self.index.vms_on(record.name) if vm.state == "Running"]
        return self._running[key]

    def move(self, vm: Vm, source: Host, target: Host) -> None:
        """Record that the plan live-migrates `vm` from `source` to `target`."""
        self.running_on(source.name).remove(vm)
        self.running_on(target.name).append(vm)

    def free_gb(self, host: Host) -> float | None:
        """Memory left on `host` for more running VMs at this point of the plan, or None when not collected."""
        if host.hardware is UNSET or host.hardware.memory_gb is UNSET:
            return None
        used = sum(vm.memory_gb for vm in self.running_on(host.name) if vm.memory_gb is not UNSET)
        return host.hardware.memory_gb - HOST_RESERVE_GB - used


def _memory(vm: Vm) -> float:
    return vm.memory_gb if vm.memory_gb is not UNSET else 0.0


def _drain_moves(fleet: _Fleet, node: Host, cluster: Cluster, minutes: int) -> tuple[list[Move], list[VmOutage]]:
    """Live-migration targets by free memory (largest VM first, to the node with the most left);
    VMs that cannot move are down while the node is worked on. The moves are recorded in `fleet`."""
    moves, down = [], []
    for vm in sorted(fleet.running_on(node.name), key=lambda v: (-_memory(v), v.name)):
        need = _memory(vm)
        options = [(free, other.name, other) for other in fleet.index.nodes(cluster)
                   if other is not node and (free := fleet.free_gb(other)) is not None and free >= need]
        if vm.highly_available is not True or not options:
            why = "not highly available" if vm.highly_available is not True else "no other node has the memory"
            down.append(VmOutage(vm.name, minutes, f"cannot live-migrate off {node.name} ({why})"))
            continue
        target = max(options, key=lambda option: option[:2])[2]
        fleet.move(vm, node, target)
        moves.append(Move(vm.name, node.name, target.name))
    return moves, down


def _server_steps(server: str, drafts: list[_Draft], fleet: _Fleet, activates: NodeRestart | None = None) -> list[Step]:
    """The steps of one server: drain, actions by phase, one restart, after-restart actions, resume.

    `activates` is a restart this server owes a change made elsewhere (a 2012 cluster's CSV block cache
    size): the server is restarted even when none of its own actions needs it.
    """
    drafts = sorted(drafts, key=lambda d: (ACTIONS[d.action].phase, d.action, d.where.object_name))
    applied = [d for d in drafts if not d.blocked and not ACTIONS[d.action].manual]
    restart = bool(activates) or any(ACTIONS[d.action].needs_restart(d.params) for d in applied)
    offline = any(ACTIONS[d.action].offline for d in applied)
    host = fleet.host(server)
    cluster = fleet.cluster_of(host)
    work_min = sum(ACTIONS[d.action].duration_min for d in applied) + (RESTART_MIN if restart else 0)
    os = drafts[0].where.os_version if drafts else os_version(fleet.index, server)
    kind = drafts[0].where.object_kind if drafts else "hosts"
    steps: list[Step] = []
    drained = host is not None and cluster is not None and (restart or offline)
    if drained and host is not None and cluster is not None:
        moves, down = _drain_moves(fleet, host, cluster, work_min)
        steps.append(Step(0, "drain-node", host.name, "hosts", host.name, (("cluster", cluster.name),),
                          os_version=os, duration_min=ACTIONS["drain-node"].duration_min, vms_down=tuple(down),
                          note=f"{len(moves)} VM(s) live-migrated", moves=tuple(moves)))
    standalone_vms = fleet.running_on(server) if host is not None and cluster is None else []

    def step(d: _Draft) -> Step:
        spec = ACTIONS[d.action]
        vms_down = tuple(VmOutage(vm.name, spec.duration_min, f"{spec.name} takes {server} offline")
                         for vm in standalone_vms) if spec.offline and not d.blocked else ()
        return Step(0, d.action, d.where.server, d.where.object_kind, d.where.object_name,
                    tuple(sorted(d.params.items())), d.where.item, d.where.os_version,
                    restart=spec.needs_restart(d.params) and not d.blocked, duration_min=spec.duration_min,
                    vms_down=vms_down, findings=tuple(d.findings), manual=spec.manual,
                    point_of_no_return=spec.point_of_no_return and not d.blocked, blocked=d.blocked)

    steps += [step(d) for d in drafts if not ACTIONS[d.action].after_restart]
    if restart:
        steps.append(Step(0, "restart-computer", server, kind, server, os_version=os, duration_min=RESTART_MIN,
                          note=activates.reason if activates else "",
                          findings=tuple(activates.findings) if activates else (),
                          vms_down=tuple(VmOutage(vm.name, RESTART_MIN, f"host {server} restarts") for vm in standalone_vms)))
    steps += [step(d) for d in drafts if ACTIONS[d.action].after_restart]
    if drained and host is not None and cluster is not None:
        steps.append(Step(0, "resume-node", host.name, "hosts", host.name, (("cluster", cluster.name),), os_version=os,
                          duration_min=ACTIONS["resume-node"].duration_min))
    return steps


def _server_rank(server: str, drafts: list[_Draft], fleet: _Fleet) -> tuple[float, str]:
    rank: float = min((_SERVER_RANK.get(d.where.object_kind, 6) for d in drafts), default=5)
    host = fleet.host(server)
    if host is not None and host.cluster:
        rank = max(rank, 5)  # cluster nodes after standalone hosts, one at a time
    return rank, server.casefold()


def _group_rank(key: str, server: str, drafts: list[_Draft], fleet: _Fleet) -> tuple[float, str]:
    if key.startswith("cache:"):
        return 4.5, server.casefold()  # after standalone hosts, before the cluster nodes it needs restarted
    return _server_rank(server, drafts, fleet)


def _upgrade_steps(snapshot: Snapshot, index: SnapshotIndex) -> list[Step]:
    steps = []
    for s in snapshot.vmm_servers:
        if s.vmm in (None, UNSET):
            continue
        version = s.os.version if known(s.os) and known(s.os.version) else None
        # the database's SQL Server: the script re-checks it (version, edition, bitness, collation) before setup
        params, _ = derive_params(UPGRADE, Resolved("vmm_servers", s.name, s.name, os_version=version), {}, index, s.name)
        steps.append(Step(0, UPGRADE, s.name, "vmm_servers", s.name, tuple(sorted(params.items())), os_version=version,
                          duration_min=ACTIONS[UPGRADE].duration_min, point_of_no_return=True,
                          note="VMM 2012 setup; rolls back by itself if a prerequisite check fails"))
    return steps


UPGRADE = "upgrade-vmm-2012"


BACKUP = "backup-vmm-database"


def _with_backups(drafts: list[_Draft], upgrades: list[Step], index: SnapshotIndex) -> list[_Draft]:
    """`drafts` plus a backup of each database a destructive draft or upgrade puts at risk (once per database)."""
    destructive = [(d.action, d.where.object_name, d.params) for d in drafts if not d.blocked]
    destructive += [(s.action, s.object_name, s.param_dict) for s in upgrades]
    have = {_key(d) for d in drafts}
    for server in backups_needed(destructive, index):
        where = Resolved("vmm_servers", server, server, os_version=os_version(index, server))
        params, problem = derive_params(BACKUP, where, {}, index, server)
        draft = _Draft(BACKUP, where, params, blocked=problem)
        if _key(draft) not in have:
            have.add(_key(draft))
            drafts.append(draft)
    return drafts


def _backup_steps(drafts: list[_Draft]) -> list[Step]:
    return [Step(0, d.action, d.where.server, d.where.object_kind, d.where.object_name, tuple(sorted(d.params.items())),
                 os_version=d.where.os_version, duration_min=ACTIONS[d.action].duration_min, findings=tuple(d.findings),
                 blocked=d.blocked) for d in drafts]


def build_plan(findings: Iterable[Finding], snapshot: Snapshot, include_upgrade: bool = True,
               refused_renames: frozenset[str] = frozenset(), index: SnapshotIndex | None = None) -> Plan:
    """The runbook that fixes what can be fixed: backups of what is put at risk first, the VMM 2012 upgrade last.

    After a computer's rename and restart its steps address the new name, except for `refused_renames`
    (casefolded computer names whose rename the emulator refused: they keep their names). `index`: one already
    built over `snapshot` (the estate's; only read), else the plan builds its own."""
    fleet = _Fleet(snapshot, index)
    drafts, unplanned = _drafts(findings, fleet.index)
    upgrades = _upgrade_steps(snapshot, fleet.index) if include_upgrade else []
    drafts = _with_backups(drafts, upgrades, fleet.index)
    backups = [d for d in drafts if d.action == BACKUP]
    restarts, size_first = node_restarts(drafts, fleet.index)
    groups: dict[str, tuple[str, list[_Draft]]] = {}
    for draft in drafts:
        if draft.action == BACKUP or (draft.action == RESTART_NODES and not draft.blocked):
            continue  # backups come first; a node restart fix becomes each node's own turn
        key, server = draft.where.server.casefold(), draft.where.server
        if draft.action == CACHE_SIZE and key in size_first:
            key = "cache:" + key  # set before the nodes' restarts that activate it
        groups.setdefault(key, (server, []))[1].append(draft)
    for key, turn in restarts.items():
        groups.setdefault(key, (turn.node, []))
    ordered = sorted(((_group_rank(key, server, ds, fleet), server, ds) for key, (server, ds) in groups.items()),
                     key=lambda group: group[0])
    steps = _backup_steps(backups)
    for _, server, ds in ordered:
        steps += _server_steps(server, ds, fleet, restarts.get(server.casefold()))
    steps += upgrades
    steps = follow_renames(route(steps, fleet.index), refused_renames)
    return Plan(tuple(replace(s, number=i) for i, s in enumerate(steps, start=1)), tuple(unplanned))


def fix_order_problems(plan: Plan) -> list[str]:
    """Dependency violations in a plan: an action before one its spec says must come first on the same
    server (new WAIK before the old one is removed), a restart that never comes."""
    problems = []
    last = {(s.action, s.server.casefold()): s.number for s in plan.steps}
    for step in plan.steps:
        for before in ACTIONS[step.action].runs_after:
            other = last.get((before, step.server.casefold()))
            if other is not None and other > step.number:
                problems.append(f"step {step.number}: {step.action} runs before {before} (step {other})")
    return problems + _restart_problems(plan)


def _restart_problems(plan: Plan) -> list[str]:
    problems = []
    for step in plan.steps:
        if step.restart:
            later = [s for s in plan.steps if s.number > step.number and s.action == "restart-computer"
                     and s.server.casefold() == step.server.casefold()]
            if not later:
                problems.append(f"step {step.number}: needs a restart the plan never does")
    return problems

