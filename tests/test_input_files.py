"""Hostile and Windows-written snapshot files: encodings, syntax positions, file kinds, size cap, nesting."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from preflight.cli import main

READY = Path(__file__).resolve().parent.parent / "fixtures" / "estates" / "ready.json"
MIXED = READY.with_name("mixed.toml")
TEXT = READY.read_text(encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], path: Path | str) -> tuple[int, str]:
    """`preflight validate PATH`: exit code and stderr."""
    code = main(["validate", str(path)])
    return code, capsys.readouterr().err


def bad(capsys: pytest.CaptureFixture[str], path: Path | str, *expected: str) -> None:
    code, err = run(capsys, path)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith(f"preflight: error: {path}: "), err
    for text in expected:
        assert text in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize("source", [READY, MIXED], ids=["json", "toml"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32"])
def test_windows_encodings_with_a_bom_load(tmp_path: Path, capsys, source: Path, encoding: str) -> None:
    text = source.read_text(encoding="utf-8")
    data = {"utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
            "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be")}.get(encoding) or text.encode(encoding)
    path = tmp_path / f"estate{source.suffix}"
    path.write_bytes(data)
    code, err = run(capsys, path)
    assert code == 0, err


def test_utf16_without_bom_names_the_problem_and_the_fix(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.json"
    path.write_bytes(TEXT.encode("utf-16-le"))
    bad(capsys, path, "NUL bytes", "UTF-16 without a byte order mark", "-Encoding utf8")


def test_windows_1252_names_the_byte_position_and_the_fix(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.json"
    path.write_bytes(TEXT.replace('"WEB01"', '"WEB\u00e901"').encode("cp1252"))
    line = next(i for i, text in enumerate(TEXT.splitlines(), 1) if '"WEB01"' in text)
    bad(capsys, path, "not UTF-8 text", "byte 0xE9", f"line {line}, column", "-Encoding utf8")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_name_line_and_column(tmp_path: Path, capsys, token: str) -> None:
    replace = '"memory_gb": 4,'
    path = tmp_path / "estate.json"
    path.write_text(TEXT.replace(replace, f'"memory_gb": {token},', 1), encoding="utf-8")
    line = next(i for i, text in enumerate(TEXT.splitlines(), 1) if replace in text)
    column = TEXT.splitlines()[line - 1].index(replace) + len('"memory_gb": ') + 1
    bad(capsys, path, "NaN and Infinity are not JSON numbers", f"line {line}, column {column}")


def test_nan_in_toml_is_bad_input(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.toml"
    path.write_text(MIXED.read_text(encoding="utf-8").replace("clock_ghz = 3.0", "clock_ghz = nan", 1), encoding="utf-8")
    bad(capsys, path, "clock_ghz")


def test_lone_surrogate_names_its_position(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.json"
    path.write_text('{"schema": "preflight/inventory/v1",\n "x": "a\\ud800"}', encoding="utf-8")
    bad(capsys, path, "malformed JSON", "surrogate", "line 2, column")


def test_lone_surrogate_in_toml_is_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.toml"
    path.write_text('schema = "preflight/inventory/v1"\nx = "\\ud800"\n', encoding="utf-8")
    bad(capsys, path, "malformed TOML", "line 2, column")


def test_truncated_file_says_so_with_the_position(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.json"
    path.write_text(TEXT[:1000], encoding="utf-8")
    lines = TEXT[:1000].split("\n")
    bad(capsys, path, "truncated", f"line {len(lines)}, column {len(lines[-1]) + 1}")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_deep_nesting_is_exit_2_not_recursion_error(tmp_path: Path, capsys, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    depth = 200_000 if suffix == ".json" else 50_000
    nested = "[" * depth + "]" * depth
    path.write_text(f'{{"schema": "preflight/inventory/v1", "x": {nested}}}' if suffix == ".json"
                    else f'schema = "preflight/inventory/v1"\nx = {nested}\n', encoding="utf-8")
    bad(capsys, path, "nested too deeply")


def test_a_5000_digit_version_is_bad_input(tmp_path: Path, capsys) -> None:
    data = json.loads(TEXT)
    data["vmm_servers"][0]["os"]["version"] = "6." + "1" * 5000
    data["vmm_servers"][0]["vmm"]["version"] = "2." + "9" * 5000
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    bad(capsys, path, "$.vmm_servers[0].os.version", "length <= 64")


def test_a_5000_digit_integer_is_bad_input(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.json"
    path.write_text(TEXT.replace('"service_pack": 1', '"service_pack": ' + "9" * 5000, 1), encoding="utf-8")
    bad(capsys, path, "$.vmm_servers[0].os.service_pack", "out of range")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "estate.json"
    os.mkfifo(fifo)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(["validate", str(fifo)])), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    err = capsys.readouterr().err
    assert result == [2] and "is a FIFO (named pipe); a snapshot must be a regular file" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused(tmp_path: Path, capsys) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    bad(capsys, link, "is a character device")


def test_a_directory_is_refused(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "estate.json"
    folder.mkdir()
    bad(capsys, folder, "is a directory")


def test_size_cap_is_configurable(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "estate.json"
    path.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("PREFLIGHT_MAX_INPUT_MB", "0.001")    # 1,000 bytes
    bad(capsys, path, "larger than the input limit of 0.001 MB", "PREFLIGHT_MAX_INPUT_MB")
    monkeypatch.setenv("PREFLIGHT_MAX_INPUT_MB", "1")
    assert run(capsys, path)[0] == 0
    monkeypatch.setenv("PREFLIGHT_MAX_INPUT_MB", "lots")
    code, err = run(capsys, path)
    assert code == 2 and "PREFLIGHT_MAX_INPUT_MB: expected a positive number of megabytes, got 'lots'" in err


def test_default_cap_reads_a_large_estate(monkeypatch: pytest.MonkeyPatch) -> None:
    from preflight.inventory.read import DEFAULT_MAX_INPUT_MB, max_input_bytes
    monkeypatch.delenv("PREFLIGHT_MAX_INPUT_MB", raising=False)
    assert max_input_bytes() == DEFAULT_MAX_INPUT_MB * 1_000_000 >= 200_000_000


def test_toml_duplicate_key_is_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "estate.toml"
    path.write_text(MIXED.read_text(encoding="utf-8").replace('schema = "preflight/inventory/v1"',
                                                              'schema = "preflight/inventory/v1"\nschema = "x"', 1),
                    encoding="utf-8")
    bad(capsys, path, "malformed TOML", "defined twice")
