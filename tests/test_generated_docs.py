"""Reference pages generated from the registries are current (run `make docs` after changing a registry)."""

from __future__ import annotations

from pathlib import Path

from preflight.remediation.actions import ACTIONS
from preflight.remediation.actions.reference import actions_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_actions_md_is_generated_from_the_action_registry() -> None:
    assert (DOCS / "actions.md").read_text(encoding="utf-8") == actions_markdown(), "run `make docs`"


def test_every_action_and_parameter_is_in_the_reference() -> None:
    text = actions_markdown()
    for name, spec in ACTIONS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        assert spec.title in row
        assert all(f"`{param.name}`" in row for param in spec.params)
