"""What changed between two snapshots of one estate: per object, the field paths whose value differs.

Objects are matched by kind and name (case-insensitive, as Windows names are); a VM whose name two
VMs of one snapshot share is matched by name and host. Inside an object, a list whose entries all
carry a distinct `name` (services, NICs, volumes, ...) is matched by that name, so a reordered list is
no change; any other list of records by position; a list of plain values (hotfixes, features) is one value.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import msgspec

from preflight.inventory.snapshot import ENTITY_LISTS, Snapshot

ABSENT = "(not collected)"


@dataclass(frozen=True)
class FactChange:
    """One field of one object: its path inside the object, and the value before and after (rendered)."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class ObjectChange:
    """An object added, removed, or changed between the snapshots, with its changed facts."""

    kind: str
    name: str
    change: str   # "added", "removed" or "changed"
    facts: tuple[FactChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape: kind, name, change and the facts (path, old, new)."""
        return {"kind": self.kind, "name": self.name, "change": self.change,
                "facts": [{"path": f.path, "old": f.old, "new": f.new} for f in self.facts]}


def show(value: Any) -> str:
    """A snapshot value as one line: strings as they are, null as 'null', anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def _named(items: list[Any]) -> bool:
    names = [item.get("name") for item in items if isinstance(item, dict)]
    texts = [n for n in names if isinstance(n, str)]
    return len(texts) == len(items) and len({n.casefold() for n in texts}) == len(texts)


def flatten(value: Any, path: str, out: dict[str, str]) -> None:
    """Every leaf of `value` under `path` (`a.b`, `services[WinRM].state`, `volumes[0].free_gb`) as rendered text."""
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        named = _named(value)
        for i, item in enumerate(value):
            flatten(item, f"{path}[{item['name'] if named else i}]", out)
    else:
        out[path] = show(value)


def _objects(snapshot: Snapshot, kind: str) -> dict[str, tuple[str, dict[str, str]]]:
    """kind's objects by matching key: (display name, flattened facts)."""
    items = [msgspec.to_builtins(item) for item in getattr(snapshot, kind)]
    shared = Counter(str(item.get("name", "")).casefold() for item in items)
    objects: dict[str, tuple[str, dict[str, str]]] = {}
    for item in items:
        name = str(item.get("name", ""))
        if kind == "vms" and shared[name.casefold()] > 1:
            name = f"{name} (on {item.get('host', '?')})"
        facts: dict[str, str] = {}
        flatten(item, "", facts)
        objects[name.casefold()] = (name, facts)
    return objects


def changed_facts(old: Snapshot, new: Snapshot) -> tuple[ObjectChange, ...]:
    """Objects added, removed or changed from `old` to `new`, in the snapshot's entity order."""
    changes: list[ObjectChange] = []
    for kind in ENTITY_LISTS:
        before, after = _objects(old, kind), _objects(new, kind)
        for key, (name, facts) in before.items():
            if key not in after:
                changes.append(ObjectChange(kind, name, "removed"))
                continue
            now = after[key][1]
            diffs = tuple(FactChange(path, facts.get(path, ABSENT), now.get(path, ABSENT))
                          for path in [*facts, *(p for p in now if p not in facts)]
                          if facts.get(path, ABSENT) != now.get(path, ABSENT))
            if diffs:
                changes.append(ObjectChange(kind, after[key][0], "changed", diffs))
        changes += [ObjectChange(kind, name, "added") for key, (name, _) in after.items() if key not in before]
    return tuple(changes)
