"""Data can never drive the admin's terminal: names, values and file names are printed as visible escapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.safe_text import json_visible, visible

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"
DR = ROOT / "fixtures" / "estates" / "dr-2012.json"

# retitle the window, clear the screen, reverse the text, forge a GO line, return to column 0
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202eFAKE\n GO  0 blockers\r\u2028[red]X[/red]"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# What free text in a snapshot may still carry (control characters are refused at load): reverse the text,
# forge a GO line with a line separator, isolate, and rich markup
HOSTILE_TEXT = "\u202eFAKE\u2028 GO  0 blockers\u2029[red]X[/red]\u2066"
SHOWN_TEXT = "\\u202eFAKE\\u2028 GO  0 blockers\\u2029[red]X[/red]\\u2066"


def raw_hazards(text: str) -> set[str]:
    """The characters in `text` that a terminal would act on (newline and tab of the layout excluded)."""
    return {c for c in text if (unicodedata.category(c) == "Cc" and c not in "\n") or c in BIDI + "\u2028\u2029"}


def strings(data: object) -> list[str]:
    """Every string in a decoded JSON document."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for key, value in data.items() for s in strings(key) + strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return []


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def hostile_copy(source: Path, name: str, tmp_path: Path, prefix: str = HOSTILE_TEXT) -> Path:
    """`source` with every use of the name `name` replaced by `prefix` + name."""
    text = source.read_text(encoding="utf-8").replace(json.dumps(name), json.dumps(prefix + name, ensure_ascii=False))
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def stale_snapshot_named(name: str, tmp_path: Path) -> Path:
    """ready.json whose snapshot is called `name` (INV001 names it when the snapshot is stale)."""
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["snapshot"]["name"] = name
    path = tmp_path / "named.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


STALE = ("--as-of", "2031-01-01T00:00:00Z", "--fail-on", "warning")


