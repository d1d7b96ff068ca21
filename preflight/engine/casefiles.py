"""Rule case files: a base snapshot, edits, and the status each object must get. One harness runs the
built-in rules' cases (fixtures/rules, by the test suite) and an organisation's (`preflight rules test DIR`).

A case file is TOML with a top-level `rule` and `[[cases]]`; it may sit among the rule packs it tests (the
catalog loader skips it). A case edits a copy of its base snapshot with:
  set    = { "<path>" = value }   replace or add a field (path syntax as in rules: a.b[Name].c)
  unset  = ["<path>"]             remove a field (it becomes "not collected")
  null   = ["<path>"]             set a field to null (TOML has no null literal)
  append = { "<path>" = [items] } add items to a list
  remove = ["<path>[Name]"]       delete a list item
and expects, per target name, a status: fail, pass, unknown or n/a (and, optionally, the `severity` of a
failing finding). Targets not listed must pass or be n/a. `base = "vmm"` names `_bases/vmm.json` in the case
file's folder or a folder above it; a base ending in .json is a snapshot file relative to the case file.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import msgspec

from preflight.engine.catalog import Catalog, is_case_file
from preflight.engine.checks.base import Context
from preflight.engine.evaluate import evaluate_rule, finding_for
from preflight.engine.findings import Status
from preflight.errors import InputError, PreflightError, split_validation_error
from preflight.estate import Estate

DEFAULT_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""The instant a case is evaluated at unless its file or the case sets `now`: never the clock."""
_STEP = re.compile(r"^(?P<attr>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<key>[^\]]+)\])?$")


class ExpectSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One expectation as written in a case file."""

    target: str
    status: Literal["fail", "pass", "unknown", "n/a"]
    message_contains: str | list[str] = []
    evidence_contains: str | list[str] = []
    severity: Literal["blocker", "loss", "warning", "advisory"] | None = None


class CaseSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One case as written in a case file."""

    id: str
    expect: list[ExpectSpec]
    base: str | None = None
    now: datetime | None = None
    set: dict[str, Any] = {}
    unset: list[str] = []
    null: list[str] = []
    append: dict[str, list[Any]] = {}
    remove: list[str] = []


class CaseFileSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A whole case file."""

    rule: str
    cases: list[CaseSpec]
    base: str = "vmm"
    now: datetime | None = None


@dataclass(frozen=True)
class Expectation:
    """The status one object must get, with optional text its message and evidence must contain."""

    target: str
    status: str
    message_contains: tuple[str, ...] = ()
    evidence_contains: tuple[str, ...] = ()
    severity: str | None = None


@dataclass(frozen=True)
class Case:
    """One case, its base already edited into the snapshot it runs on."""

    rule: str
    id: str
    snapshot: dict[str, Any]
    expect: tuple[Expectation, ...]
    now: datetime
    file: Path

    @property
    def name(self) -> str:
        """The case's id as tests and `rules test` show it: CODE-case."""
        return f"{self.rule}-{self.id}"


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
    """Apply a case's set / unset / null / append / remove edits to a copy of `snapshot`.

    A path that does not reach into the snapshot raises KeyError, IndexError, TypeError or ValueError.
    """
    data = copy.deepcopy(snapshot)
    for path in case.get("remove", []):
        steps = _split(path)
        attr, key = steps[-1]
        container = _walk(data, steps[:-1])[attr]
        container.remove(_item(container, key or ""))
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


def _base(file: Path, name: str, root: Path) -> dict[str, Any]:
    """The base snapshot `name` of case file `file` (searched up to `root`) as plain data."""
    if name.endswith(".json"):
        candidates = [file.parent / name]
    else:
        folders = [file.parent, *file.parent.parents]
        stop = folders.index(root) + 1 if root in folders else 1
        candidates = [folder / "_bases" / f"{name}.json" for folder in folders[:stop]]
    for candidate in candidates:
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(str(candidate), None, f"cannot read the base snapshot: {exc}") from None
            if not isinstance(data, dict):
                raise InputError(str(candidate), "$", "expected an object (a snapshot) at the top level")
            return data
    raise InputError(str(file), "base", f"no base snapshot '{name}' (looked for {', '.join(map(str, candidates))})")


