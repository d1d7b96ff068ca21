"""The loader's pieces one by one, with the exact line a user reads: reading (size cap, encodings, positions),
whole-document scans (syntax, duplicate keys, control characters), typed decoding, merging, and --as-of.

The CLI-level tests (test_input_files.py, test_input_values.py, test_hostile_corpus.py) show that bad input is
one line and exit 2; these pin what that line says and where each boundary lies.
"""

from __future__ import annotations

import codecs
import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from casefiles import BASES_DIR

from preflight.errors import InputError, PreflightError
from preflight.inventory import load, scan
from preflight.inventory.as_of import AsOf, AsOfMode, parse_as_of, resolve_as_of
from preflight.inventory.load import decode_snapshot, load_estate_snapshots, merge_snapshots, read_snapshot
from preflight.inventory.read import MAX_INPUT_ENV, SAVE_AS_UTF8, line_column, max_input_bytes, read_input, to_utf8

READY = Path(__file__).resolve().parent.parent / "fixtures" / "estates" / "ready.json"
DATA = json.loads(READY.read_text(encoding="utf-8"))
UTC = UTC


def message(call, *args) -> str:
    with pytest.raises(PreflightError) as caught:
        call(*args)
    return str(caught.value)


def decode_error(data: dict | bytes | str, suffix: str = ".json") -> str:
    raw = data if isinstance(data, bytes) else (data if isinstance(data, str) else json.dumps(data)).encode()
    return message(decode_snapshot, raw, "f" + suffix, suffix)


def edited(**changes) -> dict:
    data = json.loads(json.dumps(DATA))
    data.update(changes)
    return data


# ---- read.py ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (None, 256_000_000), ("", 256_000_000), ("  ", 256_000_000), ("1", 1_000_000), (" 1.5 ", 1_500_000),
    ("0.000001", 1),
])
def test_max_input_bytes(monkeypatch: pytest.MonkeyPatch, raw: str | None, expected: int) -> None:
    if raw is None:
        monkeypatch.delenv(MAX_INPUT_ENV, raising=False)
    else:
        monkeypatch.setenv(MAX_INPUT_ENV, raw)
    assert max_input_bytes() == expected


@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "-inf", "ten", "1e400"])
def test_max_input_bytes_refuses_what_is_not_a_positive_size(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, raw)
    assert message(max_input_bytes) == f"{MAX_INPUT_ENV}: expected a positive number of megabytes, got {raw!r}"


def test_max_input_bytes_shows_at_most_40_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "x" * 50)
    assert message(max_input_bytes).endswith(f"got {'x' * 40!r}")


def test_read_input_reads_up_to_the_cap_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "0.00001")  # 10 bytes
    path = tmp_path / "s.json"
    path.write_bytes(b"0123456789")
    assert read_input(path) == b"0123456789"
    path.write_bytes(b"0123456789A")
    assert message(read_input, path) == (f"{path}: is larger than the input limit of 1e-05 MB "
                                         f"(set {MAX_INPUT_ENV} to raise it)")


def test_read_input_names_a_missing_file_and_a_directory(tmp_path: Path) -> None:
    assert message(read_input, tmp_path / "nope.json") == f"{tmp_path / 'nope.json'}: cannot read: No such file or directory"
    assert message(read_input, tmp_path) == f"{tmp_path}: is a directory; a snapshot must be a regular file"


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_read_input_names_an_unreadable_regular_file() -> None:
    # /proc/self/mem is a regular file whose first page cannot be read: a real EIO
    assert message(read_input, Path("/proc/self/mem")) == "/proc/self/mem: cannot read: Input/output error"


