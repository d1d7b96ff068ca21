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


def _properties(schema: dict) -> list[tuple[str, str, dict]]:
    return [(definition, name, prop) for definition, body in schema["$defs"].items()
            for name, prop in body.get("properties", {}).items()]


def test_schema_declares_its_dialect_and_a_uri_id() -> None:
    from urllib.parse import urlparse

    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert urlparse(schema["$id"]).scheme, "the $id is a URI (it has a scheme)"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_field_has_a_title_and_a_description() -> None:
    properties = _properties(json_schema())
    assert len(properties) > 200
    lacking = [f"{definition}.{name}" for definition, name, prop in properties
               if not prop.get("title", "").strip() or not prop.get("description", "").strip()]
    assert lacking == []
    shown = {(d, n): (p["title"], p["description"]) for d, n, p in properties}
    assert shown[("Nic", "link_speed_mbps")] == ("Link speed (Mb/s)", "At most 10 Tb/s")   # the model's own words kept
    assert shown[("Nic", "status")] == ("Status", "Status of a network adapter (Get-NetAdapter).")
    assert shown[("Host", "nics")][1] == "Each entry: a network adapter (Get-NetAdapter)."


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_snapshot_may_name_its_schema_for_the_editor(tmp_path: Path, suffix: str) -> None:
    from preflight.cli import main
    from preflight.inventory import read_snapshot

    if suffix == ".json":
        data = json.loads((ESTATES / "ready.json").read_text(encoding="utf-8"))
        text = json.dumps({"$schema": "./inventory.schema.json", **data})
        assert not list(VALIDATOR.iter_errors(json.loads(text))), "the schema itself allows the key"
    else:
        text = '"$schema" = "./inventory.schema.json"\n' + (ESTATES / "mixed.toml").read_text(encoding="utf-8")
    snapshot = tmp_path / f"estate{suffix}"
    snapshot.write_text(text, encoding="utf-8")
    assert read_snapshot(snapshot).snapshot.name
    assert main(["validate", str(snapshot)]) == 0
