"""The JSON Schema `preflight schema` prints really describes snapshots: editors can validate with it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from preflight.inventory import json_schema

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
VALIDATOR = jsonschema.Draft202012Validator(json_schema())


@pytest.mark.parametrize("name", sorted(p.name for p in ESTATES.glob("*.json")))
def test_sample_estates_validate_against_the_schema(name: str) -> None:
    data = json.loads((ESTATES / name).read_text(encoding="utf-8"))
    errors = sorted(VALIDATOR.iter_errors(data), key=str)
    assert not errors, errors[0].message


def test_schema_rejects_what_the_loader_rejects() -> None:
    data = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))
    data["hosts"][0]["colour"] = "blue"
    data["hosts"][1]["platform"] = "kvm"
    messages = [e.message for e in VALIDATOR.iter_errors(data)]
    assert any("colour" in m for m in messages)
    assert any("kvm" in m for m in messages)
