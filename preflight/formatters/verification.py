"""The verification (`preflight verify`) and drill results as text lines and JSON-ready dicts, for every formatter."""

from __future__ import annotations

from typing import Any

from preflight.emulator import DrillResult, UpgradeResult
from preflight.remediation.actions import ACTIONS
from preflight.remediation.runbook import Plan, Step
from preflight.remediation.verification import Verification


def step_dict(step: Step) -> dict[str, Any]:
    """One runbook step as a dict."""
    data: dict[str, Any] = {
        "step": step.number, "server": step.server, "object": step.object_name, "object_kind": step.object_kind,
        "action": step.action, "params": dict(step.params),
        "restart": step.restart, "duration_min": step.duration_min,
        "vms_down": [{"vm": o.vm, "minutes": o.minutes, "reason": o.reason} for o in step.vms_down],
        "manual": step.manual, "point_of_no_return": step.point_of_no_return, "via": step.channel,
    }
    if step.action == "drain-node":
        data["live_migrations"] = [{"vm": move.vm, "to": move.target} for move in step.moves]
    if step.blocked:
        data["blocked"] = step.blocked
    return data


def plan_dict(plan: Plan) -> dict[str, Any]:
    """The runbook with its totals."""
    point = plan.point_of_no_return
    return {
        "steps": [step_dict(s) for s in plan.steps],
        "totals": {"steps": len(plan.steps), "duration_min": plan.duration_min, "manual_steps": plan.manual_steps,
                   "restarts": plan.restarts,
                   "vm_downtime_min": plan.vm_downtime_min, "vms_down": list(plan.vms_down)},
        "point_of_no_return": point.number if point else None,
        "unplanned": [{"rule": r, "target": t} for r, t in plan.unplanned],
    }


def upgrade_dict(result: UpgradeResult) -> dict[str, Any]:
    """A simulated VMM 2012 setup run."""
    return {
        "server": result.server, "succeeded": result.succeeded,
        "failed_checks": [{"id": c.id, "title": c.title, "detail": c.detail} for c in result.failed],
        "undetermined_checks": [c.id for c in result.undetermined],
        "removed_hosts": result.removed_hosts, "removed_vms": result.removed_vms, "removed_vcenters": result.removed_vcenters,
        "pro_connection_dropped": result.pro_connection_dropped,
        "removable_only_libraries": result.removable_only_libraries, "renamed_services": result.renamed_services,
    }


def drill_dict(result: DrillResult) -> dict[str, Any]:
    """One fault drill."""
    return {"fault": result.fault, "target": result.target, "down": list(result.down),
            "restarted_elsewhere": list(result.restarted), "degraded": list(result.degraded), "note": result.note}


def verification_dict(v: Verification) -> dict[str, Any]:
    """The whole verification as a JSON-ready dict."""
    fate = lambda f: {"rule": f.rule, "target": f.target, "target_kind": f.target_kind, "severity": f.severity,  # noqa: E731
                      "outcome": f.outcome, "reason": f.reason, "message": f.message}
    return {
        "passed": v.passed,
        "complete": v.complete,
        "edited_script": v.edited_script,
        "unmodelled": list(v.unmodelled),
        "missing_steps": list(v.missing),
        "upgrade_missing": v.upgrade_missing,
        "damage": list(v.damage),
        "failed_steps": [{"step": o.number, "action": o.action, "object": o.object_name, "reason": o.reason}
                         for o in v.failed_steps],
        "plan": plan_dict(v.plan),
        "emulated_steps": [{"step": o.number, "action": o.action, "object": o.object_name, "result": o.result,
                            "reason": o.reason} for o in v.steps],
        "findings": [fate(f) for f in v.findings],
        "introduced": [fate(f) for f in v.introduced],
        "remaining_blockers": [fate(f) for f in v.remaining_blockers],
        "upgrade": [upgrade_dict(u) for u in v.upgrades],
        "drills": {"before": [drill_dict(d) for d in v.drills_before], "after": [drill_dict(d) for d in v.drills_after]},
    }


def plan_verdict(v: Verification | None) -> str:
    """The verification verdict, worded the same in every format: PLAN VERIFIED, PLAN VERIFIED ONLY IN PART (a
    statement of the script the emulator does not model) or PLAN NOT VERIFIED."""
    if v is None or not v.passed:
        return "PLAN NOT VERIFIED"
    return "PLAN VERIFIED" if v.complete else "PLAN VERIFIED ONLY IN PART"


