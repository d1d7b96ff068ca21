"""The action catalog covers the team's vocabulary and every `fix` a rule pack names."""

from __future__ import annotations

import pytest

from preflight.pipeline import load_rules
from preflight.remediation.actions import ACTIONS, VOCABULARY

# The vocabulary rule authors use (the team's action list); the catalog must implement every name.
TEAM_VOCABULARY = (
    "start-service", "set-service-start-mode", "enable-windows-feature", "uninstall-software", "install-software",
    "install-hotfix", "rename-computer", "join-domain", "change-sql-edition", "rebuild-sql-collation",
    "apply-vmm-2008r2-sp1", "create-dkm-container", "migrate-library-server", "remove-pro-connection",
    "enable-replica-server", "set-replica-authentication", "authorize-primary", "enable-firewall-rule",
    "add-replica-broker", "add-team-member", "remove-team-member", "set-teaming-mode", "set-csv-block-cache",
    "enable-csv-block-cache", "manual",
)
RULES_WITH_FIX = [r for r in load_rules().rules.values() if r.fix is not None]


def test_catalog_implements_the_whole_vocabulary() -> None:
    assert set(TEAM_VOCABULARY) == set(VOCABULARY)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_declares_what_a_runbook_needs(name: str) -> None:
    spec = ACTIONS[name]
    assert spec.title and spec.targets and spec.effects and spec.commands
    assert spec.duration_min > 0
    assert not (spec.manual and spec.restart), "a manual step cannot promise a restart"


@pytest.mark.parametrize("rule", RULES_WITH_FIX, ids=[r.code for r in RULES_WITH_FIX])
def test_rule_fix_names_a_catalog_action_with_known_parameters(rule) -> None:
    spec = ACTIONS.get(rule.fix.action)
    assert spec is not None and not spec.internal, f"{rule.code}: unknown action {rule.fix.action!r}"
    known = {p.name for p in spec.params}
    assert set(rule.fix.params) <= known, f"{rule.code}: {set(rule.fix.params) - known} not parameters of {spec.name}"
