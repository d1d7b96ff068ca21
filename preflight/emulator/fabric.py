"""Hyper-V fabric effects: Replica servers and brokers, NIC teams, CSV block cache."""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any, Literal

from msgspec import UNSET

from preflight.emulator.certificates import check_certificate, identity
from preflight.emulator.effects import Applied, Refused, Request, effect, ok
from preflight.emulator.state import EmulatedEstate
from preflight.inventory.clusters import ReplicaBroker
from preflight.inventory.common import known
from preflight.inventory.hosts import AuthorizationEntry, Host, Nic, ReplicaAuthentication, ReplicaServer, TeamMember
from preflight.inventory.refs import VM_KINDS
from preflight.inventory.versions import EMPTY, WS2012, WS2012R2, Version, parse_version
from preflight.inventory.vms import Vm

TEAMABLE_MEDIA = ("802.3",)
CACHE_LIMIT = {WS2012: 0.2, WS2012R2: 0.8}  # share of node memory the CSV cache may use (2012, 2012 R2)


def _os(host: Host) -> Version:
    return parse_version(host.os.version) if known(host.os) and known(host.os.version) else EMPTY


def _vm(state: EmulatedEstate, request: Request) -> Vm | None:
    """The VM a request names: on the host the step runs against (a namesake VM's copy), else the only one of
    that name (an earlier drain may have moved it off the host the plan saw)."""
    return state.vm(request.name, request.server) or state.vm(request.name)


# Any: the owner is a Host or a ReplicaBroker, and the effects assign request text to its Literal-typed fields
# (typed, mypy shows they are not validated against the Literal yet: left to the Replica fidelity work).
def _replica_owner(state: EmulatedEstate, request: Request) -> tuple[Any, list[Host]]:
    """(object holding `.replica`, hosts whose OS and certificates count) for a host, broker or replicated VM."""
    name = request.name
    if request.kind in VM_KINDS:
        vm = _vm(state, request)
        if vm is None or vm.replication in (None, UNSET):
            raise Refused(f"VM '{name}' is not replicated")
        name = vm.replication.replica_server
    host = state.host(name)
    if host is not None:
        cluster = state.cluster(host.cluster) if host.cluster else None
        if cluster is None or cluster.replica_broker in (None, UNSET):
            return host, [host]
        name = cluster.name   # a node of a broker cluster works with the broker's settings
    for cluster in state.snapshot.clusters:
        broker = cluster.replica_broker
        if broker not in (None, UNSET) and name.casefold() in (broker.name.casefold(), str(broker.fqdn).casefold()):
            return broker, [h for h in (state.host(n) for n in cluster.nodes) if h is not None]
        if cluster.name.casefold() == name.casefold() and broker not in (None, UNSET):
            return broker, [h for h in (state.host(n) for n in cluster.nodes) if h is not None]
    raise Refused(f"'{name}' is neither a host nor a Replica Broker of the estate")


def _check_hosts(hosts: list[Host], authentication: str, now: datetime | None = None) -> str | None:
    for host in hosts:
        if host.platform != "hyperv" or _os(host) < WS2012:
            return f"{host.name}: Hyper-V Replica needs Windows Server 2012 or later with Hyper-V"
        if "Certificate" in authentication:
            certs = host.certificates if known(host.certificates) else []
            usable = [c for c in certs if c.has_private_key is not False and
                      (not known(c.enhanced_key_usages) or "Server Authentication" in c.enhanced_key_usages)]
            if not usable:
                return f"{host.name}: no certificate with Server Authentication and a private key for Replica"
    return None


def _authentication(request: Request) -> ReplicaAuthentication:
    """The authentication type a step asks for; anything Set-VMReplicationServer does not accept is refused."""
    for allowed in typing.get_args(ReplicaAuthentication):
        if request.p("authentication") == allowed:
            return allowed
    raise Refused(f"'{request.p('authentication')}' is not a Hyper-V Replica authentication type "
                  f"({', '.join(typing.get_args(ReplicaAuthentication))})")


@effect("enable-replica-server")
def _enable(state: EmulatedEstate, request: Request) -> Applied:
    owner, hosts = _replica_owner(state, request)
    auth = _authentication(request)
    problem = _check_hosts(hosts, auth)
    if problem:
        raise Refused(problem)
    thumbprint = request.p("thumbprint")
    if "Certificate" in auth:
        check_certificate(hosts, thumbprint, identity(owner))
    replica = owner.replica if owner.replica not in (None, UNSET) else None
    if replica is not None and replica.enabled and replica.allowed_authentication_type == auth and (
            "Certificate" not in auth or replica.certificate_thumbprint == thumbprint):
        return ok(False)
    if replica is None:
        owner.replica = replica = ReplicaServer(enabled=True, allowed_authentication_type=auth, allow_any_server=False,
                                                authorization_entries=[])
    else:
        replica.enabled, replica.allowed_authentication_type = True, auth
    if "Certificate" in auth:
        replica.certificate_thumbprint = thumbprint
    return ok(True)


