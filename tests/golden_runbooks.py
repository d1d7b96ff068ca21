"""Golden runbooks of the sample estates: the text a change board signs off, and its explicit regeneration.

Regenerate on purpose with `make golden` (this file run as a script), then review the diff; the tests in
test_remediation_golden.py only ever compare, so no test run can rewrite what it checks against.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from preflight.pipeline import CheckRequest
from preflight.remediation.verification import Verification
from preflight.remediation.verify import verify

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def runbook_text(v: Verification) -> str:
    """The parts of a verification a change board signs off, as stable text."""
    plan = v.plan
    lines = [f"totals: {len(plan.steps)} steps, {plan.restarts} restarts, {plan.duration_min} min, "
             f"{plan.vm_downtime_min} VM-minutes down ({', '.join(plan.vms_down) or 'no VM'})",
             f"point of no return: step {plan.point_of_no_return.number if plan.point_of_no_return else '-'}"]
    for s in plan.steps:
        down = ", ".join(f"{o.vm} {o.minutes}m" for o in s.vms_down)
        flags = "".join([" restart" if s.restart else "", " manual" if s.manual else "",
                         " blocked" if s.blocked else "", f" down[{down}]" if down else ""])
        params = " ".join(f"{k}={v}" for k, v in s.params if k not in ("moves", "instruction"))
        lines.append(f"{s.number:>3} {s.server} {s.action} {s.object_name} {params} {s.duration_min}m{flags}".replace("  ", " "))
    for u in v.upgrades:
        lines.append(f"upgrade {u.server}: {'succeeds' if u.succeeded else 'rolls back'}"
                     f" failed[{', '.join(c.id for c in u.failed)}] removed_hosts[{', '.join(u.removed_hosts)}]"
                     f" removed_vms[{', '.join(u.removed_vms)}] removed_vcenters[{', '.join(u.removed_vcenters)}]"
                     f" pro[{u.pro_connection_dropped or ''}] removable_only[{', '.join(u.removable_only_libraries)}]")
    lines.append(f"findings: {v.count('resolved')} resolved, {v.count('unresolved')} unresolved, "
                 f"{v.count('regressed')} regressed, {len(v.introduced)} introduced; passed={v.passed}")
    return "\n".join(lines) + "\n"


def golden_path(estate: Path) -> Path:
    """Where the golden runbook of a sample estate lives."""
    return GOLDEN / f"{estate.stem}.runbook.txt"


def current_text(estate: Path) -> str:
    """The runbook text verify produces for a sample estate now."""
    report, _, _ = verify(CheckRequest((estate,), as_of=NOW))
    return runbook_text(report.verification)


def regenerate() -> list[Path]:
    """Rewrite every golden runbook from the current code; returns the files written."""
    GOLDEN.mkdir(exist_ok=True)
    written = []
    for estate in ESTATES:
        golden_path(estate).write_text(current_text(estate), encoding="utf-8")
        written.append(golden_path(estate))
    return written


if __name__ == "__main__":
    for path in regenerate():
        print(f"wrote {path.relative_to(ROOT)}")
    print("review the diff (git diff tests/golden) before committing", file=sys.stderr)
