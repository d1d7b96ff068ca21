"""Field paths used by rules: ``os.version``, ``services[WinRM].state``, ``@cluster.nodes``.

A path is a dot-separated list of attribute names. ``name[Key]`` selects the item of a list whose
``name`` equals ``Key`` (case-insensitively); ``name[0]`` selects by position. A leading ``@name``
reads a link or derived fact of the target (its host, its cluster, the count of managed hosts...).

Resolving a path gives a value, ``None`` (null, or no item matched a selector) or raises
`Unknown` naming the first field the snapshot did not collect.

Paths shown to users (a finding's ``missing`` list and evidence, load errors) use one dialect: the
absolute position in the snapshot file, ``$.hosts[3].os.version``, ``$.vms[12].adapters[0].switch_name``,
built by `field_path` and `item_path` from the position `SnapshotIndex.path_of` knows. Only an entity
the snapshot does not contain at all has no position; `absent_path` names it by a ``[Name]`` selector,
``$.hosts[HVDR09]`` (the reader must add it, so a position could not help).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from msgspec import UNSET, Struct

_STEP = re.compile(r"^(?P<attr>@?[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<key>[^\]]+)\])?$")


class Missing:
    """A link or derived fact that could not be computed because `path` was not collected."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"Missing({self.path!r})"


class Unknown(Exception):
    """The snapshot lacks a field a rule needs; `path` names it."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def field_path(base: str, *fields: str) -> str:
    """``field_path("$.hosts[3]", "os.version")`` -> ``$.hosts[3].os.version``."""
    return ".".join((base, *fields))


def item_path(base: str, field: str, items: Sequence[object], item: object) -> str:
    """The path of `item` (found by identity) in the list `field` of the object at `base`: ``$.vms[2].adapters[1]``."""
    position = next(i for i, candidate in enumerate(items) if candidate is item)
    return f"{base}.{field}[{position}]"


def absent_path(kind: str, name: str) -> str:
    """The path of an entity the snapshot lacks altogether, by name: ``$.hosts[HVDR09]``."""
    return f"$.{kind}[{name}]"


@dataclass(frozen=True, slots=True)
class Step:
    """One segment of a path: an attribute, optionally with a `[Name]` or `[index]` selector."""

    attr: str
    key: str | None
    index: int | None


@dataclass(frozen=True, slots=True)
class Path:
    """A compiled field path."""

    text: str
    steps: tuple[Step, ...]


@lru_cache(maxsize=4096)
def compile_path(text: str) -> Path:
    """Parse a path once; raises ValueError on bad syntax."""
    steps = []
    for part in text.split("."):
        match = _STEP.match(part.strip())
        if not match:
            raise ValueError(f"bad field path '{text}' (at '{part}')")
        key = match.group("key")
        index = int(key) if key is not None and key.isdigit() else None
        steps.append(Step(match.group("attr"), None if index is not None else key, index))
    if any(step.attr.startswith("@") for step in steps[1:]):
        raise ValueError(f"bad field path '{text}': '@' may only start a path")
    return Path(text, tuple(steps))


def _select(items: Any, step: Step) -> Any:
    if step.index is not None:
        return items[step.index] if step.index < len(items) else None
    wanted = step.key.lower()  # type: ignore[union-attr]
    for item in items:
        name = item.get("name") if isinstance(item, Mapping) else getattr(item, "name", item)
        if isinstance(name, str) and name.lower() == wanted:
            return item
    return None


def _walked(steps: tuple[Step, ...]) -> str:
    """The path text of `steps`, as an Unknown names it (spelled only when one is raised: resolve is hot)."""
    return ".".join(step.attr if step.key is None and step.index is None else
                    f"{step.attr}[{step.key if step.index is None else step.index}]" for step in steps)


def resolve(path: Path, obj: Any, links: Mapping[str, Any]) -> Any:
    """The value at `path` from `obj` (or from `links` for an ``@`` path)."""
    value: Any = obj
    for position, step in enumerate(path.steps):
        if position == 0 and step.attr.startswith("@"):
            if step.attr[1:] not in links:
                raise Unknown(step.attr)
            value = links[step.attr[1:]]
            if isinstance(value, Missing):
                raise Unknown(value.path)
        elif value is None:
            return None
        elif isinstance(value, Struct):   # a snapshot record, the usual case: a cheaper test than the Mapping ABC
            value = getattr(value, step.attr, UNSET)
        elif isinstance(value, Mapping):
            value = value.get(step.attr, UNSET)
        else:
            value = getattr(value, step.attr, UNSET)
        if value is UNSET:
            raise Unknown(_walked(path.steps[:position + 1]))
        if value is not None and (step.key is not None or step.index is not None):
            value = _select(value, step)
    return value
