"""docs/rule-packs.md describes what the code registers: every check kind, target kind, fact and operator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from preflight.engine.checks import REGISTRY
from preflight.engine.conditions import OPERATORS
from preflight.estate import TARGET_KINDS
from preflight.estate.model import link_types

DOC = (Path(__file__).resolve().parent.parent / "docs" / "rule-packs.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = DOC.index(f"### {title}\n")
    end = DOC.find("\n#", start + 1)
    return DOC[start:end]


def _first_column(section: str) -> set[str]:
    """Backticked names in the first cell of each table row."""
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            names |= set(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return names


def test_every_check_kind_is_documented() -> None:
    assert _first_column(_section("Check kinds")) == set(REGISTRY)


def test_every_check_kind_documents_its_message_variables() -> None:
    rows = {re.search(r"`([^`]+)`", line.split("|")[1]).group(1): line.split("|")[4]
            for line in _section("Check kinds").splitlines() if line.startswith("| `")}
    for name, kind in REGISTRY.items():
        assert set(re.findall(r"`([^`]+)`", rows[name])) == set(kind.variables), name


def test_every_target_kind_is_documented() -> None:
    assert _first_column(_section("Targets")) == set(TARGET_KINDS)


@pytest.mark.parametrize("kind", sorted(TARGET_KINDS))
def test_every_fact_of_a_target_kind_is_documented(kind: str) -> None:
    row = next(line for line in _section("Targets").splitlines() if line.startswith(f"| `{kind}` |"))
    inherited = TARGET_KINDS[kind].inherits
    documented = set(re.findall(r"`@(\w+)`", row)) | (set(link_types(inherited)) if inherited else set())
    assert documented == set(link_types(kind))


def test_every_operator_is_documented() -> None:
    assert _first_column(_section("Conditions (`where`, and `expect` of the `condition` check)")) == set(OPERATORS)
