"""Waivers: a documented, approved, expiring exception for one rule on named objects.

A waivers file is TOML (schema `preflight/waivers/v1`): a list of `[[waivers]]`, each naming a rule code,
an object (a name or a glob such as `BR-*`, matched case-insensitively as Windows names are), optionally
its kind, the reason, the approver, the ticket and when it expires. A waived finding stays in the report
but does not count toward the verdict; a waiver past its expiry (measured at `--as-of`, never the clock)
waives nothing, and the findings it names count again; a waiver that matches no finding is stale.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec

from preflight.engine.findings import Finding
from preflight.errors import InputError, split_validation_error
from preflight.inventory.read import read_input, to_utf8

WAIVERS_SCHEMA = "preflight/waivers/v1"
NEVER = "never"
FIELD_TEXT_MAX = 1024


class _WaiverDoc(msgspec.Struct, forbid_unknown_fields=True):
    rule: str
    pattern: str = msgspec.field(name="object")
    reason: str
    approver: str
    ticket: str
    expires: Any  # a TOML date, an offset date-time or the string "never" (msgspec unions allow one str-like type)
    kind: str | None = None


class _WaiversDoc(msgspec.Struct, forbid_unknown_fields=True):
    schema: str = WAIVERS_SCHEMA
    waivers: list[_WaiverDoc] = []


@dataclass(frozen=True)
class Waiver:
    """One accepted exception: `expires` is a date (valid through that day), an aware instant, or None (never)."""

    file: str
    index: int
    rule: str
    pattern: str
    reason: str
    approver: str
    ticket: str
    expires: date | datetime | None
    kind: str | None = None

    @property
    def where(self) -> str:
        """The file and 1-based position of this waiver."""
        return f"{self.file} waiver {self.index + 1}"

    @property
    def label(self) -> str:
        """How messages name this waiver: file and 1-based position, rule and object."""
        return f"{self.file} waiver {self.index + 1} ({self.rule} {self.kind + '/' if self.kind else ''}{self.pattern})"

    @property
    def expires_text(self) -> str:
        """The expiry as written: an ISO date or instant, or 'never'."""
        return NEVER if self.expires is None else self.expires.isoformat()

    @property
    def expired_note(self) -> str:
        """What a counted finding says when this waiver named it but had expired (SARIF, JUnit)."""
        return f"waiver expired {self.expires_text} (ticket {self.ticket}, {self.where}): this finding counts again"

    def matches(self, finding: Finding) -> bool:
        """True when this waiver names the finding's rule and object (a glob, case-insensitive)."""
        if finding.rule != self.rule or (self.kind is not None and finding.target.kind != self.kind):
            return False
        return fnmatchcase(finding.target.name.casefold(), self.pattern.casefold())

    def active_at(self, instant: datetime) -> bool:
        """True while the waiver holds at `instant`: a date expiry is compared with the instant's own date."""
        if self.expires is None:
            return True
        if isinstance(self.expires, datetime):
            return instant < self.expires
        return instant.date() <= self.expires

    def as_dict(self) -> dict[str, object]:
        """The JSON shape every format writes."""
        return {"file": self.file, "index": self.index, "rule": self.rule, "kind": self.kind, "object": self.pattern,
                "reason": self.reason, "approver": self.approver, "ticket": self.ticket, "expires": self.expires_text}


@dataclass(frozen=True)
class WaiverFile:
    """A waivers file that was read: its path, SHA-256 and waivers."""

    path: str
    sha256: str
    waivers: tuple[Waiver, ...]


