"""Replica server settings across a plan's drafts: one authentication change per server, and the listener
firewall rules a plan opens follow the authentication the plan leaves in place.

REP007 names the listener rule for the authentication a Replica server allows *today*; when the same plan
moves that server to certificates (HTTPS), opening today's HTTP rule is a useless hole and the HTTPS
listener stays closed. So: for every Replica server whose allowed authentication the plan changes, the
listener rules to open are those of the new authentication (on the host, or on every node of a broker's
cluster), where they are not enabled yet; listener rules of the old authentication are not opened. The
rule names come from the `listeners` table of `rules/matrices/replica.toml` (built-in rules of Windows
Server 2012, with their sources there).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from typing import Any

from msgspec import UNSET

from preflight.inventory.index import SnapshotIndex
from preflight.resources import builtin_rules_dir

AUTH_ACTIONS = ("set-replica-authentication", "enable-replica-server")
FIREWALL = "enable-firewall-rule"


@cache
def listener_rules() -> dict[str, str]:
    """Authentication ('Kerberos', 'Certificate') -> the built-in listener firewall rule name."""
    data = tomllib.loads((builtin_rules_dir() / "matrices" / "replica.toml").read_text(encoding="utf-8"))
    return {row["authentication"]: row["rule"] for row in data["listeners"]}


def _wanted(authentication: str) -> set[str]:
    rules = listener_rules()
    return {rule for auth, rule in rules.items() if auth.casefold() in authentication.casefold()}


def _listening_hosts(index: SnapshotIndex, kind: str, name: str) -> list[Any]:
    if kind == "hosts":
        host = index.host(name)
        return [host] if host is not None else []
    cluster = index.cluster(name) if kind == "clusters" else None
    return list(index.nodes(cluster)) if cluster is not None else []


def _closed(host: Any, rule: str) -> bool:
    rules = host.firewall_rules if host.firewall_rules is not UNSET else []
    found = next((r for r in rules if r.name.casefold() == rule.casefold()), None)
    return found is not None and not found.enabled


def follow_authentication(drafts: list[Any], index: SnapshotIndex, make: Callable[[str, str], Any]) -> list[Any]:
    """`drafts` with the listener firewall drafts of each re-authenticated Replica server made to match its
    new authentication. `make(host, rule)` builds a new firewall draft on a host."""
    all_listeners = {r.casefold() for r in listener_rules().values()}
    wanted: dict[str, set[str]] = {}
    for draft in drafts:
        if draft.action not in AUTH_ACTIONS or draft.blocked or draft.where.object_kind == "vms":
            continue
        for host in _listening_hosts(index, draft.where.object_kind, draft.where.object_name):
            wanted[host.name.casefold()] = _wanted(draft.params.get("authentication", ""))
    if not wanted:
        return drafts
    kept: list[Any] = []
    listening: dict[str, list[Any]] = {}  # host -> its drafts opening a wanted listener
    orphaned: dict[str, list[str]] = {}   # host -> findings of the dropped drafts (they now point at the new rule)
    for draft in drafts:
        rule = draft.params.get("rule", "")
        host = draft.where.server.casefold()
        if draft.action == FIREWALL and host in wanted and rule.casefold() in all_listeners:
            if rule not in wanted[host]:
                orphaned.setdefault(host, []).extend(draft.findings)
                continue  # the old authentication's listener: the plan moves away from it
            listening.setdefault(host, []).append(draft)
        kept.append(draft)
    for host_key, rules in wanted.items():
        host = index.host(host_key)
        opened = {d.params.get("rule", "").casefold() for d in listening.get(host_key, [])}
        for rule in sorted(rules):
            if host is not None and rule.casefold() not in opened and _closed(host, rule):
                listening.setdefault(host_key, []).append(make(host.name, rule))
                kept.append(listening[host_key][-1])
        if listening.get(host_key):
            target = listening[host_key][0]
            target.findings += [f for f in orphaned.get(host_key, []) if f not in target.findings]
    return kept


def merge_server_authentication(drafts: list[Any]) -> list[Any]:
    """One authentication change per Replica server, allowing every type its fixes need.

    REP003 may ask a server to allow Kerberos and Certificate while REP004 asks it for Certificate for
    another VM: applied one after the other, the last would win and break the first VM's replication.
    """
    merged: dict[tuple[str, str], Any] = {}
    kept: list[Any] = []
    for draft in drafts:
        if draft.action != "set-replica-authentication" or draft.where.object_kind == "vms":
            kept.append(draft)
            continue
        key = (draft.where.object_kind, draft.where.object_name.casefold())
        first = merged.get(key)
        if first is None:
            merged[key] = draft
            kept.append(draft)
            continue
        wanted = {first.params.get("authentication"), draft.params.get("authentication")}
        if len(wanted) > 1:
            first.params["authentication"] = "CertificateAndKerberos"
            first.params["thumbprint"] = first.params.get("thumbprint") or draft.params.get("thumbprint", "")
        first.blocked = first.blocked or draft.blocked
        first.findings += [f for f in draft.findings if f not in first.findings]
    return kept
