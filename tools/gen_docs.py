"""`make docs`: regenerate the reference pages generated from the registries (docs/actions.md)."""

from __future__ import annotations

from pathlib import Path

from preflight.remediation.actions.reference import actions_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    (DOCS / "actions.md").write_text(actions_markdown(), encoding="utf-8")
    print(f"wrote {DOCS / 'actions.md'}")
