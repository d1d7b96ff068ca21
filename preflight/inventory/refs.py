"""Object identity and references between entities.

`ObjectRef` is how every stage names an object of the estate (a host, a team on a host, a CSV of a cluster,
a VM): built once by the estate, carried by findings, read by the planner, the emulator and the reports, so
no stage splits "OWNER/item" text again. `REFERENCE_FIELDS` says which snapshot fields name another entity:
one table, read by the load-time reference check and by the emulator when Windows renames a computer, so
the two can never disagree about what a name is used for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from msgspec import UNSET


class Named(Protocol):
    """An entity of the snapshot: every entity has a (computer, cluster, VM, ...) name."""

    name: str

COMPUTER_LISTS: tuple[str, ...] = ("vmm_servers", "sql_servers", "hosts", "library_servers")
"""Entity lists whose entries are Windows computers (one computer may stand in several, by name)."""

HOSTS, CLUSTERS, VMS = "hosts", "clusters", "vms"
CSVS, HOST_TEAMS, VM_TEAMS, REPLICATED_VMS = "csvs", "host_teams", "vm_teams", "replicated_vms"
ITEM_OWNER_KINDS: dict[str, str] = {CSVS: CLUSTERS, HOST_TEAMS: HOSTS, VM_TEAMS: VMS}
"""Target kinds whose objects are items named within another object (item kind -> the owner's kind)."""
VM_KINDS = frozenset({VMS, REPLICATED_VMS})
"""Target kinds whose objects are VMs (a replicated VM is a VM seen with its replication)."""
COMPUTER_KINDS = frozenset({*COMPUTER_LISTS, "replica_servers"})
"""Target kinds whose objects are named by a computer name (which Rename-Computer changes)."""


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Which object of the estate: its target kind, its own name and what that name is unique within.

    `owner` is set exactly when the name alone does not identify the object: a team's host (or VM), a CSV's
    cluster, and the host of a VM whose name another VM of the estate shares (a Replica copy, a namesake
    test VM). A VM with a unique name has no owner, so its identity (and its findings' fingerprints) does
    not change when it moves to another host.
    """

    kind: str
    name: str
    owner: ObjectRef | None = None

    @property
    def label(self) -> str:
        """The name users see and waivers match: 'HOST/team', 'CLUSTER/volume', 'VM/team' for items, else the
        name (a namesake VM's host is shown beside its name, never inside it)."""
        if self.kind in ITEM_OWNER_KINDS and self.owner is not None:
            return f"{self.owner.name}/{self.name}"
        return self.name

    @property
    def vm_host(self) -> str | None:
        """The host of a namesake VM this object is (or is an item of), which the label does not show; else None."""
        hidden = self.owner.owner if self.kind in ITEM_OWNER_KINDS and self.owner is not None else self.owner
        return hidden.name if hidden is not None else None

    def renamed(self, renames: dict[str, str]) -> ObjectRef:
        """The same object after computers were renamed (`renames`: casefolded old name -> new name).

        Only names of computers change (hosts, VMM, SQL and library servers, Replica servers): a VM's, a
        cluster's or a team's name is not a computer name, even when it happens to be spelt like one.
        """
        owner = self.owner.renamed(renames) if self.owner is not None else None
        name = renames.get(self.name.casefold(), self.name) if self.kind in COMPUTER_KINDS else self.name
        return self if (owner is self.owner and name == self.name) else ObjectRef(self.kind, name, owner)


@dataclass(frozen=True)
class RefField:
    """A field of the entities in `entity` that names an entry of `target` (a list of names when `many`)."""

    entity: str
    path: tuple[str, ...]
    target: str
    many: bool = False

    # Any in the methods below: `entity` is an entry of any entity list (VMM server, cluster, host, VM, ...), read
    # by the attribute names of `path`; the table, not the type checker, says which fields exist.

    @property
    def dotted(self) -> str:
        """The field's path from its entity, e.g. 'vmm.database.server'."""
        return ".".join(self.path)

    def owner(self, entity: Any) -> Any:
        """The object holding the field (None when a part of the way was not collected or is null)."""
        for part in self.path[:-1]:
            entity = getattr(entity, part, None)
            if entity is None or entity is UNSET:
                return None
        return entity

    def names(self, entity: Any) -> Iterator[tuple[str, str]]:
        """(path suffix from the entity, name) of every name this field of `entity` holds."""
        owner = self.owner(entity)
        value = getattr(owner, self.path[-1], None) if owner is not None else None
        if value is None or value is UNSET:
            return
        if self.many:
            for index, name in enumerate(value):
                yield f"{self.dotted}[{index}]", name
        else:
            yield self.dotted, value

    def rename(self, entity: Any, old: str, new: str) -> None:
        """Replace the name `old` (case-insensitively) by `new` in this field of `entity`."""
        owner = self.owner(entity)
        value = getattr(owner, self.path[-1], None) if owner is not None else None
        if value is None or value is UNSET:
            return
        key = old.casefold()
        if self.many:
            setattr(owner, self.path[-1], [new if n.casefold() == key else n for n in value])
        elif value.casefold() == key:
            setattr(owner, self.path[-1], new)


REFERENCE_FIELDS: tuple[RefField, ...] = (
    RefField("vmm_servers", ("vmm", "database", "server"), "sql_servers"),
    RefField("vmm_servers", ("library_servers",), "library_servers", many=True),
    RefField("library_servers", ("managed_by",), "vmm_servers"),
    RefField("vcenters", ("managed_by",), "vmm_servers"),
    RefField("clusters", ("managed_by",), "vmm_servers"),
    RefField("clusters", ("nodes",), "hosts", many=True),
    RefField("hosts", ("cluster",), "clusters"),
    RefField("hosts", ("managed_by",), "vmm_servers"),
    RefField("hosts", ("vcenter",), "vcenters"),
    RefField("vms", ("host",), "hosts"),
)
"""Every field that names another entity, by entity list (nested lists such as team members are checked
within their own entity by `references.py`)."""
