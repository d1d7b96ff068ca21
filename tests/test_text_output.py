"""The terminal report: plain text in files and pipes, ANSI colour only on a terminal without NO_COLOR,
and data escaped by `visible()` either way."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from report_estates import hostile_snapshot, report_of, write_snapshot

from preflight.formatters import get_formatter

ROOT = Path(__file__).resolve().parent.parent
BLOCKED = ROOT / "fixtures" / "estates" / "blocked.json"
SGR = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return report_of(write_snapshot(hostile_snapshot(), tmp_path_factory.mktemp("hostile") / "hostile.json"))


def render(report, stream: io.StringIO) -> str:
    get_formatter("text").write(report, stream)
    return stream.getvalue()


def test_a_terminal_gets_colour_and_the_same_text(hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = render(hostile, io.StringIO())
    coloured = render(hostile, Terminal())
    assert "\x1b" not in plain
    assert "\x1b[1;37;41m NO-GO \x1b[0m" in coloured, "the verdict is white on red"
    assert SGR.sub("", coloured) == plain, "colour adds styles only, never changes a character"
    assert "\x1b" not in SGR.sub("", coloured), "every ESC is one of ours: the data's own are shown as \\x1b"


def test_no_color_turns_colour_off_even_on_a_terminal(hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    assert render(hostile, Terminal()) == render(hostile, io.StringIO())


def test_every_line_keeps_its_layout(hostile) -> None:
    lines = render(hostile, io.StringIO()).splitlines()
    assert lines[0].startswith(" NO-GO  ") and lines[1].startswith("no-go: ")
    assert lines[2].startswith("as of ")
    findings = [i for i, line in enumerate(lines) if line.startswith("    ") and not line.startswith("      ")]
    assert findings, "the hostile estate has failing rules"
    for i in findings:  # rule line, message, evidence..., fix
        assert lines[i + 1].startswith("      ") and not lines[i + 1].lstrip().startswith(("evidence:", "fix:"))
        following = lines[i + 2:]
        assert any(line.startswith("      fix: ") for line in following)
    assert re.fullmatch(r"\d+ rules, \d+ objects, \d+ checks \(\d+ pass, \d+ fail, \d+ unknown, \d+ n/a\) in "
                        r"\d+\.\d\d s", lines[-1])


def _run_on_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with standard output on a pseudo-terminal; what the terminal received."""
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-m", "preflight", *args], stdout=follower,
                                 stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        os.close(follower)
        received = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:   # EIO: the child closed its end
                break
            if not chunk:
                break
            received += chunk
        child.wait(timeout=60)
    finally:
        os.close(leader)
    return received.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("no_color", [False, True])
def test_check_on_a_terminal_is_coloured_unless_no_color(no_color: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    if no_color:
        env["NO_COLOR"] = "1"
    shown = _run_on_terminal("check", str(BLOCKED), "--as-of", "collected", "-q", env=env)
    piped = subprocess.run([sys.executable, "-m", "preflight", "check", str(BLOCKED), "--as-of", "collected", "-q"],
                           capture_output=True, text=True, env=env, cwd=ROOT).stdout
    assert "\x1b" not in piped, "a pipe or a file never gets escape sequences"
    assert ("\x1b[" in shown) is not no_color
    strip = lambda text: re.sub(r" in \d+\.\d\d s$", "", SGR.sub("", text), flags=re.M)  # noqa: E731
    assert strip(shown) == strip(piped)