def _text(file: str, where: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise InputError(file, where, "must not be empty")
    if len(value) > FIELD_TEXT_MAX or any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise InputError(file, where, f"expected text of at most {FIELD_TEXT_MAX} characters without control characters")
    return value


def _expiry(file: str, where: str, value: Any) -> date | datetime | None:
    expected = "expected a date (expires = 2026-12-31), an instant with a time zone, or \"never\""
    if isinstance(value, str):
        if value.strip().casefold() == NEVER:
            return None
        raise InputError(file, where, f"{expected}; got {value[:40]!r}")
    if not isinstance(value, date):
        raise InputError(file, where, f"{expected}; got {type(value).__name__.replace('int', 'a number')}")
    if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
        raise InputError(file, where, "the instant has no time zone; write a date (2026-12-31) or an instant "
                                      "with an offset (2026-12-31T18:00:00+01:00)")
    return value


def parse_waivers(data: bytes, file: str) -> tuple[Waiver, ...]:
    """Validate a waivers document; the first problem is an `InputError` naming the file and the key."""
    try:
        raw = tomllib.loads(to_utf8(data, file).decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(file, None, f"malformed TOML: {exc}") from None
    try:
        doc = msgspec.convert(raw, _WaiversDoc)
    except msgspec.ValidationError as exc:
        path, problem_kind, problem = split_validation_error(exc)
        text = {"missing": "required key is missing", "unknown": "unknown key"}.get(problem_kind or "", problem)
        if problem_kind == "missing" and path.endswith(".expires"):
            text += " (every waiver expires: a date, or \"never\" with the reason why)"
        raise InputError(file, path, text) from None
    if doc.schema != WAIVERS_SCHEMA:
        raise InputError(file, "$.schema", f"expected {WAIVERS_SCHEMA!r}, got {doc.schema[:60]!r}")
    waivers: list[Waiver] = []
    seen: dict[tuple[str, str | None, str], int] = {}
    for i, item in enumerate(doc.waivers):
        at = f"$.waivers[{i}]"
        kind = _text(file, f"{at}.kind", item.kind) if item.kind is not None else None
        waiver = Waiver(file, i, _text(file, f"{at}.rule", item.rule).upper(), _text(file, f"{at}.object", item.pattern),
                        _text(file, f"{at}.reason", item.reason), _text(file, f"{at}.approver", item.approver),
                        _text(file, f"{at}.ticket", item.ticket), _expiry(file, f"{at}.expires", item.expires), kind)
        key = (waiver.rule, waiver.kind, waiver.pattern.casefold())
        if key in seen:
            raise InputError(file, at, f"waives the same rule and object as $.waivers[{seen[key]}]; keep one")
        seen[key] = i
        waivers.append(waiver)
    return tuple(waivers)


def read_waivers(path: Path) -> WaiverFile:
    """Read and validate one waivers file (a regular file, UTF-8 or UTF-16 with a BOM, under the input cap)."""
    data = read_input(path)
    return WaiverFile(str(path), hashlib.sha256(data).hexdigest(), parse_waivers(data, str(path)))


class WaiverState(str, Enum):
    """What a waiver did in this run."""

    APPLIED = "applied"   # in force, and it waived at least one finding
    EXPIRED = "expired"   # past its expiry at --as-of: the findings it names count again
    STALE = "stale"       # in force, but no finding matches it (fixed, renamed, or a typo)


@dataclass(frozen=True)
class WaiverUse:
    """One waiver and what it did: its state and the fingerprints of the findings it matched."""

    waiver: Waiver
    state: WaiverState
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Waived:
    """A finding and the waiver that names it (in force: waived; expired: it counts again)."""

    finding: Finding
    waiver: Waiver


@dataclass(frozen=True)
class WaiverOutcome:
    """The findings that count, those waived, those whose waiver expired, and every waiver's state."""

    counted: tuple[Finding, ...]
    waived: tuple[Waived, ...]
    expired: tuple[Waived, ...]
    uses: tuple[WaiverUse, ...]
    files: tuple[WaiverFile, ...]

    def in_state(self, state: WaiverState) -> tuple[WaiverUse, ...]:
        """The waivers that ended in `state`."""
        return tuple(use for use in self.uses if use.state is state)

    @cached_property
    def _expired_by_fingerprint(self) -> dict[str, Waiver]:
        return {item.finding.fingerprint: item.waiver for item in self.expired}

    def expired_waiver(self, finding: Finding) -> Waiver | None:
        """The expired waiver naming a counted finding, if any."""
        return self._expired_by_fingerprint.get(finding.fingerprint)


def apply_waivers(findings: tuple[Finding, ...], files: tuple[WaiverFile, ...], instant: datetime) -> WaiverOutcome:
    """Split `findings` (fail and unknown) into counted and waived, as of `instant`.

    The first waiver in force that matches a finding waives it; a finding only expired waivers match
    counts, and the report names the expired waiver beside it.
    """
    waivers = [w for f in files for w in f.waivers]
    by_rule: dict[str, list[Waiver]] = {}
    for waiver in waivers:   # a large estate has 100k findings: only a rule's own waivers are tried on it
        by_rule.setdefault(waiver.rule, []).append(waiver)
    matched: dict[int, list[str]] = {id(w): [] for w in waivers}
    counted: list[Finding] = []
    waived: list[Waived] = []
    expired: list[Waived] = []
    for finding in findings:
        candidates = [w for w in by_rule.get(finding.rule, ()) if w.matches(finding)]
        holding = [w for w in candidates if w.active_at(instant)]
        lapsed = [w for w in candidates if not w.active_at(instant)]
        for waiver in candidates:
            matched[id(waiver)].append(finding.fingerprint)
        if holding:
            waived.append(Waived(finding, holding[0]))
            continue
        counted.append(finding)
        if lapsed:
            expired.append(Waived(finding, lapsed[0]))
    uses = tuple(WaiverUse(w, WaiverState.EXPIRED if not w.active_at(instant) else
                           WaiverState.APPLIED if matched[id(w)] else WaiverState.STALE, tuple(matched[id(w)]))
                 for w in waivers)
    return WaiverOutcome(tuple(counted), tuple(waived), tuple(expired), uses, files)