@pytest.mark.parametrize(("data", "offset", "expected"), [
    (b"abc", 0, "line 1, column 1"), (b"abc", 2, "line 1, column 3"), (b"ab\ncd", 3, "line 2, column 1"),
    (b"ab\ncd", 4, "line 2, column 2"), (b"a\nb\nc", 99, "line 3, column 2"), (b"abc", -5, "line 1, column 1"),
    ("\u00e9\u00e9x".encode(), 4, "line 1, column 3"),  # columns count characters, not bytes
    (b"\nab", 2, "line 2, column 2"), (b"\n\nab", 1, "line 2, column 1"),
])
def test_line_column(data: bytes, offset: int, expected: str) -> None:
    assert line_column(data, offset) == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_to_utf8_reads_windows_encodings_with_their_mark(encoding: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[encoding]
    assert to_utf8(bom + '{"n": "Ünï"}'.encode(encoding), "f") == '{"n": "Ünï"}'.encode()


def test_to_utf8_strips_a_utf8_mark_and_keeps_utf8() -> None:
    assert to_utf8(codecs.BOM_UTF8 + "{\"é\": 1}".encode(), "f") == "{\"é\": 1}".encode()
    assert to_utf8(b"{}", "f") == b"{}"


def test_to_utf8_refusals_name_the_problem_and_the_fix() -> None:
    assert message(to_utf8, b'{"a": "\x00"}', "f") == (
        f"f: contains NUL bytes, so it is not UTF-8 text (UTF-16 without a byte order mark?); {SAVE_AS_UTF8}")
    assert message(to_utf8, b'{\n "a": "caf\xe9"}', "f") == (
        f"f: is not UTF-8 text (byte 0xE9 at line 2, column 11); {SAVE_AS_UTF8}")
    assert message(to_utf8, codecs.BOM_UTF16_LE + '{"a"'.encode("utf-16-le") + b"\x00\xd8", "f") == (
        f"f: is not valid UTF-16 (unexpected end of data at line 1, column 5); {SAVE_AS_UTF8}")
    assert message(to_utf8, codecs.BOM_UTF32_LE + (0xD800).to_bytes(4, "little"), "f").startswith(
        "f: is not valid UTF-32 (")


# ---- scan.py ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    (b'{"a": 1,}', "f.json: malformed JSON: trailing comma in object (line 1, column 9)"),
    (b'{"a":\n NaN}', "f.json: malformed JSON: NaN and Infinity are not JSON numbers (line 2, column 2)"),
    (b'{"a": -Infinity}', "f.json: malformed JSON: NaN and Infinity are not JSON numbers (line 1, column 7)"),
    (b'{"a": "x', "f.json: malformed JSON: the file ends in the middle of a value, truncated? (line 1, column 9)"),
    (b'{"a": "\\ud800"}', "f.json: malformed JSON: a \\u escape is half of a UTF-16 surrogate pair, not a character "
                          "(line 1, column 8)"),
])
def test_json_syntax_errors_say_where(text: bytes, expected: str) -> None:
    assert decode_error(text) == expected


@pytest.mark.parametrize(("text", "path"), [
    (b'{"a": 1, "a": 2}', "$.a"), (b'{"x": [{}, {"b": {"c": 1, "c": 1}}]}', "$.x[1].b.c"),
    (b'{"x": {"odd key": 1, "odd key": 2}}', '$.x["odd key"]'), (b'{"a": {"b": 1}, "c": {"b": 1}}', None),
])
def test_find_duplicate_key_names_the_path(text: bytes, path: str | None) -> None:
    assert scan.find_duplicate_key(text) == path


def test_duplicate_key_suspicion() -> None:
    canonical = msgspec.json.encode(msgspec.json.decode(b'{"a": "x:y", "b": 1}'))
    assert scan.may_have_duplicate_keys(b'{"a": "x:y", "b": 1}', canonical) is False
    assert scan.may_have_duplicate_keys(b'{"a": 1, "a": 1}', b'{"a":1}') is True
    assert scan.may_have_duplicate_keys(b'{"a\\u003a": 1}', b'{"a:":1}') is True
    assert scan.may_have_duplicate_keys(b'{"a\\\\": 1}', b'{"a\\\\":1}') is False


def test_an_escaped_colon_cannot_hide_a_duplicate_from_the_colon_counts() -> None:
    # re-encoded, \u003a becomes a ':' that makes up for the colon of the collapsed duplicate
    hidden = b'{"x\\u003a": 1, "a": 1, "a": 2}'
    assert hidden.count(b":") == msgspec.json.encode(msgspec.json.decode(hidden)).count(b":")
    assert scan.untyped_may_have_duplicate_keys(hidden) is True
    assert scan.may_have_duplicate_keys(hidden, msgspec.json.encode(msgspec.json.decode(hidden))) is True
    assert scan.untyped_may_have_duplicate_keys(b'{"x\\\\": 1, "a": 1}') is False   # a backslash alone is no reason


def test_a_syntax_error_msgspec_gives_no_position_for_is_passed_on() -> None:
    error = scan.json_syntax_error("f.json", b"{}", msgspec.DecodeError("JSON is malformed: something new"))
    assert (error.file, error.path, str(error)) == ("f.json", None, "f.json: malformed JSON: something new")


