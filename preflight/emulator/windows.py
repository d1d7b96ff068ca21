"""Windows on a computer: services, features, software, hotfixes, name, domain, firewall, restarts."""

from __future__ import annotations

import re
from typing import Any

from msgspec import UNSET

from preflight.emulator.backup import at_risk_by_uninstall, require_backup
from preflight.emulator.effects import Applied, Refused, Request, effect, ok
from preflight.emulator.state import EmulatedEstate
from preflight.inventory.common import Service, Software, StartMode, known
from preflight.inventory.versions import Version, parse_version
from preflight.patterns import compile_regex

WAIK = re.compile(r"Windows Automated Installation Kit|Windows AIK", re.I)
WAIK_WINDOWS7 = Version.of(2, 0)
# What each installer puts into Programs and Features.
PACKAGES = {
    "waik-windows7": ("Windows Automated Installation Kit", "2.0.0.0"),
    "sql2008r2-command-line-utilities": ("Microsoft SQL Server 2008 R2 Command Line Utilities", "10.50.1600.1"),
}
FEATURES_NEEDING_RESTART = frozenset({"hyper-v", "failover-clustering"})
START_MODES: dict[str, StartMode] = {"auto": "Auto", "manual": "Manual", "disabled": "Disabled"}


def _computer(state: EmulatedEstate, request: Request, field: str) -> Any:
    record = state.computer(request.name)
    if record is None:
        raise Refused(f"no computer named '{request.name}' in the estate")
    if not hasattr(record, field):
        raise Refused(f"{request.name}: the snapshot does not model {field.replace('_', ' ')} for this kind of computer")
    if getattr(record, field) is UNSET:
        raise Refused(f"{request.name}: {field} was not collected, so the result cannot be predicted")
    return record


def _service(record: Any, name: str) -> Service:
    found = next((s for s in record.services if s.name.casefold() == name.casefold()), None)
    if found is None:
        raise Refused(f"{record.name}: service '{name}' is not installed")
    return found


@effect("start-service")
def _start(state: EmulatedEstate, request: Request) -> Applied:
    service = _service(_computer(state, request, "services"), request.p("service"))
    if service.start_mode == "Disabled":
        raise Refused(f"{request.name}: cannot start service '{service.name}' because it is disabled")
    changed = service.state != "Running"
    service.state = "Running"
    return ok(changed)


@effect("set-service-start-mode")
def _start_mode(state: EmulatedEstate, request: Request) -> Applied:
    service = _service(_computer(state, request, "services"), request.p("service"))
    mode = START_MODES.get(request.p("start_mode").casefold())
    if mode is None:
        raise Refused(f"start mode '{request.p('start_mode')}' is not one Set-Service accepts")
    delayed = mode == "Auto" and service.name.casefold() == "winrm"
    changed = service.start_mode != mode or (delayed and service.delayed_start is not True)
    service.start_mode = mode
    if delayed:
        service.delayed_start = True
    return ok(changed)


@effect("enable-windows-feature")
def _feature(state: EmulatedEstate, request: Request) -> Applied:
    record = _computer(state, request, "windows_features")
    feature = request.p("feature")
    if any(f.casefold() == feature.casefold() for f in record.windows_features):
        return ok(False)
    if feature.casefold() in FEATURES_NEEDING_RESTART:
        pending = state.pending_for(record.name)
        if feature not in pending.features:
            pending.features.append(feature)
        return ok(True, restart_pending=True)
    record.windows_features.append(feature)
    return ok(True)


@effect("uninstall-software")
def _uninstall(state: EmulatedEstate, request: Request) -> Applied:
    record = _computer(state, request, "installed_software")
    try:
        pattern = compile_regex(request.p("pattern"))  # RE2, as the rule engine: a site's pattern cannot hang
    except ValueError as exc:
        raise Refused(str(exc)) from None
    below = request.p("below_version")
    # with a version bound, only products proven older go (as the rendered script does)
    keep = [s for s in record.installed_software if not pattern.search(s.name)
            or (below and not (known(s.version) and parse_version(s.version) < parse_version(below)))]
    kept = {id(s) for s in keep}
    removed = [s.name for s in record.installed_software if id(s) not in kept]
    require_backup(state, at_risk_by_uninstall(state, record.name, removed), f"{record.name}: the uninstall")
    changed = len(keep) != len(record.installed_software)
    record.installed_software = keep
    return ok(changed)


