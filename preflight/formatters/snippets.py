"""The PowerShell a report shows for a finding: its rule's template filled with that object's own names."""

from __future__ import annotations

from preflight.engine.findings import Finding
from preflight.engine.rules import Rule
from preflight.engine.snippets import fill, placeholders
from preflight.remediation.literals import ps_quote


def shared(rule: Rule | None) -> str | None:
    """The rule's snippet when it is the same for every object (no placeholders), else None."""
    return rule.powershell if rule is not None and rule.powershell and not placeholders(rule.powershell) else None


def finding_powershell(finding: Finding, rule: Rule | None, markup_free: bool = False) -> str | None:
    """The snippet for `finding`: each placeholder becomes one single-quoted literal of the object's value.

    `markup_free` (Markdown, which some ticket systems render loosely) leaves a value holding `<` or `>`
    out: its placeholder is printed as the `'<vm>'` instruction instead of text that could read as HTML.
    """
    if rule is None or not rule.powershell:
        return None
    values = tuple((k, v) for k, v in finding.snippet if not (markup_free and ("<" in v or ">" in v)))
    return fill(rule.powershell, values, ps_quote)
