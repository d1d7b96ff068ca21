"""Severities, statuses and the frozen `Finding` every stage after the engine consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


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


@dataclass(frozen=True, slots=True)
class Evidence:
    """A field path of the snapshot and the value found there (rendered as text)."""

    path: str
    value: str


@dataclass(frozen=True, slots=True)
class TargetRef:
    """The object a finding is about: its entity kind and display name, and the host of a VM whose name
    another VM of the estate shares (a Replica copy, a namesake test VM); None when the name says it all."""

    kind: str
    name: str
    owner: str | None = None


def fingerprint_of(rule: str, target: TargetRef) -> str:
    """Stable identity of a finding: rule code and object identity, nothing volatile."""
    text = f"{rule}\x1f{target.kind}\x1f{target.name.casefold()}"
    if target.owner is not None:   # only namesakes carry an owner, so every other fingerprint stays as it was
        text += f"\x1f{target.owner.casefold()}"
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