@pytest.mark.parametrize(("canonical", "expected"), [
    (b'{"a":"plain"}', False), (b'{"a":"q\\"uote"}', False), (b'{"a":"back\\\\slash"}', False),
    (b'{"a":"line\\nbreak"}', True), (b'{"a":"\\u0001"}', True), (b'{"a":"del\x7f"}', True),
    ('{"a":"c1\u0085"}'.encode(), True), ('{"a":"\u00e9"}'.encode(), False),
    (b'{"a":"' + b'\\\\' * 10_001 + b'"}', False), (b'{"a":"' + b'\\\\' * 10_001 + b'\\t"}', True),
    (b'{"a":"' + b'\\"' * 10_001 + b'"}', False),
    (b'{"a":"\\"q\\nx\\""}', True),     # a control escape between two quote escapes
    (b'{"a":"b\\\\\\nx"}', True),       # a control escape right after an escaped backslash
])
def test_control_character_suspicion(canonical: bytes, expected: bool) -> None:
    assert scan.may_have_control_characters(canonical) is expected


@pytest.mark.parametrize(("node", "found"), [
    ({"a": ["ok", "b\tad"]}, ("$.a[1]", "U+0009")), ({"a": {"k\x1b": 1}}, ('$.a["k\\u001b"]', "U+001B")),
    ({"a": "\x7f"}, ("$.a", "U+007F")), ({"a": "\x9f"}, ("$.a", "U+009F")), ({"a": ["ok", {"b": 1}]}, None),
    ({"a": "\xa0"}, None),
])
def test_find_control_character(node: dict, found: tuple[str, str] | None) -> None:
    assert scan.find_control_character(node) == found


# ---- load.py ------------------------------------------------------------------------------------------

def test_schema_id_errors() -> None:
    assert decode_error([1, 2]) == "f.json: $: expected an object (a snapshot) at the top level"
    schema = load.SCHEMA_ID
    assert decode_error(edited(schema="other/v9")) == f'f.json: $.schema: expected "{schema}", got "other/v9"'
    no_schema = edited()
    del no_schema["schema"]
    assert decode_error(no_schema) == f'f.json: $.schema: expected "{schema}", got null'
    long = "x" * 100
    assert decode_error(edited(schema=long)) == f'f.json: $.schema: expected "{schema}", got "{"x" * 79}...'
    exact = "x" * 78   # 80 characters with its quotes: shown whole
    assert decode_error(edited(schema=exact)) == f'f.json: $.schema: expected "{schema}", got "{exact}"'
    over = "x" * 79    # 81 with its quotes: cut at 80
    assert decode_error(edited(schema=over)) == f'f.json: $.schema: expected "{schema}", got "{over}...'
    assert decode_error("schema = 1979-05-27T07:32:00Z\n", ".toml") == (
        f'f.toml: $.schema: expected "{schema}", got "1979-05-27 07:32:00+00:00"')   # a TOML date is shown, not a crash


def test_field_level_errors_name_path_and_expectation() -> None:
    data = edited()
    data["hosts"][0]["colour"] = "blue"
    assert decode_error(data) == "f.json: $.hosts[0].colour: unknown field (not in preflight/inventory/v1)"
    data = edited()
    data["hosts"][0]["os"]["verison"] = data["hosts"][0]["os"].pop("version")   # a typo is matched within its own object
    assert decode_error(data) == ("f.json: $.hosts[0].os.verison: unknown field (not in preflight/inventory/v1); "
                                  "did you mean 'version'?")
    data = edited()
    data["hosts"][0]["hardwar"] = data["hosts"][0].pop("hardware")
    assert decode_error(data).endswith("$.hosts[0].hardwar: unknown field (not in preflight/inventory/v1); "
                                       "did you mean 'hardware'?")
    data = edited()
    del data["hosts"][0]["name"]
    assert decode_error(data) == "f.json: $.hosts[0].name: required field is missing"
    data = edited()
    data["hosts"][0]["name"] = "HV_01"
    assert decode_error(data) == f"f.json: $.hosts[0].name: {load._PATTERN_TEXT[load.names.ComputerName]}"
    data = edited()
    data["hosts"][0]["fqdn"] = "hv01..contoso"
    assert decode_error(data) == f"f.json: $.hosts[0].fqdn: {load._PATTERN_TEXT[load.names.DnsName]}"
    data = edited()
    data["hosts"][0]["hardware"]["memory_gb"] = "lots"
    assert decode_error(data) == "f.json: $.hosts[0].hardware.memory_gb: expected float, got str"
    data = edited()
    data["hosts"][0]["platform"] = "kvm"
    assert decode_error(data) == "f.json: $.hosts[0].platform: invalid enum value 'kvm' (expected one of: esx, esxi, hyperv, virtual-server)"


