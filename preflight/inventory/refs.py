"""Which snapshot fields name another entity: one table, read by the load-time reference check and by the
emulator when Windows renames a computer, so the two can never disagree about what a name is used for."""

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


@dataclass(frozen=True)
class RefField:
    """A field of the entities in `entity` that names an entry of `target` (a list of names when `many`)."""

    entity: str
    path: tuple[str, ...]
    target: str
    many: bool = False

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
