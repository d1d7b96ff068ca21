"""Estates for report tests: a hostile one whose snapshot text tries to inject markup, and a site pack for load tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from preflight.pipeline import CheckRequest, run_check
from preflight.report import Report

ROOT = Path(__file__).resolve().parent.parent
READY = ROOT / "fixtures" / "estates" / "ready.json"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

IMG = "<img src=x onerror=alert(1)>"
SCRIPT_CLOSE = '</script><script>alert("x")</script>'
TEMPLATE = "{{ 7*7 }} {% raw %} Ünïcödé サーバー"
LONG_VM = "VM-" + "Ω" * 250   # free text up to the 256-character limit


def hostile_snapshot() -> dict:
    """ready.json with hostile free text: VMs named like an <img> payload and like a closing </script>
    (computer names cannot carry such text: the loader refuses it), each replicating to a host that is not
    enabled as a Replica server (a blocker naming the VM), and a snapshot name with template syntax."""
    data = json.loads(READY.read_text(encoding="utf-8"))
    data["snapshot"]["name"] = f"{TEMPLATE} {IMG}"
    data["hosts"][1]["replica"] = {"enabled": False}
    replication = {"mode": "Primary", "replica_server": "HV02", "authentication_type": "Kerberos", "frequency_sec": 300}
    for name in (IMG, SCRIPT_CLOSE):
        data["vms"].append({"name": name, "host": "HV01", "state": "Running", "replication": replication})
    data["vms"].append({"name": LONG_VM, "host": "HV01", "state": "Running"})
    return data


def write_snapshot(data: dict, path: Path) -> Path:
    """Write a snapshot dict as JSON."""
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def report_of(*paths: Path, rule_dirs: tuple[Path, ...] = ()) -> Report:
    """Run the real pipeline on snapshot files at a fixed time."""
    report, _, _ = run_check(CheckRequest(tuple(paths), rule_dirs, as_of=NOW))
    return report


SITE_PACK = '''
[pack]
id = "site-load"
title = "Site checks on every VM (load test)"
version = "1.0.0"

[sources.site-load]
title = "Site build standard used by the report load test"
confidence = "site"

[[rules]]
code = "LOAD001"
name = "load-integration-services-current"
title = "Integration services are not current"
severity = "warning"
target = "vms"
check = "condition"
params = { expect = { "integration_services_current" = true } }
message = "{name}: integration services are not the version of the host"
rationale = "Old integration services lose synthetic devices and time sync after the host upgrade."
remediation = "Update the integration services from the host's vmguest.iso, then restart the VM."
powershell = "Get-VM | Where-Object IntegrationServicesState -ne 'Up to date' | Select-Object Name, IntegrationServicesVersion"
sources = ["site-load"]

[[rules]]
code = "LOAD002"
name = "load-backup-configured"
title = "VM has no backup"
severity = "loss"
target = "vms"
check = "condition"
params = { expect = { "backup.configured" = true } }
message = "{name}: no backup is configured; a failed upgrade loses the VM"
rationale = "Without a backup there is no way back if the host upgrade corrupts the VM's storage."
remediation = "Add the VM to a backup job and take a full backup before the change window."
sources = ["site-load"]

[[rules]]
code = "LOAD003"
name = "load-memory-small"
title = "VM has more than 4 GB of memory"
severity = "advisory"
target = "vms"
check = "condition"
params = { expect = { "memory_gb" = { le = 4 } } }
message = "{name}: has {value} GB of memory; live migration during the upgrade takes longer"
rationale = "Large VMs take longer to live-migrate off a node that is being upgraded, lengthening the window."
remediation = "Plan the node drain order so large VMs move first, outside peak hours."
sources = ["site-load"]
'''


def site_pack_dir(tmp: Path) -> Path:
    """A --rules directory with VM-level rules that fail on thousands of generated VMs."""
    directory = tmp / "site-rules"
    directory.mkdir(exist_ok=True)
    (directory / "site-load.toml").write_text(SITE_PACK, encoding="utf-8")
    return directory
