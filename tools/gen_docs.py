"""`make docs`: regenerate the reference pages generated from the registries (docs/actions.md, docs/rules/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # `python tools/gen_docs.py` from a checkout

from preflight.remediation.actions.reference import actions_markdown
from tools.rule_docs import rule_docs

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    (DOCS / "actions.md").write_text(actions_markdown(), encoding="utf-8")
    print(f"wrote {DOCS / 'actions.md'}")
    rules = DOCS / "rules"
    rules.mkdir(exist_ok=True)
    pages = rule_docs()
    for stale in rules.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (rules / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {rules}")
