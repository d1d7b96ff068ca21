"""What besides the rules judges a run: the waivers files (given, or found beside the snapshots) and a baseline."""

from __future__ import annotations

from pathlib import Path

from preflight.engine.catalog import Catalog
from preflight.errors import InputError
from preflight.report.baseline import FindingKey, read_report_findings
from preflight.report.waivers import WaiverFile, read_waivers

WAIVERS_SUFFIX = ".waivers.toml"


def discovered_waivers(snapshots: tuple[Path, ...]) -> tuple[Path, ...]:
    """The waivers files found beside the snapshots: `<snapshot stem>.waivers.toml` (estate.json ->
    estate.waivers.toml), each at most once, in the snapshots' order."""
    found: dict[Path, None] = {}
    for snapshot in snapshots:
        candidate = snapshot.with_name(snapshot.stem + WAIVERS_SUFFIX)
        if candidate.is_file():
            found[candidate] = None
    return tuple(found)


def check_waivers_against(files: tuple[WaiverFile, ...], catalog: Catalog) -> None:
    """Refuse a waiver naming a rule the catalog does not have, or an object kind its rule never checks:
    such a waiver could never match, and a typo must not pass for an accepted risk."""
    for item in files:
        for waiver in item.waivers:
            at = f"$.waivers[{waiver.index}]"
            rule = catalog.rules.get(waiver.rule)
            if rule is None:
                raise InputError(item.path, f"{at}.rule", f"unknown rule code '{waiver.rule}' "
                                                          "(preflight rules list shows the codes; --rules adds a site pack)")
            if waiver.kind is not None and waiver.kind != rule.target:
                raise InputError(item.path, f"{at}.kind", f"rule {rule.code} checks {rule.target}, not '{waiver.kind}'")


def load_waivers(given: tuple[Path, ...], snapshots: tuple[Path, ...], catalog: Catalog,
                 discover: bool = True) -> tuple[WaiverFile, ...]:
    """The waivers of a run: the files given with --waivers, else those found beside the snapshots."""
    paths = given or (discovered_waivers(snapshots) if discover else ())
    files = tuple(read_waivers(path) for path in paths)
    check_waivers_against(files, catalog)
    return files


def load_baseline(path: Path | None) -> tuple[str, tuple[FindingKey, ...]] | None:
    """The baseline (file name, its findings) of `check --baseline FILE`, or None."""
    return None if path is None else (str(path), read_report_findings(path))
