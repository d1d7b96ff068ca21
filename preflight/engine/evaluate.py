"""Evaluate every rule once over its target list: linear in the size of the estate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from preflight.engine.catalog import Catalog
from preflight.engine.checks.base import Context, Outcome, show
from preflight.engine.conditions import holds
from preflight.engine.findings import SEVERITIES_WORST_FIRST, STATUSES, Checked, Evidence, Finding, Severity, Status, TargetRef
from preflight.engine.rules import Rule
from preflight.engine.snippets import snippet_values
from preflight.estate import Estate, Target
from preflight.inventory.as_of import AsOf, AsOfMode
from preflight.inventory.paths import Unknown

AT_RISK_SHOWN = 10
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Evaluation:
    """Findings (every fail and unknown), the count of every status per rule and, when asked for, every
    passing and not-applicable check."""

    findings: tuple[Finding, ...]
    tallies: dict[str, dict[Status, int]] = field(default_factory=dict)
    objects: int = 0
    passed: tuple[Checked, ...] = ()

    @property
    def checks(self) -> int:
        """Number of (rule, object) pairs evaluated."""
        return sum(sum(t.values()) for t in self.tallies.values())

    def status_counts(self) -> Counter[Status]:
        """Totals per status over all rules."""
        total = dict.fromkeys(STATUSES, 0)
        for tally in self.tallies.values():   # plain sums: `Counter.update` adds a mapping in Python
            for status, count in tally.items():
                total[status] += count
        return Counter({status: count for status, count in total.items() if count})


def _absolute(target: Target, path: str) -> str:
    return path if path.startswith(("@", "$")) else f"{target.json_path}.{path}"


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:AT_RISK_SHOWN])
    return shown + (f" and {len(names) - AT_RISK_SHOWN} more" if len(names) > AT_RISK_SHOWN else "")


def finding_for(rule: Rule, target: Target, outcome: Outcome) -> Finding:
    """The finding for a fail or unknown outcome: message rendered, evidence made absolute."""
    ref = TargetRef(target.kind, target.name, target.ref)
    if outcome.status is Status.UNKNOWN:
        missing = tuple(_absolute(target, p) for p in outcome.missing)
        message = f"{target.name}: cannot evaluate \"{rule.title}\": not in the snapshot: {', '.join(outcome.missing)}"
        return Finding(rule.code, rule.name, rule.pack, rule.severity, Status.UNKNOWN, ref, message, rule.remediation,
                       evidence=tuple(Evidence(p, "not collected") for p in missing), missing=missing)
    variables = {
        "name": target.name, "kind": target.kind, "value": "", "path": "", "expected": "",
        "at_risk_count": len(target.at_risk), "at_risk": _names(target.at_risk), "members": _names(target.members),
    }
    variables.update({k: v if isinstance(v, int) and not isinstance(v, bool) else show(v)
                      for k, v in outcome.variables.items()})
    evidence = tuple(Evidence(_absolute(target, e.path), e.value) for e in outcome.evidence)
    fix_params = tuple((key, rule.render_text(str(value), variables)) for key, value in rule.fix.params.items()) if rule.fix else ()
    severity = Severity(outcome.severity) if outcome.severity else rule.severity
    return Finding(rule.code, rule.name, rule.pack, severity, Status.FAIL, ref, rule.render(variables),
                   rule.remediation, evidence=evidence, at_risk=target.at_risk, members=target.members,
                   fix_action=rule.fix.action if rule.fix else None, fix_params=fix_params,
                   snippet=snippet_values(target, rule.powershell))


def evaluate_rule(rule: Rule, target: Target, context: Context) -> Outcome:
    """The outcome of one rule on one target (where-selector first)."""
    try:
        if rule.where is not None and not holds(rule.where, target.obj, target.links):
            return Outcome(Status.NOT_APPLICABLE)
        return rule.check.run(target, context)
    except Unknown as exc:
        return Outcome(Status.UNKNOWN, missing=(exc.path,))
    except Exception as exc:  # a bug in a check kind: name the rule and object, keep the cause
        raise RuntimeError(f"rule {rule.code} failed on {target.kind} '{target.name}': {exc!r}") from exc


def checked_for(rule: Rule, target: Target, outcome: Outcome) -> Checked:
    """The record of a pass or n/a outcome, evidence made absolute."""
    return Checked(rule.code, rule.name, rule.pack, outcome.status, TargetRef(target.kind, target.name, target.ref),
                   tuple(Evidence(_absolute(target, e.path), e.value) for e in outcome.evidence))


def evaluate(catalog: Catalog, estate: Estate, as_of: AsOf | datetime, progress: Progress | None = None,
             *, include_passed: bool = False) -> Evaluation:
    """Evaluate every rule of `catalog` over `estate`, measuring ages and expiry at `as_of`.

    With `include_passed` every pass and n/a is kept too (`Evaluation.passed`), in rule and object order.

    Under ``--as-of collected`` each snapshot (the `snapshots` target) is measured at its own
    `collected_at`; every other object at the run-wide instant (the newest `collected_at`).
    """
    if isinstance(as_of, datetime):
        as_of = AsOf(as_of, AsOfMode.GIVEN)
    context = Context(now=as_of.instant)
    findings: list[Finding] = []
    passed: list[Checked] = []
    tallies: dict[str, dict[Status, int]] = {}
    objects: set[tuple[str, str]] = set()
    rules = sorted(catalog.rules.values(), key=lambda r: r.code)
    for position, rule in enumerate(rules):
        tally: dict[Status, int] = {}   # a plain dict: a Counter per rule costs more to build than its counting
        for target in estate.targets(rule.target):
            at = Context(now=as_of.for_file(target.links.get("file"))) if rule.target == "snapshots" else context
            outcome = evaluate_rule(rule, target, at)
            tally[outcome.status] = tally.get(outcome.status, 0) + 1
            if outcome.status is not Status.NOT_APPLICABLE:
                objects.add((target.kind, target.name))
            if outcome.status in (Status.FAIL, Status.UNKNOWN):
                findings.append(finding_for(rule, target, outcome))
            elif include_passed:
                passed.append(checked_for(rule, target, outcome))
        tallies[rule.code] = tally
        if progress:
            progress(position + 1, len(rules))
    order = {severity: i for i, severity in enumerate(SEVERITIES_WORST_FIRST)}
    findings.sort(key=lambda f: (f.status is Status.UNKNOWN, order[f.severity], f.rule, f.target.name.casefold()))
    return Evaluation(tuple(findings), tallies, len(objects), tuple(passed))
