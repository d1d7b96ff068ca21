"""The `vmm` settings of a VMM server: version and database (registry), last database backup (msdb), service account.

Only what a bundle source carries is set. VMM's service pack, high availability, DKM container and PRO
connection have no source whose meaning is documented for VMM 2008 R2, so they are reported as not
collected, with that reason, and the rules that need them say unknown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from preflight.importer import computers as c
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import Missing

# VMM 2012's server service; the name of VMM 2008 R2's is not confirmed by a source (see domain-facts 1.6)
VMM_SERVICE = "SCVMMService"
_NOT_MAPPED = {
    "vmm.service_pack": "no bundle source states VMM's service pack (the registry's ProductVersion is kept as vmm.version)",
    "vmm.highly_available": "no bundle source states whether the VMM server is a clustered (highly available) role",
    "vmm.dkm_container": "no bundle source reads VMM's Distributed Key Management setting",
    "vmm.pro_connection": "the property names of VMM 2008 R2's PRO connection objects are not documented: vmm.pro is not mapped",
}


def _short(name: str) -> str:
    return name.split(".", 1)[0].upper()


def vmm_settings(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """`vmm` of a VMM server from registry.vmm, sql.backups of its database server and Win32_Service."""
    got = c.one(bundle, computer, "registry.vmm")
    if isinstance(got, Missing):
        obj.miss("vmm", got.reason)
        return
    reg, where = got
    obj.put("vmm.version", c._text(prop(reg, "ProductVersion")), f"{where}: Setup\\ProductVersion")
    server = prop(reg, "MachineName")
    if isinstance(server, Missing):
        obj.miss("vmm.database", server.reason)
    else:
        obj.put("vmm.database.server", _short(str(server)), f"{where}: Settings\\Sql\\MachineName")
        instance, database = prop(reg, "InstanceName"), prop(reg, "DatabaseName")
        if not isinstance(instance, Missing):
            obj.put("vmm.database.instance", str(instance), f"{where}: Settings\\Sql\\InstanceName")
        if not isinstance(database, Missing):
            obj.put("vmm.database.name", str(database), f"{where}: Settings\\Sql\\DatabaseName")
        _last_backup(bundle, str(server), str(database) if not isinstance(database, Missing) else "VirtualManagerDB", obj)
    _service_account(bundle, computer, obj)
    for path, reason in _NOT_MAPPED.items():
        obj.miss(path, reason)


def _last_backup(bundle: Bundle, server: str, database: str, obj: ObjectImport) -> None:
    """The database's last full backup from msdb.dbo.backupset (sql.backups of the database server)."""
    got = c.many(bundle, server, "sql.backups")
    if isinstance(got, Missing) and _short(server) != server:
        got = c.many(bundle, _short(server), "sql.backups")
    if isinstance(got, Missing):
        obj.miss("vmm.database.last_full_backup", got.reason)
        return
    rows, where = got
    row = next((r for r in rows if str(prop(r, "DatabaseName")).lower() == database.lower()), None)
    if row is None:
        # no row: never backed up, or msdb's backup history was cleaned up; the rows cannot tell which
        obj.miss("vmm.database.last_full_backup", f"{where}: msdb has no full backup of {database} "
                 "(never backed up, or its backup history was deleted)")
        return
    obj.put("vmm.database.last_full_backup", _aware(prop(row, "LastFullBackup"), prop(row, "UtcOffsetMinutes")),
            f"{where}: LastFullBackup, UtcOffsetMinutes of {database}")


def _aware(value: object, offset: object) -> datetime | Missing:
    """SQL Server's datetime is the server's local time without an offset (Export-Clixml keeps it so); the
    collector read the server's UTC offset with it (rounded to 15 minutes: the two clock reads may straddle a minute)."""
    if isinstance(value, Missing):
        return value
    if not isinstance(value, datetime):
        return Missing(f"LastFullBackup {str(value)[:40]!r} is not a date")
    if value.tzinfo is not None:
        return value.astimezone(UTC)  # ConvertTo-Json wrote it as /Date(ms)/, milliseconds since 1970 UTC
    minutes = c._int(offset)
    if isinstance(minutes, Missing):
        return Missing(f"LastFullBackup has no time zone and UtcOffsetMinutes is not collected ({minutes.reason})")
    return value.replace(tzinfo=timezone(timedelta(minutes=round(minutes / 15) * 15))).astimezone(UTC)


def _service_account(bundle: Bundle, computer: str, obj: ObjectImport) -> None:
    """local-system or domain, from the StartName of VMM's service in Win32_Service."""
    got = c.collected(bundle, computer, c.SERVICES, obj, "vmm.service_account")
    if got is None:
        return
    items, where = got
    service = next((s for s in items if str(prop(s, "Name")).lower() == VMM_SERVICE.lower()), None)
    if service is None:
        obj.miss("vmm.service_account", f"{where}: no {VMM_SERVICE} service (VMM 2012's); the name of VMM 2008 R2's "
                 "server service is not confirmed by a source")
        return
    account = prop(service, "StartName")
    if isinstance(account, Missing):
        obj.miss("vmm.service_account", account.reason)
    elif str(account).lower() in ("localsystem", "nt authority\\system"):
        obj.put("vmm.service_account", "local-system", f"{where}: {VMM_SERVICE} StartName")
    elif "\\" in str(account) and not str(account).lower().startswith(("nt authority\\", "nt service\\", ".\\")):
        obj.put("vmm.service_account", "domain", f"{where}: {VMM_SERVICE} StartName")
    else:
        obj.miss("vmm.service_account", f"{where}: {VMM_SERVICE} runs as {account!r}, neither Local System nor a domain account")
