"""A full, copy-only backup of a VMM database: what a destructive step needs before it runs.

It runs on the admin workstation and talks to SQL Server through ADO.NET (in every .NET Framework, so
no sqlcmd and no remote session is needed); the database and file names are bound as parameters of
`BACKUP DATABASE @database TO DISK = @file`, so no snapshot value is ever part of T-SQL text. A relative
file name is written to the instance's default backup directory. COPY_ONLY leaves the site's own backup
chain (differentials, log backups) as it was.
"""

from __future__ import annotations

from msgspec import UNSET

from preflight.remediation.actions.base import ActionSpec, Invocation, Param, Planning, register
from preflight.remediation.actions.phases import Phase
from preflight.remediation.literals import ps_quote as q

DEFAULT_INSTANCE = "MSSQLSERVER"
BACKUP_SQL = "BACKUP DATABASE @database TO DISK = @file WITH COPY_ONLY, INIT, CHECKSUM"


def data_source(server: str, instance: str) -> str:
    """`server` for the default instance, `server\\instance` for a named one."""
    return server if not instance or instance.casefold() == DEFAULT_INSTANCE.casefold() else f"{server}\\{instance}"


def sql_connection(source: str) -> list[str]:
    """The ADO.NET lines that make `$connection` (not yet open) to the SQL Server `source` with Windows
    authentication; `source` is a PowerShell expression: a quoted literal or a variable the script set."""
    return [
        "$builder = New-Object -TypeName System.Data.SqlClient.SqlConnectionStringBuilder",
        f"$builder['Data Source'] = {source}",
        "$builder['Integrated Security'] = $true",
        "$connection = New-Object -TypeName System.Data.SqlClient.SqlConnection -ArgumentList $builder.ConnectionString",
    ]


def _render(inv: Invocation) -> list[str]:
    source = data_source(inv.p("sql_server"), inv.p("instance"))
    return [
        *sql_connection(q(source)),
        "$connection.Open()",
        "$command = $connection.CreateCommand()",
        "$command.CommandTimeout = 0",
        f"$command.CommandText = {q(BACKUP_SQL)}",
        f"$command.Parameters.AddWithValue('@database', {q(inv.p('database'))}) | Out-Null",
        f"$command.Parameters.AddWithValue('@file', {q(inv.p('database') + '-preflight.bak')}) | Out-Null",
        "$command.ExecuteNonQuery() | Out-Null",
        "$connection.Close()",
    ]


def _derive(plan: Planning, params: dict[str, str]) -> str | None:
    server = plan.index.vmm_servers.get(plan.where.object_name)
    vmm = server.vmm if server is not None and server.vmm not in (None, UNSET) else None
    database = vmm.database if vmm is not None and vmm.database is not UNSET else None
    if database is None:
        return f"{plan.where.object_name}: where the VMM database lives (vmm.database) was not collected"
    params.setdefault("sql_server", database.server)
    params.setdefault("instance", database.instance if isinstance(database.instance, str) else DEFAULT_INSTANCE)
    params.setdefault("database", database.name)
    return None


register(ActionSpec(
    "backup-vmm-database", "Take a full copy-only backup of the VMM database",
    (Param("sql_server", "SQL Server holding the database"), Param("instance", "Instance name"),
     Param("database", "Database name")), ("vmm_servers",),
    ("the account running the script may back up the database (sysadmin or db_backupoperator)",),
    ("a full backup of the database in the instance's default backup directory",),
    restart=False, offline=False, duration_min=15, commands=("New-Object", "Out-Null"), render=_render,
    phase=Phase.BACKUP, remote=False, derive=_derive))
