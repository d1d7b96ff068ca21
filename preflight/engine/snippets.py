"""A rule's `powershell` snippet is a template filled from each finding, so it names the estate's own objects.

Placeholders are `{server}`, `{name}`, ... from `PLACEHOLDERS`. Each value enters the snippet as one
PowerShell single-quoted literal (the quoting function is the script's own, passed in by the formatters),
so a placeholder must stand where an argument may stand, never inside a quoted string: the pack loader
refuses a template that breaks that, or names a placeholder this table does not know. A value the finding
cannot supply (a domain nobody collected) is printed as the literal `'<domain>'`, an instruction to fill it in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from msgspec import UNSET

from preflight.estate.model import Target

PLACEHOLDERS: dict[str, str] = {
    "name": "the finding's object, as the report names it (CLUSTER/volume for a CSV, HOST/team for a team)",
    "server": "the computer the fix runs on: the object itself, a VM's or team's host, a CSV's cluster",
    "vm": "the virtual machine (VMs, replicated VMs, teams inside a VM)",
    "team": "the NIC team (host and VM teams)",
    "cluster": "the failover cluster (clusters, CSVs, cluster nodes, VMs on a cluster)",
    "sql": "the SQL Server instance to connect to: SERVER, or SERVER\\INSTANCE for a named instance",
    "instance": "the SQL Server instance name",
    "database": "the VMM database name",
    "domain": "the object's Active Directory domain",
}
"""Placeholder -> what it is filled with (the reference of `preflight rules show` and the docs)."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_INSTANCE = "MSSQLSERVER"


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(template)))


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each single- or double-quoted string (PowerShell: '' and `" escape their quote)."""
    spans, i = [], 0
    while i < len(text):
        quote = text[i]
        if quote not in "'\"":
            i += 1
            continue
        j = i + 1
        while j < len(text):
            if quote == '"' and text[j] == "`":
                j += 2
                continue
            if text[j] == quote:
                if j + 1 < len(text) and text[j + 1] == quote:
                    j += 2
                    continue
                break
            j += 1
        spans.append((i, j))
        i = j + 1
    return spans


def template_problem(template: str) -> str | None:
    """Why `template` cannot be a snippet template, or None."""
    spans = _quoted_spans(template)
    for match in _PLACEHOLDER.finditer(template):
        key = match.group(1)
        if key not in PLACEHOLDERS:
            return f"unknown placeholder {{{key}}}; known: {', '.join('{' + k + '}' for k in PLACEHOLDERS)}"
        if any(lo < match.start() < hi for lo, hi in spans):
            return (f"placeholder {{{key}}} is inside a quoted string; it is inserted as its own single-quoted "
                    f"literal, so write it where an argument goes (e.g. -ComputerName {{{key}}})")
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value is not UNSET else None


def _sql(server: str | None, instance: Any) -> str | None:
    if server is None:
        return None
    name = _text(instance)
    return server if name is None or name.casefold() == DEFAULT_INSTANCE.casefold() else f"{server}\\{name}"


def _values(target: Target) -> dict[str, str | None]:
    obj, links, kind = target.obj, target.links, target.kind
    host, cluster, vm = links.get("host"), links.get("cluster"), links.get("vm")
    values: dict[str, str | None] = {"name": target.name, "domain": _text(getattr(obj, "domain", None))}
    if kind in ("vmm_servers", "sql_servers", "library_servers", "vcenters", "hosts", "clusters", "replica_servers"):
        values["server"] = obj.name
    if kind == "hosts":
        values["cluster"] = _text(obj.cluster)
    if kind in ("clusters", "csvs"):
        values["cluster"] = (cluster or obj).name
        values["server"] = values["cluster"]
    if kind in ("vms", "replicated_vms"):
        values["vm"], values["server"] = obj.name, obj.host
    if kind in ("host_teams", "vm_teams"):
        values["team"] = obj.name
        values["vm"] = vm.name if vm is not None else None
        values["server"] = host.name if host is not None else (vm.host if vm is not None else None)
    if kind in ("vms", "replicated_vms", "vm_teams") and cluster is not None:
        values["cluster"] = cluster.name
    if host is not None and values.get("domain") is None:
        values["domain"] = _text(host.domain)
    if kind == "sql_servers":
        values["instance"] = _text(obj.instance) or DEFAULT_INSTANCE
        values["sql"] = _sql(obj.name, obj.instance)
    vmm = getattr(obj, "vmm", None) if kind == "vmm_servers" else None
    database = vmm.database if vmm is not None and vmm is not UNSET and vmm.database is not UNSET else None
    if database is not None:
        values["instance"] = _text(database.instance) or DEFAULT_INSTANCE
        values["sql"] = _sql(database.server, database.instance)
        values["database"] = database.name
    return values


def snippet_values(target: Target, template: str | None) -> tuple[tuple[str, str], ...]:
    """The values a finding on `target` gives the placeholders `template` uses (those it has)."""
    if not template:
        return ()
    wanted = placeholders(template)
    if not wanted:
        return ()
    values = _values(target)
    return tuple((key, value) for key in wanted if (value := values.get(key)) is not None)


def fill(template: str, values: tuple[tuple[str, str], ...], quote: Callable[[str], str]) -> str:
    """`template` with each placeholder replaced by `quote(value)`, or `quote('<key>')` where the finding has no value."""
    known = dict(values)
    return _PLACEHOLDER.sub(lambda m: quote(known.get(m.group(1), f"<{m.group(1)}>")), template)
