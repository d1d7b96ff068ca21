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


def test_docs_rules_has_one_current_page_per_builtin_rule_and_nothing_else() -> None:
    from tools.rule_docs import rule_docs

    pages = rule_docs()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in (DOCS / "rules").glob("*.md")}
    assert sorted(on_disk) == sorted(pages), "run `make docs`"
    stale = [name for name, text in pages.items() if on_disk[name] != text]
    assert not stale, f"run `make docs`: {stale[:5]} are out of date"


def test_a_rule_page_says_what_a_user_needs_and_nothing_of_the_machine() -> None:
    from preflight.pipeline import load_rules
    from tools.rule_docs import rule_page

    catalog = load_rules()
    rule = catalog.rules["CSV001"]
    page = rule_page(rule, catalog)
    for text in (rule.title, rule.rationale, rule.remediation, "`csvs` where", "`rules/packs/csv.toml`", *rule.sources):
        assert text in page
    assert str(DOCS.parent) not in page
    with_fix = next(r for r in catalog.rules.values() if r.fix is not None)
    assert f"[`{with_fix.fix.action}`](../actions.md)" in rule_page(with_fix, catalog)
