"""The loader decodes a clean JSON snapshot once (typed) and still refuses every duplicate key and control
character the careful untyped pass finds, with the same field path."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from benchmarks.generate import generate_estate
from preflight.errors import InputError
from preflight.inventory import load, scan
from preflight.inventory.load import decode_snapshot
from preflight.inventory.scan import json_may_have_control_characters, json_may_have_duplicate_keys

ROOT = Path(__file__).resolve().parent.parent
READY = (ROOT / "fixtures" / "estates" / "ready.json").read_text(encoding="utf-8")


def refusal(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        decode_snapshot(text.encode("utf-8"), "estate.json", ".json")
    return caught.value


def test_a_clean_estate_is_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def careful(data: bytes, file: str) -> None:
        raise AssertionError("the careful pass ran on a clean document")

    monkeypatch.setattr(load, "_decode_json_checked", careful)
    snapshot = decode_snapshot(json.dumps(generate_estate(40, 1000, seed=3)).encode(), "estate.json", ".json")
    assert len(snapshot.vms) == 1000


def test_a_duplicate_key_is_found_even_when_a_timestamp_gains_a_colon() -> None:
    data = json.loads(READY)
    data["snapshot"]["collected_at"] = "2026-11-24T21:30:00+0100"   # re-encoded as +01:00: one colon more
    text = json.dumps(data).replace('"edition": ', '"edition": "Standard", "edition": ', 1)
    error = refusal(text)
    assert error.expected.startswith("duplicate key") and error.path.endswith(".edition")


@pytest.mark.parametrize(("literal", "char"), [
    ("\\\\\\n", "U+000A"),          # an escaped backslash, then a newline escape
    ("\\u0007", "U+0007"), ("\\u001F", "U+001F"), ("\\u007f", "U+007F"), ("\\u0085", "U+0085"),
    ("\\t", "U+0009"), ("\u0085", "U+0085"), ("\x7f", "U+007F"),
])
def test_control_characters_are_refused_with_their_path(literal: str, char: str) -> None:
    caption = json.dumps(json.loads(READY)["vmm_servers"][0]["os"]["caption"])
    error = refusal(READY.replace(caption, caption[:-1] + literal + '"', 1))
    assert error.path == "$.vmm_servers[0].os.caption" and char in error.expected


# ® and a no-break space are C2 xx in UTF-8 like a C1 control (C2 80-9F), and common in Windows captions
@pytest.mark.parametrize("literal", ["\\\\n", "\\\\\\\\t", "\\u0041", "\\/", '\\"', "\\u00a0", "\u00ae", "\u00a0", "\\u005cn"])
def test_escapes_of_ordinary_characters_pass(literal: str) -> None:
    assert not json_may_have_control_characters(f'{{"a": "x{literal}y"}}'.encode())


@pytest.mark.parametrize("literal", ["\\n", "\\\\\\r", "\\b", "\\f", "\\u0000", "\\u009F", "\u0080", "\x7f", "\\u0041\\n"])
def test_escapes_of_control_characters_are_suspect(literal: str) -> None:
    assert json_may_have_control_characters(f'{{"a": "x{literal}y"}}'.encode())


def test_a_document_with_many_escapes_is_scanned_in_one_pass_with_the_same_answers() -> None:
    many = b"\\\\" * 10_001   # escaped backslashes: past the count where the per-escape loop gives way to one search
    assert not json_may_have_control_characters(b'{"a": "' + many + b'"}')
    assert json_may_have_control_characters(b'{"a": "' + many + b'\\n"}')
    assert not json_may_have_control_characters(b'{"a": "' + many + b'\\\\n"}')   # an escaped backslash, then "n"


def test_duplicate_scan_compares_key_colons() -> None:
    assert not json_may_have_duplicate_keys(b'{"a": "1:2", "b": 1}', b'{"a":"1:2","b":1}')
    assert json_may_have_duplicate_keys(b'{"a": 1, "a": 2}', b'{"a":2}')
    assert json_may_have_duplicate_keys(b'{"t": "2026-01-01T00:00:00+0100"}', b'{"t":"2026-01-01T00:00:00+01:00"}')


def test_fields_written_with_their_default_are_not_mistaken_for_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(READY)
    data["domains"][0]["trusts"] = []   # the default: dropped by the typed encoding, kept in the document
    monkeypatch.setattr(load, "_decode_json_checked", lambda data, file: pytest.fail("careful pass on a clean document"))
    assert decode_snapshot(json.dumps(data).encode(), "estate.json", ".json").domains[0].trusts == []
    duplicated = json.dumps(data).replace('"trusts": []', '"trusts": [], "trusts": []', 1)
    monkeypatch.undo()
    error = refusal(duplicated)
    assert error.expected.startswith("duplicate key") and error.path == "$.domains[0].trusts"


@pytest.mark.parametrize("text", [
    '{"a": "x:y", "vms": [{"b": 1}, {"c:d": [{"e": null}]}, 3], "f": {"g": []}}',
    '{"a": 1, "a": {"b": 2}}', '[1, {"a:": 1}]', '  {"k" : [ ] } ',
    '{"x:y:z": {"k": 1}, "b": 2, "c": "d"}',   # colons in a top-level key count too
])
def test_the_sliced_colon_count_equals_the_whole_re_encoding(text: str) -> None:
    data = text.encode()
    assert scan.canonical_colons(data) == msgspec.json.encode(msgspec.json.decode(data)).count(b":")


def test_a_duplicate_key_in_a_late_vm_is_found_when_defaults_force_the_untyped_count(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate_estate(120, 3000, seed=5)   # more VMs than one slice of canonical_colons; `trusts: []` written
    assert len(data["vms"]) > 2 * scan._SLICE
    text = json.dumps(data)
    late = json.dumps(data["vms"][2500])
    duplicated = text.replace(late, late.replace('"state": "Running"', '"state": "Off", "state": "Running"', 1), 1)
    sliced = scan.canonical_colons
    counted: list[bytes] = []
    monkeypatch.setattr(scan, "canonical_colons", lambda data: counted.append(data) or sliced(data))
    error = refusal(duplicated)
    assert counted, "the typed decode accepted the document: only the untyped count could tell"
    assert error.expected.startswith("duplicate key") and error.path == "$.vms[2500].state"
