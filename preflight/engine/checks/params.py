"""Parameter types check kinds declare, so a pack's paths and matrix rows are checked when it loads.

A check kind annotates a parameter with what it holds, and `check_params` walks the declaration
(through `msgspec.inspect`) to check every value against the target's model:

- `FieldPath`: a field path of the target (``os.version``, ``@cluster.nodes``); `list[FieldPath]` too,
  and a table keyed by paths (`Limits`: ``{ "hardware.memory_gb" = 4 }``, whose limits must be numbers
  compared with numbers).
- `ConditionTable`: a condition table on the target (paths, operators, arguments).
- `ItemCondition` / `ItemFields`: a condition on, or field names of, one item of the list at the
  kind's `path` parameter (``adapters``, ``@member_nics``).
- matrix rows: a `MatrixRow` Struct per row, typed like any other parameter (its `when` is a
  `ConditionTable`, ...). Rows read like the TOML tables they come from (``row["name"]``).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

import msgspec
import msgspec.inspect as mi
from msgspec import Meta

from preflight.engine.fieldtypes import FieldError, Scope, describe, options, test_problem, type_info

FieldPath = Annotated[str, Meta(extra={"role": "path"}, description="A field path of the target, e.g. os.version or @cluster")]
ConditionTable = Annotated[dict[str, Any], Meta(extra={"role": "condition"}, description="A condition table on the target")]
ItemCondition = Annotated[dict[str, Any], Meta(extra={"role": "item-condition"},
                                               description="A condition table on one item of the list at `path`")]
ItemFields = Annotated[list[str], Meta(extra={"role": "item-fields"}, description="Field names of the items of the list at `path`")]
Limits = dict[FieldPath, Any]
"""Path = limit; a row struct holding limits checks they are numbers (so the error names the path)."""


class MatrixRow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Keys every matrix row may carry besides its own: an id to pick it by, a label, its source, a note."""

    id: str | None = None
    label: str | None = None
    source: str | None = None
    note: str | None = None

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of `key`, or `default` when it is absent (None)."""
        value = getattr(self, key, None)
        return default if value is None else value


def _role(kind: mi.Type) -> str | None:
    pending = [kind]
    while pending:
        current = pending.pop()
        if isinstance(current, mi.Metadata):
            if current.extra and "role" in current.extra:
                return current.extra["role"]
            pending.append(current.type)
        elif isinstance(current, mi.UnionType):
            pending.extend(current.types)
    return None


def check_params(value: Any, scope: Scope, key: str = "") -> None:
    """Check the field paths and tables a parameter struct (or a matrix row) names against `scope`."""
    info = type_info(cast(Any, type(value)))  # a class is hashable; typeshed's lru_cache stub cannot say so
    assert isinstance(info, mi.StructType), type(value)
    items_scope: Scope | None = None
    for field in info.fields:
        data = getattr(value, field.name)
        if data is None:
            continue
        sub_key = f"{key}.{field.name}" if key else field.name
        role = _role(field.type)
        if role in ("item-condition", "item-fields"):
            if items_scope is None:
                items_scope = scope.items(f"{key}.path" if key else "path", value.path)
            if role == "item-condition":
                items_scope.condition(sub_key, data)
            else:
                for index, name in enumerate(data):
                    items_scope.field(f"{sub_key}[{index}]", name)
        else:
            _check_value(data, field.type, role, scope, sub_key)


def _check_value(data: Any, kind: mi.Type, role: str | None, scope: Scope, key: str) -> None:
    if role == "path":
        scope.path(key, data)
    elif role == "condition":
        scope.condition(key, data)
    elif isinstance(data, MatrixRow):
        check_params(data, scope, key)
    elif isinstance(data, list):
        item_type = next((o.item_type for o in options(kind) if isinstance(o, mi.ListType)), None)
        if item_type is not None:
            for index, item in enumerate(data):
                _check_value(item, item_type, _role(item_type), scope, f"{key}[{index}]")
    elif isinstance(data, dict):
        dict_type = next((o for o in options(kind) if isinstance(o, mi.DictType)), None)
        if dict_type is not None and _role(dict_type.key_type) == "path":
            for path, limit in data.items():
                leaf = scope.path(f"{key}.{path}", path)
                problem = test_problem("ge", limit, leaf)
                if problem:
                    raise FieldError(f"{key}.{path}", f"'{path}' is {describe(leaf)}: a limit compares numbers")