def _set_vm_auth(state: EmulatedEstate, request: Request) -> Applied:
    vm = _vm(state, request)
    if vm is None or vm.replication in (None, UNSET):
        raise Refused(f"VM '{request.name}' is not replicated")
    wanted = request.p("authentication")
    auth: Literal["Kerberos", "Certificate"]
    if wanted == "Kerberos":
        auth = "Kerberos"
    elif wanted == "Certificate":
        auth = "Certificate"
    else:
        raise Refused(f"{vm.name}: Set-VMReplication accepts Kerberos or Certificate, not {wanted}")
    primary = state.host(vm.host)
    problem = _check_hosts([primary] if primary is not None else [], auth)
    if problem:
        raise Refused(problem)
    thumbprint = request.p("thumbprint")
    if auth == "Certificate" and primary is not None:
        if not thumbprint:
            raise Refused(f"{vm.name}: Set-VMReplication -AuthenticationType Certificate needs a certificate thumbprint")
        if known(primary.certificates) and not any(c.thumbprint.casefold() == thumbprint.casefold() for c in primary.certificates):
            raise Refused(f"{primary.name}: no certificate {thumbprint} in LocalMachine\\My for {vm.name}'s replication")
    changed = vm.replication.authentication_type != auth or (auth == "Certificate" and
                                                             vm.replication.certificate_thumbprint != thumbprint)
    vm.replication.authentication_type = auth
    if auth == "Certificate":
        vm.replication.certificate_thumbprint = thumbprint  # Set-VMReplication -CertificateThumbprint
    if known(vm.replication.port):
        vm.replication.port = 443 if auth == "Certificate" else 80
    return ok(changed)


@effect("set-replica-authentication")
def _set_auth(state: EmulatedEstate, request: Request) -> Applied:
    if request.kind == "vms":
        return _set_vm_auth(state, request)
    owner, hosts = _replica_owner(state, request)
    if owner.replica in (None, UNSET) or not owner.replica.enabled:
        raise Refused(f"{getattr(owner, 'name', request.name)}: the Replica server is not enabled")
    auth = request.p("authentication")
    problem = _check_hosts(hosts, auth)
    if problem:
        raise Refused(problem)
    thumbprint = request.p("thumbprint")
    changed = owner.replica.allowed_authentication_type != auth
    if "Certificate" in auth:
        check_certificate(hosts, thumbprint, identity(owner))
        changed = changed or owner.replica.certificate_thumbprint != thumbprint
        owner.replica.certificate_thumbprint = thumbprint
    owner.replica.allowed_authentication_type = auth
    return ok(changed)


@effect("authorize-primary")
def _authorize(state: EmulatedEstate, request: Request) -> Applied:
    owner, _ = _replica_owner(state, request)
    replica = owner.replica if owner.replica not in (None, UNSET) else None
    if replica is None or not replica.enabled:
        raise Refused(f"{owner.name}: the Replica server is not enabled")
    primary = request.p("primary")
    if not primary:
        raise Refused("no primary server given")
    entries = replica.authorization_entries if known(replica.authorization_entries) else []
    if any(e.allowed_primary_server.casefold() == primary.casefold() for e in entries):
        return ok(False)
    storage = request.p("storage") or (replica.default_storage_location if known(replica.default_storage_location) else None)
    entries.append(AuthorizationEntry(allowed_primary_server=primary, replica_storage_location=storage or UNSET,
                                      trust_group=request.p("trust_group") or "DEFAULT"))
    replica.authorization_entries = entries
    return ok(True)


@effect("add-replica-broker")
def _broker(state: EmulatedEstate, request: Request) -> Applied:
    cluster = state.cluster(request.name)
    if cluster is None:
        raise Refused(f"no cluster named '{request.name}'")
    if cluster.replica_broker not in (None, UNSET):
        return ok(False)
    nodes = [state.host(n) for n in cluster.nodes]
    if any(n is None or _os(n) < WS2012 for n in nodes):
        raise Refused(f"{cluster.name}: every node must run Windows Server 2012 or later for a Replica Broker")
    cluster.replica_broker = ReplicaBroker(name=request.p("broker") or f"{cluster.name[:11]}-HVR")
    return ok(True)


def _team(state: EmulatedEstate, request: Request) -> tuple[Host, Any]:  # Any: as _replica_owner (team mode text)
    host_name, team_name = request.server or request.name, request.item or ""
    host = state.host(host_name)
    if host is None or not known(host.teams):
        raise Refused(f"no host with teams named '{host_name}'")
    team = next((t for t in host.teams if t.name.casefold() == team_name.casefold()), None)
    if team is None:
        raise Refused(f"{host.name}: no team named '{team_name}'")
    return host, team


