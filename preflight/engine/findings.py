"""Severities, statuses and the frozen `Finding` every stage after the engine consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum

from preflight.inventory.refs import ITEM_OWNER_KINDS, ObjectRef


class Severity(str, Enum):
    """How bad a failing rule is. Ordered: blocker > loss > warning > advisory."""

    BLOCKER = "blocker"
    LOSS = "loss"
    WARNING = "warning"
    ADVISORY = "advisory"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return _RANK[self]


_RANK = {Severity.BLOCKER: 4, Severity.LOSS: 3, Severity.WARNING: 2, Severity.ADVISORY: 1}
SEVERITIES_WORST_FIRST: tuple[Severity, ...] = (Severity.BLOCKER, Severity.LOSS, Severity.WARNING, Severity.ADVISORY)


class Status(str, Enum):
    """The end state of one (rule, object) pair."""

    FAIL = "fail"
    PASS = "pass"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "n/a"


STATUSES: tuple[Status, ...] = tuple(Status)
"""Every status in declaration order (iterating the Enum class itself is slower, and reports do it per rule)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A field path of the snapshot and the value found there (rendered as text)."""

    path: str
    value: str


_UNSET_REF = ObjectRef("", "")


@dataclass(frozen=True, slots=True)
class TargetRef:
    """The object a finding is about: its entity kind, the name reports show (`ObjectRef.label`: 'HOST/team'
    for a team) and its typed identity `ref` (own name and owner), which later stages read instead of the name.

    `ref` may be left out only for objects their name identifies on its own (a host, a cluster, a VMM server).
    """

    kind: str
    name: str
    ref: ObjectRef = _UNSET_REF

    def __post_init__(self) -> None:
        if self.ref is _UNSET_REF:
            if self.kind in ITEM_OWNER_KINDS:
                raise ValueError(f"a {self.kind} target needs its ObjectRef (the owner of '{self.name}')")
            object.__setattr__(self, "ref", ObjectRef(self.kind, self.name))

    @classmethod
    def of(cls, ref: ObjectRef) -> TargetRef:
        """The target for an object identity (its label built once, here)."""
        return cls(ref.kind, ref.label, ref)


def fingerprint_of(rule: str, target: TargetRef) -> str:
    """Stable identity of a finding: rule code and object identity, nothing volatile.

    Computed from the label reports show ('HOST/team') and, for a namesake VM only, its host: the same text
    as before object identity was typed, so baselines and waivers recorded then still match.
    """
    text = f"{rule}\x1f{target.kind}\x1f{target.name.casefold()}"
    host = target.ref.vm_host
    if host is not None:   # only namesakes carry a host, so every other fingerprint stays as it was
        text += f"\x1f{host.casefold()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one rule on one object that is not a plain pass or n/a."""

    rule: str
    name: str
    pack: str
    severity: Severity
    status: Status
    target: TargetRef
    message: str
    remediation: str
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    at_risk: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    fix_action: str | None = None
    fix_params: tuple[tuple[str, str], ...] = ()
    fingerprint: str = field(default="")
    snippet: tuple[tuple[str, str], ...] = ()
    """Values of the placeholders of the rule's `powershell` template for this object (engine/snippets.py)."""

    def __post_init__(self) -> None:
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint_of(self.rule, self.target))


@dataclass(frozen=True, slots=True)
class Checked:
    """A check that passed or did not apply (`--include-passed`): the proof that a rule ran on an object."""

    rule: str
    name: str
    pack: str
    status: Status
    target: TargetRef
    evidence: tuple[Evidence, ...] = ()
