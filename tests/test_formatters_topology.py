"""The topology the HTML report draws: VMM server -> clusters -> nodes -> VMs, each with its worst severity."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from report_estates import report_of, write_snapshot
from typer.testing import CliRunner

from benchmarks.generate import generate_estate
from preflight.cli.app import app
from preflight.engine.findings import Severity
from preflight.formatters import FORMATTERS
from preflight.pipeline import check as check_module
from preflight.report.topology import STANDALONE, UNMANAGED, TopologyNode, rolled_up


def walk(nodes: tuple[TopologyNode, ...], parents: tuple[TopologyNode, ...] = ()):
    for node in nodes:
        yield node, parents
        yield from walk(node.children, (*parents, node))


def test_every_host_and_vm_appears_once_under_its_vmm_server_and_cluster(tmp_path: Path) -> None:
    data = generate_estate(60, 600, seed=5)
    data["hosts"][-1]["managed_by"] = None            # an ESXi host no VMM server manages
    report = report_of(write_snapshot(data, tmp_path / "estate.json"))
    placed = list(walk(report.topology))
    hosts = {n.name: p for n, p in placed if n.kind == "host"}
    vms = {n.name: p for n, p in placed if n.kind == "vm"}
    assert sorted(hosts) == sorted(h["name"] for h in data["hosts"])
    assert sorted(vms) == sorted(v["name"] for v in data["vms"])
    assert sum(1 for n, _ in placed if n.kind == "vm") == len(data["vms"])
    for host in data["hosts"][:-1]:
        parents = hosts[host["name"]]
        assert parents[0].kind == "vmm" and parents[0].name == host["managed_by"]
        if host.get("cluster"):
            assert parents[1].kind == "cluster" and parents[1].name == host["cluster"]
        else:
            assert parents[1].name == STANDALONE
    orphan = hosts[data["hosts"][-1]["name"]]
    assert orphan[0].name == UNMANAGED
    for vm in data["vms"]:
        assert vms[vm["name"]][-1].name == vm["host"]


def test_nodes_carry_their_own_worst_severity(tmp_path: Path) -> None:
    data = generate_estate(20, 40, seed=2)
    winrm = data["vmm_servers"][0]["services"][0]
    winrm.update(state="Stopped", start_mode="Manual")   # a blocker and a warning on the VMM server
    report = report_of(write_snapshot(data, tmp_path / "estate.json"))
    (server,) = [n for n in report.topology if n.kind == "vmm"]
    own = [f for f in report.failures if f.target.kind == "vmm_servers"]
    assert {f.rule for f in own} >= {"VMM010", "VMM011"}
    assert server.worst is Severity.BLOCKER and server.findings == len(own)
    kinds = {"host": ("hosts", "host_teams"), "vm": ("vms", "vm_teams", "replicated_vms"), "cluster": ("clusters", "csvs")}
    for node, _ in walk(report.topology):
        if node.kind not in kinds:
            continue
        mine = [f for f in report.failures if f.target.kind in kinds[node.kind]
                and f.target.name.split("/")[0].casefold() == node.name.casefold()]
        assert node.findings == len(mine)
        assert node.worst == max((f.severity for f in mine), key=lambda s: s.rank, default=None)
    assert rolled_up(TopologyNode("group", "g", None, 0, (server,))) is Severity.BLOCKER


def test_formats_that_say_they_never_read_the_topology_write_the_same_without_it(tmp_path: Path) -> None:
    """`reads_topology=False` lets a check skip building the tree: such a format must not change without it."""
    report = report_of(write_snapshot(generate_estate(20, 60, seed=3), tmp_path / "estate.json"))
    bare = dataclasses.replace(report, topology=())
    assert report.topology

    def written(name: str, which) -> str:
        stream = io.StringIO()
        FORMATTERS[name].write(which, stream)
        return stream.getvalue()

    blind = sorted(name for name, item in FORMATTERS.items() if not item.reads_topology)
    assert blind == ["json", "junit", "md", "sarif", "text"]
    for name in blind:
        assert written(name, report) == written(name, bare), name
    assert written("html", report) != written("html", bare)


def test_check_and_verify_build_the_topology_only_for_a_format_that_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    estate = write_snapshot(generate_estate(20, 60, seed=3), tmp_path / "estate.json")
    built: list[int] = []
    real = check_module.build_topology
    monkeypatch.setattr(check_module, "build_topology", lambda *args: built.append(1) or real(*args))
    for command in ("check", "verify"):
        for format_name, expected in (("json", 0), ("text", 0), ("sarif", 0), ("html", 1)):
            built.clear()
            out = tmp_path / f"{command}.{format_name}"
            result = CliRunner().invoke(app, [command, str(estate), "-f", format_name, "-o", str(out), "--as-of", "collected"])
            assert result.exit_code in (0, 1, 4), result.output
            assert len(built) == expected, (command, format_name)
        html = (tmp_path / f"{command}.html").read_text(encoding="utf-8")
        assert '"topology": [[' in html or '"topology":[[' in html
