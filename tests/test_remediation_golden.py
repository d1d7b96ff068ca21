"""Golden runbooks for the sample estates: order, restarts, downtime and what the upgrade deletes.

Regenerate on purpose with PREFLIGHT_REGEN_GOLDEN=1 (then review the diff); a missing golden fails.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from preflight.pipeline import CheckRequest
from preflight.remediation.verification import Verification
from preflight.pipeline import verify

ROOT = Path(__file__).resolve().parent.parent
ESTATES = sorted(p for p in (ROOT / "fixtures" / "estates").iterdir() if p.suffix in (".json", ".toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
REGENERATE = os.environ.get("PREFLIGHT_REGEN_GOLDEN") == "1"


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


@pytest.mark.parametrize("estate", ESTATES, ids=[p.name for p in ESTATES])
def test_runbook_matches_golden(estate: Path) -> None:
    report, _, _ = verify(CheckRequest((estate,), as_of=NOW))
    text = runbook_text(report.verification)
    golden = GOLDEN / f"{estate.stem}.runbook.txt"
    if REGENERATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden for {estate.name}: run with PREFLIGHT_REGEN_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")