def test_duplicate_key_and_control_character_are_named_in_json_not_only_in_toml() -> None:
    text = READY.read_text(encoding="utf-8").replace('"schema"', '"schema": "x", "schema"', 1)
    assert decode_error(text) == "f.json: $.schema: duplicate key: this key appears twice in one object"
    data = edited()
    data["snapshot"]["name"] = "a\tb"
    assert decode_error(data) == ("f.json: $.snapshot.name: control character U+0009 in text (control characters, "
                                  "TAB and line breaks included, are not allowed)")


def test_toml_errors() -> None:
    assert decode_error('schema = "x"\nschema = "y"\n', ".toml").startswith("f.toml: malformed TOML: ")
    assert decode_error('schema = "x"\nschema = "y"\n', ".toml").endswith(" (a key or table is defined twice)")
    assert decode_error('[snapshot]\nname = "a"\n[snapshot]\nname = "b"\n', ".toml") == (
        "f.toml: malformed TOML: Cannot declare ('snapshot',) twice (at line 3, column 10) (a key or table is defined twice)")
    assert decode_error("schema = \n", ".toml").endswith(": Invalid value (at line 1, column 10)")  # tomllib's, no hint
    assert decode_error('schema = "other/v9"\n', ".toml") == (
        f'f.toml: $.schema: expected "{load.SCHEMA_ID}", got "other/v9"')


def test_a_number_out_of_range_is_named() -> None:
    text = READY.read_text(encoding="utf-8").replace('"memory_gb": 96', '"memory_gb": 1e999', 1)
    assert text != READY.read_text(encoding="utf-8")
    assert decode_error(text) == "f.json: $.hosts[0].hardware.memory_gb: number out of range"


def test_read_snapshot_takes_json_and_toml_by_suffix_in_any_case(tmp_path: Path) -> None:
    upper = tmp_path / "READY.JSON"
    upper.write_bytes(READY.read_bytes())
    assert read_snapshot(upper).snapshot.name == DATA["snapshot"]["name"]
    yaml = tmp_path / "ready.yaml"
    yaml.write_bytes(READY.read_bytes())
    assert message(read_snapshot, yaml) == f"{yaml}: expected a .json or .toml snapshot"


def test_decoding_restores_the_garbage_collector() -> None:
    import gc
    assert gc.isenabled()
    decode_snapshot(READY.read_bytes(), "r.json", ".json")
    assert gc.isenabled()
    gc.disable()
    try:
        decode_snapshot(READY.read_bytes(), "r.json", ".json")
        assert not gc.isenabled()
    finally:
        gc.enable()


def _host(index: int, **changes) -> dict:
    host = {k: v for k, v in DATA["hosts"][index].items() if k != "managed_by"}  # no VMM server in the parts
    return dict(host, **changes)


def _part(tmp_path: Path, name: str, **lists) -> Path:
    data = {"schema": DATA["schema"], "snapshot": dict(DATA["snapshot"], name=name), **lists}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_merge_keeps_every_part_and_tolerates_one_identical_domain(tmp_path: Path) -> None:
    domain = DATA["domains"][0]
    fabrikam = {"name": "fabrikam.local"}
    first = _part(tmp_path, "hq", domains=[domain], hosts=[_host(0)])
    second = _part(tmp_path, "dr", domains=[domain, fabrikam], hosts=[_host(1)])
    merged, infos = load_estate_snapshots([first, second])
    assert [h.name for h in merged.hosts] == [DATA["hosts"][0]["name"], DATA["hosts"][1]["name"]]
    assert [d.name for d in merged.domains] == [domain["name"], "fabrikam.local"]
    assert merged.schema == load.SCHEMA_ID
    assert [(file, info.name) for file, info in infos] == [(str(first), "hq"), (str(second), "dr")]
    assert merged.snapshot.name == "hq"
    parts = [(str(p), read_snapshot(p)) for p in (first, second)]
    merged, origin = merge_snapshots(parts)
    assert {origin[id(h)][0] for h in merged.hosts} == {str(first), str(second)}
    assert origin[id(merged.hosts[1])] == (str(second), 0)


