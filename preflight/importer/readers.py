"""Read one exported file into plain values: a list of objects (dicts of property -> value).

CLIXML goes through `psrpcore`'s deserializer; ConvertTo-Json output through the JSON decoder, with its
`"\\/Date(ms)\\/"` dates and `Get-Date`'s `{value, DisplayHint, DateTime}` wrapper undone. Either way one
object or many become a list. Enums in CLIXML keep their name (`EnumValue`); JSON has only the number.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError

import msgspec
from psrpcore.types import PSObject, deserialize_clixml

from preflight.errors import InputError
from preflight.importer.values import EnumValue, dotnet_date

_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?=<Objs[\s>])", re.S)


def read_clixml(text: str, file: str) -> list[Any]:
    """The objects of an Export-Clixml document (`<Objs Version="1.1.0.1" ...>`)."""
    prolog = _PROLOG.match(text)
    if prolog is None:
        raise InputError(file, None, "expected an Export-Clixml document starting with <Objs Version=\"1.1.0.1\" ...>")
    body = text[prolog.end():]
    if "<!DOCTYPE" in body or "<!ENTITY" in body:
        raise InputError(file, None, "a DOCTYPE or ENTITY declaration is not allowed in CLIXML")
    try:
        no_cipher: Any = None   # exports carry no SecureString, so no cipher is needed to read them
        objects = deserialize_clixml(body, no_cipher)
    except ParseError as exc:
        raise InputError(file, None, f"malformed CLIXML: {exc}") from None
    except Exception as exc:  # psrpcore raises plain errors on shapes it does not know
        raise InputError(file, None, f"CLIXML psrpcore cannot read: {type(exc).__name__}: {exc}") from None
    return [_plain(item) for item in _flatten(objects)]


def _flatten(objects: list[Any]) -> list[Any]:
    """`Export-Clixml -InputObject $array` writes one list object; a pipeline writes one object each."""
    if len(objects) == 1 and isinstance(objects[0], list):
        return list(objects[0])
    return objects


def _plain(value: Any) -> Any:
    """A psrpcore value as a plain Python value (dict for an object with properties)."""
    if value is None or isinstance(value, bool):
        return value
    names = getattr(value, "PSTypeNames", None) or []
    if isinstance(value, int) and any(name.endswith("System.Enum") for name in names):
        shown = getattr(value, "PSObject").to_string  # noqa: B009 - psrpcore's int subclass, untyped for mypy
        return EnumValue(int(value), str(shown) if shown else None)
    if isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                        value.microsecond, tzinfo=value.tzinfo)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, PSObject):
        props = value.PSObject.adapted_properties + value.PSObject.extended_properties
        if not props:
            return str(value.PSObject.to_string) if value.PSObject.to_string is not None else None
        return {prop.name: _plain(prop.get_value(value)) for prop in props}
    return str(value)


def read_json(data: bytes, file: str) -> list[Any]:
    """The objects of a ConvertTo-Json document: one object or an array of them."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise InputError(file, None, f"malformed JSON: {exc}") from None
    items = raw if isinstance(raw, list) else [raw]
    return [_json_value(item) for item in items]


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        date = dotnet_date(value)
        return date if date is not None else value
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"value", "DisplayHint", "DateTime"}:  # Get-Date's ETS wrapper
            return _json_value(value["value"])
        return {key: _json_value(item) for key, item in value.items()}
    return value
