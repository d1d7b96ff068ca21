"""Terminal output for the change window: verdict first, then findings by severity and object."""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO

from rich.console import Console

from preflight.engine.findings import SEVERITIES_WORST_FIRST, Finding, Status
from preflight.formatters.registry import formatter
from preflight.report import Report, Verdict
from preflight.report.model import missing_by_object
from preflight.safe_text import visible_markup as _data

_PLURAL = {"blocker": "blockers", "loss": "losses", "warning": "warnings", "advisory": "advisories"}
_STYLE = {"blocker": "bold red", "loss": "bold magenta", "warning": "yellow", "advisory": "cyan"}
_VERDICT_STYLE = {Verdict.GO: "bold white on green", Verdict.NO_GO: "bold white on red",
                  Verdict.INCOMPLETE: "bold black on yellow"}


def _counts_line(report: Report) -> str:
    parts = [f"{n} {s.value if n == 1 else _PLURAL[s.value]}" for s, n in report.severity_counts.items()]
    unknown = report.status_counts.get(Status.UNKNOWN, 0)
    text = ", ".join(parts)
    if unknown:
        text += f"; {unknown} check{'s' if unknown != 1 else ''} unknown (snapshot lacks the data)"
    return text


def _print_finding(console: Console, finding: Finding, report: Report) -> None:
    rule = report.rule(finding.rule)
    title = rule.title if rule else finding.name
    console.print(f"    [bold]{_data(finding.rule)}[/] {_data(finding.name)}: {_data(title)}")
    console.print(f"      {_data(finding.message)}")
    for item in finding.evidence:
        console.print(f"      [dim]evidence:[/] {_data(item.path)} = {_data(item.value)}")
    if finding.at_risk and finding.target.kind not in ("vms", "replicated_vms", "vm_teams"):
        shown = ", ".join(finding.at_risk[:10]) + (" ..." if len(finding.at_risk) > 10 else "")
        console.print(f"      [dim]at risk:[/] {len(finding.at_risk)} VM(s): {_data(shown)}")
    if finding.members:
        console.print(f"      [dim]nodes:[/] {_data(', '.join(finding.members))}")
    console.print(f"      [dim]fix:[/] {_data(finding.remediation)}")


@formatter("text", (".txt",), "Terminal view: verdict, findings by severity and object, summary")
def write_text(report: Report, stream: TextIO) -> None:
    """Write the human-readable terminal report."""
    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
    console.print(f"[{_VERDICT_STYLE[report.verdict]}] {report.verdict.value.upper()} [/] {_counts_line(report)}")
    console.print(f"[dim]{_data(report.verdict_reason())}[/]")
    console.print(f"[dim]as of {report.as_of.instant.isoformat()} ({report.as_of.describe()})[/]")
    for severity in SEVERITIES_WORST_FIRST:
        failures = [f for f in report.failures if f.severity is severity]
        if not failures:
            continue
        console.print()
        console.print(f"[{_STYLE[severity.value]}]{severity.value.upper()} ({len(failures)})[/]")
        by_object: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for finding in failures:
            by_object[(finding.target.kind, finding.target.name)].append(finding)
        for (kind, name), items in by_object.items():
            console.print(f"  [bold]{_data(name)}[/] [dim]({_data(kind)})[/]")
            for finding in items:
                _print_finding(console, finding, report)
    if report.unknowns:
        console.print()
        console.print(f"[bold]UNKNOWN ({len(report.unknowns)})[/] not evaluated: the snapshot lacks the data; "
                      "missing fields per object:")
        for item in missing_by_object(report.unknowns):
            console.print(f"  [bold]{_data(item.name)}[/] [dim]({item.kind}; {_data(', '.join(item.rules))})[/]: "
                          f"{_data(', '.join(item.fields))}")
    counts = report.status_counts
    console.print()
    console.print(
        f"[dim]{len(report.rules)} rules, {report.objects} objects, {report.checks} checks "
        f"({counts[Status.PASS]} pass, {counts[Status.FAIL]} fail, {counts[Status.UNKNOWN]} unknown, "
        f"{counts[Status.NOT_APPLICABLE]} n/a) in {report.elapsed_seconds:.2f} s[/]"
    )
    if report.verification is not None:
        _print_verification(console, report)


def _print_verification(console: Console, report: Report) -> None:
    """The plan, the emulated verification, the simulated upgrade and the drills (`preflight verify`)."""
    from preflight.formatters.verification import verification_lines

    console.print()
    for line in verification_lines(report.verification):
        console.print(_data(line))
