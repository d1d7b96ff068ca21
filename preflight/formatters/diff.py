"""`preflight diff` output: text, JSON (schema preflight/diff/v1), Markdown and a self-contained HTML page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from preflight.errors import PreflightError
from preflight.formatters.markdown import md_escape
from preflight.report.baseline import FindingKey
from preflight.report.diff import EstateDiff
from preflight.safe_text import json_document, visible

DIFF_SCHEMA = "preflight/diff/v1"
DiffWriter = Callable[[EstateDiff, TextIO], None]


def diff_dict(diff: EstateDiff) -> dict[str, Any]:
    """The diff as a JSON-ready dict."""
    findings = diff.findings

    def side(s: Any) -> dict[str, Any]:
        return {"file": s.file, "kind": s.kind, "as_of": s.as_of, "findings": len(s.findings)}

    return {
        "schema": DIFF_SCHEMA,
        "old": side(diff.old), "new": side(diff.new),
        "summary": {"new": len(findings.new), "resolved": len(findings.resolved), "regressed": len(findings.regressed),
                    "unchanged": len(findings.unchanged),
                    "objects_changed": None if diff.facts is None else len(diff.facts)},
        "findings": {
            "new": [k.as_dict() for k in findings.new],
            "resolved": [k.as_dict() for k in findings.resolved],
            "regressed": [{"old": o.as_dict(), "new": n.as_dict()} for o, n in findings.regressed],
            "unchanged": [n.as_dict() for _, n in findings.unchanged],
        },
        "facts": None if diff.facts is None else [c.as_dict() for c in diff.facts],
    }


def _summary(diff: EstateDiff) -> str:
    f = diff.findings
    text = (f"{len(f.new)} new, {len(f.regressed)} regressed, {len(f.resolved)} resolved, {len(f.unchanged)} unchanged "
            "finding(s)")
    if diff.facts is not None:
        text += f"; {len(diff.facts)} object(s) changed"
    return text


def _key_line(key: FindingKey) -> str:
    return f"{key.rule} {key.kind}/{key.name} ({key.severity.value}, {key.status.value}): {key.message}"


def diff_lines(diff: EstateDiff) -> list[str]:
    """Every line of the text view."""
    f = diff.findings
    lines = [f"DIFF {diff.old.file} ({diff.old.kind}) -> {diff.new.file} ({diff.new.kind}): {_summary(diff)}"]
    for title, keys in (("NEW", f.new), ("RESOLVED", f.resolved)):
        if keys:
            lines += ["", f"{title} ({len(keys)})", *(f"  {_key_line(k)}" for k in keys)]
    if f.regressed:
        lines += ["", f"REGRESSED ({len(f.regressed)})"]
        lines += [f"  {n.rule} {n.kind}/{n.name}: {o.severity.value} {o.status.value} -> {n.severity.value} {n.status.value}: "
                  f"{n.message}" for o, n in f.regressed]
    if diff.facts:
        lines += ["", f"CHANGED FACTS ({len(diff.facts)} object(s))"]
        for change in diff.facts:
            lines.append(f"  {change.kind}/{change.name} ({change.change})")
            lines += [f"    {fact.path}: {fact.old} -> {fact.new}" for fact in change.facts]
    elif diff.facts is None:
        lines += ["", "(facts are compared only when both sides are snapshots)"]
    return [visible(line) for line in lines]


def write_diff_text(diff: EstateDiff, stream: TextIO) -> None:
    """Write the text view."""
    stream.write("\n".join(diff_lines(diff)) + "\n")


def write_diff_json(diff: EstateDiff, stream: TextIO) -> None:
    """Write the JSON document."""
    stream.write(json_document(diff_dict(diff)) + "\n")


def _md_key(key: FindingKey) -> str:
    return (f"| {key.rule} | {md_escape(key.name)} ({key.kind}) | {key.severity.value} | {key.status.value} "
            f"| {md_escape(key.message)} |")


def write_diff_markdown(diff: EstateDiff, stream: TextIO) -> None:
    """Write the Markdown view (for a change ticket)."""
    f = diff.findings
    out = [f"## Pre-flight diff: {md_escape(diff.old.file)} → {md_escape(diff.new.file)}", "", md_escape(_summary(diff)) + ".", ""]
    header = ["| Rule | Object | Severity | Status | Message |", "|---|---|---|---|---|"]
    for title, keys in (("New findings", f.new), ("Resolved findings", f.resolved)):
        if keys:
            out += [f"### {title}", "", *header, *(_md_key(k) for k in keys), ""]
    if f.regressed:
        out += ["### Regressed findings", "", "| Rule | Object | Before | After | Message |", "|---|---|---|---|---|"]
        out += [f"| {n.rule} | {md_escape(n.name)} ({n.kind}) | {o.severity.value} {o.status.value} "
                f"| {n.severity.value} {n.status.value} | {md_escape(n.message)} |" for o, n in f.regressed]
        out.append("")
    if diff.facts:
        out += ["### Changed facts", "", "| Object | Change | Field | Before | After |", "|---|---|---|---|---|"]
        for c in diff.facts:
            rows = c.facts or ()
            if not rows:
                out.append(f"| {md_escape(c.name)} ({c.kind}) | {c.change} | | | |")
            out += [f"| {md_escape(c.name)} ({c.kind}) | {c.change} | `{md_escape(x.path)}` | {md_escape(x.old)} "
                    f"| {md_escape(x.new)} |" for x in rows]
        out.append("")
    stream.write("\n".join(out) + "\n")


def write_diff_html(diff: EstateDiff, stream: TextIO) -> None:
    """Write the self-contained HTML page (no script, nothing loaded from the network)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from preflight.resources import reports_dir

    environment = Environment(loader=FileSystemLoader(str(reports_dir())), autoescape=select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)
    stream.write(environment.get_template("diff.html.j2").render(diff=diff, summary=_summary(diff)))


DIFF_FORMATS: dict[str, tuple[tuple[str, ...], DiffWriter]] = {
    "text": ((".txt",), write_diff_text),
    "json": ((".json",), write_diff_json),
    "md": ((".md", ".markdown"), write_diff_markdown),
    "html": ((".html", ".htm"), write_diff_html),
}


def diff_writer(format: str | None, output: str | None) -> DiffWriter:
    """The writer for `--format`, else for the output file's extension, else text."""
    if format is not None:
        if format not in DIFF_FORMATS:
            raise PreflightError(f"unknown diff format '{format}' (expected one of: {', '.join(DIFF_FORMATS)})")
        return DIFF_FORMATS[format][1]
    if output is None or output == "-":
        return write_diff_text
    lowered = output.lower()
    for extensions, writer in DIFF_FORMATS.values():
        if lowered.endswith(extensions):
            return writer
    raise PreflightError(f"{output}: cannot tell the format from the file name (known extensions: "
                         f"{' '.join(e for exts, _ in DIFF_FORMATS.values() for e in exts)}); name the format with --format")
