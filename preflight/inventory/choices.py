"""The values an enumerated snapshot field accepts, found from the model types by field path.

msgspec says only "Invalid enum value 'kvm'"; the admin needs the list (`hyperv`, `esx`, ...) to fix the file.
"""

from __future__ import annotations

import re
from functools import lru_cache

import msgspec.inspect as mi

from preflight.inventory.snapshot import Snapshot

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\d+\]")


def alternatives(kind: mi.Type) -> list[mi.Type]:
    """The alternatives of a model type, in order: metadata (lengths, patterns) stripped, unions flattened."""
    found: list[mi.Type] = []
    pending = [kind]
    while pending:
        current = pending.pop(0)
        if isinstance(current, mi.Metadata):
            pending.insert(0, current.type)
        elif isinstance(current, mi.UnionType):
            pending[0:0] = list(current.types)
        else:
            found.append(current)
    return found


def _types_at(path: str) -> list[mi.Type]:
    """The model types a field path (``$.hosts[3].platform``) can hold."""
    kinds: list[mi.Type] = [mi.type_info(Snapshot)]
    for match in _STEP.finditer(path.removeprefix("$")):
        name, following = match.group(1), []
        for kind in (option for current in kinds for option in alternatives(current)):
            if name is None and isinstance(kind, (mi.ListType, mi.VarTupleType)):
                following.append(kind.item_type)
            elif name is not None and isinstance(kind, mi.StructType):
                following.extend(field.type for field in kind.fields if field.encode_name == name)
        kinds = following
    return kinds


@lru_cache(maxsize=256)
def field_names(path: str) -> tuple[str, ...]:
    """The field names the object at `path` (``$.hosts[3]``) may carry, as written in a snapshot."""
    names = [field.encode_name for kind in _types_at(path) for option in alternatives(kind)
             if isinstance(option, mi.StructType) for field in option.fields]
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=256)
def allowed_values(path: str) -> tuple[str, ...]:
    """The values the enumerated field at `path` (``$.hosts[3].platform``) accepts; () when it is no enum."""
    kinds = _types_at(path)
    values = [value for kind in kinds for option in alternatives(kind) if isinstance(option, mi.LiteralType)
              for value in option.values]
    return tuple(str(value) for value in dict.fromkeys(values))