def free_nics(host: Host) -> list[Nic]:
    """Physical Ethernet NICs that are up and in no team (what Add-NetLbfoTeamMember could take)."""
    if not known(host.nics):
        return []
    used = {m.name.casefold() for t in (host.teams if known(host.teams) else []) for m in t.members}
    switched = {s.net_adapter.casefold() for s in (host.virtual_switches if known(host.virtual_switches) else [])
                if known(s.net_adapter)}
    return [n for n in host.nics if n.name.casefold() not in used | switched and not n.host_vnic and not n.kernel_debug
            and n.status in ("Up", UNSET) and n.media_type in (*TEAMABLE_MEDIA, UNSET)]


@effect("add-team-member")
def _add_member(state: EmulatedEstate, request: Request) -> Applied:
    host, team = _team(state, request)
    wanted = request.p("member")
    candidates = free_nics(host)
    nic = next((n for n in candidates if not wanted or n.name.casefold() == wanted.casefold()), None)
    if nic is None:
        raise Refused(f"{host.name}: no free physical Ethernet NIC{' ' + repr(wanted) if wanted else ''} to add to team '{team.name}'")
    team.members.append(TeamMember(name=nic.name, operational_status="Active"))
    if team.status == "Degraded" and all(m.operational_status != "Failed" for m in team.members):
        team.status = "Up"
    return ok(True)


@effect("remove-team-member")
def _remove_member(state: EmulatedEstate, request: Request) -> Applied:
    host, team = _team(state, request)
    keep = [m for m in team.members if m.name.casefold() != request.p("member").casefold()]
    if len(keep) == len(team.members):
        return ok(False)
    if not keep:
        raise Refused(f"{host.name}: Remove-NetLbfoTeamMember cannot remove the last member of team '{team.name}'")
    team.members = keep
    return ok(True)


@effect("set-teaming-mode")
def _teaming(state: EmulatedEstate, request: Request) -> Applied:
    host, team = _team(state, request)
    mode, algorithm = request.p("mode"), request.p("algorithm")
    if algorithm == "Dynamic" and _os(host) < WS2012R2:
        raise Refused(f"{host.name}: the Dynamic algorithm needs Windows Server 2012 R2")
    algorithm = "HyperVPort" if algorithm == "HyperVPorts" else algorithm
    changed = (team.teaming_mode, team.load_balancing_algorithm) != (mode, algorithm)
    team.teaming_mode, team.load_balancing_algorithm = mode, algorithm
    return ok(changed)


@effect("set-csv-block-cache")
def _cache_size(state: EmulatedEstate, request: Request) -> Applied:
    cluster = state.cluster(request.server or request.name)   # a CSV's cluster, or the cluster itself
    if cluster is None:
        raise Refused(f"no cluster named '{request.name}'")
    size = int(request.p("size_mb")) if request.p("size_mb").isdigit() else None
    if size is None:
        raise Refused(f"cache size {request.p('size_mb')!r} is not a whole number of MB")
    for node in (state.host(n) for n in cluster.nodes):
        if node is None or not known(node.hardware) or not known(node.hardware.memory_gb):
            continue
        limit = CACHE_LIMIT.get(_os(node).release, 0.2) * node.hardware.memory_gb * 1024
        if size > limit:
            raise Refused(f"{node.name}: a {size} MB cache exceeds the limit of {int(limit)} MB for its memory")
    changed = cluster.shared_volume_block_cache_size_in_mb != size
    cluster.shared_volume_block_cache_size_in_mb = size
    # Windows Server 2012 allocates the new size on a node only when that node restarts (2012 R2 at once):
    # the change is dated, and a node whose last boot is older still runs the old size.
    pending = changed and any(node is not None and _os(node).within(WS2012) for node in (state.host(n) for n in cluster.nodes))
    if pending and state.clock is not None:
        cluster.shared_volume_block_cache_size_changed_at = state.clock
    return ok(changed, restart_pending=pending)


@effect("enable-csv-block-cache")
def _enable_cache(state: EmulatedEstate, request: Request) -> Applied:
    cluster_name, csv_name = request.p("cluster") or request.server or request.name, request.item or ""
    cluster = state.cluster(cluster_name)
    csv = next((c for c in (cluster.csvs if cluster is not None and known(cluster.csvs) else [])
                if c.name.casefold() == csv_name.casefold()), None)
    if cluster is None or csv is None:
        raise Refused(f"no CSV '{csv_name}' on cluster '{cluster_name}'")
    changed = csv.csv_enable_block_cache is not True
    csv.csv_enable_block_cache = True
    return ok(changed)