def test_merge_refuses_a_name_defined_twice(tmp_path: Path) -> None:
    host = _host(0)
    first = _part(tmp_path, "hq", hosts=[host])
    second = _part(tmp_path, "dr", hosts=[_host(1), dict(host, name=host["name"].lower())])
    assert message(load_estate_snapshots, [first, second]) == (
        f"{second}: $.hosts[1].name: '{host['name'].lower()}' is already defined in {first}")
    domain = DATA["domains"][0]
    other = dict(domain, trusts=[{"domain": "fabrikam.local", "direction": "two-way"}])  # the same domain described differently
    third = _part(tmp_path, "b", domains=[domain])
    fourth = _part(tmp_path, "c", domains=[other])
    assert message(load_estate_snapshots, [third, fourth]) == (
        f"{fourth}: $.domains[0].name: 'contoso.local' is already defined in {third}")


def test_a_broken_reference_names_the_file_it_is_in(tmp_path: Path) -> None:
    first = _part(tmp_path, "hq", hosts=[_host(0)])
    second = _part(tmp_path, "dr", hosts=[_host(1, managed_by="VMM09")])
    assert message(load_estate_snapshots, [first, second]) == (
        f"{second}: $.hosts[0].managed_by: 'VMM09' does not name an entry of vmm_servers")  # dr.json's first host
    alone = _part(tmp_path, "alone", hosts=[_host(1, managed_by="VMM09")])
    assert message(load_estate_snapshots, [alone]) == (
        f"{alone}: $.hosts[0].managed_by: 'VMM09' does not name an entry of vmm_servers")


def test_one_file_is_not_merged(tmp_path: Path) -> None:
    merged, infos = load_estate_snapshots([READY])
    assert [h.name for h in merged.hosts] == [h["name"] for h in DATA["hosts"]] and len(infos) == 1


# ---- as_of.py -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("now", AsOfMode.NOW), (" NOW ", AsOfMode.NOW), ("Collected", AsOfMode.COLLECTED),
    ("2026-12-05T22:00:00+01:00", datetime(2026, 12, 5, 21, tzinfo=UTC)),
    (" 2026-12-05T21:00:00Z ", datetime(2026, 12, 5, 21, tzinfo=UTC)),
])
def test_parse_as_of(text: str, expected) -> None:
    parsed = parse_as_of(text)
    assert parsed == expected and (parsed.tzinfo is not None if isinstance(parsed, datetime) else True)


def test_parse_as_of_refusals() -> None:
    expected = ("expected an ISO 8601 instant with a time zone (e.g. 2026-12-05T22:00:00+01:00 or "
                "2026-12-05T21:00:00Z), 'now' or 'collected'")
    assert message(parse_as_of, "tomorrow") == f"--as-of: {expected}; got 'tomorrow'"
    assert message(parse_as_of, "2026-12-05T22:00:00") == (
        f"--as-of: the instant has no time zone; {expected}; got '2026-12-05T22:00:00'")


def test_resolve_as_of() -> None:
    early, late = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
    given = resolve_as_of(early, [("a", late)], clock=lambda: late)
    assert (given.instant, given.mode, given.per_file) == (early, AsOfMode.GIVEN, ())
    collected = resolve_as_of(AsOfMode.COLLECTED, iter([("a", late), ("b", early)]))
    assert (collected.instant, collected.mode, collected.per_file) == (late, AsOfMode.COLLECTED,
                                                                       (("a", late), ("b", early)))
    assert message(resolve_as_of, AsOfMode.COLLECTED, []) == "--as-of collected: no snapshot was read"
    now = resolve_as_of(AsOfMode.NOW, [("a", early)], clock=lambda: late + timedelta(hours=1))
    assert (now.instant, now.mode) == (late + timedelta(hours=1), AsOfMode.NOW)


def test_as_of_per_file_and_description() -> None:
    run, a, b = (datetime(2026, 11, d, tzinfo=UTC) for d in (20, 1, 2))
    as_of = AsOf(run, AsOfMode.COLLECTED, (("a.json", a), ("b.json", b)))
    assert [as_of.for_file(f) for f in ("a.json", "b.json", "c.json", None)] == [a, b, run, run]
    assert [AsOf(run, mode).describe() for mode in AsOfMode] == [
        "given with --as-of", "the wall clock at the start of the run: --as-of now",
        "each snapshot's collected_at: --as-of collected"]


def test_input_error_fields() -> None:
    error = InputError("f.json", "$.a", "expected x")
    assert (str(error), error.file, error.path, error.expected) == ("f.json: $.a: expected x", "f.json", "$.a", "expected x")
    assert str(InputError("f.json", None, "expected x")) == "f.json: expected x"


