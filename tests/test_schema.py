"""The JSON Schema `preflight schema` prints really describes snapshots: editors can validate with it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fixture_scope import module_unless_mutating

from preflight.inventory import json_schema

ESTATES = Path(__file__).resolve().parent.parent / "fixtures" / "estates"
VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def _estate_document(path: Path) -> object:
    """A sample estate as an editor's JSON Schema validator sees it; TOML's `false`-for-null read as the loader reads it."""
    import tomllib

    import msgspec

    from preflight.inventory.snapshot import Snapshot
    from preflight.inventory.toml_nulls import nulls_from_false

    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return msgspec.to_builtins(nulls_from_false(tomllib.loads(path.read_text(encoding="utf-8")), Snapshot))


@pytest.fixture(scope=module_unless_mutating)
def printed_schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The schema exactly as `preflight schema -o FILE` writes it."""
    from preflight.cli import main

    target = tmp_path_factory.mktemp("schema") / "inventory.schema.json"
    assert main(["schema", "-o", str(target)]) == 0
    return json.loads(target.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(p.name for p in ESTATES.iterdir() if p.suffix in (".json", ".toml")))
def test_sample_estates_validate_against_the_schema(name: str, printed_schema: dict) -> None:
    errors = sorted(jsonschema.Draft202012Validator(printed_schema).iter_errors(_estate_document(ESTATES / name)), key=str)
    assert not errors, f"{list(errors[0].absolute_path)}: {errors[0].message}"


def test_the_printed_schema_is_the_documented_one(printed_schema: dict) -> None:
    assert printed_schema == json.loads(json.dumps(json_schema()))
    assert len(list(ESTATES.glob("*.toml"))) >= 1 and len(list(ESTATES.glob("*.json"))) >= 4


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
    title, text = shown[("Nic", "link_speed_mbps")]           # the model's own words, with the unit and the source
    assert title == "Link speed (Mb/s)" and "Get-NetAdapter Speed" in text and "bit/s" in text
    assert "MediaConnectState" in shown[("Nic", "status")][1]  # from the table: where an admin reads it
    assert shown[("Host", "name")][1].startswith("Short computer name of the host")   # not ComputerName's generic words


# Fields that may keep a description made from their name. Empty: every field says what it means.
FALLBACK_ALLOWED: set[str] = set()


def test_no_field_keeps_a_generated_or_generic_description() -> None:
    import msgspec

    from preflight.inventory.schema_docs import SHARED_TYPE_DESCRIPTIONS, fallback_description
    from preflight.inventory.snapshot import Snapshot

    raw = msgspec.json.schema(Snapshot)
    definitions = raw["$defs"]
    made_up = {f"{d}.{n}" for d, body in definitions.items() for n, prop in body.get("properties", {}).items()
               if json_schema()["$defs"][d]["properties"][n]["description"] == fallback_description(n, prop, body, definitions)}
    assert made_up <= FALLBACK_ALLOWED, sorted(made_up - FALLBACK_ALLOWED)
    generic = sorted(f"{d}.{n}" for d, n, prop in _properties(json_schema())
                     if prop["description"] in SHARED_TYPE_DESCRIPTIONS)
    assert generic == [], "a field of a shared type (ComputerName, DnsName, Timestamp...) needs its own words"


def test_the_field_table_neither_misses_nor_duplicates_the_model() -> None:
    """Each FIELD_DOCS entry names a real field and is the text the schema shows: not overridden by (a duplicate
    of) a description the model gives the field itself."""
    from preflight.inventory.field_docs import FIELD_DOCS

    shown = {f"{d}.{n}": p["description"] for d, n, p in _properties(json_schema())}
    assert sorted(set(FIELD_DOCS) - set(shown)) == [], "table entries for fields the model does not have"
    overridden = sorted(key for key, text in FIELD_DOCS.items() if shown[key] != text)
    assert overridden == [], "described in the model already: drop these from FIELD_DOCS"


def test_descriptions_are_short_and_end_cleanly() -> None:
    """One or two sentences an editor can show on hover, never a stray template or an empty sentence."""
    for definition, name, prop in _properties(json_schema()):
        text = prop["description"]
        assert len(text) <= 260, f"{definition}.{name}: {len(text)} characters"
        assert "{" not in text, f"{definition}.{name}: {text}"
        assert text.replace("e.g. ", "e.g.").count(". ") <= 1, f"{definition}.{name}: more than two sentences"


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
