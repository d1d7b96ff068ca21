"""What issue 10 left "not collected" and the collector now reads: cluster network and interface states,
Replica authorization entries, the Replica Broker role, the VMM server's SQL Server tools."""

from __future__ import annotations

import codecs
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from preflight.cli.app import main
from preflight.importer import import_bundles
from preflight.importer.replica import dns_names
from tests.test_importer import IMPORTS


def _copy(tmp_path: Path, name: str) -> Path:
    bundle = tmp_path / name
    shutil.copytree(IMPORTS / name, bundle)
    return bundle


def _rewrite_json(file: Path, change) -> None:  # type: ignore[no-untyped-def]
    items = json.loads(file.read_bytes().decode("utf-8-sig"))
    for item in items if isinstance(items, list) else [items]:
        change(item)
    file.write_text(json.dumps(items), encoding="utf-8")


def test_cluster_network_and_interface_states_come_through_the_sourced_tables() -> None:
    for fmt in ("clixml", "json"):  # root\MSCluster is WMI: both exports carry the number
        cluster = import_bundles([IMPORTS / f"fabric-2012-{fmt}"]).snapshot.clusters[0]
        assert [(n.name, n.state) for n in cluster.networks] == [("Cluster Network 1", "Partitioned"), ("Cluster Network 2", "Up")]
        assert {i.node: i.state for i in cluster.network_interfaces} == {"HV11": "Unreachable", "HV12": "Unreachable"}


def test_a_state_number_outside_the_table_is_not_collected_and_says_why(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, "fabric-2012-json")
    _rewrite_json(bundle / "HVCLUS12" / "cluster.MSCluster_NetworkInterface.json", lambda item: item.update(State=7))
    result = import_bundles([bundle])
    interfaces = result.snapshot.clusters[0].network_interfaces
    assert all(i.state is msgspec.UNSET for i in interfaces) and {i.address for i in interfaces} == {"10.0.1.11", "10.0.1.12"}
    cluster = next(o for o in result.objects if o.kind == "clusters")
    assert "ClusterNetInterfaceState 7 is not in the sourced table" in cluster.missing["network_interfaces[HV12 - Team1].state"]


