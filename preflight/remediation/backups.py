"""Which databases a destructive step puts at risk, so the planner backs them up before anything else runs.

A collation rebuild detaches the user databases of its instance; uninstalling the VMM server or the SQL
Server engine, and the VMM 2012 upgrade (an in-place database conversion), put the VMM database at risk.
The emulator holds its own, independent copy of this rule and refuses a destructive step whose data the
run has not backed up at an earlier step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from msgspec import UNSET

from preflight.inventory.index import SnapshotIndex
from preflight.inventory.servers import DatabaseConnection, VmmServer
from preflight.inventory.versions import parse_version
from preflight.patterns import compile_regex

DEFAULT_INSTANCE = "MSSQLSERVER"
VMM_PRODUCT = re.compile(r"Virtual Machine Manager", re.I)
SQL_ENGINE = re.compile(r"^Microsoft SQL Server \d{4}( R2)?( \((32|64)-bit\))?$", re.I)


def _instance(value: object) -> str:
    return (value if isinstance(value, str) and value else DEFAULT_INSTANCE).casefold()


def _database(server: VmmServer) -> DatabaseConnection | None:
    vmm = server.vmm
    return vmm.database if vmm is not None and vmm is not UNSET and vmm.database is not UNSET else None


def _has_database(server: VmmServer) -> bool:
    return _database(server) is not None


def _on_sql(index: SnapshotIndex, sql_server: str, instance: str | None) -> list[str]:
    return [s.name for s in index.snapshot.vmm_servers if (db := _database(s)) is not None
            and db.server.casefold() == sql_server.casefold()
            and (instance is None or _instance(db.instance) == _instance(instance))]


def _removed(index: SnapshotIndex, computer: str, params: Mapping[str, str]) -> list[str]:
    try:
        pattern = compile_regex(params.get("pattern", ""))
    except ValueError:
        return []  # the emulator refuses the step itself
    below = params.get("below_version", "")
    names = []
    for record in index.computers(computer):
        for software in getattr(record, "installed_software", None) or []:
            if pattern.search(software.name) and (not below or (
                    software.version is not UNSET and parse_version(software.version) < parse_version(below))):
                names.append(software.name)
    return names


def databases_at_risk(action: str, object_name: str, params: Mapping[str, str], index: SnapshotIndex) -> list[str]:
    """The VMM servers whose database a step (`action` on `object_name` with `params`) puts at risk."""
    if action == "rebuild-sql-collation":
        return _on_sql(index, object_name, params.get("instance") or None)
    if action == "upgrade-vmm-2012":
        server = index.vmm_servers.get(object_name)
        return [server.name] if server is not None and _has_database(server) else []
    if action == "uninstall-software":
        removed = _removed(index, object_name, params)
        at_risk: list[str] = []
        server = index.vmm_servers.get(object_name)
        if server is not None and _has_database(server) and any(VMM_PRODUCT.search(n) for n in removed):
            at_risk.append(server.name)
        if any(SQL_ENGINE.search(n) for n in removed):
            at_risk += [n for n in _on_sql(index, object_name, None) if n not in at_risk]
        return at_risk
    return []


def backups_needed(steps: Iterable[tuple[str, str, Mapping[str, str]]], index: SnapshotIndex) -> list[str]:
    """VMM servers whose database must be backed up first, in order of first need, for (action, object, params) steps."""
    needed: dict[str, str] = {}
    for action, name, params in steps:
        for server in databases_at_risk(action, name, params, index):
            needed.setdefault(server.casefold(), server)
    return list(needed.values())
