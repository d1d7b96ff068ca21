"""One version type for every stage: parsing, comparison, and the named Windows Server releases.

`parse_version` reads the leading dotted number of a version text: ``"6.1.7601"`` is (6, 1, 7601),
``"2.0 SP1"`` is (2, 0) (text after the number is a label, not a part), ``"10,50"`` is (10, 50) (a
comma is read as a dot, as some locales write it), and text with no leading number is the empty
version, which sorts below every other. Comparison pads with zeros, so 6.1.7601 == 6.1.7601.0 and
6.1 < 6.1.0.1. Parsing is cached: one estate repeats a few dozen version texts over thousands of
objects.

`Version.within(release)` asks whether a version belongs to a release (its leading parts are the
release's parts): 6.3.9600 is within `WS2012R2`, 6.30 is not (``startswith("6.3")`` would say it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_LEADING = re.compile(r"\s*(\d+(?:\s*[.,]\s*\d+)*)")
_SEPARATOR = re.compile(r"\s*[.,]\s*")


@dataclass(frozen=True, slots=True, order=True)
class Version:
    """A dotted version; equal and ordered as if padded with zeros to the same length."""

    key: tuple[int, ...] = field(repr=False)
    parts: tuple[int, ...] = field(compare=False)

    @classmethod
    def of(cls, *parts: int) -> Version:
        """The version with these parts, e.g. ``Version.of(6, 2)``."""
        key = parts
        while key and key[-1] == 0:
            key = key[:-1]
        return cls(key, parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __str__(self) -> str:
        return ".".join(str(part) for part in self.parts)

    def within(self, release: Version) -> bool:
        """True when this version's leading parts are `release`'s parts (6.1.7601 is within 6.1)."""
        return self.parts[:len(release.parts)] == release.parts

    @property
    def release(self) -> Version:
        """The version of its first two parts (major.minor), e.g. 6.1 for 6.1.7601."""
        return self if len(self.parts) <= 2 else Version.of(*self.parts[:2])


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> Version:
    match = _LEADING.match(text)
    if match is None:
        return EMPTY
    return Version.of(*(int(part) for part in _SEPARATOR.split(match.group(1))))


def parse_version(value: object) -> Version:
    """The version a text (or number, or Version) states; the empty version when it states none."""
    if isinstance(value, Version):
        return value
    return _parse_text(value if isinstance(value, str) else str(value))


def compare_versions(left: object, right: object) -> int:
    """-1, 0 or 1 as `left` is below, equal to or above `right` (zero-padded)."""
    a, b = parse_version(left), parse_version(right)
    return (a > b) - (a < b)


EMPTY = Version((), ())
"""The version of a text that states none; below every other version."""

# Windows Server releases by their kernel version (Win32_OperatingSystem.Version).
WS2008 = Version.of(6, 0)
WS2008R2 = Version.of(6, 1)
WS2012 = Version.of(6, 2)
WS2012R2 = Version.of(6, 3)
