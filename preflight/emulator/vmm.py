"""SQL Server and VMM 2008 R2 effects: edition upgrade, collation rebuild, SP1, DKM container, PRO."""

from __future__ import annotations

import re
from typing import Any

from msgspec import UNSET

from preflight.emulator.backup import require_backup, vmm_databases_on
from preflight.emulator.effects import Applied, Refused, Request, effect, ok
from preflight.emulator.state import EmulatedEstate
from preflight.inventory.common import Software, known
from preflight.inventory.versions import Version, parse_version

EDITION_RANK = {"express": 0, "web": 1, "workgroup": 1, "standard": 2, "enterprise": 3, "datacenter": 4}
VMM_2008_R2 = Version.of(2, 0, 4271)
VMM_2008_R2_SP1 = "2.0.4521.0"


def _sql(state: EmulatedEstate, name: str) -> Any:
    sql = next((s for s in state.snapshot.sql_servers if s.name.casefold() == name.casefold()), None)
    if sql is None:
        raise Refused(f"no SQL Server named '{name}'")
    return sql


def _edition_key(edition: str) -> str:
    return next((k for k in EDITION_RANK if k in edition.casefold()), edition.casefold())


@effect("change-sql-edition")
def _edition(state: EmulatedEstate, request: Request) -> Applied:
    sql = _sql(state, request.name)
    target = request.p("edition")
    if _edition_key(target) not in EDITION_RANK:
        raise Refused(f"'{target}' is not a SQL Server edition")
    if not known(sql.edition):
        raise Refused(f"{sql.name}: the current edition was not collected")
    current, wanted = EDITION_RANK.get(_edition_key(sql.edition), -1), EDITION_RANK[_edition_key(target)]
    if current == wanted:
        return ok(False)
    if wanted < current:
        raise Refused(f"{sql.name}: SQL Server setup's Edition Upgrade cannot go from {sql.edition} down to {target}")
    sql.edition = target
    return ok(True)


@effect("rebuild-sql-collation")
def _collation(state: EmulatedEstate, request: Request) -> Applied:
    sql = _sql(state, request.name)
    collation = request.p("collation")
    if not re.search(r"_CI(_|$)", collation):
        raise Refused(f"collation '{collation}' is not case-insensitive")
    changed = sql.collation != collation
    if changed:  # rebuilding master detaches every user database of the instance
        instance = request.p("instance") or sql.instance
        require_backup(state, vmm_databases_on(state, sql.name, instance), f"{sql.name}: the collation rebuild")
    sql.collation = collation
    return ok(changed)


def _vmm_server(state: EmulatedEstate, name: str) -> Any:
    server = next((s for s in state.snapshot.vmm_servers if s.name.casefold() == name.casefold()), None)
    if server is None:
        raise Refused(f"no VMM server named '{name}'")
    return server


@effect("apply-vmm-2008r2-sp1")
def _sp1(state: EmulatedEstate, request: Request) -> Applied:
    server = _vmm_server(state, request.name)
    vmm = server.vmm
    if vmm in (None, UNSET) or not known(vmm.version):
        raise Refused(f"{server.name}: no VMM installation with a known version to apply SP1 to")
    version = parse_version(vmm.version)
    if version >= parse_version(VMM_2008_R2_SP1):
        return ok(False)
    if not version.within(VMM_2008_R2.release) or version < VMM_2008_R2:
        raise Refused(f"{server.name}: VMM {vmm.version} is not VMM 2008 R2; SP1 installs only on VMM 2008 R2 (2.0.4271)")
    vmm.version, vmm.service_pack = VMM_2008_R2_SP1, 1
    if known(server.installed_software):
        server.installed_software = [s for s in server.installed_software if "Virtual Machine Manager" not in s.name]
        server.installed_software.append(Software(name="Microsoft System Center Virtual Machine Manager 2008 R2 SP1",
                                                  version=VMM_2008_R2_SP1))
    return ok(True)


def domain_dn(domain: str) -> str:
    """contoso.local -> DC=contoso,DC=local."""
    return ",".join(f"DC={part}" for part in domain.split("."))


@effect("create-dkm-container")
def _dkm(state: EmulatedEstate, request: Request) -> Applied:
    server = _vmm_server(state, request.name)
    if server.domain in (None, UNSET):
        raise Refused(f"{server.name}: a DKM container lives in AD DS; the server is not a domain member")
    if server.vmm in (None, UNSET):
        raise Refused(f"{server.name}: no VMM installation to configure")
    name = request.p("container_name") or "VMMDKM"
    container = f"CN={name},{request.p('parent') or domain_dn(server.domain)}"
    # The container lives in AD DS: every VMM server of the domain can keep its keys in it, not only the one named.
    others = [s.vmm for s in state.snapshot.vmm_servers if s is not server and isinstance(s.domain, str)
              and s.domain.casefold() == server.domain.casefold() and known(s.vmm) and s.vmm is not None
              and s.vmm.dkm_container is None]
    for vmm in others:
        vmm.dkm_container = container
    if server.vmm.dkm_container not in (None, UNSET):
        return ok(bool(others))
    server.vmm.dkm_container = container
    return ok(True)


@effect("remove-pro-connection")
def _pro(state: EmulatedEstate, request: Request) -> Applied:
    server = _vmm_server(state, request.name)
    if server.vmm in (None, UNSET) or server.vmm.pro_connection in (None, UNSET):
        return ok(False)
    server.vmm.pro_connection = None
    return ok(True)
