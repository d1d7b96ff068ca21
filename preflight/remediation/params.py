"""Parameters a rule cannot bind from its finding, derived from the estate (instance, new name, NIC, ...)."""

from __future__ import annotations

import re
from typing import Any

from msgspec import UNSET

from preflight.inventory.snapshot import Snapshot
from preflight.remediation.targets import Resolved, estate_domain, named

DKM_CONTAINER = "VMMDKM"


def new_computer_name(name: str, snapshot: Snapshot) -> str:
    """A name VMM 2012 accepts (no '-SCVMM-', at most 15 characters) that no other object uses."""
    taken = {x.name.casefold() for items in (snapshot.vmm_servers, snapshot.sql_servers, snapshot.hosts,
                                             snapshot.library_servers, snapshot.clusters) for x in items}
    base = re.sub("-SCVMM-", "-VMM-", name, flags=re.I)[:15].rstrip("-") or "SERVER"
    candidate, n = base, 1
    while candidate.casefold() in taken - {name.casefold()}:
        suffix = str(n)
        candidate, n = base[: 15 - len(suffix)] + suffix, n + 1
    return candidate


def _replica(snapshot: Snapshot, where: Resolved) -> Any:
    if where.object_kind == "hosts":
        host = named(snapshot.hosts, where.object_name)
        return host.replica if host is not None else None
    cluster = named(snapshot.clusters, where.object_name)
    return cluster.replica_broker.replica if cluster is not None and cluster.replica_broker not in (None, UNSET) else None


def _certificate(snapshot: Snapshot, where: Resolved) -> str | None:
    names = [where.object_name] if where.object_kind == "hosts" else [where.server] if where.object_kind == "vms" else list(
        getattr(named(snapshot.clusters, where.object_name), "nodes", []))
    for name in names:
        host = named(snapshot.hosts, name)
        for cert in host.certificates if host is not None and host.certificates is not UNSET else []:
            if cert.has_private_key is not False and (cert.enhanced_key_usages is UNSET
                                                      or "Server Authentication" in cert.enhanced_key_usages):
                return cert.thumbprint
    return None


def _free_nic(snapshot: Snapshot, host_name: str) -> str | None:
    host = named(snapshot.hosts, host_name)
    if host is None or host.nics is UNSET:
        return None
    used = {m.name.casefold() for t in (host.teams if host.teams is not UNSET else []) for m in t.members}
    used |= {s.net_adapter.casefold() for s in (host.virtual_switches if host.virtual_switches is not UNSET else [])
             if s.net_adapter is not UNSET}
    for nic in host.nics:
        if nic.name.casefold() not in used and not nic.host_vnic and not nic.kernel_debug \
                and nic.status in ("Up", UNSET) and nic.media_type in ("802.3", UNSET):
            return nic.name
    return None


def derive_params(action: str, where: Resolved, params: dict[str, str], snapshot: Snapshot,
                  finding_target: str) -> tuple[dict[str, str], str | None]:
    """Complete an action's parameters from the estate; the second value says why it cannot be done."""
    params = {k: v for k, v in params.items() if v != ""} | dict(where.extra)
    problem = None
    if action in ("change-sql-edition", "rebuild-sql-collation"):
        sql = named(snapshot.sql_servers, where.object_name)
        params.setdefault("instance", sql.instance if sql is not None else "MSSQLSERVER")
    elif action == "rename-computer":
        params.setdefault("new_name", new_computer_name(where.object_name, snapshot))
    elif action == "join-domain":
        domain = estate_domain(snapshot)
        params.setdefault("domain", domain or "")
        problem = None if domain else "the estate names no domain to join"
    elif action == "create-dkm-container":
        server = named(snapshot.vmm_servers, where.object_name)
        domain = server.domain if server is not None and isinstance(server.domain, str) else estate_domain(snapshot)
        params.setdefault("container_name", DKM_CONTAINER)
        params.setdefault("parent", ",".join(f"DC={p}" for p in (domain or "").split(".") if p))
        params.setdefault("domain", domain or "")
        problem = None if domain else "the server is in no domain: DKM needs AD DS"
    elif action in ("enable-replica-server", "set-replica-authentication"):
        if where.object_kind == "vms" and params.get("authentication") not in ("Kerberos", "Certificate"):
            return params, "a VM replicates with Kerberos or Certificate only; the server change is enough"
        if "Certificate" in params.get("authentication", ""):
            thumbprint = _certificate(snapshot, where)
            params["thumbprint"] = thumbprint or ""
            problem = None if thumbprint else f"{where.object_name}: no certificate with Server Authentication and a private key"
    elif action == "authorize-primary":
        replica = _replica(snapshot, where)
        storage = replica.default_storage_location if replica not in (None, UNSET) else None
        params.setdefault("storage", storage if isinstance(storage, str) else "")
        params.setdefault("trust_group", "DEFAULT")
        if not params["storage"]:
            problem = f"{where.object_name}: no default Replica storage location to authorize the primary with"
    elif action == "add-replica-broker":
        params.setdefault("broker", f"{where.object_name[:11]}-HVR")
    elif action == "add-team-member":
        nic = _free_nic(snapshot, where.server)
        params.setdefault("member", nic or "")
        problem = None if nic else f"{where.server}: no free physical Ethernet NIC to add to the team"
    elif action in ("manual", "migrate-library-server"):
        params.setdefault("instruction", f"Move the library shares of {finding_target} to a Windows Server 2008 R2 "
                          "library server, then remove it from VMM" if action == "migrate-library-server" else "")
    return params, problem
