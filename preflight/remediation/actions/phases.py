"""The ordering phases of actions on one server, in one table.

The planner sorts a server's actions by phase. Everything below `RESTART` runs before the one restart
that activates it; everything above runs after (a service is started once its restart is done). The
numbers leave gaps so a new action can slot in between; only their order matters.
"""

from __future__ import annotations

from enum import IntEnum, unique


@unique
class Phase(IntEnum):
    """When an action runs on its server, relative to the others and to the restart."""

    BACKUP = 0              # planner: databases a later step puts at risk are backed up before anything else
    DRAIN = 1               # planner: pause a cluster node and live-migrate its VMs away first
    MANUAL = 5              # a person's step comes before the scripted ones on the same server
    RENAME = 10             # a new name and a domain join both wait for the restart, rename first
    JOIN_DOMAIN = 11
    UNINSTALL = 20          # old software out (the pre-Windows 7 WAIK) before the new goes in
    INSTALL = 25
    FEATURE = 30            # roles and features, then hotfixes: both activated by the same restart
    HOTFIX = 35
    SERVICE_START_MODE = 40
    SQL_EDITION = 50        # an edition upgrade before a collation rebuild (which cannot be undone)
    SQL_COLLATION = 55
    VMM_SERVICE_PACK = 59   # the VMM 2008 R2 SP1 upgrade before what VMM 2012 setup needs next
    FIREWALL = 60
    DKM = 62
    PRO = 64
    LIBRARY = 66
    REPLICA_BROKER = 69     # a broker exists before the Replica server settings it carries
    REPLICA_SERVER = 70
    REPLICA_AUTHENTICATION = 71
    REPLICA_AUTHORIZATION = 72
    TEAM_REMOVE_MEMBER = 74  # a team loses a wrong member before it gains a new one and changes mode
    TEAM_ADD_MEMBER = 75
    TEAM_MODE = 76
    CSV_CACHE_SIZE = 78      # the cluster's cache size before a CSV is told to use the cache
    CSV_CACHE_ENABLE = 79
    RESTART = 80             # planner: the one restart of the server
    AFTER_RESTART = 90       # services are started once the restart is done
    RESUME = 98              # planner: the node takes VMs again
    VMM_UPGRADE = 99         # planner: the VMM 2012 upgrade, the point of no return, comes last


def runs_after_restart(phase: Phase) -> bool:
    """True for phases that run after their server's restart."""
    return phase > Phase.RESTART
