"""TOML has no null: in a TOML snapshot, `false` on a field that is not a boolean but may be null means null.

So `domain = false` is a workgroup computer, `pro_connection = false` is "no PRO connection",
`last_full_backup = false` is "never backed up", as `null` says in JSON. An absent field still means
"not collected". A boolean field keeps its `false`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec.inspect as mi


def _unwrap(info: mi.Type) -> mi.Type:
    return info.type if isinstance(info, mi.Metadata) else info


def _members(info: mi.Type) -> tuple[mi.Type, ...]:
    info = _unwrap(info)
    return tuple(_unwrap(t) for t in info.types) if isinstance(info, mi.UnionType) else (info,)


def _null_by_false(info: mi.Type) -> bool:
    members = _members(info)
    return any(isinstance(t, mi.NoneType) for t in members) and not any(isinstance(t, mi.BoolType) for t in members)


@cache
def _fields(cls: type) -> dict[str, mi.Type]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType), cls
    return {field.encode_name: field.type for field in info.fields}


def _walk(value: Any, info: mi.Type) -> Any:
    for member in _members(info):
        if isinstance(member, mi.StructType) and isinstance(value, dict):
            fields = _fields(member.cls)
            for key, item in value.items():
                if key in fields:
                    value[key] = None if item is False and _null_by_false(fields[key]) else _walk(item, fields[key])
            return value
        if isinstance(member, mi.ListType) and isinstance(value, list):
            return [_walk(item, member.item_type) for item in value]
    return value


def nulls_from_false(data: dict[str, Any], root: type) -> dict[str, Any]:
    """`data` (decoded TOML) with `false` turned into None wherever the model field is nullable and not a bool."""
    return _walk(data, mi.type_info(root))
