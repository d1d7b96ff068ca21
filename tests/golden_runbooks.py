"""Golden runbooks of the sample estates: the text a change board signs off, and its explicit regeneration.

Regenerate on purpose with `make golden` (this file run as a script), then review the diff; the tests in
test_remediation_golden.py only ever compare, so no test run can rewrite what it checks against.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from preflight.pipeline import CheckRequest, verify
from preflight.remediation.verification import Verification

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


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
        params = " ".join(f"{k}={v}" for k, v in s.params if k != "instruction")
        lines.append(f"{s.number:>3} {s.server} {s.action} {s.object_name} {params} {s.duration_min}m{flags}".replace("  ", " "))
    for u in v.upgrades:
        lines.append(f"upgrade {u.server}: {'succeeds' if u.succeeded else 'rolls back'}"
                     f" failed[{', '.join(c.id for c in u.failed)}] removed_hosts[{', '.join(u.removed_hosts)}]"
                     f" removed_vms[{', '.join(u.removed_vms)}] removed_vcenters[{', '.join(u.removed_vcenters)}]"
                     f" pro[{u.pro_connection_dropped or ''}] removable_only[{', '.join(u.removable_only_libraries)}]")
    lines.append(f"findings: {v.count('resolved')} resolved, {v.count('unresolved')} unresolved, "
                 f"{v.count('regressed')} regressed, {len(v.introduced)} introduced; passed={v.passed}")
    return "\n".join(lines) + "\n"


def plan_json(v: Verification) -> str:
    """Every field of every planned step (and what could not be planned), as stable JSON."""
    plan = {"steps": [dataclasses.asdict(s) for s in v.plan.steps], "unplanned": [list(u) for u in v.plan.unplanned]}
    return json.dumps(plan, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def golden_path(estate: Path, kind: str = "runbook.txt") -> Path:
    """Where a golden file of a sample estate lives: its runbook text (`runbook.txt`) or full plan (`plan.json`)."""
    return GOLDEN / f"{estate.stem}.{kind}"


def current(estate: Path) -> dict[str, str]:
    """The runbook text and full plan verify produces for a sample estate now, by golden kind."""
    report, _, _ = verify(CheckRequest((estate,), as_of=NOW))
    return {"runbook.txt": runbook_text(report.verification), "plan.json": plan_json(report.verification)}


def regenerate() -> list[Path]:
    """Rewrite every golden file from the current code; returns the files written."""
    GOLDEN.mkdir(exist_ok=True)
    written = []
    for estate in ESTATES:
        for kind, text in current(estate).items():
            golden_path(estate, kind).write_text(text, encoding="utf-8")
            written.append(golden_path(estate, kind))
    return written


if __name__ == "__main__":
    for path in regenerate():
        print(f"wrote {path.relative_to(ROOT)}")
    print("review the diff (git diff tests/golden) before committing", file=sys.stderr)
