"""CSV v2 and Hyper-V host hotfix packs: what the per-rule case files cannot show.

A site replacing the hotfix matrix, the fabric-2012 sample estate's findings as a user reads them
(the at-risk VMs of a host blocker, the nodes of a cluster finding), and `rules show` provenance.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.engine.evaluate import evaluate
from preflight.engine.findings import Finding, Status
from preflight.pipeline import load_estate, load_rules

ROOT = Path(__file__).resolve().parent.parent
FABRIC = ROOT / "fixtures" / "estates" / "fabric-2012.json"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

SITE_MATRIX = """\
[matrix]
id = "hyperv-hotfixes"
title = "Contoso-verified Hyper-V host hotfixes"

[sources.contoso-kb-check]
title = "Contoso change board: KB id verified against the Microsoft article for the Windows 8 Beta guest hang"
confidence = "site"

[[hotfixes]]
id = "win8-beta-guest-hang"
label = "Windows 8 Beta guest hang / host stop error (site-verified id)"
kb = "KB2999999"
superseded_by = []
source = "contoso-kb-check"

[[hotfixes]]
id = "nehalem-clock-watchdog"
kb = "KB975530"
superseded_by = ["KB2264080"]
source = "contoso-kb-check"

[[hotfixes]]
id = "westmere-memory-management"
kb = "KB981791"
superseded_by = ["KB2264080"]
source = "contoso-kb-check"

[[hotfixes]]
id = "xeon-xrstor-hypervisor-error"
kb = "KB2550569"
superseded_by = []
source = "contoso-kb-check"
"""


def _site_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "site-rules"
    rules.mkdir()
    (rules / "hyperv-hotfixes.toml").write_text(SITE_MATRIX, encoding="utf-8")
    return rules


def _findings(snapshot: Path, extra: tuple[Path, ...] = ()) -> list[Finding]:
    catalog = load_rules(extra)
    estate, _ = load_estate((snapshot,), catalog)
    return list(evaluate(catalog, estate, NOW).findings)


def _only(findings: list[Finding], code: str, target: str) -> Finding:
    matches = [f for f in findings if f.rule == code and f.target.name == target]
    assert len(matches) == 1, f"{code} on {target}: {[(f.rule, f.target.name) for f in findings]}"
    return matches[0]


def test_fabric_estate_raises_exactly_the_storage_and_hotfix_findings_it_was_built_with() -> None:
    findings = _findings(FABRIC)
    ours = sorted((f.rule, f.target.name, f.status.value) for f in findings if f.rule[:3] in ("CSV", "HFX"))
    assert ours == [
        ("CSV004", "HVCLUS01", "fail"),
        ("CSV006", "HVCLUS01", "fail"),
        ("CSV007", "HVCLUS01/Volume2", "fail"),
        ("CSV010", "HVCLUS08", "fail"),
        ("HFX001", "HVLAB01", "fail"),
    ]


def test_hfx001_host_blocker_lists_every_vm_it_puts_at_risk() -> None:
    finding = _only(_findings(FABRIC), "HFX001", "HVLAB01")
    assert finding.severity.value == "blocker"
    assert finding.at_risk == ("LAB-DC8", "LAB-SQL8", "LAB-W8CP", "LAB-TOOLS")
    assert "take down all 4 VMs: LAB-DC8, LAB-SQL8, LAB-W8CP, LAB-TOOLS" in finding.message
    assert "without KB2636573" in finding.message
    assert [(e.path, e.value) for e in finding.evidence] == [("$.hosts[6].hotfixes", "none of KB2636573")]


def test_cluster_findings_name_their_nodes_and_the_vms_on_them() -> None:
    findings = _findings(FABRIC)
    cache = _only(findings, "CSV004", "HVCLUS01")
    assert cache.members == ("HV201", "HV202", "HV203", "HV204")
    assert "(nodes HV201, HV202, HV203, HV204)" in cache.message
    assert "33.3% of the smallest node's physical memory" in cache.message
    assert "VDI-001" in cache.at_risk and "APP01" in cache.at_risk and "LAB-DC8" not in cache.at_risk
    restart = _only(findings, "CSV006", "HVCLUS01")
    assert "HV204 (last boot 2026-09-12T03:30:00+00:00)" in restart.message
    assert "HV201 (last boot" not in restart.message
    redirected = _only(findings, "CSV007", "HVCLUS01/Volume2")
    assert redirected.members == ("HV201", "HV202", "HV203", "HV204")
    assert ("$.clusters[0].csvs[1].owner_node", "HV202") in [(e.path, e.value) for e in redirected.evidence]


def test_site_matrix_with_the_same_id_replaces_the_hotfix_id_hfx001_wants(tmp_path: Path) -> None:
    rules = _site_rules(tmp_path)
    finding = _only(_findings(FABRIC, (rules,)), "HFX001", "HVLAB01")
    assert "without KB2999999" in finding.message
    assert "KB2636573" not in finding.message

    data = json.loads(FABRIC.read_text(encoding="utf-8"))
    lab = next(h for h in data["hosts"] if h["name"] == "HVLAB01")
    lab["hotfixes"].append("KB2999999")
    patched = tmp_path / "patched.json"
    patched.write_text(json.dumps(data), encoding="utf-8")
    assert not [f for f in _findings(patched, (rules,)) if f.rule == "HFX001"]
    assert [f.target.name for f in _findings(patched) if f.rule == "HFX001"] == ["HVLAB01"]


def test_rules_show_hfx001_tells_where_the_kb_id_comes_from(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["rules", "show", "HFX001"]) == 0
    out = capsys.readouterr().out
    assert "hfx-win8-beta-guest-kb [unconfirmed]" in out
    assert "note: KB2636573 is recalled from memory, NOT verified" in out
    assert "win8-beta-guest-hang" in out

    rules = _site_rules(tmp_path)
    assert main(["rules", "show", "HFX001", "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert f"({rules / 'hyperv-hotfixes.toml'}), replacing " in out
    assert "<- contoso-kb-check [site]" in out


def test_cache_percent_follows_the_smallest_node_and_missing_memory_is_unknown(tmp_path: Path) -> None:
    data = json.loads(FABRIC.read_text(encoding="utf-8"))
    hosts = {h["name"]: h for h in data["hosts"]}
    hosts["HV204"]["hardware"]["memory_gb"] = 192
    bigger = tmp_path / "bigger.json"
    bigger.write_text(json.dumps(data), encoding="utf-8")
    finding = _only(_findings(bigger), "CSV004", "HVCLUS01")
    assert "is 25% of the smallest node's physical memory" in finding.message

    del hosts["HV203"]["hardware"]["memory_gb"]
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps(data), encoding="utf-8")
    finding = _only(_findings(missing), "CSV004", "HVCLUS01")
    assert finding.status is Status.UNKNOWN
    assert any(path.endswith("nodes[*].hardware.memory_gb") for path in finding.missing)
