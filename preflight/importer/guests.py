"""A VM's guest OS and integration services version from the KVP exchange (`hyperv.kvp`).

Msvm_KvpExchangeComponent (root\\virtualization on 2008 R2, root\\virtualization\\v2 on 2012) carries, per
VM (SystemName = the VM's GUID), GuestIntrinsicExchangeItems: embedded Msvm_KvpExchangeDataItem instances
as CIM-XML strings, whose Name/Data pairs the integration services fill in a running guest (OSName,
OSVersion, ServicePackMajor, IntegrationServicesVersion, ...). A VM that is off reports none.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from preflight.importer import computers as c
from preflight.importer.bundle import Bundle
from preflight.importer.provenance import prop
from preflight.importer.values import Missing

MAX_ITEM_CHARS = 64_000  # one data item is a name and a value of at most 1024 characters each


def kvp_items(bundle: Bundle, host: str) -> tuple[dict[str, dict[str, str]], str] | Missing:
    """{VM GUID (lower case): {key: value}} of a host's GuestIntrinsicExchangeItems, and the file they came from."""
    got = c.many(bundle, host, "hyperv.kvp")
    if isinstance(got, Missing):
        return got
    items, where = got
    result: dict[str, dict[str, str]] = {}
    for component in items:
        system = prop(component, "SystemName")
        if isinstance(system, Missing):
            continue
        pairs: dict[str, str] = {}
        exchange = prop(component, "GuestIntrinsicExchangeItems", structured=True)
        for item in exchange if isinstance(exchange, list) else [exchange] if isinstance(exchange, str) else []:
            pair = _pair(item)
            if pair:
                pairs[pair[0]] = pair[1]
        result[str(system).strip().lower()] = pairs
    return result, where


def _pair(item: Any) -> tuple[str, str] | None:
    """Name and Data of one embedded Msvm_KvpExchangeDataItem; None for anything else (never an error)."""
    if not isinstance(item, str) or len(item) > MAX_ITEM_CHARS or "<!DOCTYPE" in item or "<!ENTITY" in item:
        return None
    try:
        instance = ElementTree.fromstring(item)
    except ElementTree.ParseError:
        return None
    values = {p.get("NAME"): (p.findtext("VALUE") or "") for p in instance.iter("PROPERTY")}
    name, data = values.get("Name"), values.get("Data")
    return (name, data) if name and data is not None else None


def guest(pairs: dict[str, str] | None, state: object) -> tuple[dict[str, Any] | Missing, str | Missing]:
    """(guest_os, integration services version) from a VM's KVP pairs; Missing, with why, where they are absent."""
    if pairs is None:
        why = Missing("hyperv.kvp lists no KVP exchange component for this VM")
        return why, why
    if not pairs:
        why = Missing(f"the integration services report nothing (VM {state if isinstance(state, str) else 'state unknown'})")
        return why, why
    os_: dict[str, Any] = {}
    if pairs.get("OSName"):
        os_["caption"] = pairs["OSName"].strip()
    if pairs.get("OSVersion"):
        os_["version"] = pairs["OSVersion"].strip()
    if pairs.get("ServicePackMajor", "").strip().isdigit():
        os_["service_pack"] = int(pairs["ServicePackMajor"])
    version = pairs.get("IntegrationServicesVersion", "").strip()
    return (os_ or Missing("no OSName, OSVersion or ServicePackMajor among the KVP items"),
            version or Missing("no IntegrationServicesVersion among the KVP items"))