def test_merge_tells_vms_apart_by_host_and_id(tmp_path: Path) -> None:
    """The same VM name on two hosts (a Replica copy), or twice on one host with different ids, is two VMs; the
    same host and name without ids, or the same host and id, is one VM defined twice."""
    guid_a, guid_b = "5f0d2a3c-8e7b-4c1a-9d6e-2b4f8a1c3e5d", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    one, two = DATA["hosts"][0]["name"], DATA["hosts"][1]["name"]

    def parts(first: dict, second: dict) -> list[Path]:
        return [_part(tmp_path, "hq", hosts=[_host(0), _host(1)], vms=[first]), _part(tmp_path, "dr", vms=[second])]

    merged, _ = load_estate_snapshots(parts({"name": "APP01", "host": one}, {"name": "APP01", "host": two}))
    assert [(vm.name, vm.host) for vm in merged.vms] == [("APP01", one), ("APP01", two)]
    merged, _ = load_estate_snapshots(parts({"name": "APP01", "host": one, "id": guid_a},
                                            {"name": "APP01", "host": one, "id": guid_b}))
    assert len(merged.vms) == 2
    for first, second in (({"name": "APP01", "host": one}, {"name": "app01", "host": one.lower()}),
                          ({"name": "APP01", "host": one, "id": guid_a}, {"name": "RENAMED", "host": one, "id": guid_a})):
        hq, dr = parts(first, second)
        assert message(load_estate_snapshots, [hq, dr]).startswith(f"{dr}: $.vms[0].name: '{second['name']}' is already defined in {hq}")


TEAMING_HOST = json.loads((BASES_DIR / "teaming.json").read_text(encoding="utf-8"))["hosts"][0]


def _teamed(**changes) -> dict:
    """A copy of the NIC Teaming base estate's host (NICs, two teams, two switches) with `changes`."""
    return dict(copy.deepcopy(TEAMING_HOST), **changes)


def _adapter_gone(host: dict) -> dict:
    host["virtual_switches"][1]["net_adapter"] = "NIC9"
    return host


def _member_gone(host: dict) -> dict:
    host["teams"][1]["members"][1]["name"] = "NIC9"
    return host


WEB01 = {k: v for k, v in DATA["vms"][0].items() if k != "id"}


@pytest.mark.parametrize(("dr_lists", "expected"), [
    ({"vms": [dict(WEB01, name="WEB09"), WEB01]},   # WEB01 on HV01 without an id; the hq part's has one
     "$.vms[1].name: duplicate VM 'WEB01' on host 'HV01' (a VM is one per host and name, or per host and id)"),
    ({"vms": [dict(WEB01, name="WEB09", host="HV99")]}, "$.vms[0].host: 'HV99' does not name an entry of hosts"),
    ({"clusters": [{"name": "CL9", "nodes": ["HV99"]}]}, "$.clusters[0].nodes[0]: 'HV99' does not name an entry of hosts"),
    ({"hosts": [_adapter_gone(_teamed())]},
     "$.hosts[0].virtual_switches[1].net_adapter: 'NIC9' does not name a NIC or team of this host"),
    ({"hosts": [_member_gone(_teamed())]},
     "$.hosts[0].teams[1].members[1].name: 'NIC9' does not name an entry of this host's nics"),
    ({"hosts": [_teamed(cluster="CL8")], "clusters": [{"name": "CL8", "nodes": []}, {"name": "CL9", "nodes": ["HV12"]}]},
     "$.hosts[0].cluster: 'CL8' but cluster 'CL9' lists this host as a node"),
], ids=["vm-clash", "vm-host", "cluster-node", "switch-adapter", "team-member", "host-cluster"])
def test_an_error_in_a_merged_estate_names_the_part_and_the_position_in_it(
        tmp_path: Path, dr_lists: dict, expected: str) -> None:
    """The index in the message is the entity's index in its own file, not in the merged lists (where the
    second part's entities follow the first part's)."""
    hq_vms = [dict(DATA["vms"][0], id="6a1c6f7e-0000-4000-8000-000000000001"), *DATA["vms"][1:]]
    lists = {k: v for k, v in DATA.items() if k not in ("schema", "snapshot", "vms")}
    hq = _part(tmp_path, "hq", **lists, vms=hq_vms, clusters=[{"name": "CL1", "nodes": []}])
    dr = _part(tmp_path, "dr", **dr_lists)
    assert message(load_estate_snapshots, [hq, dr]) == f"{dr}: {expected}"
