"""Database backups, and the rule that nothing destroys data the run has not backed up first.

A SQL Server collation rebuild recreates `master` and detaches every user database on the instance; an
uninstall of the VMM server or of SQL Server, and the VMM 2012 upgrade (which converts the database in
place), put the VMM database at risk. The emulator refuses each of them unless the run backed up every
database at risk at an earlier step, the way an operator's change checklist would stop the change.
"""

from __future__ import annotations

import re
from typing import Any

from preflight.emulator.effects import Applied, Refused, Request, effect, ok
from preflight.emulator.state import EmulatedEstate
from preflight.inventory.common import known

DEFAULT_INSTANCE = "MSSQLSERVER"
VMM_PRODUCT = re.compile(r"Virtual Machine Manager", re.I)
SQL_ENGINE = re.compile(r"^Microsoft SQL Server \d{4}( R2)?( \((32|64)-bit\))?$", re.I)
"""The Programs and Features entry of the database engine (not its tools, Native Client or SMO)."""


def instance_name(value: object) -> str:
    """An instance name with the default instance spelled out (absent means the default instance)."""
    return value if isinstance(value, str) and value else DEFAULT_INSTANCE


def backup_key(server: str, instance: object, database: str) -> tuple[str, str, str]:
    """The key of one database in `EmulatedEstate.backups`."""
    return server.casefold(), instance_name(instance).casefold(), database.casefold()


def _database(server: Any) -> Any:
    vmm = getattr(server, "vmm", None)
    return vmm.database if vmm is not None and known(vmm) and known(vmm.database) else None


def vmm_databases_on(state: EmulatedEstate, sql_server: str, instance: object = None) -> list[tuple[Any, Any]]:
    """(VMM server, database connection) of every VMM database held on `sql_server` (on `instance`, when given)."""
    found = []
    for server in state.snapshot.vmm_servers:
        database = _database(server)
        if database is None or database.server.casefold() != sql_server.casefold():
            continue
        if instance is not None and instance_name(database.instance).casefold() != instance_name(instance).casefold():
            continue
        found.append((server, database))
    return found


def require_backup(state: EmulatedEstate, at_risk: list[tuple[Any, Any]], what: str) -> None:
    """Refuse `what` unless every database in `at_risk` was backed up earlier in this run."""
    missing = [f"{db.name} on {db.server}\\{instance_name(db.instance)}" for _, db in at_risk
               if backup_key(db.server, db.instance, db.name) not in state.backups]
    if missing:
        raise Refused(f"{what} puts {', '.join(missing)} at risk and the plan has no backup of it at an earlier step")


def at_risk_by_uninstall(state: EmulatedEstate, computer: str, removed: list[str]) -> list[tuple[Any, Any]]:
    """The VMM databases put at risk by uninstalling the products named `removed` from `computer`."""
    at_risk: list[tuple[Any, Any]] = []
    if any(VMM_PRODUCT.search(name) for name in removed):
        at_risk += [(s, db) for s in state.snapshot.vmm_servers
                    if s.name.casefold() == computer.casefold() and (db := _database(s)) is not None]
    if any(SQL_ENGINE.search(name) for name in removed):
        at_risk += [pair for pair in vmm_databases_on(state, computer) if pair not in at_risk]
    return at_risk


def vmm_database_of(state: EmulatedEstate, name: str) -> list[tuple[Any, Any]]:
    """[(VMM server, its database)] for the VMM server `name`, or [] when it has none recorded."""
    server = next((s for s in state.snapshot.vmm_servers if s.name.casefold() == name.casefold()), None)
    database = _database(server) if server is not None else None
    return [(server, database)] if database is not None else []


@effect("backup-vmm-database")
def _backup(state: EmulatedEstate, request: Request) -> Applied:
    pairs = vmm_database_of(state, request.name)
    if not pairs:
        raise Refused(f"{request.name}: no VMM database location in the estate to back up")
    _, database = pairs[0]
    asked = backup_key(request.p("sql_server"), request.p("instance"), request.p("database"))
    if asked != backup_key(database.server, database.instance, database.name):
        raise Refused(f"{request.name}: its database is {database.name} on {database.server}\\"
                      f"{instance_name(database.instance)}, not {request.p('database')} on {request.p('sql_server')}\\"
                      f"{instance_name(request.p('instance'))}")
    if state.clock is not None:
        database.last_full_backup = state.clock
    changed = asked not in state.backups
    state.backups.add(asked)
    return ok(changed)
