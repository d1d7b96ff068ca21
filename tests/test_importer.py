"""`preflight import` of the corpus bundles: CLIXML and JSON, UTF-16 LE and UTF-8 BOM, round trip to check."""

from __future__ import annotations

import codecs
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from preflight.cli.app import main
from preflight.importer import import_bundles
from preflight.importer.values import EnumValue, dmtf_date, dotnet_date, enum_name
from preflight.inventory import load_estate_snapshots
from preflight.inventory.snapshot import Snapshot

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


def _text(data: bytes) -> str:
    """A corpus file's text whatever Windows PowerShell wrote it in (UTF-16 LE or UTF-8, with or without BOM)."""
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le")
    return data.decode("utf-8-sig")


def _variant(tmp_path: Path, fmt: str, encoding: str, fabric: str = "2008r2") -> Path:
    """A copy of a corpus bundle with every export re-encoded the way Windows PowerShell writes it."""
    target = tmp_path / f"{fabric}-{fmt}-{encoding}"
    shutil.copytree(IMPORTS / f"fabric-{fabric}-{fmt}", target)
    for file in target.rglob("*.*"):
        if file.is_dir() or file.name == "manifest.json":  # a domain's folder is named like contoso.local
            continue
        text = _text(file.read_bytes())
        if encoding == "utf-16":
            file.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
        elif encoding == "utf-8-bom":
            file.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
        else:
            file.write_bytes(text.encode("utf-8"))
    return target


def expected(fabric: str) -> Snapshot:
    """The hand-written snapshot of a corpus estate (written from the raw exports, not by the importer)."""
    snapshot, _ = load_estate_snapshots([IMPORTS / f"fabric-{fabric}.expected.json"])
    return snapshot


@pytest.mark.parametrize("fabric, fmt", [("2008r2", "clixml"), ("2008r2", "json"), ("2012", "clixml")])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-8-bom"])
def test_every_variant_imports_to_the_written_snapshot(tmp_path: Path, fabric: str, fmt: str, encoding: str) -> None:
    result = import_bundles([_variant(tmp_path, fmt, encoding, fabric)])
    assert result.snapshot == expected(fabric)


def _check_json(path: Path, tmp_path: Path, name: str) -> dict:
    out = tmp_path / f"{name}.result.json"
    code = main(["check", str(path), "--as-of", "collected", "--format", "json", "-o", str(out)])
    assert code in (1, 4)
    data = json.loads(out.read_text())
    return {"verdict": data["verdict"], "findings": data["findings"]}


@pytest.mark.parametrize("fabric", ["2008r2", "2012"])
def test_round_trip_check_matches_the_written_snapshot(tmp_path: Path, fabric: str) -> None:
    imported = tmp_path / "estate.json"
    assert main(["import", str(IMPORTS / f"fabric-{fabric}-clixml"), "-o", str(imported)]) == 0
    findings = _check_json(imported, tmp_path, "a")
    assert findings == _check_json(IMPORTS / f"fabric-{fabric}.expected.json", tmp_path, "b")
    assert any(f["status"] == "fail" for f in findings["findings"])


def test_the_2008r2_round_trip_keeps_roles_states_and_the_backup(tmp_path: Path) -> None:
    imported = tmp_path / "estate.json"
    assert main(["import", str(IMPORTS / "fabric-2008r2-clixml"), "-o", str(imported)]) == 0
    snapshot, _ = load_estate_snapshots([imported])
    host = next(h for h in snapshot.hosts if h.name == "HV02")
    assert host.cluster == "HVCLUS01" and host.platform == "hyperv"
    assert [vm.state for vm in snapshot.vms] == ["Running", "Saved", "Off"]
    # msdb keeps the server's local time (+01:00 here); the collector read the offset with it
    assert snapshot.vmm_servers[0].vmm.database.last_full_backup == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_failed_source_is_not_collected_with_its_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", str(IMPORTS / "fabric-2008r2-json"), "-o", str(tmp_path / "e.json"), "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    hv02 = next(o for o in report["objects"] if o["kind"] == "hosts" and o["name"] == "HV02")
    assert "RPC server unavailable" in hv02["not_collected"]["hotfixes"]
    assert "hotfixes" not in json.loads((tmp_path / "e.json").read_text())["hosts"][1]


def test_a_snapshot_on_standard_output_stays_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    """`-o -` pipes the snapshot (preflight import bundle -o - | ...): the provenance report goes to stderr."""
    for fmt in ("text", "json"):
        assert main(["import", str(IMPORTS / "fabric-2008r2-clixml"), "-o", "-", "--format", fmt]) == 0
        captured = capsys.readouterr()
        assert json.loads(captured.out)["schema"] == "preflight/inventory/v1"
        assert "vmm_servers VMM01: " in captured.err if fmt == "text" else json.loads(captured.err)["objects"]


