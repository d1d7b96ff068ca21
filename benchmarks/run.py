"""`make bench`: time each stage (load, evaluate, formatters, the whole check and verify) on generated estates
at two sizes, to show it stays linear in estate size, and against the floor: decoding the same file into the
typed model with msgspec and nothing else, printed side by side in the same run.

Usage: python -m benchmarks.run [--hosts 1000 --vms 25000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from benchmarks.generate import generate_estate
from preflight.engine.evaluate import evaluate
from preflight.estate import Estate
from preflight.formatters import FORMATTERS
from preflight.inventory import load_estate_snapshots
from preflight.inventory.snapshot import Snapshot
from preflight.pipeline import CheckRequest, load_rules, run_check
from preflight.pipeline import verify as run_verify

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def _best(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench(hosts: int, vms: int, repeat: int, directory: Path) -> dict[str, float]:
    """Seconds per stage (best of `repeat`) for one generated estate."""
    path = directory / f"estate-{hosts}-{vms}.json"
    path.write_text(json.dumps(generate_estate(hosts, vms, seed=7)), encoding="utf-8")
    catalog = load_rules()
    timings = {"size_mb": path.stat().st_size / 1e6}
    timings["typed decode"], _ = _best(lambda: msgspec.json.decode(path.read_bytes(), type=Snapshot), repeat)
    timings["load+validate"], (snapshot, infos) = _best(lambda: load_estate_snapshots([path]), repeat)
    estate_of = lambda: Estate(snapshot, infos, catalog.os_releases())  # noqa: E731
    timings["evaluate"], evaluation = _best(lambda: evaluate(catalog, estate_of(), NOW), repeat)
    timings["check"], (report, _, _) = _best(lambda: run_check(CheckRequest((path,), as_of=NOW)), repeat)
    for name, formatter in sorted(FORMATTERS.items()):
        timings[f"format:{name}"], _ = _best(lambda f=formatter: f.write(report, io.StringIO()), 1)
    timings["verify"], _ = _best(lambda: run_verify(CheckRequest((path,), as_of=NOW)), 1)
    timings["checks"] = evaluation.checks
    timings["findings"] = len(evaluation.findings)
    return timings


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--vms", type=int, default=25000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = bench(args.hosts // 4, args.vms // 4, args.repeat, Path(tmp))
        full = bench(args.hosts, args.vms, args.repeat, Path(tmp))
    floor = full["typed decode"]
    print(f"{'stage':<18}{'1/4 estate':>14}{'full estate':>14}{'ratio':>8}{'x floor':>9}")
    for key in full:
        ratio = full[key] / small[key] if small[key] else float("nan")
        counted = key in ("checks", "findings", "size_mb")
        unit = "" if counted else " s"
        versus = "" if counted else f"{full[key] / floor:>9.1f}"
        print(f"{key:<18}{small[key]:>12.3f}{unit:<2}{full[key]:>12.3f}{unit:<2}{ratio:>8.2f}{versus}")
    per_check = full["evaluate"] / full["checks"] * 1e6
    print(f"\n{args.hosts} hosts / {args.vms} VMs: {full['checks']:.0f} checks, {per_check:.2f} µs per check; "
          f"a ratio near 4 means linear scaling (the estate is 4x larger); 'x floor' is the full estate's time\n"
          f"over the typed decode (msgspec into the model, no checks), measured in this run.")
    print(f"median stage time: {statistics.median(v for k, v in full.items() if k not in ('checks', 'findings', 'size_mb')):.3f} s")


if __name__ == "__main__":
    main()
