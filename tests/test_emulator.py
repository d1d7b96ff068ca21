"""The emulator behaves like the real tools: preconditions, restarts, migration, setup and its rollback."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from preflight.emulator import EmulatedEstate, Request, Result, apply, run_drills, run_vmm_upgrade
from preflight.emulator.restart import restart_computer
from preflight.emulator.state import Outage, copy_snapshot
from preflight.inventory import decode_snapshot, encode_json
from preflight.inventory.references import check_references

ROOT = Path(__file__).resolve().parent.parent
BASES = ROOT / "fixtures" / "rules" / "_bases"


def _state(base: str = "vmm", edit=None) -> EmulatedEstate:
    data = json.loads((BASES / f"{base}.json").read_text(encoding="utf-8"))
    if edit:
        edit(data)
    return EmulatedEstate(decode_snapshot(msgspec.json.encode(data), f"{base}.json", ".json"))


def _vmm(state: EmulatedEstate):
    return state.snapshot.vmm_servers[0]


def test_emulator_never_imports_the_rule_engine() -> None:
    code = "import sys, preflight.emulator; print(sorted(m for m in sys.modules if m.startswith('preflight.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "preflight.emulator" in loaded
    assert "preflight.engine" not in loaded and "preflight.estate" not in loaded
    for file in (ROOT / "preflight" / "emulator").glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("preflight.engine", "preflight.estate", "preflight.remediation")), file


def test_waik_for_windows7_refuses_while_an_older_waik_is_installed() -> None:
    def old_waik(data):
        data["vmm_servers"][0]["installed_software"][1]["version"] = "1.1.0.0"
    state = _state(edit=old_waik)
    before = encode_json(state.snapshot)
    install = Request("install-software", "vmm_servers", "VMM01", {"package": "waik-windows7"})
    refused = apply(state, install)
    assert refused.result is Result.FAILED and "earlier Windows AIK" in refused.reason
    assert encode_json(state.snapshot) == before, "a refused action leaves the estate unchanged"
    assert apply(state, Request("uninstall-software", "vmm_servers", "VMM01",
                                {"pattern": "Windows Automated Installation Kit"})).result is Result.APPLIED
    assert apply(state, install).result is Result.APPLIED
    assert apply(state, install).result is Result.NO_CHANGE


def test_uninstall_below_a_version_keeps_the_newer_kit_and_unreadable_versions() -> None:
    def kits(data):
        data["vmm_servers"][0]["installed_software"] += [
            {"name": "Windows AIK 1.0", "version": "1.0.0.0"}, {"name": "Windows AIK (unknown build)"}]
    state = _state(edit=kits)
    request = Request("uninstall-software", "vmm_servers", "VMM01",
                      {"pattern": "Windows Automated Installation Kit|Windows AIK", "below_version": "2.0"})
    assert apply(state, request).result is Result.APPLIED
    left = {s.name for s in _vmm(state).installed_software}
    assert "Windows AIK 1.0" not in left
    assert {"Windows Automated Installation Kit", "Windows AIK (unknown build)"} <= left  # 2.0.0.0 kit and unknown stay
    assert apply(state, request).result is Result.NO_CHANGE


def test_hotfix_is_active_only_after_the_restart_and_standalone_vms_go_down() -> None:
    state = _state()
    applied = apply(state, Request("install-hotfix", "hosts", "HV01", {"kb": "KB2316412"}))
    assert applied.result is Result.APPLIED and applied.restart_pending
    host = state.host("HV01")
    assert "KB2316412" not in host.hotfixes
    host.services[0].start_mode, host.services[0].state = "Manual", "Running"
    apply(state, Request("restart-computer", "hosts", "HV01"))
    assert "KB2316412" in host.hotfixes
    assert host.services[0].state == "Stopped", "a Manual service does not come back after a restart"
    assert host.services[1].state == "Running"
    assert [o.vm for o in state.outages] == ["WEB01"]


def test_start_service_refuses_a_disabled_service() -> None:
    state = _state()
    winrm = _vmm(state).services[0]
    winrm.start_mode, winrm.state = "Disabled", "Stopped"
    assert "disabled" in apply(state, Request("start-service", "vmm_servers", "VMM01", {"service": "WinRM"})).reason
    apply(state, Request("set-service-start-mode", "vmm_servers", "VMM01", {"service": "WinRM", "start_mode": "Auto"}))
    assert apply(state, Request("start-service", "vmm_servers", "VMM01", {"service": "WinRM"})).result is Result.APPLIED
    assert (winrm.state, winrm.start_mode, winrm.delayed_start) == ("Running", "Auto", True)


def test_renaming_an_installed_vmm_server_is_refused_but_a_sql_server_follows_everywhere() -> None:
    state = _state()
    assert "not supported" in apply(state, Request("rename-computer", "vmm_servers", "VMM01", {})).reason
    assert apply(state, Request("rename-computer", "sql_servers", "SQL01", {"new_name": "SQL02"})).result is Result.APPLIED
    apply(state, Request("restart-computer", "sql_servers", "SQL01"))
    assert state.snapshot.sql_servers[0].name == "SQL02"
    assert _vmm(state).vmm.database.server == "SQL02"
    assert [h.name for h in state.snapshot.hosts] == ["HV01", "HV02", "ESX01"]
    assert [(c.name, c.fqdn) for c in (*state.snapshot.vmm_servers, *state.snapshot.library_servers)] == [
        ("VMM01", "vmm01.contoso.local"), ("LIB01", "lib01.contoso.local")]
    assert {h.managed_by for h in state.snapshot.hosts} == {"VMM01"}
    assert state.renames == {"sql01": "SQL02"}


def test_drain_live_migrates_only_where_memory_allows() -> None:
    state = _state("cluster2012")
    from preflight.emulator.restart import drain_node
    from preflight.inventory.moves import Move
    node = state.snapshot.clusters[0].nodes[0]
    vms = [vm for vm in state.vms_on(node) if vm.state == "Running" and vm.highly_available is True]
    assert len(vms) >= 2, "the cluster base has running HA VMs on its first node"
    small, big = sorted(vms, key=lambda vm: vm.memory_gb)[:2]
    other = state.snapshot.clusters[0].nodes[1]
    state.host(other).hardware.memory_gb = 2 + small.memory_gb + sum(
        vm.memory_gb for vm in state.vms_on(other) if vm.state == "Running")  # room for `small`, not for more
    refused = apply(state, Request("drain-node", "hosts", node, {"minutes": "20"},
                                   moves=(Move(small.name, node, other), Move(big.name, node, other))))
    assert refused.result is Result.FAILED and "GB free" in refused.reason
    assert small.host == node and state.outages == [], "a refused drain moves nothing"
    outages = drain_node(state, node, (Move(small.name, node, other),), 20)
    assert small.host == other and big.host == node
    assert big.name in {o.vm for o in outages} and small.name not in {o.vm for o in outages}


def _renamed(base: str, old: str, kind: str, new: str) -> tuple[dict, dict]:
    """The estate after `old` is renamed to `new` and restarted, and the same estate only restarted."""
    renamed, restarted = _state(base), _state(base)
    assert apply(renamed, Request("rename-computer", kind, old, {"new_name": new})).result is Result.APPLIED
    apply(renamed, Request("restart-computer", kind, old))
    apply(restarted, Request("restart-computer", kind, old))
    assert renamed.outages == restarted.outages
    return json.loads(encode_json(renamed.snapshot)), json.loads(encode_json(restarted.snapshot))


def test_renaming_a_host_changes_that_host_and_what_points_at_it_and_nothing_else() -> None:
    after, expected = _renamed("vmm", "HV01", "hosts", "HV11")
    host = next(h for h in expected["hosts"] if h["name"] == "HV01")
    host.update(name="HV11", fqdn="hv11.contoso.local")
    next(vm for vm in expected["vms"] if vm["name"] == "WEB01")["host"] = "HV11"
    assert after == expected


def test_renaming_a_cluster_node_follows_into_the_cluster_and_its_vms() -> None:
    after, expected = _renamed("cluster2012", "HV22", "hosts", "HV32")
    next(h for h in expected["hosts"] if h["name"] == "HV22").update(name="HV32", fqdn="hv32.contoso.local")
    expected["clusters"][0]["nodes"] = ["HV21", "HV32", "HV23"]
    next(vm for vm in expected["vms"] if vm["name"] == "SQL22")["host"] = "HV32"
    assert after == expected


def test_renaming_a_library_server_follows_into_the_vmm_server() -> None:
    after, expected = _renamed("vmm", "LIB01", "library_servers", "LIB02")
    expected["library_servers"][0].update(name="LIB02", fqdn="lib02.contoso.local")
    expected["vmm_servers"][0]["library_servers"] = ["LIB02"]
    assert after == expected


def test_setup_rolls_back_and_names_the_failed_check() -> None:
    def workgroup(data):
        data["vmm_servers"][0]["domain"] = None
    state = _state(edit=workgroup)
    before = encode_json(state.snapshot)
    result = run_vmm_upgrade(state, "VMM01")
    assert not result.succeeded
    # a workgroup computer also cannot be in a domain that trusts the SQL Server's
    assert [c.id for c in result.failed] == ["domain-member", "sql-trust"]
    assert encode_json(state.snapshot) == before


def test_setup_success_renames_services_and_drops_unsupported_hosts() -> None:
    def legacy(data):
        data["hosts"][2]["version"] = "4.0.0"
        data["vmm_servers"][0]["vmm"]["pro_connection"] = {"operations_manager_server": "OM01"}
    state = _state(edit=legacy)
    result = run_vmm_upgrade(state, "VMM01")
    assert result.succeeded, result.failed
    assert result.removed_hosts == ["ESX01"] and result.removed_vms == ["LNX01"]
    assert result.pro_connection_dropped == "OM01"
    server = _vmm(state)
    assert server.vmm.version.startswith("3.0.") and server.vmm.pro_connection is None
    assert "SCVMMService" in [s.name for s in server.services]
    assert "SCVMMAgent" in [s.name for s in state.host("HV01").services]
    assert state.host("ESX01").managed_by is None


def test_export_is_a_valid_snapshot_in_the_normal_format() -> None:
    state = _state()
    apply(state, Request("install-hotfix", "hosts", "HV01", {"kb": "KB2316412"}))
    apply(state, Request("restart-computer", "hosts", "HV01"))
    exported = state.export()
    again = decode_snapshot(encode_json(exported), "emulated.json", ".json")
    check_references(again, "emulated.json")
    assert "KB2316412" in next(h for h in again.hosts if h.name == "HV01").hotfixes
    assert copy_snapshot(exported) == exported


def test_drills_report_which_faults_take_vms_down() -> None:
    def single_member_team(data):
        host = data["hosts"][0]
        host["nics"] = [{"name": "NIC1", "media_type": "802.3", "status": "Up"}]
        host["teams"] = [{"name": "T1", "members": [{"name": "NIC1"}], "virtual_switch": "vSwitch"}]
        host["virtual_switches"] = [{"name": "vSwitch", "switch_type": "External", "net_adapter": "T1"}]
    state = _state(edit=single_member_team)
    results = {(r.fault, r.target): r for r in run_drills(state.snapshot)}
    assert results[("team-member-fails", "HV01/T1: NIC1")].down == ("WEB01",)
    assert results[("team-member-fails", "HV01/T1: NIC1")].restarted == ()
    cluster = {(r.fault, r.target): r for r in run_drills(_state("cluster2012").snapshot)}
    # every node of HVCLUS01 has room for the others' HA VMs: a node failure restarts them, downs none
    assert {t: (r.down, set(r.restarted)) for (f, t), r in cluster.items() if f == "node-fails"} == {
        "HVCLUS01/HV21": ((), {"WEB21", "VDI-GOLD"}), "HVCLUS01/HV22": ((), {"SQL22"}),
        "HVCLUS01/HV23": ((), {"APP23"})}
    # a Replica link that drops suspends replication: the primary VM is degraded, never down
    replica = [r for r in run_drills(_state("replica").snapshot) if r.fault == "replica-link-drops"]
    assert sorted((r.target, r.down, r.degraded) for r in replica) == [
        ("APP01 -> hv02.contoso.local", (), ("APP01",)), ("SQL01 -> hvrbroker.contoso.local", (), ("SQL01",))]


def test_renaming_a_server_before_vmm_is_installed_follows_into_what_it_manages() -> None:
    """A VMM server named with -SCVMM- is renamed before setup; hosts, library and vCenter follow the name."""
    def not_installed(data):
        data["vmm_servers"][0]["vmm"] = None
    renamed, restarted = _state(edit=not_installed), _state(edit=not_installed)
    assert apply(renamed, Request("rename-computer", "vmm_servers", "VMM01", {"new_name": "VMM02"})).result is Result.APPLIED
    apply(renamed, Request("restart-computer", "vmm_servers", "VMM01"))
    apply(restarted, Request("restart-computer", "vmm_servers", "VMM01"))
    after, expected = json.loads(encode_json(renamed.snapshot)), json.loads(encode_json(restarted.snapshot))
    expected["vmm_servers"][0].update(name="VMM02", fqdn="vmm02.contoso.local")
    for kind in ("hosts", "library_servers", "vcenters"):
        for item in expected[kind]:
            assert item["managed_by"] == "VMM01"
            item["managed_by"] = "VMM02"
    assert after == expected


@pytest.mark.parametrize(("start_mode", "state_after"), [
    ("Auto", "Running"), ("Boot", "Running"), ("System", "Running"), ("Manual", "Stopped"), ("Disabled", "Stopped"),
    (None, "Paused"),   # start mode not collected: the emulator does not guess
])
def test_a_restart_brings_services_back_by_start_mode(start_mode: str | None, state_after: str) -> None:
    state = _state()
    service = state.host("HV02").services[0]
    service.start_mode = start_mode if start_mode else msgspec.UNSET
    service.state = "Paused"
    outages = restart_computer(state, "HV02", 25)
    assert service.state == state_after
    assert outages == [Outage("APP01", 25, "host HV02 restarts")] == state.outages


def test_pending_changes_land_at_the_restart_even_where_the_lists_were_not_collected() -> None:
    def uncollected(data):
        del data["hosts"][1]["hotfixes"], data["hosts"][1]["windows_features"]
    state = _state(edit=uncollected)
    pending = state.pending_for("HV02")
    pending.hotfixes.append("KB1")
    pending.features.append("Failover-Clustering")
    restart_computer(state, "hv02")
    host = state.host("HV02")
    assert (host.hotfixes, host.windows_features) == (["KB1"], ["Failover-Clustering"])
    assert "hv02" not in state.pending
    plain = _state()
    plain.pending_for("HV01").features.append("Failover-Clustering")
    plain.pending_for("HV01").hotfixes.append("KB1")
    restart_computer(plain, "HV01")
    assert plain.host("HV01").windows_features[-1] == "Failover-Clustering"
    assert plain.host("HV01").windows_features[:-1] == _state().host("HV01").windows_features
    collected = _state().host("HV01").hotfixes
    assert collected and plain.host("HV01").hotfixes == [*collected, "KB1"]   # the collected list is kept


def test_restart_and_drain_refuse_what_is_not_there() -> None:
    state = _state()
    assert apply(state, Request("restart-computer", "hosts", "NOPE")).reason == "no computer named 'NOPE' in the estate"
    assert apply(state, Request("drain-node", "hosts", "HV01")).reason == "'HV01' is not a node of a cluster in the estate"
    assert apply(state, Request("drain-node", "hosts", "NOPE")).reason == "'NOPE' is not a node of a cluster in the estate"
    assert apply(state, Request("resume-node", "hosts", "NOPE")).reason == "no host named 'NOPE'"
    assert state.outages == []


def test_uninstall_patterns_run_on_re2_like_the_rule_engine() -> None:
    """A site's pattern reaches the emulator through a rule's fix: it must not hang it, nor be read differently."""
    state = _state("vmm")
    server = state.snapshot.vmm_servers[0]
    server.installed_software.append(type(server.installed_software[0])(name="a" * 5000 + "!", version="1.0"))
    refused = apply(state, Request("uninstall-software", "vmm_servers", server.name, {"pattern": r"(kit)\1"}))
    assert refused.result is Result.FAILED and "RE2 syntax" in refused.reason  # a backreference: not RE2
    hostile = apply(state, Request("uninstall-software", "vmm_servers", server.name, {"pattern": "^(a+)+$"}))
    assert hostile.result is not Result.FAILED  # linear time on RE2; Python's re would backtrack for ages
    removed = apply(state, Request("uninstall-software", "vmm_servers", server.name,
                                   {"pattern": "automated installation KIT"}))
    assert removed.result is Result.APPLIED  # case-insensitive, as the rule engine matches
    assert not any("Automated Installation Kit" in s.name for s in server.installed_software)
