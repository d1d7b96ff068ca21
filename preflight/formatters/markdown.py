"""Markdown summary short enough to paste into a change ticket: verdict, severity table, blockers and losses with fixes."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import TextIO

from preflight.engine.findings import SEVERITIES_WORST_FIRST, Finding, Severity, Status
from preflight.formatters.registry import formatter
from preflight.formatters.snippets import finding_powershell, shared
from preflight.report import Report

OBJECTS_SHOWN = 10
_METACHARACTERS = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^(\s*)(?:([#+\-=])|(\d+)([.)]))")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")  # + C1, bidi


def md_escape(text: str) -> str:
    """Snapshot text as inert Markdown: no emphasis, links, tables, raw HTML or line breaks."""
    text = _CONTROL.sub(" ", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _METACHARACTERS.sub(r"\\\1", text)
    # no heading, list item or rule where the text starts a line
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(1)}{m.group(3)}\\{m.group(4)}", text)


def _code(text: str) -> str:
    """Inline code that survives backticks inside `text`."""
    text = _CONTROL.sub(" ", text)
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _rule_block(code: str, findings: list[Finding], report: Report) -> list[str]:
    rule = report.rule(code)
    first = findings[0]
    title = rule.title if rule else first.name
    if report.baseline is not None:   # what the baseline did not have first: the objects shown name it
        findings = sorted(findings, key=lambda f: _mark(f, report) == "")
    names = ", ".join(md_escape(f.target.name) + _mark(f, report) for f in findings[:OBJECTS_SHOWN])
    if len(findings) > OBJECTS_SHOWN:
        names += f" and {len(findings) - OBJECTS_SHOWN} more"
    lines = [f"- **{code}** {md_escape(title)} ({first.severity.value}, {len(findings)} "
             f"object{'s' if len(findings) != 1 else ''}): {names}"]
    if len(findings) == 1:
        lines.append(f"  - {md_escape(first.message)}")
        lines.extend(f"  - evidence: {_code(e.path)} = {_code(e.value)}" for e in first.evidence)
    lines.append(f"  - fix: {md_escape(first.remediation)}")
    snippets = list(dict.fromkeys(s for f in findings[:OBJECTS_SHOWN] if (s := finding_powershell(f, rule, True))))
    if len(snippets) == 1 and (len(findings) == 1 or shared(rule)):
        lines.append(f"  - PowerShell: {_code(snippets[0])}")
    else:
        lines.extend(f"  - PowerShell for {md_escape(f.target.name)}: {_code(s)}" for f in findings[:OBJECTS_SHOWN]
                     if (s := finding_powershell(f, rule, True)))
    return lines


def _since(finding: Finding, report: Report) -> str:
    """'new' or 'regressed' under --baseline; 'known' for what the baseline already had, and without one."""
    return report.baseline.state(finding) if report.baseline is not None else "known"


def _mark(finding: Finding, report: Report) -> str:
    """' (**new**)' or ' (**regressed**)' under --baseline; nothing for what the baseline already had."""
    state = _since(finding, report)
    return "" if state == "known" else f" (**{state}**)"


def _baseline_line(report: Report) -> list[str]:
    if report.baseline is None:
        return []
    diff = report.baseline.diff
    return [f"Baseline {_code(report.baseline.file)}: {len(diff.new)} new, {len(diff.regressed)} regressed, "
            f"{len(diff.unchanged)} known, {len(diff.resolved)} resolved (new and regressed objects are marked).", ""]


def _verification_block(report: Report) -> list[str]:
    """The verified runbook, short enough for a change ticket (`preflight verify -o ticket.md`)."""
    from preflight.formatters.verification import plan_verdict, step_what, verification_tally

    verification = report.verification
    if verification is None:
        return []
    plan = verification.plan
    out = [f"### Remediation plan: {plan_verdict(verification)} in the emulator", "",
           f"**{plan_verdict(verification)}**: {verification_tally(verification)}.", "",
           f"{len(plan.steps)} steps ({plan.manual_steps} manual), {plan.restarts} restart(s), about {plan.duration_min} min "
           f"of scripted work, {plan.vm_downtime_min} VM-minutes of downtime.", ""]
    for step in plan.steps:   # manual steps in full: the ticket is what the engineer works from
        flags = [f for f, on in (("restart", step.restart), ("POINT OF NO RETURN", step.point_of_no_return),
                                 (f"cannot run: {step.blocked}", bool(step.blocked))) if on]
        out.append(f"{step.number}. **{md_escape(step.server)}**: {md_escape(step_what(step, limit=None))}"
                   + (f" ({md_escape('; '.join(flags))})" if flags else ""))
    unsettled = [f for f in verification.findings if f.outcome != "resolved"]
    if unsettled or verification.introduced:
        out += ["", "What the plan does not settle:", ""]
        out += [f"- {f.outcome} {f.rule} {md_escape(f.target)}: {md_escape(f.reason)}" for f in unsettled]
        out += [f"- introduced {f.rule} {md_escape(f.target)}: {md_escape(f.message)}" for f in verification.introduced]
    out += [f"- Not modelled (the result is incomplete): {md_escape(what)}" for what in verification.unmodelled]
    for upgrade in verification.upgrades:
        if upgrade.succeeded:
            result = "succeeds" + (f"; removes hosts {', '.join(upgrade.removed_hosts)} with VMs "
                                   f"{', '.join(upgrade.removed_vms) or 'none'}" if upgrade.removed_hosts else "")
        else:
            result = "rolls back: " + "; ".join(c.title for c in upgrade.failed)
        out.append(f"\nSimulated VMM 2012 upgrade of **{md_escape(upgrade.server)}**: {md_escape(result)}.")
    return out + [""]


def _missing_block(report: Report) -> list[str]:
    """Per object, the fields to collect before the verdict can be GO (unknowns at or above --fail-on)."""
    missing = report.missing_data()
    if not missing:
        return []
    out = [f"### Data to collect (unknown checks at or above *{report.fail_on.value}*)", "",
           "| Object | Missing fields | Rules |", "|---|---|---|"]
    out += [f"| {md_escape(m.name)} ({m.kind}) | {md_escape(', '.join(m.fields))} | {', '.join(m.rules)} |"
            for m in missing]
    return out + [""]


def waivers_block(report: Report) -> list[str]:
    """Waived findings (accepted, not counted) with reason, approver, ticket and expiry; expired and stale waivers."""
    from preflight.report.waivers import WaiverState

    outcome = report.waivers
    if outcome is None:
        return []
    out = ["### Waived (accepted, not counted toward the verdict)", ""]
    if outcome.waived:
        out += ["| Rule | Object | Severity | Reason | Approver | Ticket | Expires |", "|---|---|---|---|---|---|---|"]
        out += [f"| {w.finding.rule} | {md_escape(w.finding.target.name)} ({w.finding.target.kind}) | {w.finding.severity.value} "
                f"| {md_escape(w.waiver.reason)} | {md_escape(w.waiver.approver)} | {md_escape(w.waiver.ticket)} "
                f"| {w.waiver.expires_text} |" for w in outcome.waived]
    else:
        out.append("No finding is waived.")
    for state, heading in ((WaiverState.EXPIRED, "Expired waivers (the findings they name count again)"),
                           (WaiverState.STALE, "Stale waivers (match no finding: remove them)")):
        uses = outcome.in_state(state)
        if uses:
            out += ["", f"**{heading}:**", ""]
            out += [f"- {md_escape(u.waiver.label)}: ticket {md_escape(u.waiver.ticket)}, expires {u.waiver.expires_text}"
                    for u in uses]
    return out + [""]


@formatter("md", (".md", ".markdown"), "Markdown summary for a change ticket", reads_topology=False)
def write_markdown(report: Report, stream: TextIO) -> None:
    """Write the Markdown summary."""
    snapshots = ", ".join(dict.fromkeys(md_escape(i.snapshot) for i in report.inputs)) or "no snapshot"
    verdict = f"**{report.verdict.value.upper()}**"
    unknown = report.status_counts.get(Status.UNKNOWN, 0)
    out = [f"## Pre-flight verdict: {verdict}", "",
           f"Estate: {snapshots}. Verdict {md_escape(report.verdict_reason())}. "
           f"As of {report.as_of.instant.isoformat()} ({report.as_of.describe()}).", "",
           "| Severity | Failing checks |", "|---|---:|"]
    out += [f"| {s.value} | {n} |" for s, n in report.severity_counts.items()]
    out += [f"| unknown (not evaluated) | {unknown} |"]
    out += [f"| waived (not counted) | {report.waived_count} |"] if report.waivers else []
    out.append("")
    out += _baseline_line(report)
    if report.verification is not None:   # `verify`: the plan's verdict and runbook right after the verdict
        out += _verification_block(report)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.failures:
        by_rule[finding.rule].append(finding)
    for severity, heading in ((Severity.BLOCKER, "Blockers"), (Severity.LOSS, "Losses (what the upgrade drops)")):
        codes = sorted(code for code, items in by_rule.items() if items[0].severity is severity)
        if codes:
            out += [f"### {heading}", ""]
            for code in codes:
                out += _rule_block(code, by_rule[code], report)
            out.append("")
    minor = [s for s in SEVERITIES_WORST_FIRST if s.rank < Severity.LOSS.rank and report.severity_counts.get(s)]
    if minor:
        parts = [f"{report.severity_counts[s]} {s.value}" for s in minor]
        states = Counter(_since(f, report) for f in report.failures if f.severity in minor)
        since = [f"{states[state]} {state}" for state in ("new", "regressed") if states[state]]
        out += [f"Also {', '.join(parts)} finding(s){' (' + ', '.join(since) + ')' if since else ''}; see the full report.", ""]
    if unknown:
        out += [f"{unknown} check(s) could not be evaluated because the snapshot lacks the data.", ""]
    out += _missing_block(report)
    out += waivers_block(report)
    packs = ", ".join(f"{p} {v}" for p, v in report.packs.items())
    out.append(f"<sub>preflight {report.tool_version}; packs {md_escape(packs)}; as of {report.as_of.instant.isoformat()}; "
               + "; ".join(f"{md_escape(i.snapshot)} sha256 {i.sha256[:12]}" for i in report.inputs) + "</sub>")
    stream.write("\n".join(out) + "\n")
