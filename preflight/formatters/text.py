"""Terminal output for the change window: verdict first, then findings by severity and object.

Lines are built as plain strings and written once: a large estate's report has tens of thousands of
lines, and a console library's per-line layout costs more than the whole check. Data goes through
`visible()`, so nothing a snapshot holds can drive the terminal; ANSI colour is added only when the
stream is a terminal and NO_COLOR is unset (https://no-color.org).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from typing import TextIO

from preflight.engine.findings import SEVERITIES_WORST_FIRST, Finding, Status
from preflight.formatters.registry import formatter
from preflight.report import Report, Verdict
from preflight.report.model import missing_by_object
from preflight.safe_text import visible as _data

_PLURAL = {"blocker": "blockers", "loss": "losses", "warning": "warnings", "advisory": "advisories"}
# SGR parameters: bold 1, dim 2; foreground red 31, magenta 35, yellow 33, cyan 36, white 37, black 30;
# background red 41, green 42, yellow 43.
_STYLE = {"blocker": "1;31", "loss": "1;35", "warning": "33", "advisory": "36"}
_VERDICT_STYLE = {Verdict.GO: "1;37;42", Verdict.NO_GO: "1;37;41", Verdict.INCOMPLETE: "1;30;43"}
_BOLD, _DIM = "1", "2"
_VM_KINDS = ("vms", "replicated_vms", "vm_teams")

Paint = Callable[[str, str], str]


def _ansi(style: str, text: str) -> str:
    return f"\x1b[{style}m{text}\x1b[0m"


def _plain(_style: str, text: str) -> str:
    return text


def wants_colour(stream: TextIO) -> bool:
    """True when `stream` is a terminal and the user has not asked for no colour (NO_COLOR set, even empty)."""
    if "NO_COLOR" in os.environ:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _counts_line(report: Report) -> str:
    parts = [f"{n} {s.value if n == 1 else _PLURAL[s.value]}" for s, n in report.severity_counts.items()]
    unknown = report.status_counts.get(Status.UNKNOWN, 0)
    text = ", ".join(parts)
    if unknown:
        text += f"; {unknown} check{'s' if unknown != 1 else ''} unknown (snapshot lacks the data)"
    if report.waived_count:
        text += f"; {report.waived_count} waived"
    return text


def _finding_lines(finding: Finding, title: str, paint: Paint, lines: list[str], report: Report) -> None:
    lines.append(f"    {paint(_BOLD, _data(finding.rule))} {_data(finding.name)}: {_data(title)}{_tag(finding, report)}")
    lines.append(f"      {_data(finding.message)}")
    evidence = paint(_DIM, "evidence:")
    for item in finding.evidence:
        lines.append(f"      {evidence} {_data(item.path)} = {_data(item.value)}")
    if finding.at_risk and finding.target.kind not in _VM_KINDS:
        shown = ", ".join(finding.at_risk[:10]) + (" ..." if len(finding.at_risk) > 10 else "")
        lines.append(f"      {paint(_DIM, 'at risk:')} {len(finding.at_risk)} VM(s): {_data(shown)}")
    if finding.members:
        lines.append(f"      {paint(_DIM, 'nodes:')} {_data(', '.join(finding.members))}")
    lines.append(f"      {paint(_DIM, 'fix:')} {_data(finding.remediation)}")
    lapsed = report.waivers.expired_waiver(finding) if report.waivers else None
    if lapsed is not None:
        lines.append(f"      {paint(_BOLD, 'waiver expired:')} {_data(lapsed.expires_text)} "
                     f"(ticket {_data(lapsed.ticket)}, {_data(lapsed.where)}): this finding counts again")


def _tag(finding: Finding, report: Report) -> str:
    """' [new]' or ' [regressed]' under --baseline; ' [known]' for what the baseline already had."""
    return "" if report.baseline is None else f" [{report.baseline.state(finding)}]"


def text_lines(report: Report, colour: bool = False) -> list[str]:
    """Every line of the terminal report, without line ends; with ANSI colour when `colour`."""
    paint: Paint = _ansi if colour else _plain
    lines = [
        f"{paint(_VERDICT_STYLE[report.verdict], f' {report.verdict.value.upper()} ')} {_counts_line(report)}",
        paint(_DIM, _data(report.verdict_reason())),
        paint(_DIM, f"as of {report.as_of.instant.isoformat()} ({report.as_of.describe()})"),
    ]
    if report.baseline is not None:
        diff = report.baseline.diff
        lines.append(paint(_DIM, _data(f"baseline {report.baseline.file}: {len(diff.new)} new, {len(diff.regressed)} "
                                       f"regressed, {len(diff.unchanged)} known, {len(diff.resolved)} resolved")))
    if report.verification is not None:   # `verify`: the plan's verdict and runbook come right after the banner
        from preflight.formatters.verification import verification_lines

        lines.append("")
        lines += [_data(line) for line in verification_lines(report.verification)]
    titles: dict[str, str] = {}
    for severity in SEVERITIES_WORST_FIRST:
        failures = [f for f in report.failures if f.severity is severity]
        if not failures:
            continue
        lines += ["", paint(_STYLE[severity.value], f"{severity.value.upper()} ({len(failures)})")]
        by_object: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for finding in failures:
            by_object[(finding.target.kind, finding.target.name)].append(finding)
        for (kind, name), items in by_object.items():
            lines.append(f"  {paint(_BOLD, _data(name))} {paint(_DIM, f'({_data(kind)})')}")
            for finding in items:
                if finding.rule not in titles:
                    rule = report.rule(finding.rule)
                    titles[finding.rule] = rule.title if rule else finding.name
                _finding_lines(finding, titles[finding.rule], paint, lines, report)
    unknowns = report.unknowns
    if unknowns:
        lines += ["", f"{paint(_BOLD, f'UNKNOWN ({len(unknowns)})')} not evaluated: the snapshot lacks the data; "
                      "missing fields per object:"]
        for item in missing_by_object(unknowns):
            rules = _data(", ".join(item.rules))
            lines.append(f"  {paint(_BOLD, _data(item.name))} {paint(_DIM, f'({item.kind}; {rules})')}: "
                         f"{_data(', '.join(item.fields))}")
    lines += waiver_lines(report, paint)
    counts = report.status_counts
    waived = f", {report.waived_count} waived" if report.waivers else ""
    lines += ["", paint(_DIM, f"{len(report.rules)} rules, {report.objects} objects, {report.checks} checks "
                              f"({counts[Status.PASS]} pass, {counts[Status.FAIL]} fail, {counts[Status.UNKNOWN]} unknown, "
                              f"{counts[Status.NOT_APPLICABLE]} n/a{waived}) in {report.elapsed_seconds:.2f} s")]
    return lines


def waiver_lines(report: Report, paint: Paint = _plain) -> list[str]:
    """The WAIVED section (accepted, not counted) and the expired and stale waivers."""
    from preflight.report.waivers import WaiverState

    outcome = report.waivers
    if outcome is None:
        return []
    lines: list[str] = []
    if outcome.waived:
        lines += ["", f"{paint(_BOLD, f'WAIVED ({len(outcome.waived)})')} accepted, not counted toward the verdict:"]
        for item in outcome.waived:
            f, w = item.finding, item.waiver
            lines.append(f"  {paint(_BOLD, _data(f.rule))} {_data(f.target.name)} {paint(_DIM, f'({_data(f.target.kind)}; {f.severity.value})')}: "
                         f"{_data(w.reason)}")
            lines.append(f"      {paint(_DIM, 'waiver:')} approved by {_data(w.approver)}, ticket {_data(w.ticket)}, "
                         f"expires {_data(w.expires_text)} ({_data(w.where)})")
    for state, heading, note in (
            (WaiverState.EXPIRED, "EXPIRED WAIVERS", "past their expiry at the as-of instant; what they name counts again:"),
            (WaiverState.STALE, "STALE WAIVERS", "match no finding (fixed, renamed or mistyped): remove them:")):
        uses = outcome.in_state(state)
        if uses:
            lines += ["", f"{paint(_BOLD, f'{heading} ({len(uses)})')} {note}"]
            lines += [f"  {_data(u.waiver.label)}: expires {_data(u.waiver.expires_text)}, ticket {_data(u.waiver.ticket)}"
                      + (f"; {len(u.matched)} finding(s)" if state is WaiverState.EXPIRED else "") for u in uses]
    return lines


@formatter("text", (".txt",), "Terminal view: verdict, findings by severity and object, summary",
           reads_topology=False)
def write_text(report: Report, stream: TextIO) -> None:
    """Write the human-readable terminal report (coloured on a terminal unless NO_COLOR is set)."""
    lines = text_lines(report, colour=wants_colour(stream))
    stream.write("\n".join(lines) + "\n")
