"""Property: whatever a snapshot is mutated into, preflight answers with 0, 1 or 2 and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.cli import main

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
BASES = [json.loads((ESTATES / name).read_text(encoding="utf-8")) for name in ("ready.json", "dr-2012.json", "fabric-2012.json")]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, width=32),
                    st.text(max_size=20), st.just("2026-11-24T21:30:00Z"))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _containers(node: Any, found: list[Any]) -> list[Any]:
    if isinstance(node, (dict, list)):
        found.append(node)
        for child in (node.values() if isinstance(node, dict) else node):
            _containers(child, found)
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    for _ in range(draw(st.integers(1, 3))):
        containers = _containers(data, [])
        container = containers[draw(st.integers(0, len(containers) - 1))]
        if isinstance(container, dict) and container:
            key = draw(st.sampled_from(sorted(container)))
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                container[key] = draw(values)
            elif action == "delete":
                del container[key]
            else:
                container[draw(st.text(min_size=1, max_size=8))] = draw(values)
        elif isinstance(container, list) and container:
            container[draw(st.integers(0, len(container) - 1))] = draw(values)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated())
def test_mutated_snapshot_never_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any]) -> None:
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code = main(["check", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2, 4), err
    if code == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith(f"preflight: error: {path}"), err
    else:
        assert json.loads(out)["verdict"] == {0: "go", 1: "no-go", 4: "incomplete"}[code]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated())
def test_mutated_snapshot_never_crashes_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any]) -> None:
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code = main(["verify", str(path), "--script", str(tmp_path / "plan.ps1")])
    _, err = capsys.readouterr()
    assert code in (0, 1, 2, 4), err
