"""Titles and descriptions for every field of the snapshot JSON Schema, for an editor's hover and completion.

Every field gets a title from its name (units spelled out). Its description is, first, the one its own
`Meta(description=...)` gives in the model, else its entry in `field_docs.FIELD_DOCS` (which also replaces
the generic words a shared type such as ComputerName or Timestamp carries). Only a field in neither falls
back to a description made from what it holds: the entity its type describes, or the entity it belongs to
(tests/test_schema.py keeps that fallback from being used).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from preflight.inventory.common import KbId, Port, Timestamp
from preflight.inventory.field_docs import FIELD_DOCS
from preflight.inventory.names import ComputerName, DnsName, DnsNameOrWildcard, VersionText

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_URI = "urn:preflight:inventory:v1"
"""The schema's `$id`: a URI naming schema preflight/inventory/v1 (a URN: there is no web address to fetch it from)."""

SHARED_TYPE_DESCRIPTIONS: frozenset[str] = frozenset(
    str(msgspec.json.schema(shared)["description"])
    for shared in (ComputerName, DnsName, DnsNameOrWildcard, VersionText, Timestamp, KbId, Port))
"""What a shared type says of every field of that type ("Computer name: one DNS label..."): words a field's own
entry in FIELD_DOCS replaces."""

_WORDS = {
    "id": "ID", "ip": "IP", "os": "OS", "vm": "VM", "vms": "VMs", "vmm": "VMM", "sql": "SQL", "csv": "CSV", "csvs": "CSVs",
    "dns": "DNS", "fqdn": "FQDN", "nic": "NIC", "nics": "NICs", "kb": "KB", "dkm": "DKM", "pro": "PRO", "url": "URL",
    "lbfo": "LBFO", "vnic": "vNIC", "ha": "HA", "san": "SAN", "sans": "SANs", "ad": "AD", "waik": "WAIK", "wsus": "WSUS",
    "ssl": "SSL", "tls": "TLS", "vcenter": "vCenter", "esx": "ESX", "smb": "SMB", "mpio": "MPIO", "cau": "CAU", "ntlm": "NTLM",
}
_UNITS = {"gb": "GB", "mb": "MB", "mbps": "Mb/s", "ghz": "GHz", "sec": "seconds", "min": "minutes", "days": "days",
          "pct": "%", "percent": "%", "hours": "hours"}


def field_title(name: str) -> str:
    """A readable title for a field name: `link_speed_mbps` -> `Link speed (Mb/s)`, `os` -> `OS`."""
    if name == "$schema":
        return "JSON Schema"
    words = name.split("_")
    unit = _UNITS.get(words[-1]) if len(words) > 1 else None
    if unit:
        words = words[:-1]
    text = " ".join(_WORDS.get(word, word) for word in words)
    if words[0] not in _WORDS:   # vCenter stays vCenter
        text = text[:1].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def _summary(text: str | None) -> str:
    """The first paragraph of a model docstring, without its closing full stop."""
    return (text or "").split("\n\n")[0].strip().rstrip(".")


def _lower_first(text: str) -> str:
    """`A network adapter` -> `a network adapter`; a cmdlet or class name (Get-VMSwitch, Win32_Service) stays."""
    word = text.split(" ", 1)[0].rstrip(",:;")
    return text[:1].lower() + text[1:] if (word.isalpha() and word[1:].islower()) or word in ("A", "An") else text


def _referenced(schema: dict[str, Any], definitions: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """The definition a property holds (directly, in a list, or among alternatives) and whether it is a list."""
    options = schema.get("anyOf", [schema])
    for option in options:
        if "$ref" in option:
            return definitions.get(option["$ref"].rsplit("/", 1)[-1]), False
        items = option.get("items")
        if isinstance(items, dict) and "$ref" in items:
            return definitions.get(items["$ref"].rsplit("/", 1)[-1]), True
    return None, False


def fallback_description(name: str, schema: dict[str, Any], owner: dict[str, Any], definitions: dict[str, Any]) -> str:
    """The description made up for a field nobody described: what it holds, or whose it is (`Status of a network adapter`)."""
    held, many = _referenced(schema, definitions)
    if held is not None:
        what = _summary(held.get("description")) or held.get("title", name)
        return f"Each entry: {_lower_first(what)}." if many else f"{what}."
    subject = _summary(owner.get("description")) or owner.get("title", "this object")
    return f"{field_title(name)} of {_lower_first(subject)}."


def own_description(schema: dict[str, Any]) -> str | None:
    """The description msgspec put on a property: its own Meta's, or the one its type alias carries."""
    documented = [option.get("description") for option in schema.get("anyOf", [schema]) if option.get("description")]
    return documented[0] if documented else None


def document(schema: dict[str, Any], docs: Mapping[str, str] = FIELD_DOCS,
             generic: frozenset[str] = SHARED_TYPE_DESCRIPTIONS) -> dict[str, Any]:
    """Give every property of every definition of `schema` a title and a description (in place); returns it.

    `docs` maps "Definition.field" to a description; it gives way to a property's own description unless that
    one is in `generic` (the words of a shared type, which say nothing about the field).
    """
    definitions = schema.get("$defs", {})
    for owner_name, definition in definitions.items():
        properties = definition.get("properties", {})
        for name, prop in properties.items():
            own = own_description(prop)
            table = docs.get(f"{owner_name}.{name}")
            if own is not None and own not in generic:
                description = own
            else:
                description = table or own or fallback_description(name, prop, definition, definitions)
            properties[name] = {"title": prop.get("title") or field_title(name), "description": description,
                                **{k: v for k, v in prop.items() if k not in ("title", "description")}}
    return schema