def load_case_file(file: Path, root: Path | None = None) -> list[Case]:
    """Every case of one case file; a malformed file is an InputError naming the file and the field path."""
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(file), None, f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(file), None, f"malformed TOML: {exc}") from None
    try:
        spec = msgspec.convert(raw, CaseFileSpec)
    except msgspec.ValidationError as exc:
        path, kind, problem = split_validation_error(exc)
        raise InputError(str(file), path, {"unknown": "unknown key in a case file", "missing": "required key is missing"}
                         .get(kind or "", problem)) from None
    cases = []
    root = (root or file.parent).resolve()
    for index, (case, raw_case) in enumerate(zip(spec.cases, raw["cases"], strict=True)):
        base = _base(file.resolve(), case.base or spec.base, root)
        try:
            snapshot = apply_edits(base, raw_case)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise InputError(str(file), f"$.cases[{index}]", f"case '{case.id}': an edit does not fit the base "
                                                              f"snapshot: {exc}") from None
        expect = tuple(Expectation(e.target, e.status, _as_tuple(e.message_contains), _as_tuple(e.evidence_contains),
                                   e.severity) for e in case.expect)
        now = case.now or spec.now or DEFAULT_NOW
        cases.append(Case(spec.rule, case.id, snapshot, expect, now if now.tzinfo else now.replace(tzinfo=UTC), file))
    return cases


def case_files(directory: Path) -> list[Path]:
    """The case files under `directory` (TOML files with `rule` and `[[cases]]`), sorted."""
    found = []
    for path in sorted(directory.rglob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue   # the catalog loader reports a broken pack file; a broken case file has no `cases` to find
        if is_case_file(data):
            found.append(path)
    return found


def load_cases(directory: Path) -> list[Case]:
    """Every case of every case file under `directory`, in file order."""
    if not directory.is_dir():
        raise PreflightError(f"{directory}: not a directory")
    return [case for file in case_files(directory) for case in load_case_file(file, directory)]


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _estate(case: Case, catalog: Catalog) -> Estate:
    from preflight.inventory import decode_snapshot
    from preflight.inventory.references import check_references

    snapshot = decode_snapshot(msgspec.json.encode(case.snapshot), str(case.file), ".json")
    check_references(snapshot, str(case.file))
    return Estate(snapshot, [(str(case.file), snapshot.snapshot)], catalog.os_releases())


def run_case(case: Case, catalog: Catalog) -> list[str]:
    """Evaluate the case's rule on every target of its snapshot; the problems found ([] when the case passes).

    The rule is looked up in `catalog` (a case naming an unknown rule is a PreflightError); the snapshot must
    load (an InputError names the case file).
    """
    rule = catalog.rules.get(case.rule)
    if rule is None:
        raise PreflightError(f"{case.file}: rule: no rule '{case.rule}' in the loaded packs")
    estate = _estate(case, catalog)
    outcomes = {}
    for target in estate.targets(rule.target):
        outcomes[target.name.casefold()] = (target, evaluate_rule(rule, target, Context(now=case.now)))
    problems = []
    expected = {e.target.casefold(): e for e in case.expect}
    for name, expectation in expected.items():
        if name not in outcomes:
            problems.append(f"no {rule.target} target named {expectation.target!r} (have {sorted(outcomes)})")
            continue
        target, outcome = outcomes[name]
        if outcome.status.value != expectation.status:
            problems.append(f"{expectation.target}: expected {expectation.status}, got {outcome.status.value} "
                            f"(evidence {[f'{e.path} = {e.value}' for e in outcome.evidence]}, missing {list(outcome.missing)})")
            continue
        if outcome.status in (Status.FAIL, Status.UNKNOWN):
            finding = finding_for(rule, target, outcome)
            if expectation.severity is not None and finding.severity.value != expectation.severity:
                problems.append(f"{expectation.target}: expected severity {expectation.severity}, "
                                f"got {finding.severity.value}")
            problems += [f"{expectation.target}: {text!r} not in message {finding.message!r}"
                         for text in expectation.message_contains if text not in finding.message]
            shown = " | ".join(f"{e.path} = {e.value}" for e in finding.evidence)
            problems += [f"{expectation.target}: {text!r} not in evidence {shown!r}"
                         for text in expectation.evidence_contains if text not in shown]
    for name, (target, outcome) in outcomes.items():
        if name not in expected and outcome.status not in (Status.PASS, Status.NOT_APPLICABLE):
            problems.append(f"unlisted {target.name}: expected pass or n/a, got {outcome.status.value} "
                            f"(evidence {[f'{e.path} = {e.value}' for e in outcome.evidence]}, missing {list(outcome.missing)})")
    return problems
