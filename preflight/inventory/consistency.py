"""Contradictions inside one snapshot: a keyed list (services, NICs, teams, volumes, certificates, ...)
that lists the same key twice with different content, and one fact stated twice with two values (a
Hyper-V host's `version` is its OS version, so it must agree with `os.version`).

Windows names are case-insensitive, so 'WinRM' and 'winrm' are the same service. An entry repeated
with identical content is tolerated (collectors sometimes report an object twice); two different
descriptions of one object are bad input, because a rule would read whichever comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from preflight.errors import InputError
from preflight.inventory.common import known
from preflight.inventory.snapshot import Snapshot
from preflight.inventory.versions import compare_versions

# (attribute path from the entity, key field) of every keyed list, per entity list of the snapshot.
_KEYED: dict[str, tuple[tuple[str, str], ...]] = {
    "domains": (("domain_controllers", "name"), ("trusts", "domain")),
    "vmm_servers": (("services", "name"), ("hardware.volumes", "drive"), ("monitoring_checks", "name")),
    "sql_servers": (),
    "hosts": (("services", "name"), ("nics", "name"), ("teams", "name"), ("virtual_switches", "name"),
              ("firewall_rules", "name"), ("certificates", "thumbprint"), ("hardware.volumes", "drive")),
    "library_servers": (),
    "clusters": (("networks", "name"), ("network_interfaces", "name"), ("csvs", "name")),
}

_PARTS = {dotted: tuple(dotted.split(".")) for lists in _KEYED.values() for dotted, _ in lists}

def _get(entity: Any, dotted: str) -> Any:
    value = entity
    for part in _PARTS[dotted]:
        value = getattr(value, part)
        if not value:   # UNSET, None or empty
            return None
    return value

def _check_list(items: Sequence[Any], key: str, path: str, file: str) -> None:
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        name = getattr(item, key)
        earlier = first.setdefault(name.casefold(), index)
        if earlier != index and items[earlier] != item:
            raise InputError(file, f"{path}[{index}].{key}", f"'{name}' is listed twice with different content "
                                                              f"(also at {path}[{earlier}])")

def _check_host_versions(snapshot: Snapshot, file: str) -> None:
    for index, host in enumerate(snapshot.hosts):
        if host.platform != "hyperv" or not known(host.version) or not known(host.os) or not known(host.os.version):
            continue
        if compare_versions(host.version, host.os.version) != 0:
            raise InputError(file, f"$.hosts[{index}].version",
                             f"'{host.version}' disagrees with os.version '{host.os.version}': a Hyper-V host's "
                             "version is its OS version (give the same value, or only os.version)")


def check_consistency(snapshot: Snapshot, file: str) -> None:
    """Raise `InputError` for the first keyed list that describes one object twice, differently, or a
    fact stated twice with two values."""
    _check_host_versions(snapshot, file)
    for kind, lists in _KEYED.items():
        if not lists:
            continue
        for index, entity in enumerate(getattr(snapshot, kind)):
            for dotted, key in lists:
                items = _get(entity, dotted)
                if items:
                    _check_list(items, key, f"$.{kind}[{index}].{dotted}", file)
            for t, team in enumerate(getattr(entity, "teams", None) or ()):
                _check_list(team.members, "name", f"$.{kind}[{index}].teams[{t}].members", file)
    for index, vm in enumerate(snapshot.vms):   # 100k VMs: only the one keyed list, without the generic lookup
        if vm.teams:
            _check_list(vm.teams, "name", f"$.vms[{index}].teams", file)
            for t, team in enumerate(vm.teams):
                _check_list(team.members, "name", f"$.vms[{index}].teams[{t}].members", file)
