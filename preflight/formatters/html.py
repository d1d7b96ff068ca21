"""Self-contained HTML report: one file with inline CSS, JS, data and SVG chart; no network access.

The page is rendered by Jinja2 (autoescape on) from `reports/report.html.j2`. Findings and the
topology are embedded as JSON in ``<script type="application/json">`` and rendered page by page in
the browser, so a report with tens of thousands of findings stays small in the DOM and responsive.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from datetime import datetime
from functools import lru_cache
from typing import Any, TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from preflight.engine.findings import SEVERITIES_WORST_FIRST, Finding, Severity, Status
from preflight.engine.rules import Rule
from preflight.formatters.registry import formatter
from preflight.formatters.snippets import finding_powershell, shared
from preflight.report import Report
from preflight.report.topology import TopologyNode, rolled_up
from preflight.resources import reports_dir

AT_RISK_EMBEDDED = 20   # VM names embedded per finding; the count is always exact
UNKNOWN_NAMES_SHOWN = 20
SUMMARY_NAMES_SHOWN = 8
_SEVERITY_INDEX = {s: i for i, s in enumerate(SEVERITIES_WORST_FIRST)}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(str(reports_dir())), autoescape=select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)
    # jinja2's `tojson` escapes < > & ' for HTML and, with ensure_ascii (json's default), U+2028/U+2029;
    # compact separators keep a 25k-VM report's data block small.
    environment.policies["json.dumps_kwargs"] = {"separators": (",", ":"), "default": str}
    environment.filters["html_time"] = html_time
    return environment


def html_time(instant: datetime) -> str:
    """An instant as HTML's `<time datetime>` accepts it: at most three fractional digits (Python's
    isoformat writes six, which the Nu HTML checker rejects), offset kept."""
    return instant.isoformat(timespec="milliseconds" if instant.microsecond else "seconds")


def _asset(name: str) -> Markup:
    """An asset of reports/ to inline; our own files, so trusted markup."""
    return Markup((reports_dir() / name).read_text(encoding="utf-8"))


def _csp_hash(script: str) -> str:
    """The CSP source allowing exactly our inline script: injected scripts and handlers are refused."""
    return "sha256-" + base64.b64encode(hashlib.sha256(f"\n{script}\n".encode()).digest()).decode("ascii")


def _finding_row(finding: Finding, rule_index: dict[str, int], rule: Rule | None = None,
                 since: str | None = None) -> list[Any]:
    """One failing finding as a compact array: [rule, severity, kind, name, message, evidence, at-risk count,
    at-risk names, fix action, PowerShell for this object (null when the rule's is the same for all), its
    state against a --baseline ('new', 'regressed', 'known'; null without one)]."""
    fix = None
    if finding.fix_action:
        fix = finding.fix_action + (f"({', '.join(f'{k}={v}' for k, v in finding.fix_params)})" if finding.fix_params else "")
    own = None if shared(rule) else finding_powershell(finding, rule)
    return [rule_index[finding.rule], _SEVERITY_INDEX[finding.severity], finding.target.kind, finding.target.name,
            finding.message, [[e.path, e.value] for e in finding.evidence], len(finding.at_risk),
            list(finding.at_risk[:AT_RISK_EMBEDDED]), fix, own, since]


def _topology_rows(nodes: tuple[TopologyNode, ...]) -> list[Any]:
    """[kind, name, own worst, findings, worst below or on it, children] with severities as indexes (-1 none)."""
    def index(severity: Severity | None) -> int:
        return -1 if severity is None else _SEVERITY_INDEX[severity]
    return [[n.kind, n.name, index(n.worst), n.findings, index(rolled_up(n)), _topology_rows(n.children)] for n in nodes]


def page_data(report: Report) -> dict[str, Any]:
    """Everything the browser renders: the rule catalog, failing findings and the topology."""
    rule_index = {rule.code: i for i, rule in enumerate(report.rules)}
    return {
        "severities": [s.value for s in SEVERITIES_WORST_FIRST],
        "rules": [{"code": r.code, "name": r.name, "pack": r.pack, "title": r.title, "severity": r.severity.value,
                   "rationale": r.rationale, "remediation": r.remediation, "powershell": shared(r),
                   "references": list(r.references)} for r in report.rules],
        "findings": [_finding_row(f, rule_index, report.rule(f.rule),
                                  None if report.baseline is None else report.baseline.state(f))
                     for f in report.failures if f.rule in rule_index],
        "topology": _topology_rows(report.topology),
    }


def chart_data(report: Report) -> dict[str, Any]:
    """Geometry of the stacked bar chart of failing findings by pack and severity."""
    counts: dict[str, Counter[Severity]] = defaultdict(Counter)
    for finding in report.failures:
        counts[finding.pack][finding.severity] += 1
    packs = sorted(set(report.packs) | set(counts))
    widest = max((sum(c.values()) for c in counts.values()), default=0)
    label_w, bar_w, row_h = 170, 520, 28
    rows = []
    for i, pack in enumerate(packs):
        x: float = label_w
        segments: list[dict[str, Any]] = []
        for severity in SEVERITIES_WORST_FIRST:
            n = counts[pack][severity]
            if n:
                width = max(2.0, bar_w * n / widest)
                segments.append({"severity": severity.value, "count": n, "x": round(x, 1), "width": round(width, 1)})
                x += width
        rows.append({"pack": pack, "y": 10 + i * row_h, "total": sum(counts[pack].values()), "segments": segments,
                     "end": round(x, 1)})
    return {"rows": rows, "width": label_w + bar_w + 90, "height": 40 + len(packs) * row_h, "row_h": row_h,
            "label_w": label_w}


def rule_summary(report: Report) -> list[dict[str, Any]]:
    """Failing rules worst first, each with its object count, a few object names and its fix (for print)."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.failures:
        by_rule[finding.rule].append(finding)
    rows = []
    for code, findings in by_rule.items():
        rule = report.rule(code)
        names = [f.target.name for f in findings]
        rows.append({"code": code, "severity": findings[0].severity.value, "pack": findings[0].pack,
                     "title": rule.title if rule else findings[0].name, "count": len(findings),
                     "names": names[:SUMMARY_NAMES_SHOWN], "more": max(0, len(names) - SUMMARY_NAMES_SHOWN),
                     "remediation": findings[0].remediation})
    rows.sort(key=lambda r: (-Severity(r["severity"]).rank, r["code"]))
    return rows


def unknown_summary(report: Report) -> list[dict[str, Any]]:
    """Checks the snapshot could not decide, by rule, with the missing fields."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.unknowns:
        by_rule[finding.rule].append(finding)
    rows = []
    for code, findings in sorted(by_rule.items()):
        rule = report.rule(code)
        missing = sorted({m for f in findings for m in f.missing})
        names = [f.target.name for f in findings]
        rows.append({"code": code, "severity": findings[0].severity.value, "title": rule.title if rule else code,
                     "count": len(findings), "names": names[:UNKNOWN_NAMES_SHOWN],
                     "more": max(0, len(names) - UNKNOWN_NAMES_SHOWN), "missing": missing[:UNKNOWN_NAMES_SHOWN],
                     "missing_more": max(0, len(missing) - UNKNOWN_NAMES_SHOWN)})
    return rows


def verification_view(verification: Any) -> dict[str, Any] | None:
    """The verification (`preflight verify`) as plain data for the template: runbook, fates, upgrade, drills."""
    if verification is None:
        return None
    from preflight.formatters.verification import (  # verify's own view of its results
        plan_verdict,
        step_what,
        verification_dict,
        verification_tally,
    )

    data = verification_dict(verification)
    data["verdict"], data["tally"] = plan_verdict(verification), verification_tally(verification)
    for row, step in zip(data["plan"]["steps"], verification.plan.steps, strict=True):
        row["what"] = step_what(step, limit=None)
    return data


def waiver_view(report: Report) -> dict[str, Any] | None:
    """The waivers for the template: waived findings with their rule titles, expired and stale waivers, files."""
    from preflight.report.waivers import WaiverState

    outcome = report.waivers
    if outcome is None:
        return None
    titles = {rule.code: rule.title for rule in report.rules}
    return {
        "waived": [{"finding": w.finding, "waiver": w.waiver, "title": titles.get(w.finding.rule, w.finding.name)}
                   for w in outcome.waived],
        "lists": [("Expired waivers", outcome.in_state(WaiverState.EXPIRED),
                   "Past their expiry at the as-of instant: the findings they name count again."),
                  ("Stale waivers", outcome.in_state(WaiverState.STALE),
                   "In force but matching no finding (fixed, renamed or mistyped): remove them.")],
        "files": outcome.files,
    }


@formatter("html", (".html", ".htm"), "Self-contained HTML report for people (works offline, prints to PDF)")
def write_html(report: Report, stream: TextIO) -> None:
    """Write the single-file HTML report."""
    template = _environment().get_template("report.html.j2")
    js = _asset("report.js")
    snapshots = ", ".join(dict.fromkeys(i.snapshot for i in report.inputs)) or "no snapshot"
    stream.write(template.render(
        report=report, snapshots=snapshots, severities=[s.value for s in SEVERITIES_WORST_FIRST],
        counts={s.value: n for s, n in report.severity_counts.items()},
        unknown_count=report.status_counts.get(Status.UNKNOWN, 0), status=Status,
        chart=chart_data(report), summary=rule_summary(report), unknowns=unknown_summary(report),
        missing=report.missing_data(), waivers=waiver_view(report),
        verification=verification_view(report.verification), data=page_data(report),
        css=_asset("report.css"), js=js, js_hash=_csp_hash(js),
    ))
