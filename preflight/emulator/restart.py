"""Restarts and cluster node maintenance: what comes back, which VMs stop, where VMs live-migrate to."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from preflight.emulator.effects import Applied, Refused, Request, effect, ok
from preflight.emulator.state import RESTART_MIN, EmulatedEstate, Outage, known
from preflight.inventory.moves import Move
from preflight.inventory.refs import COMPUTER_LISTS, REFERENCE_FIELDS


def _rename_everywhere(state: EmulatedEstate, old: str, new: str) -> None:
    """Windows renames the computer; every reference the estate holds follows."""
    key = old.casefold()
    snap = state.snapshot
    state.renames[key] = new
    for kind in COMPUTER_LISTS:   # one computer may stand in several lists (a VMM server that is its own SQL)
        for item in getattr(snap, kind):
            if item.name.casefold() == key:
                item.name = new
                if known(item.fqdn) and "." in item.fqdn:
                    item.fqdn = f"{new.lower()}.{item.fqdn.split('.', 1)[1]}"
    for field in REFERENCE_FIELDS:   # the same table the load-time reference check reads
        if field.target in COMPUTER_LISTS:
            for entity in getattr(snap, field.entity):
                field.rename(entity, old, new)
    state.reindex()


def _services_after_restart(record: Any) -> None:
    if not known(getattr(record, "services", UNSET)):
        return
    for service in record.services:
        if service.start_mode in ("Auto", "Boot", "System"):
            service.state = "Running"
        elif service.start_mode in ("Manual", "Disabled"):
            service.state = "Stopped"


def restart_computer(state: EmulatedEstate, name: str, minutes: int = RESTART_MIN) -> list[Outage]:
    """Restart a computer: apply pending changes, bring services back by start mode, stop its VMs meanwhile."""
    records = state.computers(name)
    if not records:
        raise Refused(f"no computer named '{name}' in the estate")
    drained = name.casefold() in state.paused  # VMs left on a paused node were counted when it was drained
    outages = [] if drained else [Outage(vm.name, minutes, f"host {name} restarts")
                                  for vm in state.vms_on(name) if vm.state == "Running"]
    pending = state.pending.pop(name.casefold(), None)
    for record in records:
        if pending and pending.hotfixes and hasattr(record, "hotfixes"):
            record.hotfixes = [*(record.hotfixes if known(record.hotfixes) else []), *pending.hotfixes]
        if pending and pending.features and hasattr(record, "windows_features"):
            record.windows_features = [*(record.windows_features if known(record.windows_features) else []),
                                       *pending.features]
        if pending and pending.domain and hasattr(record, "domain"):
            record.domain = pending.domain
        _services_after_restart(record)
        if hasattr(record, "last_boot") and state.clock is not None:
            record.last_boot = state.clock
    if pending and pending.new_name:
        _rename_everywhere(state, name, pending.new_name)
    state.outages.extend(outages)
    return outages


@effect("restart-computer")
def _restart(state: EmulatedEstate, request: Request) -> Applied:
    expected = request.p("comes_back_as")
    if expected:   # the script waits for the new name a pending rename gives the computer at this restart
        pending = state.pending.get(request.name.casefold())
        new = pending.new_name if pending is not None and pending.new_name else None
        if new is None or new.casefold() != expected.casefold():
            raise Refused(f"{request.name} comes back as {new or request.name}, not {expected} (no rename to "
                          f"{expected} is pending): waiting for {expected} times out")
    restart_computer(state, request.name)
    return ok(True)


def _check_moves(state: EmulatedEstate, node: Any, moves: tuple[Move, ...]) -> list[tuple[Any, Any]]:
    """The (VM, target node) of each move, checked the way the cluster would refuse it, in script order."""
    cluster = state.cluster_of(node)
    members = {n.casefold() for n in cluster.nodes}
    arriving: dict[str, float] = {}
    checked: list[tuple[Any, Any]] = []
    for move in moves:
        if move.source.casefold() not in (node.name.casefold(), str(node.fqdn).casefold()):
            raise Refused(f"moving '{move.vm}': no such VM on {node.name}")
        vm = state.vm(move.vm, node.name)
        if vm is None and any(state.vm(move.vm, other) is not None for other in cluster.nodes):
            continue  # another node owns it already (a rerun): the script moves only VMs the node still owns
        if vm is None:
            raise Refused(f"moving '{move.vm}': no such VM on {node.name}")
        if any(vm is earlier for earlier, _ in checked):
            raise Refused(f"moving '{vm.name}': moved twice by one drain")
        target = state.host(move.target)
        if target is None or target is node or target.name.casefold() not in members:
            raise Refused(f"moving '{vm.name}': '{move.target}' is not another node of cluster {cluster.name}")
        if target.name.casefold() in state.paused:
            raise Refused(f"moving '{vm.name}': node {target.name} is paused and takes no VMs")
        if vm.highly_available is not True:
            raise Refused(f"moving '{vm.name}': not a clustered (highly available) VM, so it cannot live-migrate")
        need = vm.memory_gb if known(vm.memory_gb) and vm.state == "Running" else 0.0
        free = state.free_memory_gb(target)
        if free is None:
            raise Refused(f"moving '{vm.name}': the memory of {target.name} is not in the snapshot")
        key = target.name.casefold()
        if free - arriving.get(key, 0.0) < need:
            raise Refused(f"moving '{vm.name}' ({need:g} GB): {target.name} has "
                          f"{free - arriving.get(key, 0.0):g} GB free")
        arriving[key] = arriving.get(key, 0.0) + need
        checked.append((vm, target))
    return checked


def drain_node(state: EmulatedEstate, name: str, moves: tuple[Move, ...], minutes: int) -> list[Outage]:
    """Pause a node and live-migrate exactly the VMs `moves` name; running VMs left on it are down for `minutes`.

    A move the cluster would refuse (no such VM, a paused or foreign target, a VM that is not highly
    available, not enough memory on the target) refuses the whole drain and changes nothing.
    """
    node = state.host(name)
    if node is None or state.cluster_of(node) is None:
        raise Refused(f"'{name}' is not a node of a cluster in the estate")
    for vm, target in _check_moves(state, node, moves):
        state.move_vm(vm, target.name)
    state.paused.add(node.name.casefold())
    outages = [Outage(vm.name, minutes, f"left on {node.name} while it is paused for maintenance")
               for vm in state.vms_on(node.name) if vm.state == "Running"]
    state.outages.extend(outages)
    return outages


@effect("drain-node")
def _drain(state: EmulatedEstate, request: Request) -> Applied:
    drain_node(state, request.name, request.moves, int(request.p("minutes") or RESTART_MIN))
    return ok(True)


@effect("resume-node")
def _resume(state: EmulatedEstate, request: Request) -> Applied:
    node = state.host(request.name)
    if node is None:
        raise Refused(f"no host named '{request.name}'")
    changed = node.name.casefold() in state.paused
    state.paused.discard(node.name.casefold())
    return ok(changed)


@effect("restart-cluster-nodes")
def _restart_nodes(state: EmulatedEstate, request: Request) -> Applied:
    """Each listed node in turn: paused with its VMs where they run (a drain step moves them first), restarted,
    resumed; running VMs left on a node are down for the restart."""
    cluster = state.cluster(request.name)
    if cluster is None:
        raise Refused(f"no cluster named '{request.name}'")
    members = {n.casefold() for n in cluster.nodes}
    names = [n.strip() for n in request.p("nodes").split(",") if n.strip()]
    for name in names:
        if name.casefold() not in members:
            raise Refused(f"'{name}' is not a node of cluster {cluster.name}")
    for name in names:
        restart_computer(state, name)
    return ok(bool(names))