def test_visible_escapes_every_control_bidi_and_separator_character() -> None:
    unsafe = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cs")] + list(BIDI + "\u2028\u2029")
    for char in unsafe:
        shown = visible(f"a{char}b")
        assert shown.startswith("a\\") and shown.endswith("b") and shown.isprintable(), repr(char)
    assert visible("\x1b]0;x\x07") == "\\x1b]0;x\\x07"
    assert visible("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("bad\udcff.json") == "bad\\udcff.json"  # an undecodable byte of a file name


def test_visible_leaves_ordinary_text_alone() -> None:
    text = "C:\\Windows\\System32 é 中文 عربي [bold] 'q' \"dq\" 🙂 \u00a0"
    assert visible(text) == text


def test_json_visible_keeps_the_data_and_drops_the_raw_characters() -> None:
    data = {"name": "a\x7fb\x9bc\u202ed\u2028e", "plain": "é"}
    text = json_visible(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert raw_hazards(text) == set() and "é" in text


def test_check_text_shows_hostile_names_instead_of_obeying_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = stale_snapshot_named(HOSTILE_TEXT, tmp_path)
    code, out, _ = run(capsys, "check", str(path), *STALE)
    assert code == 1  # the snapshot is stale at the as-of instant: INV001 fails and names it
    assert raw_hazards(out) == set()
    assert SHOWN_TEXT in out
    assert not any(line.startswith(" GO ") for line in out.splitlines()), "a separator in a name forged a verdict line"
    assert out.startswith(" NO-GO ")


def test_control_characters_in_a_snapshot_are_refused_and_the_refusal_is_visible(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for command in ("check", "validate"):
        code, out, err = run(capsys, command, str(stale_snapshot_named(HOSTILE, tmp_path)))
        assert code == 2 and out == "" and err.count("\n") == 1 and raw_hazards(err) == set()
        assert "$.snapshot.name" in err


def test_json_and_sarif_keep_hostile_names_exact_but_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = stale_snapshot_named(HOSTILE_TEXT, tmp_path)
    for fmt in ("json", "sarif"):
        _, out, _ = run(capsys, "check", str(path), "--format", fmt, *STALE)
        assert raw_hazards(out.replace("\n", "")) == set()
        assert any(HOSTILE_TEXT in value for value in strings(json.loads(out))), fmt


def test_verify_and_drill_text_show_hostile_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = hostile_copy(DR, "VM-Team", tmp_path)
    code, out, _ = run(capsys, "drill", str(path))
    assert code in (0, 1) and SHOWN_TEXT + "VM-Team" in out
    assert raw_hazards(out) == set()
    code, out, _ = run(capsys, "verify", str(path))
    assert code in (0, 1, 4) and raw_hazards(out) == set()
    _, out, _ = run(capsys, "drill", str(path), "--format", "json")
    assert raw_hazards(out.replace("\n", "")) == set()
    assert any(HOSTILE_TEXT + "VM-Team" in d["target"] for d in json.loads(out)["drills"])


def test_validate_shows_a_hostile_snapshot_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", str(stale_snapshot_named(HOSTILE_TEXT, tmp_path)))
    assert code == 0 and raw_hazards(out) == set() and SHOWN_TEXT in out


def test_a_hostile_file_name_in_an_error_is_one_visible_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "\x1b]0;pwned\x07\u202e.json"
    path.write_text("{", encoding="utf-8")
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and raw_hazards(err) == set()
    assert "\\x1b]0;pwned\\x07\\u202e.json: malformed JSON" in err


def test_a_value_in_a_usage_error_is_visible(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(READY), "--fail-on", "\x1b]0;pwned\x07")
    assert code == 2 and err.count("\n") == 1 and raw_hazards(err) == set()
    assert "'\\x1b]0;pwned\\x07' is not one of" in err
    code, _, err = run(capsys, "check", str(READY), "--\u202eevil")
    assert code == 2 and err.count("\n") == 1 and raw_hazards(err) == set()
    assert "No such option: --\\u202eevil" in err


def test_an_undecodable_file_name_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/bad\xff\x1b.json"
    with open(name, "wb") as handle:
        handle.write(b"{")
    result = subprocess.run([sys.executable, "-m", "preflight", "check", name], capture_output=True)
    assert result.returncode == 2, result.stderr
    err = result.stderr.decode("utf-8")
    assert err.count("\n") == 1 and "bad\\udcff\\x1b.json: malformed JSON" in err


def test_rules_list_and_show_make_a_hostile_pack_visible(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "evil.toml").write_text(
        '[pack]\nid = "evil"\ntitle = "Evil \\u001b]0;pwned\\u0007 pack"\nversion = "1.0.0"\n\n'
        '[sources.evil]\ntitle = "a \\u202e source"\nconfidence = "site"\n\n'
        '[[rules]]\ncode = "EVL001"\nname = "evil-rule"\ntitle = "Title \\u001b[2J [red]red[/red]"\n'
        'severity = "warning"\ntarget = "vmm_servers"\ncheck = "condition"\n'
        'params = { expect = { "hardware.memory_gb" = { ge = 16 } } }\n'
        'message = "{name}: \\u001b[31m{value}"\nrationale = "why\\nGO"\nremediation = "fix \\u202e it"\n'
        'powershell = "Get-Item x\\nGet-Item \\u001b[2J"\nsources = ["evil"]\n',
        encoding="utf-8")
    code, out, _ = run(capsys, "rules", "list", "--pack", "evil", "--rules", str(tmp_path))
    assert code == 0 and raw_hazards(out) == set()
    assert "\\x1b]0;pwned\\x07" in out and "[red]red[/red]" in out.replace("\n", "")
    code, out, _ = run(capsys, "rules", "show", "EVL001", "--rules", str(tmp_path))
    assert code == 0 and raw_hazards(out) == set()
    assert "rationale:   why\\nGO" in out and "fix \\u202e it" in out and "a \\u202e source" in out
    assert "powershell:  Get-Item x\n             Get-Item \\x1b[2J\n" in out