def _fail(bundle: Path, computer: str, source: str, reason: str) -> None:
    """Mark one source of a bundle's manifest as failed, as the collector records an unreadable source."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["sources"]:
        if (entry["computer"], entry["id"]) == (computer, source):
            entry.update(status="failed", reason=reason)
            entry.pop("file", None)
            entry.pop("format", None)
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _host(result, name: str):  # type: ignore[no-untyped-def]
    return next(h for h in result.snapshot.hosts if h.name == name)


def test_replica_authorization_entries_are_read_per_replica_server() -> None:
    for fmt in ("clixml", "json"):
        result = import_bundles([IMPORTS / f"fabric-2012-{fmt}"])
        entries = _host(result, "HV11").replica.authorization_entries
        assert [(e.allowed_primary_server, e.replica_storage_location, e.trust_group) for e in entries] == [
            ("hv21.contoso.local", "D:\\Hyper-V Replica", "DEFAULT")]
        assert _host(result, "HV21").replica.authorization_entries == []  # accepts any server: no entries


def test_unreadable_authorization_entries_are_not_collected_not_empty(tmp_path: Path) -> None:
    """An empty list would say "no primary server is authorized": a failed read must stay unknown."""
    bundle = _copy(tmp_path, "fabric-2012-clixml")
    _fail(bundle, "HV11", "hyperv.replication_auth", "cmdlet Get-VMReplicationAuthorizationEntry not available on ADMIN01")
    result = import_bundles([bundle])
    replica = _host(result, "HV11").replica
    assert replica.enabled is True and replica.authorization_entries is msgspec.UNSET
    hv11 = next(o for o in result.objects if o.kind == "hosts" and o.name == "HV11")
    assert "Get-VMReplicationAuthorizationEntry not available" in hv11.missing["replica.authorization_entries"]


def test_a_csv_takes_the_state_of_its_most_redirected_node() -> None:
    csvs = import_bundles([IMPORTS / "fabric-2012-clixml"]).snapshot.clusters[0].csvs
    assert [(c.name, c.state_info, c.block_redirected_io_reason) for c in csvs] == [
        ("Cluster Disk 1", "Direct", "NotBlockRedirected"), ("Cluster Disk 2", "BlockRedirected", "NoDiskConnectivity")]


def test_a_csv_state_json_cannot_name_is_not_collected_with_the_way_to_get_it() -> None:
    result = import_bundles([IMPORTS / "fabric-2012-json"])
    assert all(c.state_info is msgspec.UNSET for c in result.snapshot.clusters[0].csvs)
    cluster = next(o for o in result.objects if o.kind == "clusters")
    assert "re-export Get-ClusterSharedVolumeState with Export-Clixml" in cluster.missing["csvs[Cluster Disk 2].state_info"]


def test_a_paused_node_leaves_the_csv_state_unknown_rather_than_direct(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, "fabric-2012-clixml")
    file = bundle / "HVCLUS12" / "cluster.csv_state.clixml"
    text = file.read_bytes()[2:].decode("utf-16-le")
    head, second_row = text.split('<Obj RefId="4">', 1)  # Cluster Disk 1 on HV12
    second_row = second_row.replace("<ToString>Direct</ToString>", "<ToString>Paused</ToString>", 1)
    file.write_bytes(codecs.BOM_UTF16_LE + (head + '<Obj RefId="4">' + second_row).encode("utf-16-le"))
    result = import_bundles([bundle])
    disk1, disk2 = result.snapshot.clusters[0].csvs
    assert disk1.state_info is msgspec.UNSET and disk2.state_info == "BlockRedirected"
    cluster = next(o for o in result.objects if o.kind == "clusters")
    assert "node HV12: state Paused is not an I/O mode" in cluster.missing["csvs[Cluster Disk 1].state_info"]


def test_no_broker_resource_means_no_replica_broker_and_a_failed_read_means_unknown(tmp_path: Path) -> None:
    assert import_bundles([IMPORTS / "fabric-2012-clixml"]).snapshot.clusters[0].replica_broker is None
    bundle = _copy(tmp_path, "fabric-2012-clixml")
    _fail(bundle, "HVCLUS12", "cluster.replica_broker", "cmdlet Get-ClusterResource not available on ADMIN01")
    result = import_bundles([bundle])
    assert result.snapshot.clusters[0].replica_broker is msgspec.UNSET
    cluster = next(o for o in result.objects if o.kind == "clusters")
    assert "Get-ClusterResource not available" in cluster.missing["replica_broker"]


def test_the_broker_is_named_by_its_client_access_point(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, "fabric-2012-json")
    row = {"Resource": "Virtual Machine Replication Broker", "Group": "HVR-Broker", "State": "Online",
           "NetworkName": "hvr-broker12", "DnsName": "hvr-broker12"}
    (bundle / "HVCLUS12" / "cluster.replica_broker.json").write_text(json.dumps([row]), encoding="utf-8")
    result = import_bundles([bundle])
    broker = result.snapshot.clusters[0].replica_broker
    assert broker.name == "HVR-BROKER12" and broker.fqdn is msgspec.UNSET
    row["NetworkName"] = None  # the group has no Network Name resource
    (bundle / "HVCLUS12" / "cluster.replica_broker.json").write_text(json.dumps([row]), encoding="utf-8")
    result = import_bundles([bundle])
    assert result.snapshot.clusters[0].replica_broker is msgspec.UNSET
    cluster = next(o for o in result.objects if o.kind == "clusters")
    assert "has no Network Name resource" in cluster.missing["replica_broker"]


def _findings(estate: Path, tmp_path: Path) -> dict[tuple[str, str], str]:
    out = tmp_path / "report.json"
    assert main(["check", str(estate), "--as-of", "collected", "--format", "json", "-o", str(out)]) in (1, 4)
    return {(f["rule"], f["target"]["name"]): f["status"] for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}


def test_the_vmm_servers_sql_command_line_utilities_come_from_its_uninstall_entries(tmp_path: Path) -> None:
    """SQL006 (VMM 2012 wants the SQL Server 2008 R2 Command Line Utilities) is answered from registry.uninstall."""
    estate = tmp_path / "estate.json"
    assert main(["import", str(IMPORTS / "fabric-2008r2-clixml"), "-o", str(estate)]) == 0
    software = {s.name: s.version for s in import_bundles([IMPORTS / "fabric-2008r2-clixml"]).snapshot.vmm_servers[0].installed_software}
    assert software["Microsoft SQL Server 2008 R2 Command Line Utilities"] == "10.50.1600.1"
    assert software["Microsoft SQL Server 2008 R2 Native Client"] == "10.50.1600.1"
    assert ("SQL006", "VMM01") not in _findings(estate, tmp_path)  # passes: passes are not findings
    bundle = _copy(tmp_path, "fabric-2008r2-json")
    _rewrite_json(bundle / "VMM01" / "registry.uninstall.json",
                  lambda item: item.update(DisplayName="Microsoft SQL Server 2008 R2 Setup Support Files")
                  if "Command Line Utilities" in item["DisplayName"] else None)
    assert main(["import", str(bundle), "-o", str(estate)]) == 0
    assert _findings(estate, tmp_path)["SQL006", "VMM01"] == "fail"


def test_trusts_an_unreadable_row_would_shorten_stay_unknown_rather_than_none(tmp_path: Path) -> None:
    """Domain.trusts can be absent now: "no trusts" ([]) and "not collected" (absent) are different answers."""
    assert [t.domain for t in import_bundles([IMPORTS / "fabric-2008r2-clixml"]).snapshot.domains[0].trusts] == ["fabrikam.com"]
    bundle = _copy(tmp_path, "fabric-2008r2-json")
    _rewrite_json(bundle / "contoso.local" / "ad.domain.json",
                  lambda row: row.update(TrustDirection="3") if row["Kind"] == "Trust" else None)
    result = import_bundles([bundle])
    assert result.snapshot.domains[0].trusts is msgspec.UNSET
    domain = next(o for o in result.objects if o.kind == "domains")
    assert "TrustDirection '3' of the trust with fabrikam.com is not a direction" in domain.missing["trusts"]


def test_certificates_of_local_machine_my_are_read_with_their_names_usages_and_dates() -> None:
    for fmt in ("clixml", "json"):  # the collector's rows hold only strings: both exports say the same
        result = import_bundles([IMPORTS / f"fabric-2012-{fmt}"])
        (cert,) = _host(result, "HV21").certificates
        assert (cert.subject, cert.dns_names, cert.enhanced_key_usages) == (
            "CN=hv21.contoso.local", ["hv21.contoso.local"], ["Server Authentication", "Client Authentication"])
        assert cert.not_after == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # expired before the collection
        assert cert.has_private_key is msgspec.UNSET and _host(result, "HV12").certificates == []
        hv21 = next(o for o in result.objects if o.kind == "hosts" and o.name == "HV21")
        assert "private key" in hv21.missing[f"certificates[{cert.thumbprint}].has_private_key"]


def test_subject_alternative_names_keep_dns_names_only_and_bad_bytes_say_so() -> None:
    # GeneralNames: dNSName a.contoso.local, iPAddress 10.0.0.1, dNSName *.contoso.local (RFC 5280 4.2.1.6)
    der = bytes([0x30, 0x28, 0x82, 0x0F]) + b"a.contoso.local" + bytes([0x87, 0x04, 10, 0, 0, 1]) \
        + bytes([0x82, 0x0F]) + b"*.contoso.local"
    assert dns_names(der) == ["a.contoso.local", "*.contoso.local"]
    with pytest.raises(ValueError):
        dns_names(der[:-3])


def test_a_certificate_without_an_eku_extension_or_with_broken_san_bytes_leaves_those_fields_unknown(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, "fabric-2012-json")
    _rewrite_json(bundle / "HV11" / "certs.my.json", lambda row: row.update(EnhancedKeyUsageOids=None, SubjectAltNameDer="MAo="))
    result = import_bundles([bundle])
    (cert,) = _host(result, "HV11").certificates
    assert cert.enhanced_key_usages is msgspec.UNSET and cert.dns_names is msgspec.UNSET and cert.subject == "CN=hv11.contoso.local"
    hv11 = next(o for o in result.objects if o.kind == "hosts" and o.name == "HV11")
    assert "valid for any purpose" in hv11.missing[f"certificates[{cert.thumbprint}].enhanced_key_usages"]
    assert "not a subjectAltName extension" in hv11.missing[f"certificates[{cert.thumbprint}].dns_names"]