def verification_tally(v: Verification) -> str:
    """What the plan does to the original findings: resolved, unresolved, regressed, introduced."""
    return (f"{v.count('resolved')} resolved, {v.count('unresolved')} unresolved, {v.count('regressed')} regressed, "
            f"{len(v.introduced)} introduced")


def verification_headline(v: Verification) -> str:
    """The verdict line of a verification: `PLAN NOT VERIFIED: 12 resolved, 15 unresolved, ...`."""
    return f"{plan_verdict(v)}: {verification_tally(v)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def step_what(step: Step, limit: int | None = 110) -> str:
    """The action and its parameters, as an admin reads them in the runbook (manual instructions cut at `limit`)."""
    params = step.param_dict
    if step.manual:
        text = params.get("instruction", "")
        return f"MANUAL: {text if limit is None or len(text) <= limit else text[:limit - 3] + '...'}"
    hidden = {p.name for p in ACTIONS[step.action].params if not p.shown}
    shown = ", ".join(f"{k}={v}" for k, v in params.items() if k not in hidden)
    return f"{step.action} {step.object_name}" + (f" ({shown})" if shown else "")


def _step_line(step: Step) -> str:
    flags = [] if step.manual else [f"{step.duration_min} min"]
    if step.restart:
        flags.append("needs restart")
    if step.vms_down:
        flags.append(f"VMs down: {', '.join(f'{o.vm} ({o.minutes} min)' for o in step.vms_down)}")
    if step.point_of_no_return:
        flags.append("POINT OF NO RETURN")
    if step.blocked:
        flags.append(f"cannot run: {step.blocked}")
    return f"{step.number:>3}. [{step.server}] {step_what(step)}" + (f" [{'; '.join(flags)}]" if flags else "")


def _drills_lines(title: str, drills: tuple[DrillResult, ...]) -> list[str]:
    harmful = [d for d in drills if d.down]
    lines = [f"{title}: {len(drills)} faults, {len(harmful)} take VMs down"]
    lines += [f"  {d.fault} {d.target}: down {', '.join(d.down)}" for d in harmful]
    return lines


def verification_lines(v: Verification) -> list[str]:
    """The verification as plain text lines (no markup)."""
    plan = v.plan
    lines = [verification_headline(v),
             f"Runbook: {_plural(len(plan.steps), 'step')} ({plan.manual_steps} manual), {_plural(plan.restarts, 'restart')}, "
             f"about {plan.duration_min} min of scripted work, "
             f"{plan.vm_downtime_min} VM-minutes of downtime ({_plural(len(plan.vms_down), 'VM')})"]
    lines += [_step_line(s) for s in plan.steps]
    lines += [f"  STEP FAILED {o.number} ({o.action} {o.object_name}): {o.reason}" for o in v.failed_steps]
    lines += [f"  NOT MODELLED {what}" for what in v.unmodelled]
    lines += [f"  NOT IN THE SCRIPT plan step {what}" for what in v.missing]
    lines += [f"  DAMAGE {what}" for what in v.damage]
    for fate in v.findings:
        if fate.outcome != "resolved":
            lines.append(f"  {fate.outcome.upper()} {fate.rule} {fate.target}: {fate.reason}")
    lines += [f"  INTRODUCED {f.rule} {f.target}: {f.message}" for f in v.introduced]
    for u in v.upgrades:
        if u.succeeded:
            removed = (f"removes hosts {', '.join(u.removed_hosts)} with VMs {', '.join(u.removed_vms) or 'none'}"
                       if u.removed_hosts else "removes no hosts")
            lines.append(f"VMM 2012 upgrade of {u.server}: succeeds; {removed}; PRO connection "
                         f"{'dropped (' + u.pro_connection_dropped + ')' if u.pro_connection_dropped else 'none'}; "
                         f"removable-only library servers: {', '.join(u.removable_only_libraries) or 'none'}")
        else:
            reasons = [f"{c.title} ({c.detail})" for c in u.failed] or [f"{c.title}: not collected" for c in u.undetermined]
            lines.append(f"VMM 2012 upgrade of {u.server}: ROLLS BACK - {'; '.join(reasons)}")
    return lines + _drills_lines("Drills before", v.drills_before) + _drills_lines("Drills after", v.drills_after)
