"""Hostile inputs (tests/hostile_corpus.py, 300+ generated cases) are refused cleanly or decided safely.

Each case runs the real CLI (in a subprocess with a timeout when it could hang) and must: exit with a code
the case allows and never 3; print no traceback; on exit 2 print exactly one line on stderr and create no
output file; leave its inputs byte-for-byte as they were and no temporary file behind; and put no control,
escape or bidi-override character on the terminal.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import Case, all_cases

from preflight.cli import main

CASES = all_cases()
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029]")
TIMEOUT = 60


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(case: Case, argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    if case.isolate:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", **dict(case.env)}
        result = subprocess.run([sys.executable, "-m", "preflight", *argv], capture_output=True, timeout=TIMEOUT,
                                env=env, cwd=folder, stdin=subprocess.DEVNULL)
        return (result.returncode, result.stdout.decode("utf-8", errors="replace"),
                result.stderr.decode("utf-8", errors="replace"))
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(folder)
    code = main(argv)
    out, err = capsys.readouterr()
    return int(code), out, err


def test_the_corpus_is_large_and_covers_every_area() -> None:
    assert len(CASES) >= 300
    assert len({c.id for c in CASES}) == len(CASES), "case ids are unique"
    areas = {c.id.split("-")[0] for c in CASES}
    assert {"read", "refuse", "truncated", "nested", "computer", "control", "duplicate", "absurd", "not",
            "o", "unknown", "pack", "bidi", "empty", "fifo"} <= areas


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    argv = case.setup(tmp_path)
    before = _files(tmp_path)
    code, out, err = _run(case, argv, tmp_path, capsys, monkeypatch)
    assert code != 3 and "Traceback" not in out + err, err[-2000:]
    assert code in case.codes, f"exit {code}: {err[-500:]}"
    assert not TERMINAL_UNSAFE.search(out + err), "a control or bidi character reached the terminal"
    if code == 2:
        assert err.startswith("preflight: error: ") and err.count("\n") == 1, err
        for needle in case.stderr_has:
            assert needle.lower() in err.lower(), err
        for name in case.outputs:
            assert not (tmp_path / name).exists(), f"a refusal wrote {name}"
    after = _files(tmp_path)
    for name in case.keep or tuple(before):
        assert after.get(name) == before[name], f"{name} was changed"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]
    assert leftovers == [], "temporary files were left behind"
