"""Load-time checks that names used as references resolve (Windows names are case-insensitive)."""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import UNSET

from preflight.errors import InputError
from preflight.inventory.index import group_vms
from preflight.inventory.refs import REFERENCE_FIELDS, Named
from preflight.inventory.snapshot import ENTITY_LISTS, Snapshot
from preflight.inventory.vms import Vm


def _names(items: Iterable[Named]) -> set[str]:
    return {item.name.lower() for item in items}


_TARGETS = frozenset(field.target for field in REFERENCE_FIELDS)
"""The lists a reference may name: only their names are gathered."""

Origin = dict[int, tuple[str, int]]
"""For each entity of a merged estate (by ``id``): the file it came from and its index in that file's list."""


class _Checker:
    def __init__(self, snapshot: Snapshot, default_file: str, origin: Origin) -> None:
        self.snapshot = snapshot
        self.default_file = default_file
        self.origin = origin
        self.names = {kind: _names(getattr(snapshot, kind)) for kind in _TARGETS}

    def fail(self, owner: object, kind: str, index: int, field: str, problem: str) -> None:
        """Refuse `field` of entity `index` of list `kind`: named as it stands in the file the entity came from
        (in a merged estate, `index` counts every part's entities, which is no file's position)."""
        file, at = self.origin.get(id(owner), (self.default_file, index))
        raise InputError(file, f"$.{kind}[{at}].{field}", problem)

    def ref(self, owner: object, kind: str, index: int, field: str, value: object, target: str) -> None:
        if value is None or value is UNSET:
            return
        if str(value).lower() not in self.names[target]:
            self.fail(owner, kind, index, field, f"'{value}' does not name an entry of {target}")


def _vm_clash(seen: set[tuple[str, ...]], vm: Vm) -> str | None:
    """'id' or 'name' when an earlier VM on the same host is this one; None when it is a VM of its own.

    Hyper-V tells VMs apart by id, so two VMs of one name on one host are two VMs when both ids are known
    and differ; without an id, the name on the host is all there is. The same name or id on another host is
    another VM (a Replica copy, a test VM).
    """
    host, name = vm.host.casefold(), vm.name.casefold()
    if vm.id is UNSET:
        return "name" if ("name", host, name) in seen or ("name-with-id", host, name) in seen else None
    if ("id", host, vm.id.casefold()) in seen:
        return "id"
    return "name" if ("name", host, name) in seen else None


def _check_unique(checker: _Checker) -> None:
    for kind in ENTITY_LISTS:
        if kind == "vms":
            _check_unique_vms(checker)
            continue
        seen: set[str] = set()
        for index, item in enumerate(getattr(checker.snapshot, kind)):
            key = item.name.lower()
            if key in seen:
                checker.fail(item, kind, index, "name", f"duplicate name '{item.name}' in {kind}")
            seen.add(key)


def _no_vm_clash(vms: list[Vm]) -> bool:
    """True when no two VMs share a host and a name, or a host and an id: then no VM clashes with another
    (the usual estate, told by counting per host instead of the loop below, which names the first clash)."""
    for group in group_vms(vms, "host").values():
        if len({vm.name.casefold() for vm in group}) != len(group):
            return False
        ids = [vm.id.casefold() for vm in group if vm.id is not UNSET]
        if len(set(ids)) != len(ids):
            return False
    return True


def _check_unique_vms(checker: _Checker) -> None:
    if _no_vm_clash(checker.snapshot.vms):
        return
    seen: set[tuple[str, ...]] = set()
    for index, vm in enumerate(checker.snapshot.vms):
        clash = _vm_clash(seen, vm)
        if clash == "id":
            checker.fail(vm, "vms", index, "id", f"duplicate VM id '{vm.id}' on host '{vm.host}'")
        if clash == "name":
            checker.fail(vm, "vms", index, "name", f"duplicate VM '{vm.name}' on host '{vm.host}' "
                                                "(a VM is one per host and name, or per host and id)")
        host, name = vm.host.casefold(), vm.name.casefold()
        if vm.id is UNSET:
            seen.add(("name", host, name))
        else:
            seen.add(("id", host, vm.id.casefold()))
            seen.add(("name-with-id", host, name))


def _check_hosts(checker: _Checker) -> None:
    snap = checker.snapshot
    cluster_of = {node.lower(): c.name for c in snap.clusters for node in c.nodes}
    for i, host in enumerate(snap.hosts):
        listed = cluster_of.get(host.name.lower())
        if host.cluster and listed and listed.lower() != host.cluster.lower():
            checker.fail(host, "hosts", i, "cluster", f"'{host.cluster}' but cluster '{listed}' lists this host as a node")
        nic_names = {n.name.lower() for n in host.nics} if host.nics is not UNSET else None
        team_names = {t.name.lower() for t in host.teams} if host.teams is not UNSET else set()
        if host.teams is not UNSET and nic_names is not None:
            for t, team in enumerate(host.teams):
                for m, member in enumerate(team.members):
                    if member.name.lower() not in nic_names:
                        checker.fail(host, "hosts", i, f"teams[{t}].members[{m}].name",
                                     f"'{member.name}' does not name an entry of this host's nics")
        if host.virtual_switches is not UNSET and nic_names is not None:
            for s, switch in enumerate(host.virtual_switches):
                adapter = switch.net_adapter
                if adapter is not UNSET and adapter.lower() not in nic_names | team_names:
                    checker.fail(host, "hosts", i, f"virtual_switches[{s}].net_adapter",
                                 f"'{adapter}' does not name a NIC or team of this host")


def _check_reference_fields(checker: _Checker) -> None:
    """Every field of the shared table (`refs.REFERENCE_FIELDS`) names an existing entry."""
    for field in REFERENCE_FIELDS:
        entities = getattr(checker.snapshot, field.entity)
        if len(field.path) == 1 and not field.many:   # a plain field (vms[].host on 100k VMs): each text once
            attribute, known_names = field.path[0], checker.names[field.target]
            values = {getattr(entity, attribute) for entity in entities}
            wrong = {v for v in values if v is not None and v is not UNSET and v.lower() not in known_names}
            for i, entity in enumerate(entities if wrong else ()):   # the first entity naming one, in list order
                if getattr(entity, attribute) in wrong:
                    checker.ref(entity, field.entity, i, attribute, getattr(entity, attribute), field.target)
            continue
        for i, entity in enumerate(entities):
            for suffix, name in field.names(entity):
                checker.ref(entity, field.entity, i, suffix, name, field.target)


def check_references(snapshot: Snapshot, default_file: str, origin: Origin | None = None) -> None:
    """Raise `InputError` for the first duplicate name or reference that does not resolve, naming the file and
    position of the entity at fault (`origin`, from `load.merge_snapshots`; else `default_file` as indexed)."""
    checker = _Checker(snapshot, default_file, origin or {})
    _check_unique(checker)
    _check_reference_fields(checker)
    _check_hosts(checker)
