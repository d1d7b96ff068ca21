"""Per-rule case files (fixtures/rules/<CODE>.toml): a base snapshot, edits, and expected outcomes.

A case edits a copy of a base snapshot (fixtures/rules/_bases/<base>.json) with:
  set    = { "<path>" = value }   replace or add a field (path syntax as in rules: a.b[Name].c)
  unset  = ["<path>"]             remove a field (it becomes "not collected")
  null   = ["<path>"]             set a field to null (TOML has no null literal)
  append = { "<path>" = [items] } add items to a list
  remove = ["<path>[Name]"]       delete a list item
and expects, per target name, a status: fail, pass, unknown or n/a (and, optionally, the `severity` of a
failing finding, for rules whose data gives some outcomes another severity). Targets not listed must pass or be n/a.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "fixtures" / "rules"
BASES_DIR = CASES_DIR / "_bases"
DEFAULT_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
_STEP = re.compile(r"^(?P<attr>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<key>[^\]]+)\])?$")


@dataclass(frozen=True)
class Expectation:
    target: str
    status: str
    message_contains: tuple[str, ...] = ()
    evidence_contains: tuple[str, ...] = ()
    severity: str | None = None


@dataclass(frozen=True)
class Case:
    rule: str
    id: str
    snapshot: dict[str, Any]
    expect: tuple[Expectation, ...]
    now: datetime
    file: Path


def _split(path: str) -> list[tuple[str, str | None]]:
    steps = []
    for part in path.split("."):
        match = _STEP.match(part)
        if not match:
            raise ValueError(f"bad case path {path!r}")
        steps.append((match.group("attr"), match.group("key")))
    return steps


def _item(items: list[Any], key: str) -> Any:
    if key.isdigit():
        return items[int(key)]
    for item in items:
        if isinstance(item, dict) and str(item.get("name", "")).casefold() == key.casefold():
            return item
    raise KeyError(f"no item named {key!r}")


def _walk(data: Any, steps: list[tuple[str, str | None]]) -> Any:
    for attr, key in steps:
        data = data[attr]
        if key is not None:
            data = _item(data, key)
    return data


def apply_edits(snapshot: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """Apply a case's set / unset / append / remove edits to a copy of `snapshot`."""
    data = copy.deepcopy(snapshot)
    for path in case.get("remove", []):
        steps = _split(path)
        attr, key = steps[-1]
        container = _walk(data, steps[:-1])[attr]
        container.remove(_item(container, key))
    for path in case.get("unset", []):
        steps = _split(path)
        parent = _walk(data, steps[:-1])
        del parent[steps[-1][0]]
    for path in case.get("null", []):
        steps = _split(path)
        _walk(data, steps[:-1])[steps[-1][0]] = None
    for path, value in case.get("set", {}).items():
        steps = _split(path)
        parent = _walk(data, steps[:-1])
        attr, key = steps[-1]
        if key is None:
            parent[attr] = value
        else:
            target = _item(parent[attr], key)
            target.clear()
            target.update(value)
    for path, items in case.get("append", {}).items():
        steps = _split(path)
        parent = _walk(data, steps[:-1])
        parent.setdefault(steps[-1][0], []).extend(items)
    return data


def load_cases() -> list[Case]:
    """Every case of every case file, in file order."""
    cases = []
    for file in sorted(CASES_DIR.glob("*.toml")):
        try:
            spec = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{file}: {exc}") from None
        now = spec.get("now", DEFAULT_NOW)
        for raw in spec["cases"]:
            base = json.loads((BASES_DIR / f"{raw.get('base', spec.get('base', 'vmm'))}.json").read_text(encoding="utf-8"))
            expect = tuple(
                Expectation(e["target"], e["status"], tuple(_as_tuple(e.get("message_contains"))),
                            tuple(_as_tuple(e.get("evidence_contains"))), e.get("severity"))
                for e in raw.get("expect", [])
            )
            cases.append(Case(spec["rule"], raw["id"], apply_edits(base, raw), expect, raw.get("now", now), file))
    return cases


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)
