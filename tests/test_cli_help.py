"""Help a user reads: no Python type names, an example per command, every accepted format, the same options
on every command that evaluates."""

from __future__ import annotations

import re

import pytest

from preflight.cli import main
from preflight.cli.app import command
from preflight.cli.helptext import EXAMPLES
from preflight.formatters import FORMATTERS

PYTHON_TYPES = re.compile(r"<(?:bool|str|int|float|path|Path)>|list\[|\bPath\b|NoneType|<[a-z]+\|")


def _commands(group=None, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    group = group or command()
    found = []
    for name, sub in sorted(group.commands.items()):
        found += _commands(sub, (*path, name)) if hasattr(sub, "commands") else [(*path, name)]
    return found


COMMANDS = _commands()


def _help(capsys, monkeypatch, *path: str) -> str:
    monkeypatch.setenv("COLUMNS", "200")
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_shows_no_python_types_and_an_example(capsys, monkeypatch, path: tuple[str, ...]) -> None:
    text = _help(capsys, monkeypatch, *path)
    assert not PYTHON_TYPES.search(text), PYTHON_TYPES.search(text)
    assert "[]" not in text, "rich took a [[table]] in the help for markup"
    example = text[text.index("Example"):]
    assert f"preflight {' '.join(path)} " in example, "the example runs this command"


def test_top_level_and_group_help_show_no_python_types(capsys, monkeypatch) -> None:
    for path in ((), ("rules",)):
        text = _help(capsys, monkeypatch, *path)
        assert not PYTHON_TYPES.search(text), PYTHON_TYPES.search(text)


@pytest.mark.parametrize("name", ["check", "report", "verify"])
def test_format_help_names_every_format_and_extension(capsys, monkeypatch, name: str) -> None:
    text = " ".join(_help(capsys, monkeypatch, name).split())
    for formatter in FORMATTERS.values():
        assert re.search(rf"\b{formatter.name}\b", text), formatter.name
        for extension in formatter.extensions:
            assert extension in text, extension


@pytest.mark.parametrize("name", ["check", "report", "verify", "drill"])
def test_every_evaluating_command_takes_quiet_and_rules(name: str) -> None:
    options = {option for param in command().commands[name].params for option in param.opts}
    assert {"-q", "--quiet", "--rules", "--as-of"} <= options


def test_drill_loads_the_rule_directory_it_is_given(tmp_path, capsys) -> None:
    (tmp_path / "broken.toml").write_text("[pack]\nid = 'x'\n", encoding="utf-8")
    estate = "fixtures/estates/dr-2012.json"
    from pathlib import Path

    estate = str(Path(__file__).resolve().parent.parent / estate)
    assert main(["drill", estate, "--rules", str(tmp_path), "-q"]) == 2
    assert "broken.toml" in capsys.readouterr().err


@pytest.mark.parametrize("path", [p for p in COMMANDS if " ".join(p) in EXAMPLES], ids=" ".join)
def test_examples_stay_whole_lines_in_a_narrow_terminal(capsys, monkeypatch, path: tuple[str, ...]) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    assert main([*path, "--help"]) == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    for example in EXAMPLES[" ".join(path)]:
        assert example in lines, "an example wrapped over two lines no longer pastes as one command"


def test_a_choice_is_labelled_with_its_values(capsys, monkeypatch) -> None:
    assert "--fail-on blocker|loss|warning|advisory" in _help(capsys, monkeypatch, "check")


@pytest.mark.parametrize("path", [(), ("rules",), ("waivers",)], ids=["preflight", "rules", "waivers"])
def test_no_command_prints_the_help_and_exits_2(capsys, path: tuple[str, ...]) -> None:
    assert main(list(path)) == 2
    shown = capsys.readouterr().out
    assert shown.startswith(f"Usage: preflight {' '.join(path)}".rstrip()) and "Commands:" in shown
