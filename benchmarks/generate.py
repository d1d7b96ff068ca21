"""Generate a valid, realistic inventory snapshot of any size for benchmarks and report tests.

`generate_estate(1000, 25000, seed=1)` gives a 1,000-host / 25,000-VM estate: VMM servers with their
SQL and library servers, clusters of 8-16 Hyper-V nodes with CSVs, standalone and ESXi hosts, and VMs
spread over the hosts. A seeded share of objects carries the defects preflight's rules look for
(stopped services, Server Core, long names, old hypervisors, stale integration services, missing
fields that leave checks unknown), so the report shows a realistic mix of findings.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

DOMAIN = "fabrikam.local"
OS_2008R2 = {"caption": "Microsoft Windows Server 2008 R2 Datacenter", "version": "6.1.7601", "service_pack": 1,
             "edition": "Datacenter", "architecture": "x64", "installation_type": "Full"}
OS_2008 = {"caption": "Microsoft Windows Server 2008 Enterprise", "version": "6.0.6002", "service_pack": 2,
           "edition": "Enterprise", "architecture": "x64", "installation_type": "Full"}
GUESTS = [("Windows Server 2008 R2 Standard", "6.1.7601"), ("Windows Server 2003 R2 Enterprise", "5.2.3790"),
          ("Windows Server 2008 Standard", "6.0.6002"), ("Red Hat Enterprise Linux 6 (64-bit)", None),
          ("Windows 7 Enterprise", "6.1.7601")]
HOSTS_PER_VMM = 400


def _vmm_server(index: int, rng: random.Random, collected: datetime) -> dict[str, Any]:
    """A VMM 2008 R2 SP1 server; some carry the defects VMM 2012 setup refuses."""
    name = f"VMM{index + 1:02d}"
    defect = index % 4
    if defect == 1:
        name = f"FAB-SCVMM-{index + 1:02d}"          # '-SCVMM-' in the name
    elif defect == 3:
        name = f"FABRIKAMVMMSRV{index + 1:03d}"      # longer than 15 characters
    os = dict(OS_2008R2, installation_type="Core" if defect == 2 else "Full")
    winrm = {"name": "WinRM", "state": "Stopped" if defect == 1 else "Running",
             "start_mode": "Manual" if defect in (1, 2) else "Auto", "delayed_start": True, "version": "2.0"}
    return {
        "name": name, "fqdn": f"{name.lower()}.{DOMAIN}", "domain": DOMAIN, "os": os,
        "hardware": {"architecture": "x64", "logical_processors": 8, "sockets": 2, "cores": 4, "clock_ghz": 2.93,
                     "memory_gb": rng.choice([4, 8, 16]), "system_drive": "C:",
                     "volumes": [{"drive": "C:", "file_system": "NTFS", "size_gb": 136, "free_gb": rng.choice([6, 40, 88])}]},
        "installed_software": [{"name": "Microsoft System Center Virtual Machine Manager 2008 R2 SP1",
                                "version": "2.0.4521.0" if defect != 3 else "2.0.4271.0"}],
        "services": [winrm, {"name": "VMMService", "state": "Running", "start_mode": "Auto"}],
        "vmm": {"version": "2.0.4521.0" if defect != 3 else "2.0.4271.0", "service_pack": 1 if defect != 3 else 0,
                "highly_available": False, "service_account": "domain", "dkm_container": None,
                "database": {"server": "SQL01", "instance": "MSSQLSERVER", "name": f"VirtualManagerDB{index + 1}",
                             "last_full_backup": (collected - timedelta(hours=rng.randint(2, 200))).isoformat()},
                "pro_connection": None},
        "library_servers": ["LIB01"],
        "monitoring_checks": [],
    }


def _host(index: int, rng: random.Random, vmm: str, cluster: str | None, old_os: bool) -> dict[str, Any]:
    """A Hyper-V host (on Windows Server 2008 when `old_os`); a few miss a hotfix, stop an agent or lack data."""
    name = f"HV{index + 1:04d}"
    roll = rng.random()
    host: dict[str, Any] = {
        "name": name, "fqdn": f"{name.lower()}.{DOMAIN}", "domain": DOMAIN, "site": rng.choice(["DC-EAST", "DC-WEST"]),
        "platform": "hyperv", "version": "6.1.7601", "os": dict(OS_2008R2),
        "ntlm_enabled": True,
        "hardware": {"architecture": "x64", "logical_processors": 24, "sockets": 2, "cores": 12, "clock_ghz": 2.66,
                     "memory_gb": rng.choice([96, 128, 192, 256]), "system_drive": "C:",
                     "processor": {"name": "Intel(R) Xeon(R) CPU X5650 @ 2.67GHz", "manufacturer": "GenuineIntel",
                                   "microarchitecture": "Westmere"}},
        "hotfixes": ["KB2264080", "KB2550569"],
        "services": [{"name": "VMMAgent", "state": "Running", "start_mode": "Auto"},
                     {"name": "vmms", "state": "Running", "start_mode": "Auto"}],
        "windows_features": ["Hyper-V", "Failover-Clustering"] if cluster else ["Hyper-V"],
        "cluster": cluster, "managed_by": vmm,
    }
    if old_os:
        host["os"] = dict(OS_2008)
        host["version"] = OS_2008["version"]
    if roll < 0.03:
        host["hotfixes"] = ["KB2550569"]
    elif roll < 0.08:
        host["services"][0]["state"] = "Stopped"
    elif roll < 0.10:
        del host["hotfixes"]                          # not collected: hotfix checks are unknown
    return host


def _esx_host(index: int, vmm: str) -> dict[str, Any]:
    name = f"ESX{index + 1:03d}"
    return {"name": name, "fqdn": f"{name.lower()}.{DOMAIN}", "platform": "esxi",
            "version": "4.1.0" if index % 3 else "3.5.0", "vcenter": "VC01", "managed_by": vmm}


def _cluster(index: int, rng: random.Random, nodes: list[str], vmm: str) -> dict[str, Any]:
    name = f"CL{index + 1:03d}"
    return {
        "name": name, "fqdn": f"{name.lower()}.{DOMAIN}", "domain": DOMAIN, "nodes": nodes, "managed_by": vmm,
        "networks": [{"name": "Management", "role": 3, "address": f"10.{index % 250}.1.0/24", "state": "Up"},
                     {"name": "CSV", "role": 1, "address": f"10.{index % 250}.2.0/24", "state": "Up"}],
        "network_interfaces": [{"name": f"{node} - {net}", "node": node, "network": net, "state": "Up"}
                               for node in nodes for net in ("Management", "CSV")],
        "csvs": [{"name": f"Volume{v + 1}", "file_system": "NTFS" if rng.random() > 0.05 else "ReFS",
                  "owner_node": rng.choice(nodes), "workloads": ["hyper-v"], "bitlocker": None,
                  "state_info": "Direct" if rng.random() > 0.03 else "FileSystemRedirected"}
                 for v in range(rng.randint(2, 6))],
        "backup": {"name": "Contoso Backup", "version": "7.1", "csv_aware": rng.random() > 0.1},
    }


def _vm(index: int, rng: random.Random, host: str) -> dict[str, Any]:
    caption, version = rng.choice(GUESTS)
    vm: dict[str, Any] = {
        "name": f"VM{index + 1:05d}", "host": host, "state": rng.choices(["Running", "Off", "Saved"], [90, 8, 2])[0],
        "memory_gb": rng.choice([2, 4, 8, 16]), "highly_available": not host.startswith(("ESX", "SA")),
        "guest_os": {"caption": caption} | ({"version": version} if version else {}),
        "integration_services_current": rng.random() > 0.15,
        "backup": {"configured": rng.random() > 0.1},
    }
    if rng.random() < 0.02:
        del vm["guest_os"]                            # not collected
    return vm


def generate_estate(hosts: int, vms: int, seed: int = 1) -> dict[str, Any]:
    """A valid `preflight/inventory/v1` snapshot with `hosts` hosts and `vms` VMs, reproducible from `seed`."""
    rng = random.Random(seed)
    collected = datetime(2026, 11, 24, 21, 30, tzinfo=UTC) - timedelta(days=seed % 3)
    vmm_servers = [_vmm_server(i, rng, collected) for i in range(max(1, -(-hosts // HOSTS_PER_VMM)))]
    esx_count = hosts // 20
    hyperv_count = hosts - esx_count
    host_list: list[dict[str, Any]] = []
    clusters: list[dict[str, Any]] = []
    position = 0
    clustered = hyperv_count - hyperv_count // 10   # a tenth of the Hyper-V hosts stand alone, at every size:
    while position < hyperv_count:                   # small estates have the same shape as large ones
        vmm = vmm_servers[(position // HOSTS_PER_VMM) % len(vmm_servers)]["name"]
        in_cluster = position < clustered
        size = min(rng.randint(8, 16), (clustered if in_cluster else hyperv_count) - position)
        standalone = not in_cluster or size < 2
        cluster_name = None if standalone else f"CL{len(clusters) + 1:03d}"
        old_os = rng.random() < 0.04                  # cluster nodes share one OS release
        members = [_host(position + i, rng, vmm, cluster_name, old_os) for i in range(size)]
        if cluster_name:
            clusters.append(_cluster(len(clusters), rng, [h["name"] for h in members], vmm))
        host_list.extend(members)
        position += size
    host_list.extend(_esx_host(i, vmm_servers[0]["name"]) for i in range(esx_count))
    names = [h["name"] for h in host_list]
    # host by host, as `preflight import` lists them (the collector reads each host's VMs in turn)
    vm_list = [_vm(i, rng, names[i * len(names) // vms] if names else "") for i in range(vms if names else 0)]
    return {
        "schema": "preflight/inventory/v1",
        "snapshot": {"name": f"fabrikam generated {hosts} hosts / {vms} VMs (seed {seed})",
                     "collected_at": collected.isoformat().replace("+00:00", "Z"),
                     "collector": {"name": "benchmarks.generate", "version": "1"}},
        "domains": [{"name": DOMAIN, "domain_controllers": [{"name": "DC01", "os_version": "6.1.7601"}], "trusts": []}],
        "vmm_servers": vmm_servers,
        "sql_servers": [{"name": "SQL01", "fqdn": f"sql01.{DOMAIN}", "domain": DOMAIN, "instance": "MSSQLSERVER",
                         "version": "10.50.2500.0", "edition": "Enterprise", "architecture": "x64",
                         "collation": "SQL_Latin1_General_CP1_CI_AS", "highly_available": True,
                         "tools": ["command-line-utilities"]}],
        "library_servers": [{"name": "LIB01", "fqdn": f"lib01.{DOMAIN}", "domain": DOMAIN, "os": dict(OS_2008R2),
                             "managed_by": vmm_servers[0]["name"], "shares": ["\\\\lib01\\MSSCVMMLibrary"]}],
        "hosts": host_list,
        "vcenters": [{"name": "VC01", "fqdn": f"vc01.{DOMAIN}", "version": "4.1.0", "build": "259021",
                      "managed_by": vmm_servers[0]["name"]}] if esx_count else [],
        "clusters": clusters,
        "vms": vm_list,
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.generate --hosts 1000 --vms 25000 -o estate.json`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--vms", type=int, default=25000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args(argv)
    text = json.dumps(generate_estate(args.hosts, args.vms, args.seed), indent=1)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
