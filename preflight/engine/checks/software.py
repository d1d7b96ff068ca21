"""Checks on what is installed and running: services, software, hotfixes."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import UNSET, Meta

from preflight.engine.arguments import compile_regex
from preflight.engine.checks.base import (
    CheckParams,
    Context,
    Outcome,
    Target,
    check_kind,
    evidence,
    failed,
    passed,
    show,
    unknown,
)
from preflight.engine.checks.params import FieldPath, MatrixRow
from preflight.engine.checks.severity import SeverityWhen
from preflight.engine.conditions import OPERATORS
from preflight.engine.fieldtypes import FieldError
from preflight.inventory.common import KbId
from preflight.inventory.paths import compile_path, resolve


def _collection(target: Target, path_text: str) -> Any:
    return resolve(compile_path(path_text), target.obj, target.links)


@check_kind("service", variables=("service", "state", "start_mode", "version"))
class ServiceCheck(CheckParams, kw_only=True):
    """Fails when a Windows service is missing or not in the expected state, start mode or version."""

    service: str
    state: str | None = None
    start_mode: str | None = None
    delayed_start: bool | None = None
    min_version: str | None = None
    path: FieldPath = "services"

    def run(self, target: Target, context: Context) -> Outcome:
        services = _collection(target, self.path)
        base = f"{self.path}[{self.service}]"
        match = next((s for s in services or () if s.name.casefold() == self.service.casefold()), None)
        variables = {"service": self.service}
        if match is None:
            return failed(evidence(base, None), value="absent", path=base, expected="installed", **variables)
        wanted = [("state", self.state, "eq"), ("start_mode", self.start_mode, "eq"),
                  ("delayed_start", self.delayed_start, "eq"), ("version", self.min_version, "version_ge")]
        items, bad, missing = [], [], []
        for field, expected, op in wanted:
            if expected is None:
                continue
            actual = getattr(match, field)
            if actual is UNSET:
                missing.append(f"{base}.{field}")
                continue
            variables[field] = show(actual)
            items.append(evidence(f"{base}.{field}", actual))
            if not OPERATORS[op](actual, expected):
                bad.append((field, actual, expected, op))
        if bad:
            field, actual, expected, op = bad[0]
            text = f"at least {expected}" if op == "version_ge" else show(expected)
            return failed(*items, value=show(actual), path=f"{base}.{field}", expected=text, **variables)
        if missing:
            return unknown(*missing)
        return passed(*items)


@check_kind("software", variables=("matches", "pattern", "detail"))
class SoftwareCheck(CheckParams, kw_only=True):
    """Fails when software matching `pattern` is absent (`present = true`) or present (`present = false`).

    `escalate` (optional, `checks.severity.SeverityWhen`): a failure takes another severity when its
    condition holds on the target.
    """

    pattern: str
    present: bool = True
    min_version: str | None = None
    max_version: Annotated[str | None, Meta(description="Only versions below this one count")] = None
    path: FieldPath = "installed_software"
    label: str | None = None
    escalate: SeverityWhen | None = None

    def __post_init__(self) -> None:
        try:
            self._regex = compile_regex(self.pattern)  # RE2: a site's pattern cannot make a check hang
        except ValueError as exc:
            raise FieldError("pattern", str(exc)) from None

    def run(self, target: Target, context: Context) -> Outcome:
        items = _collection(target, self.path) or []
        found = []
        for position, item in enumerate(items):
            name = item if isinstance(item, str) else item.name
            if not self._regex.search(name):
                continue
            version = None if isinstance(item, str) else item.version
            if self.min_version and (version is UNSET or not OPERATORS["version_ge"](version, self.min_version)):
                continue
            if self.max_version and (version is UNSET or not OPERATORS["version_lt"](version, self.max_version)):
                continue
            found.append((position, name, version))
        label = self.label or self.pattern
        matches = ", ".join(name if v in (None, UNSET) else f"{name} {v}" for _, name, v in found)
        proof = [evidence(f"{self.path}[{name}]", name if v in (None, UNSET) else f"{name} {v}") for _, name, v in found]
        if self.present and not found:
            outcome = failed(evidence(self.path, f"no entry matching {label}"), value="absent", path=self.path,
                             expected=f"{label} installed", matches="", pattern=label, detail="")
        elif not self.present and found:
            outcome = failed(*proof, value=matches, path=self.path, expected=f"no {label}", matches=matches,
                             pattern=label, detail="")
        else:
            return passed(*proof)
        return self.escalate.apply(outcome, target) if self.escalate else outcome


class HotfixRow(MatrixRow, kw_only=True):
    """A hotfix matrix row: its KB and the packages that supersede it."""

    kb: KbId
    superseded_by: list[KbId] = []
    included_in: Annotated[str, Meta(pattern=r"^SP\d+$", description="Service pack that carries the fix")] | None = None
    included_in_os: Annotated[str, Meta(description="OS version of that service pack, e.g. 6.1")] | None = None
    included_in_source: Annotated[str, Meta(description="Source id of the inclusion claim")] | None = None

    def __post_init__(self) -> None:
        if (self.included_in is None) != (self.included_in_os is None):
            raise FieldError("included_in", "included_in and included_in_os go together (e.g. 'SP1' and '6.1')")


@check_kind("hotfix", variables=("kb", "accepted"))
class HotfixCheck(CheckParams, kw_only=True):
    """Fails when none of a hotfix or the packages that supersede it is installed.

    `hotfix` is a matrix row: ``{ kb = "KB975530", superseded_by = ["KB2264080"], source = ... }``. A row may
    add ``included_in = "SP1"`` with ``included_in_os = "6.1"``: a host of that OS version at that service
    pack (or later) carries the fix without a separate hotfix entry, so it passes.
    """

    hotfix: HotfixRow
    path: FieldPath = "hotfixes"
    os_version: FieldPath = "@os_version"
    service_pack: FieldPath = "os.service_pack"

    def __post_init__(self) -> None:
        self._accepted = [self.hotfix["kb"], *self.hotfix.get("superseded_by", [])]
        self._included: tuple[int, str] | None = None
        if self.hotfix.included_in is not None and self.hotfix.included_in_os is not None:
            self._included = (int(self.hotfix.included_in[2:]), self.hotfix.included_in_os)

    def run(self, target: Target, context: Context) -> Outcome:
        installed = {kb.upper() for kb in _collection(target, self.path) or ()}
        accepted = ", ".join(self._accepted)
        present = [kb for kb in self._accepted if kb.upper() in installed]
        if present:
            return passed(evidence(f"{self.path}[{present[0]}]", present[0]))
        if self._included is not None:
            level, os_prefix = self._included
            version = _collection(target, self.os_version)
            if OPERATORS["prefix"](version, os_prefix):
                service_pack = _collection(target, self.service_pack)
                if service_pack is not None and service_pack >= level:
                    return passed(evidence(self.service_pack, service_pack))
        return failed(evidence(self.path, f"none of {accepted}"), value="absent", path=self.path,
                      expected=f"one of {accepted}", kb=self.hotfix["kb"], accepted=accepted)
