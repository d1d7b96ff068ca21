"""Titles and descriptions for every field of the snapshot JSON Schema, for an editor's hover and completion.

A field documented in the model (`Meta(description=...)`) keeps its words. Any other field gets a title from
its name (units spelled out) and a description from what it holds: the entity its type describes, or the
entity it belongs to (each model class's docstring names the cmdlet or WMI class it comes from).
"""

from __future__ import annotations

from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_URI = "urn:preflight:inventory:v1"
"""The schema's `$id`: a URI naming schema preflight/inventory/v1 (a URN: there is no web address to fetch it from)."""

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


def _description(name: str, schema: dict[str, Any], owner: dict[str, Any], definitions: dict[str, Any]) -> str:
    documented = [option.get("description") for option in schema.get("anyOf", []) if option.get("description")]
    if documented:
        return documented[0]
    held, many = _referenced(schema, definitions)
    if held is not None:
        what = _summary(held.get("description")) or held.get("title", name)
        return f"Each entry: {_lower_first(what)}." if many else f"{what}."
    subject = _summary(owner.get("description")) or owner.get("title", "this object")
    return f"{field_title(name)} of {_lower_first(subject)}."


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every property of every definition of `schema` a title and a description (in place); returns it."""
    definitions = schema.get("$defs", {})
    for definition in definitions.values():
        properties = definition.get("properties", {})
        for name, prop in properties.items():
            properties[name] = {"title": prop.get("title") or field_title(name),
                                "description": prop.get("description") or _description(name, prop, definition, definitions),
                                **{k: v for k, v in prop.items() if k not in ("title", "description")}}
    return schema
