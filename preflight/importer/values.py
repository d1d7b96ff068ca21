"""The values PowerShell exports carry, made plain: enums, dates, sizes and depth-truncated objects.

Both readers (CLIXML and ConvertTo-Json) produce dicts of these values, so the mapping to the snapshot
does not care which format a source came in.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Any

_DOTNET_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_DMTF = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$")
GB = 1024 ** 3


@dataclass(frozen=True)
class EnumValue:
    """A .NET enum as exported: its number, and its name where the format kept it (CLIXML's ToString)."""

    number: int
    name: str | None = None


@dataclass(frozen=True)
class Missing:
    """Why a property yields no value: the reason is shown to the admin as "not collected"."""

    reason: str


def dotnet_date(text: str) -> datetime | None:
    """`/Date(1567807200000)/` (ConvertTo-Json's DateTime, milliseconds since 1970 UTC) as an aware datetime."""
    match = _DOTNET_DATE.match(text)
    if not match:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match.group(1)))


def dmtf_date(text: str) -> datetime | None:
    """A WMI DMTF datetime `yyyymmddHHMMSS.mmmmmmsUUU` (UUU: offset in minutes) as an aware datetime."""
    match = _DMTF.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, micro, sign, offset = match.groups()
    minutes = int(offset) * (1 if sign == "+" else -1)
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), int(micro),
                        tzinfo=timezone(timedelta(minutes=minutes)))
    except ValueError:
        return None


def bytes_to_gb(value: int) -> float:
    """Bytes as GB (2^30 bytes, as Windows shows sizes), rounded to 0.01."""
    return round(value / GB, 2)


@cache
def enum_tables() -> dict[str, dict[str, Any]]:
    """The sourced enum tables of `enums.toml`: table -> {source, values: {number: name}}."""
    raw = tomllib.loads(resources.files("preflight.importer").joinpath("enums.toml").read_text("utf-8"))
    return {name: {**table, "values": {int(k): v for k, v in table.get("values", {}).items()}}
            for name, table in raw.items()}


def enum_name(value: object, table: str) -> str | Missing:
    """The name of an enum value, by its exported name (CLIXML) or its number through a sourced table (JSON)."""
    spec = enum_tables()[table]
    if isinstance(value, EnumValue):
        if value.name is not None:
            return value.name
        value = value.number
    if isinstance(value, str) and not value.isdigit():
        return value
    if isinstance(value, str):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return Missing(f"expected a {table} value, got {type(value).__name__}")
    name = spec["values"].get(value)
    if name is None:
        known = ", ".join(f"{k} {v}" for k, v in sorted(spec["values"].items())) or "none"
        note = spec.get("note", "")
        return Missing(f"{table} {value} is not in the sourced table ({known}){'; ' + note if note else ''}")
    return str(name)
