"""The Active Directory domain of the collector's account (`ad.domain`): domain controllers and trusts.

The collector writes flat rows (Kind Domain, DomainController or Trust; names and enum values as strings),
so no export depth cuts them and JSON and CLIXML agree. A domain controller's OS version comes from its
computer object's operatingSystemVersion, "6.1 (7601)".
"""

from __future__ import annotations

import re
from typing import Any

from preflight.importer import computers as c
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import ObjectImport, prop
from preflight.importer.values import Missing

_AD_VERSION = re.compile(r"^(\d+)\.(\d+) \((\d+)\)$")
# System.DirectoryServices.ActiveDirectory.TrustDirection names -> the snapshot's words
_DIRECTION = {"Bidirectional": "two-way", "Inbound": "inbound", "Outbound": "outbound"}


def domain(bundle: Bundle, computer: str) -> ObjectImport | None:
    """The `domains` entry of the domain the collector ran in, or None when ad.domain was not collected."""
    got = c.many(bundle, computer, "ad.domain")
    if isinstance(got, Missing):
        return None
    rows, where = got
    kinds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        kinds.setdefault(str(prop(row, "Kind")), []).append(row)
    if len(kinds.get("Domain", [])) != 1:
        return None
    name = str(prop(kinds["Domain"][0], "Name")).lower()
    obj = ObjectImport("domains", name)
    obj.put("name", name, f"{where}: Name (Kind Domain)")
    controllers = []
    for dc in kinds.get("DomainController", []):
        entry: dict[str, Any] = {"name": str(prop(dc, "Name")).split(".", 1)[0].upper()}
        raw = str(prop(dc, "OperatingSystemVersion"))
        version = _AD_VERSION.match(raw)
        if version:
            entry["os_version"] = ".".join(version.groups())
        else:
            obj.miss(f"domain_controllers[{entry['name']}].os_version", f"operatingSystemVersion {raw[:40]!r} is not 'major.minor (build)'")
        controllers.append(entry)
    obj.put("domain_controllers", controllers, f"{where}: Name, OperatingSystemVersion (Kind DomainController)")
    trusts = []
    for trust in kinds.get("Trust", []):
        direction = _DIRECTION.get(str(prop(trust, "TrustDirection")))
        if direction is None:
            # a list without this trust would say the domains do not trust each other: leave all trusts unknown
            obj.miss("trusts", f"{where}: TrustDirection {prop(trust, 'TrustDirection')!r} of the trust with "
                     f"{prop(trust, 'TargetName')} is not a direction")
            return obj
        trusts.append({"domain": str(prop(trust, "TargetName")).lower(), "direction": direction,
                       "forest": str(prop(trust, "TrustType")) == "Forest"})
    obj.put("trusts", trusts, f"{where}: TargetName, TrustDirection, TrustType (Kind Trust)")
    return obj
