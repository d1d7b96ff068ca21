"""The as-of instant every time-dependent check measures against: the one place preflight reads the clock.

A verdict must not change with the calendar, so time is an input (`--as-of`): an ISO 8601 instant with a
zone (the start of the change window), ``now`` (the wall clock, read here and only here), or
``collected`` (each snapshot's own ``collected_at``, which makes a run reproducible on any date).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from preflight.errors import PreflightError


class AsOfMode(str, Enum):
    """How the as-of instant was chosen."""

    GIVEN = "given"
    NOW = "now"
    COLLECTED = "collected"


_DESCRIPTION = {
    AsOfMode.GIVEN: "given with --as-of",
    AsOfMode.NOW: "the wall clock at the start of the run: --as-of now",
    AsOfMode.COLLECTED: "each snapshot's collected_at: --as-of collected",
}

AsOfSpec = datetime | AsOfMode
"""What `--as-of` said, before the snapshots are read: an instant, NOW or COLLECTED."""


def wall_clock() -> datetime:
    """The current UTC time. Only `resolve_as_of` (and the collector stamping `collected_at`) call it."""
    return datetime.now(UTC)


def parse_as_of(text: str) -> AsOfSpec:
    """Parse the `--as-of` value; a naive or malformed instant is a `PreflightError` (exit 2)."""
    lowered = text.strip().lower()
    if lowered in (AsOfMode.NOW.value, AsOfMode.COLLECTED.value):
        return AsOfMode(lowered)
    expected = ("expected an ISO 8601 instant with a time zone (e.g. 2026-12-05T22:00:00+01:00 or "
                "2026-12-05T21:00:00Z), 'now' or 'collected'")
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise PreflightError(f"--as-of: {expected}; got {text!r}") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise PreflightError(f"--as-of: the instant has no time zone; {expected}; got {text!r}")
    return instant


@dataclass(frozen=True)
class AsOf:
    """The resolved as-of instant of one run.

    `instant` is the run-wide instant (for COLLECTED: the newest snapshot's `collected_at`, so no input
    lies in the future); `per_file` gives each snapshot file its own instant under COLLECTED.
    """

    instant: datetime
    mode: AsOfMode
    per_file: tuple[tuple[str, datetime], ...] = ()

    def for_file(self, file: str | None) -> datetime:
        """The instant for objects read from `file` (the run-wide one unless COLLECTED)."""
        if file is not None:
            for name, instant in self.per_file:
                if name == file:
                    return instant
        return self.instant

    def describe(self) -> str:
        """How the instant was chosen, for every report format."""
        return _DESCRIPTION[self.mode]


def resolve_as_of(spec: AsOfSpec, collected: Iterable[tuple[str, datetime]],
                  clock: Callable[[], datetime] | None = None) -> AsOf:
    """Turn the parsed option into the run's instant, given each snapshot file's `collected_at`.

    `clock` defaults to `wall_clock` (looked up at call time, so a test can replace it).
    """
    if isinstance(spec, datetime):
        return AsOf(spec, AsOfMode.GIVEN)
    if spec is AsOfMode.COLLECTED:
        per_file = tuple(collected)
        if not per_file:
            raise PreflightError("--as-of collected: no snapshot was read")
        return AsOf(max(instant for _, instant in per_file), AsOfMode.COLLECTED, per_file)
    return AsOf((clock or wall_clock)(), AsOfMode.NOW)