def test_the_snapshot_never_overwrites_the_bundle_it_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o naming a file in a bundle folder (its manifest.json) or a zip bundle itself is refused before
    anything is read or written: one line, exit 2, the bundle unchanged."""
    bundle = tmp_path / "bundle"
    shutil.copytree(IMPORTS / "fabric-2008r2-clixml", bundle)
    manifest = (bundle / "manifest.json").read_bytes()
    archive = Path(shutil.make_archive(str(tmp_path / "site"), "zip", bundle))
    zipped = archive.read_bytes()
    for argv, target in (([str(bundle), "-o", str(bundle / "manifest.json")], "bundle folder"),
                         ([str(bundle), "-o", str(bundle / "estate.json")], "bundle folder"),
                         ([str(archive), "-o", str(archive)], "input")):
        assert main(["import", *argv]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and target in err, err
    assert (bundle / "manifest.json").read_bytes() == manifest and archive.read_bytes() == zipped
    assert not (bundle / "estate.json").exists()


def test_two_bundles_with_the_same_objects_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", str(IMPORTS / "fabric-2008r2-clixml"), str(IMPORTS / "fabric-2008r2-json"), "-o", str(tmp_path / "e.json")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "fabric-2008r2-clixml" in err and "fabric-2008r2-json" in err


def test_bad_bundles_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = _variant(tmp_path, "clixml", "utf-8")
    (bundle / "HV01" / "hyperv.vms.clixml").write_text("<Objs Version=\"1.1.0.1\"><Obj RefId=\"0\">")
    assert main(["import", str(bundle), "-o", str(tmp_path / "e.json")]) == 2
    err = capsys.readouterr().err
    assert "hyperv.vms.clixml: malformed CLIXML" in err and len(err.strip().splitlines()) == 1
    assert main(["import", str(tmp_path / "nothing"), "-o", str(tmp_path / "e.json")]) == 2
    assert not (tmp_path / "e.json").exists()


def test_json_depth_truncation_is_reported_with_the_depth_hint(tmp_path: Path) -> None:
    from preflight.importer.provenance import prop
    missing = prop({"Directory": "Documents"}, "Directory", structured=True)
    assert "-Depth" in missing.reason


def test_value_shapes_of_the_public_samples() -> None:
    assert dmtf_date("20240530195326.500000+600").isoformat() == "2024-05-30T19:53:26.500000+10:00"
    assert dotnet_date("/Date(1567807200000)/").isoformat() == "2019-09-06T22:00:00+00:00"
    assert enum_name(32769, "EnabledState") == "Suspended"
    assert enum_name(EnumValue(3, "StartIfRunning"), "EnabledState") == "StartIfRunning"
    assert "not in the sourced table" in enum_name(7, "VirtualizationPlatform").reason


def test_the_public_clixml_sample_reads_through_psrpcore() -> None:
    from preflight.importer.readers import read_clixml
    sample = Path("/work/shared/reference/ps-samples/04-autolab-Get-VM-Export-Clixml.excerpt.xml")
    text = sample.read_text("utf-8") if sample.exists() else None
    if text is None:
        pytest.skip("public samples not on this machine")
    [vm] = read_clixml(text, str(sample))
    assert vm["AutomaticStartAction"] == EnumValue(3, "StartIfRunning") and vm["SmartPagingFileInUse"] is False


def _zip(folder: Path, target: Path, top: str = "", extra: dict[str, bytes] | None = None) -> Path:
    import zipfile

    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, f"{top}{file.relative_to(folder).as_posix()}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target


@pytest.mark.parametrize("top", ["", "preflight-bundle-VMM01/"])
def test_a_zipped_bundle_imports_like_the_folder(tmp_path: Path, top: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = IMPORTS / "fabric-2008r2-clixml"
    assert main(["import", str(folder), "-o", str(tmp_path / "from-folder.json")]) == 0
    archive = _zip(folder, tmp_path / "bundle.zip", top)
    assert main(["import", str(archive), "-o", str(tmp_path / "from-zip.json")]) == 0
    capsys.readouterr()
    assert (tmp_path / "from-zip.json").read_bytes() == (tmp_path / "from-folder.json").read_bytes()


def test_a_manifest_that_points_outside_its_bundle_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(IMPORTS / "fabric-2008r2-clixml", bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["sources"][0]["file"] = "../../../../etc/hostname"
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = tmp_path / "estate.json"
    assert main(["import", str(bundle), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a path inside the bundle" in err and not out.exists()


def test_a_zip_member_that_climbs_out_of_the_bundle_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Members are read into memory by the manifest's paths, never extracted: a hostile name is inert."""
    (tmp_path / "inner").mkdir()
    archive = _zip(IMPORTS / "fabric-2008r2-clixml", tmp_path / "inner" / "bundle.zip",
                   extra={"../../evil.clixml": b"<Objs/>"})
    out = tmp_path / "estate.json"
    assert main(["import", str(archive), "-o", str(out)]) == 0, capsys.readouterr().err
    assert out.exists() and not list(tmp_path.rglob("evil.clixml")) and not (tmp_path.parent / "evil.clixml").exists()


def test_a_zip_written_with_backslashes_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Windows PowerShell 5.0's Compress-Archive stored member names with backslashes."""
    import zipfile

    folder = IMPORTS / "fabric-2008r2-clixml"
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                handle.write(file, "preflight-bundle\\" + str(file.relative_to(folder)).replace("/", "\\"))
    assert main(["import", str(archive), "-o", str(tmp_path / "a.json")]) == 0
    assert main(["import", str(folder), "-o", str(tmp_path / "b.json")]) == 0
    capsys.readouterr()
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
