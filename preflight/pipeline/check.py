"""The check pipeline: snapshot files (or a snapshot in memory) -> estate -> evaluation -> report."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from preflight import __version__
from preflight.engine.catalog import Catalog, load_catalog
from preflight.engine.evaluate import Evaluation, evaluate
from preflight.engine.findings import Severity
from preflight.estate import Estate
from preflight.inventory import load_estate_snapshots
from preflight.inventory.as_of import AsOf, AsOfMode, AsOfSpec, resolve_as_of
from preflight.inventory.collecting import paused_collections
from preflight.inventory.snapshot import ENTITY_LISTS, Snapshot, SnapshotInfo
from preflight.pipeline.judging import load_baseline, load_waivers
from preflight.pipeline.rule_cache import cached_catalog
from preflight.report import InputFile, Report, UnknownPolicy, build_report
from preflight.report.topology import build_topology
from preflight.resources import builtin_rules_dir

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CheckRequest:
    """What to check, how strictly, and as of when (`as_of`: an instant, NOW or COLLECTED).

    `waivers`: files given with --waivers; without them, `<snapshot stem>.waivers.toml` beside a snapshot
    is used unless `find_waivers` is False. `baseline`: a previous JSON report (--baseline). `topology`: False
    when no output reads the report's topology tree, which is then left empty.
    """

    snapshots: tuple[Path, ...]
    rule_dirs: tuple[Path, ...] = ()
    fail_on: Severity = Severity.LOSS
    unknown_policy: UnknownPolicy = UnknownPolicy.INCOMPLETE
    as_of: AsOfSpec | AsOf = AsOfMode.NOW
    waivers: tuple[Path, ...] = ()
    find_waivers: bool = True
    baseline: Path | None = None
    include_passed: bool = False
    topology: bool = True


def fix_actions() -> dict[str, frozenset[str]]:
    """Remediation actions a rule's `fix` may name, with their parameter names."""
    from preflight.remediation.actions import ACTIONS  # only to compile the packs: a cached catalog skips it

    return {name: frozenset(p.name for p in spec.params) for name, spec in ACTIONS.items() if not spec.internal}


def load_rules(extra_dirs: tuple[Path, ...] = ()) -> Catalog:
    """The built-in catalog plus an organisation's own rule directories, every `fix` checked against the actions
    (compiled once per change of the files: `rule_cache`)."""
    directories = [builtin_rules_dir(), *extra_dirs]
    return cached_catalog(directories, lambda: load_catalog(directories, actions=fix_actions()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_estate(paths: tuple[Path, ...], catalog: Catalog) -> tuple[Estate, tuple[InputFile, ...]]:
    """Read, validate and index the snapshots of one estate."""
    snapshot, infos = load_estate_snapshots(list(paths))
    estate = Estate(snapshot, infos, catalog.os_releases())
    inputs = tuple(
        InputFile(file, _sha256(Path(file)), info.name, info.collected_at,
                  f"{info.collector.name} {info.collector.version or ''}".strip())
        for file, info in infos
    )
    return estate, inputs


def is_empty(estate: Estate) -> bool:
    """True when the snapshot describes no server, host, cluster or VM (domains alone check nothing)."""
    return not any(getattr(estate.snapshot, kind) for kind in ENTITY_LISTS if kind != "domains")


def run_check(request: CheckRequest, progress: Progress | None = None) -> tuple[Report, Estate, Evaluation]:
    """Run the whole check and return its report (with the estate and raw evaluation for later stages)."""
    started = time.perf_counter()
    with paused_collections():
        catalog = load_rules(request.rule_dirs)
        if progress:
            progress("load", 0, len(request.snapshots))
        estate, inputs = load_estate(request.snapshots, catalog)
        return run_evaluation(catalog, estate, inputs, request, started, progress)


def check_snapshot(snapshot: Snapshot, infos: list[tuple[str, SnapshotInfo]], request: CheckRequest,
                   inputs: tuple[InputFile, ...] = (), catalog: Catalog | None = None,
                   ) -> tuple[Report, Estate, Evaluation]:
    """Check a snapshot already in memory (the emulated estate of `verify`) exactly as `run_check` checks files.

    `request.snapshots` is ignored; `inputs` are the files the report names as its provenance.
    """
    started = time.perf_counter()
    catalog = catalog or load_rules(request.rule_dirs)
    estate = Estate(snapshot, infos, catalog.os_releases())
    return run_evaluation(catalog, estate, inputs, request, started)


def run_evaluation(catalog: Catalog, estate: Estate, inputs: tuple[InputFile, ...], request: CheckRequest,
                   started: float | None = None, progress: Progress | None = None,
                   ) -> tuple[Report, Estate, Evaluation]:
    """Evaluate a loaded estate and build its report (`started`: perf_counter at the start of the run; the
    topology tree only when `request.topology`)."""
    started = time.perf_counter() if started is None else started
    as_of = request.as_of if isinstance(request.as_of, AsOf) else resolve_as_of(
        request.as_of, [(file, info.collected_at) for file, info in estate.infos])
    waivers = load_waivers(request.waivers, request.snapshots, catalog, request.find_waivers)
    baseline = load_baseline(request.baseline)
    evaluation = evaluate(catalog, estate, as_of, (lambda done, total: progress("evaluate", done, total)) if progress else None,
                          include_passed=request.include_passed)
    report = build_report(
        catalog, evaluation, inputs, fail_on=request.fail_on, unknown_policy=request.unknown_policy,
        tool_version=__version__, as_of=as_of, elapsed_seconds=time.perf_counter() - started,
        empty=is_empty(estate), waivers=waivers, baseline=baseline, include_passed=request.include_passed,
    )
    if request.topology:   # colours objects by the findings that count: a waived one must not paint its host red
        report = dataclasses.replace(report, topology=build_topology(estate, report.findings))
    return report, estate, evaluation
