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
    "enable-csv-block-cache", "manual", "backup-vmm-database", "restart-cluster-nodes",
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


def test_every_action_has_an_emulator_effect_and_the_emulator_models_no_other() -> None:
    from preflight.emulator import EFFECTS

    assert set(EFFECTS) == set(ACTIONS)


def test_phases_come_from_the_one_table_and_order_one_servers_work() -> None:
    from preflight.remediation.actions.phases import Phase

    assert all(isinstance(spec.phase, Phase) for spec in ACTIONS.values())
    after = sorted(name for name, spec in ACTIONS.items() if spec.after_restart and not spec.internal)
    assert after == ["start-service"], "only starting a service waits for the restart"
    for name, spec in ACTIONS.items():
        for before in spec.runs_after:
            assert ACTIONS[before].phase < spec.phase, f"{name} must run after {before}: its phase must be later"


def test_fix_order_problems_reports_an_action_placed_before_one_it_needs_first() -> None:
    from preflight.remediation.plan import fix_order_problems
    from preflight.remediation.runbook import Plan, Step

    install = Step(1, "install-software", "VMM01", "vmm_servers", "VMM01", (("package", "waik-windows7"),), duration_min=15)
    uninstall = Step(2, "uninstall-software", "VMM01", "vmm_servers", "VMM01", (("pattern", "WAIK"),), duration_min=10)
    assert fix_order_problems(Plan((install, uninstall))) == [
        "step 1: install-software runs before uninstall-software (step 2)"]
    elsewhere = Step(2, "uninstall-software", "SQL01", "sql_servers", "SQL01", (("pattern", "WAIK"),), duration_min=10)
    assert fix_order_problems(Plan((install, elsewhere))) == []
    hotfix = Step(1, "install-hotfix", "HV01", "hosts", "HV01", (("kb", "KB2550569"),), restart=True, duration_min=10)
    assert fix_order_problems(Plan((hotfix,))) == ["step 1: needs a restart the plan never does"]
