"""What each imported field came from, and what is missing and why, per snapshot object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from preflight.importer.values import Missing

TRUNCATED = "was cut off by ConvertTo-Json's depth limit (a nested object became a string); re-export with -Depth 4"


@dataclass
class ObjectImport:
    """One snapshot object being built: its data, each field's origin and each missing field's reason."""

    kind: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def put(self, path: str, value: Any, origin: str) -> None:
        """Set a dotted field path (`os.caption`) and record where its value came from."""
        if isinstance(value, Missing):
            self.miss(path, value.reason)
            return
        target = self.data
        *parents, last = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
        self.origins[path] = origin

    def miss(self, path: str, reason: str) -> None:
        """Record a field as not collected (the snapshot leaves it absent: rules that need it say unknown)."""
        self.missing.setdefault(path, reason)

    def report(self) -> dict[str, Any]:
        """The provenance of this object as data (`import --format json`)."""
        return {"kind": self.kind, "name": self.name, "fields": dict(sorted(self.origins.items())),
                "not_collected": dict(sorted(self.missing.items()))}


def prop(obj: dict[str, Any], name: str, structured: bool = False) -> Any:
    """A property of an exported object, or `Missing` when it is absent or null; a string where an object
    or list belongs (`structured`) is a depth-truncated value."""
    if name not in obj:
        return Missing(f"property {name} is not in the export")
    value = obj[name]
    if value is None:
        return Missing(f"property {name} is null in the export")
    if structured and isinstance(value, str):
        return Missing(f"property {name} {TRUNCATED}")
    return value
