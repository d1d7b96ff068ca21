"""NIC teaming support: derived facts of host and guest (VM) NIC teams.

- host_teams: `@member_count`, `@vendor_teamed_members`; `@member_nics` becomes Missing when the host's NICs
  were not collected
- vm_teams: `@member_count`, `@shared_switch`, `@teaming_not_allowed`; `@member_adapters` Missing likewise
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from msgspec import UNSET

from preflight.estate.model import Derived, Estate, Target, facts
from preflight.inventory.hosts import Nic
from preflight.inventory.paths import Missing, field_path, item_path
from preflight.inventory.vms import VmAdapter


class HostTeamFacts(TypedDict):
    """Facts of a host team."""

    member_count: int
    vendor_teamed_members: Derived[list[str]]
    member_nics: NotRequired[Derived[list[Nic]]]


class VmTeamFacts(TypedDict):
    """Facts of a guest team (any value may also be Missing(path))."""

    member_count: int
    shared_switch: Derived[str | None]
    teaming_not_allowed: Derived[list[str]]
    member_adapters: NotRequired[Derived[list[VmAdapter]]]


@facts("host_teams")
def _host_team_facts(estate: Estate, target: Target) -> HostTeamFacts:
    """Member count; member NICs unknown (not an empty list) when the host's NICs were not collected."""
    host = target.links["host"]
    result: HostTeamFacts = {"member_count": len(target.obj.members), "vendor_teamed_members": []}
    if host.nics is UNSET:
        result["member_nics"] = Missing(field_path(estate.path_of(host), "nics"))
    if target.obj.vendor is None:
        # A vendor team over the same adapters as this LBFO team: two teaming drivers bound to one NIC.
        mine = {m.name.casefold() for m in target.obj.members}
        result["vendor_teamed_members"] = [f"{m.name} (in {team.vendor} team {team.name})"
                                           for team in host.teams if team.vendor is not None
                                           for m in team.members if m.name.casefold() in mine]
    return result


@facts("vm_teams")
def _vm_team_facts(estate: Estate, target: Target) -> VmTeamFacts:
    """Member count, a virtual switch two members share, and members whose AllowTeaming is off."""
    vm, team = target.links["vm"], target.obj
    if vm.adapters is UNSET:
        missing = Missing(field_path(estate.path_of(vm), "adapters"))
        return {"member_count": len(team.members), "member_adapters": missing, "shared_switch": missing,
                "teaming_not_allowed": missing}
    adapters = target.links["member_adapters"]
    seen: set[str] = set()
    shared: str | Missing | None = None
    for adapter in adapters:
        if adapter.switch_name is UNSET:
            shared = Missing(field_path(item_path(estate.path_of(vm), "adapters", vm.adapters, adapter), "switch_name"))
            break
        if adapter.switch_name is not None and adapter.switch_name.casefold() in seen:
            shared = adapter.switch_name
            break
        if adapter.switch_name is not None:
            seen.add(adapter.switch_name.casefold())
    unset = next((a for a in adapters if a.allow_teaming is UNSET), None)
    not_allowed = (Missing(field_path(item_path(estate.path_of(vm), "adapters", vm.adapters, unset), "allow_teaming"))
                   if unset else [a.name for a in adapters if not a.allow_teaming])
    return {"member_count": len(team.members), "shared_switch": shared, "teaming_not_allowed": not_allowed}