def _is_old_waik(software: Software) -> bool:
    return bool(WAIK.search(software.name)) and (software.version is UNSET or parse_version(software.version) < WAIK_WINDOWS7)


@effect("install-software")
def _install(state: EmulatedEstate, request: Request) -> Applied:
    record = _computer(state, request, "installed_software")
    package = PACKAGES.get(request.p("package"))
    if package is None:
        raise Refused(f"package '{request.p('package')}' is not one the emulator knows how to install")
    name, version = package
    if request.p("package") == "waik-windows7" and any(_is_old_waik(s) for s in record.installed_software):
        raise Refused(f"{request.name}: the Windows AIK for Windows 7 installer stops: an earlier Windows AIK is "
                      "installed and must be uninstalled first")
    if any(s.name == name and known(s.version) and parse_version(s.version) >= parse_version(version)
           for s in record.installed_software):
        return ok(False)
    record.installed_software.append(Software(name=name, version=version))
    return ok(True)


@effect("install-hotfix")
def _hotfix(state: EmulatedEstate, request: Request) -> Applied:
    record = _computer(state, request, "hotfixes")
    kb = request.p("kb").upper()
    if not re.fullmatch(r"KB\d{6,8}", kb):
        raise Refused(f"'{request.p('kb')}' is not a hotfix id")
    if getattr(record, "platform", "hyperv") != "hyperv":
        raise Refused(f"{request.name}: Windows hotfixes do not apply to a {record.platform} host")
    if kb in record.hotfixes:
        return ok(False)
    pending = state.pending_for(record.name)
    if kb not in pending.hotfixes:
        pending.hotfixes.append(kb)
    return ok(True, restart_pending=True)


def new_name_for(name: str, taken: set[str]) -> str:
    """A valid VMM-friendly computer name derived from `name` (no '-SCVMM-', at most 15 characters)."""
    base = re.sub("-SCVMM-", "-VMM-", name, flags=re.I)[:15].rstrip("-") or "SERVER"
    candidate, n = base, 1
    while candidate.casefold() in taken:
        suffix = str(n)
        candidate, n = base[: 15 - len(suffix)] + suffix, n + 1
    return candidate


@effect("rename-computer")
def _rename(state: EmulatedEstate, request: Request) -> Applied:
    records = state.computers(request.name)
    if not records:
        raise Refused(f"no computer named '{request.name}' in the estate")
    if any(getattr(r, "vmm", None) not in (None, UNSET) for r in records):
        raise Refused(f"{request.name}: renaming a computer with the VMM management server installed is not "
                      "supported; move the role to a computer with a valid name instead")
    new = request.p("new_name") or new_name_for(request.name, _taken(state))
    if new.casefold() != request.name.casefold() and new.casefold() in _taken(state):
        raise Refused(f"the name '{new}' is already used in the estate")
    state.pending_for(request.name).new_name = new
    return ok(True, restart_pending=True)


def _taken(state: EmulatedEstate) -> set[str]:
    snap = state.snapshot
    return {x.name.casefold() for items in (snap.vmm_servers, snap.sql_servers, snap.hosts, snap.library_servers,
                                            snap.clusters, snap.vcenters) for x in items}


@effect("join-domain")
def _join(state: EmulatedEstate, request: Request) -> Applied:
    records = state.computers(request.name)
    if not records:
        raise Refused(f"no computer named '{request.name}' in the estate")
    domain = request.p("domain")
    if not domain or not any(d.name.casefold() == domain.casefold() for d in state.snapshot.domains):
        raise Refused(f"{request.name}: domain '{domain or '(none given)'}' is not a domain of the estate")
    if all(getattr(r, "domain", None) not in (None, UNSET) for r in records):
        return ok(False)
    state.pending_for(request.name).domain = domain
    return ok(True, restart_pending=True)


@effect("enable-firewall-rule")
def _firewall(state: EmulatedEstate, request: Request) -> Applied:
    record = _computer(state, request, "firewall_rules")
    rule = next((r for r in record.firewall_rules if request.p("rule").casefold() in
                 (r.name.casefold(), str(r.display_name).casefold())), None)
    if rule is None:
        raise Refused(f"{request.name}: no firewall rule named '{request.p('rule')}'")
    changed = not rule.enabled
    rule.enabled = True
    return ok(changed)
