"""`preflight import` of the Windows Server 2012 / 2012 R2 fabric: what JSON cannot say stays not collected."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import msgspec
import pytest

from preflight.cli.app import main
from preflight.importer import import_bundles
from preflight.importer.values import enum_tables
from tests.test_importer import IMPORTS, expected

CMDLET_ENUM_HINT = "with Export-Clixml"


def _json_variant_expectation() -> dict:
    """The written snapshot without what a ConvertTo-Json export of the Hyper-V cmdlets cannot carry: the
    switch type (VMSwitchType), so the switches and which switch uses a team, and the replication mode and
    state (no Microsoft page gives those enums' numbers), so the VMs' replication, and the CSVs' I/O state and
    redirection reasons (Get-ClusterSharedVolumeState's enums, likewise)."""
    data = json.loads((IMPORTS / "fabric-2012.expected.json").read_text(encoding="utf-8"))
    for csv in data["clusters"][0]["csvs"]:
        for key in ("state_info", "file_system_redirected_io_reason", "block_redirected_io_reason"):
            del csv[key]
    for host in data["hosts"]:
        host["virtual_switches"] = []
        for team in host["teams"]:
            del team["virtual_switch"]
    for vm in data["vms"]:
        if vm["replication"] is not None:
            del vm["replication"]
    return data


def test_the_json_export_imports_everything_its_numbers_can_say(tmp_path: Path) -> None:
    result = import_bundles([IMPORTS / "fabric-2012-json"])
    target = tmp_path / "expected.json"
    target.write_text(json.dumps(_json_variant_expectation()), encoding="utf-8")
    from preflight.inventory import load_estate_snapshots
    want, _ = load_estate_snapshots([target])
    assert result.snapshot == want
    # NIC teams come from WMI classes, whose documented numbers the sourced tables translate
    hv12 = next(h for h in result.snapshot.hosts if h.name == "HV12")
    assert (hv12.teams[0].teaming_mode, hv12.teams[0].load_balancing_algorithm) == ("Lacp", "HyperVPort")
    # and what is left out says why, with the way to get it
    app11 = next(o for o in result.objects if o.kind == "vms" and o.name == "HV11/APP11")
    assert CMDLET_ENUM_HINT in app11.missing["replication.mode"]
    hv11 = next(o for o in result.objects if o.kind == "hosts" and o.name == "HV11")
    assert "VMSwitchType 2 is not in the sourced table" in hv11.missing["virtual_switches[External]"]
    assert "teams[Team1].virtual_switch" in hv11.missing


def test_the_admin_workstation_is_no_vmm_or_sql_server(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The collector ran on ADMIN01 without VMM: its failed VMM sources are reported, not turned into a server."""
    assert main(["import", str(IMPORTS / "fabric-2012-clixml"), "-o", str(tmp_path / "e.json"), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [o for o in report["objects"] if o["name"] == "ADMIN01"]
    reasons = {(n["computer"], n["source"]): n["reason"] for n in report["failed_sources"]}
    assert "no VMM server is installed on ADMIN01" in reasons["ADMIN01", "registry.vmm"]
    assert "E_ACCESSDENIED" in reasons["HV21", "wmi.Win32_QuickFixEngineering"]
    estate = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert "vmm_servers" not in estate and "sql_servers" not in estate


def test_a_site_bundle_and_a_cluster_bundle_merge_into_one_estate(tmp_path: Path) -> None:
    result = import_bundles([IMPORTS / "fabric-2008r2-clixml", IMPORTS / "fabric-2012-clixml"])
    assert [c.name for c in result.snapshot.clusters] == ["HVCLUS01", "HVCLUS12"]
    assert len(result.snapshot.hosts) == len(expected("2008r2").hosts) + len(expected("2012").hosts)
    assert result.snapshot.snapshot.name == "contoso-hq + contoso-2012"


def test_a_replication_without_its_mode_is_not_collected_rather_than_primary(tmp_path: Path) -> None:
    """The model's default mode is Primary: a replica VM whose mode the export lacks must not become a primary."""
    bundle = tmp_path / "bundle"
    shutil.copytree(IMPORTS / "fabric-2012-json", bundle)
    file = bundle / "HV21" / "hyperv.replication.json"
    items = json.loads(file.read_bytes().decode("utf-8-sig"))
    for item in items:
        del item["ReplicationMode"]
        item["ReplicationHealth"] = 1
    file.write_text(json.dumps(items), encoding="utf-8")
    result = import_bundles([bundle])
    replica_vms = [vm for vm in result.snapshot.vms if vm.host == "HV21"]
    assert replica_vms and all(vm.replication is msgspec.UNSET for vm in replica_vms)
    why = next(o for o in result.objects if o.name == "HV21/APP11").missing["replication"]
    assert why.startswith("mode: property ReplicationMode is not in the export")


def test_a_backup_time_without_the_servers_offset_is_not_collected(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(IMPORTS / "fabric-2008r2-clixml", bundle)
    file = bundle / "SQL01" / "sql.backups.clixml"
    file.write_text(re.sub(r'<I32 N="UtcOffsetMinutes">\d+</I32>', "", file.read_text(encoding="utf-8")), encoding="utf-8")
    result = import_bundles([bundle])
    assert result.snapshot.vmm_servers[0].vmm.database.last_full_backup is msgspec.UNSET
    vmm = next(o for o in result.objects if o.kind == "vmm_servers")
    assert "no time zone" in vmm.missing["vmm.database.last_full_backup"]


def test_every_enum_table_names_its_source_and_an_empty_one_says_what_to_do() -> None:
    raw = tomllib.loads((Path(__file__).resolve().parent.parent / "preflight" / "importer" / "enums.toml").read_text("utf-8"))
    assert set(raw) == set(enum_tables())
    for name, table in raw.items():
        assert table["source"].startswith(("https://learn.microsoft.com/", "none found")), name
        if not table["values"]:
            assert CMDLET_ENUM_HINT in table["note"] or "ToString" in table["note"], name


@pytest.mark.parametrize("table, number, name", [
    ("NetLbfoTeamingMode", 2, "Lacp"), ("NetLbfoLoadBalancingAlgorithm", 5, "Dynamic"), ("NetLbfoMemberMode", 4096, "Failed"),
    ("VMState", 6, "Saved"), ("RecoveryAuthenticationType", 3, "CertificateAndKerberos"), ("NdisPhysicalMedium", 14, "802.3"),
])
def test_documented_numbers_translate(table: str, number: int, name: str) -> None:
    from preflight.importer.values import enum_name
    assert enum_name(number, table) == name
    assert "not in the sourced table" in enum_name(1, "NetLbfoLoadBalancingAlgorithm").reason  # type: ignore[union-attr]


def test_the_guest_os_comes_from_a_running_vms_kvp_items_only() -> None:
    from preflight.importer.guests import _pair
    result = import_bundles([IMPORTS / "fabric-2012-clixml"])
    sql12 = next(vm for vm in result.snapshot.vms if vm.host == "HV12")
    assert (sql12.guest_os.caption, sql12.guest_os.service_pack) == ("Windows Server 2008 R2 Enterprise", 1)
    replica = next(o for o in result.objects if o.name == "HV21/SQL12")
    assert "integration services report nothing (VM Off)" in replica.missing["guest_os"]
    # an entity declaration in an embedded instance is not expanded: the item is ignored
    hostile = ('<!DOCTYPE i [<!ENTITY x "Windows">]><INSTANCE><PROPERTY NAME="Name"><VALUE>OSName</VALUE></PROPERTY>'
               '<PROPERTY NAME="Data"><VALUE>&x;</VALUE></PROPERTY></INSTANCE>')
    assert _pair(hostile) is None and _pair("<INSTANCE") is None


def test_two_bundles_that_read_the_domain_differently_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same domain read by two site bundles merges only when both read the same facts."""
    bundle = tmp_path / "site-b"
    shutil.copytree(IMPORTS / "fabric-2012-json", bundle)
    file = bundle / "contoso.local" / "ad.domain.json"
    rows = [row for row in json.loads(file.read_bytes().decode("utf-8-sig")) if row["Kind"] != "Trust"]
    file.write_text(json.dumps(rows), encoding="utf-8")
    assert main(["import", str(IMPORTS / "fabric-2008r2-clixml"), str(bundle), "-o", str(tmp_path / "e.json")]) == 2
    err = capsys.readouterr().err
    assert "domains 'contoso.local' is also in" in err and "fabric-2008r2-clixml" in err and err.count("\n") == 1
