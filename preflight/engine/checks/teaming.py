"""The `items` check: the items of a (usually linked) list, e.g. a team's member NICs.

Cross-object checks of team wiring: every member satisfies a condition (`each`: Ethernet, not a
host vNIC), or every member shares one value (`same`: link speed; physical switch or the stack it
belongs to). Evidence names each offending item by its name.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from preflight.engine.checks.base import (
    CheckParams,
    Context,
    Evidence,
    Outcome,
    Target,
    check_kind,
    evidence,
    failed,
    passed,
    show,
    unknown,
)
from preflight.engine.checks.params import FieldPath, ItemCondition, ItemFields
from preflight.engine.conditions import compile_condition, holds
from preflight.inventory.paths import Unknown, compile_path, resolve


def _label(item: Any, position: int) -> str:
    name = getattr(item, "name", None)
    return str(name) if name is not None else str(position)


@check_kind("items", variables=("items", "item", "values", "count"))
class Items(CheckParams, kw_only=True):
    """Checks every item of the list at `path`.

    `each` (a condition table on one item): fails naming the items it does not hold for.
    `same` (field names): an item's value is the first of these fields that is not null (e.g.
    ``["switch_stack", "physical_switch"]``: the stack, else the switch); fails when items differ. Items that
    all share one collected value of any listed field pass even if another field was not collected.
    `show` lists item fields to put in the evidence of a failing item (`each` only).
    """

    path: FieldPath = "@member_nics"
    each: ItemCondition | None = None
    same: ItemFields | None = None
    show: ItemFields = []

    def __post_init__(self) -> None:
        if (self.each is None) == (self.same is None):
            raise ValueError("set exactly one of 'each' or 'same'")
        if self.same is not None and not self.same:
            raise ValueError("'same' needs at least one field name")
        self._path = compile_path(self.path)
        self._each = compile_condition(self.each, "each") if self.each is not None else None

    def run(self, target: Target, context: Context) -> Outcome:
        items = resolve(self._path, target.obj, target.links) or []
        if self._each is not None:
            return self._run_each(items, target)
        return self._run_same(items)

    def _item_evidence(self, item: Any, label: str) -> list[Evidence]:
        proof = []
        for name in self.show:
            value = getattr(item, name, UNSET)
            proof.append(evidence(f"{self.path}[{label}].{name}", "not collected" if value is UNSET else value))
        return proof or [evidence(f"{self.path}[{label}]", label)]

    def _run_each(self, items: list[Any], target: Target) -> Outcome:
        bad: list[tuple[str, Any]] = []
        pending: Unknown | None = None
        for position, item in enumerate(items):
            label = _label(item, position)
            try:
                if not holds(self._each, item, {}):  # type: ignore[arg-type]
                    bad.append((label, item))
            except Unknown as exc:
                pending = pending or Unknown(f"{self.path}[{label}].{exc.path}")
        if bad:
            names = ", ".join(label for label, _ in bad)
            proof = [e for label, item in bad for e in self._item_evidence(item, label)]
            return failed(*proof, items=names, item=bad[0][0], count=len(bad), value=names, path=self.path,
                          expected=f"every item of {self.path} matching {self.each}")
        if pending is not None:
            return unknown(pending.path)
        return passed(evidence(f"{self.path}.count", len(items)))

    def _key(self, item: Any, label: str) -> tuple[str, Any]:
        """(field used, value) for one item; raises Unknown when a field that decides it was not collected."""
        assert self.same is not None
        for name in self.same:
            value = getattr(item, name, UNSET)
            if value is UNSET:
                raise Unknown(f"{self.path}[{label}].{name}")
            if value is not None:
                return name, value
        return self.same[-1], None

    def _shared_field(self, items: list[Any]) -> str | None:
        """A field every item has collected, non-null and equal: that alone settles it (e.g. one switch, stack unknown)."""
        for name in self.same or ():
            values = [getattr(item, name, UNSET) for item in items]
            if (values and all(v is not UNSET and v is not None for v in values)
                    and len({v.casefold() if isinstance(v, str) else v for v in values}) == 1):
                return name
        return None

    def _run_same(self, items: list[Any]) -> Outcome:
        shared = self._shared_field(items)
        if shared is not None:
            labels = [_label(item, position) for position, item in enumerate(items)]
            return passed(*(evidence(f"{self.path}[{label}].{shared}", getattr(item, shared))
                            for label, item in zip(labels, items, strict=True)))
        keyed = []
        for position, item in enumerate(items):
            label = _label(item, position)
            try:
                keyed.append((label, *self._key(item, label)))
            except Unknown as exc:
                return unknown(exc.path)
        proof = [evidence(f"{self.path}[{label}].{name}", value) for label, name, value in keyed]
        distinct = {value.casefold() if isinstance(value, str) else value for _, _, value in keyed}
        values = ", ".join(f"{label}: {show(value)}" for label, _, value in keyed)
        if len(distinct) > 1:
            return failed(*proof, values=values, value=values, count=len(distinct), path=self.path,
                          items=", ".join(label for label, _, _ in keyed), item=keyed[0][0],
                          expected=f"one {' / '.join(self.same or [])} for every item")
        return passed(*proof, values=values)
