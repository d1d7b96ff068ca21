"""`make bench`: time and memory of every command on generated estates of 1k, 5k, 25k and 100k VMs, side by
side in one run, each against the floor: decoding the same file into the typed model with msgspec.

Whole-process figures run the installed CLI in a child process (interpreter, imports and all; its bytecode
cached, as an installed package has it, after one untimed warm-up run of each command) and read its
peak RSS from the rusage of a small launcher's child; in-process figures time the pipeline functions here
(best of `--repeat`, the rule catalog loaded once: its own row) and give the per-VM cost, which must stay
flat as the estate grows. The text formatter is timed on a report
of ~27k findings. The goals of issue 9 are checked on the 25k-VM estate at the end.

Usage: python -m benchmarks.run [--sizes 1000,5000,25000,100000] [--repeat 3] [--budget 1] [--findings 27000]
"""

from __future__ import annotations

import argparse
import functools
import io
import itertools
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from unittest import mock

from benchmarks.generate import generate_estate
from benchmarks.measure import Sample, cache_bytecode, in_process, python, whole_process
from benchmarks.report import many_findings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
VMS_PER_HOST = 25
DENSITIES = (25, 50, 100)   # VMs a host for the drill's own table
FLAT = 0.2                  # per-VM cost "flat": within 20 % of the smallest estate's (of the sparsest hosts')
BUDGET = 1.0                # in process, each stage runs --repeat times, then again until it has run this long (s)
BIG = 50_000          # estates from this many VMs are measured twice at most (the run stays within ~10 minutes)
DECODE = ("import sys, msgspec; from preflight.inventory.snapshot import Snapshot; "
          "msgspec.json.decode(open(sys.argv[1], 'rb').read(), type=Snapshot)")
CHECK_IMPORTS = "import preflight.cli.app, preflight.cli.check, preflight.pipeline, preflight.formatters.json_format; "
CLI = ("-m", "preflight")
OUTCOMES = (0, 1, 4)   # go, no-go, incomplete: all are results

PROCESS_ROWS = ("decode", "decode+imports", "check", "verify", "drill")
INPROCESS_ROWS = ("decode", "rules", "load", "check", "check+json", "verify", "drill")
PER_VM_ROWS = ("decode", "load", "check", "check+json", "verify", "drill")


def _estate(directory: Path, vms: int) -> Path:
    path = directory / f"estate-{vms}.json"
    path.write_text(json.dumps(generate_estate(max(1, vms // VMS_PER_HOST), vms, seed=7)), encoding="utf-8")
    return path


def bench_size(path: Path, repeat: int, budget: float = 0.0) -> dict[str, dict[str, Sample]]:
    """Whole-process and in-process samples of every command on one estate file (each in-process stage `repeat`
    times, then again until it has run for `budget` seconds: see `measure.in_process`)."""
    import msgspec

    from preflight import pipeline
    from preflight.emulator import run_drills
    from preflight.formatters import get_formatter
    from preflight.inventory import load_estate_snapshots
    from preflight.inventory.snapshot import Snapshot
    from preflight.pipeline import CheckRequest, load_rules, run_check, verify
    from preflight.pipeline import check as check_module
    from preflight.pipeline import verify_plan as verify_module

    file = str(path)
    process = {
        "decode": whole_process(python("-c", DECODE, file), repeat),
        "decode+imports": whole_process(python("-c", CHECK_IMPORTS + DECODE, file), repeat),
        "check": whole_process(python(*CLI, "check", file, "-f", "json", "-q", "--as-of", "collected"), repeat, OUTCOMES),
        "verify": whole_process(python(*CLI, "verify", file, "-f", "json", "--as-of", "collected"), repeat, OUTCOMES),
        "drill": whole_process(python(*CLI, "drill", file, "-f", "json", "--as-of", "collected"), repeat, OUTCOMES),
    }
    request = CheckRequest((path,), as_of=NOW)
    as_json = get_formatter("json")
    here: dict[str, Sample] = {}
    here["decode"], _ = in_process(lambda: msgspec.json.decode(path.read_bytes(), type=Snapshot), repeat, budget)
    here["rules"], catalog = in_process(load_rules, repeat, budget)
    here["load"], (snapshot, _) = in_process(lambda: load_estate_snapshots([path]), repeat, budget)
    # in process the catalog is loaded once (its own row): every module that calls load_rules gets it
    with (mock.patch.object(pipeline, "load_rules", lambda extra=(): catalog),
          mock.patch.object(check_module, "load_rules", lambda extra=(): catalog),
          mock.patch.object(verify_module, "load_rules", lambda extra=(): catalog)):
        here["check"], _ = in_process(lambda: run_check(request), repeat, budget)
        here["check+json"], _ = in_process(lambda: as_json.write(run_check(request)[0], io.StringIO()), repeat, budget)
        here["verify"], _ = in_process(lambda: verify(request), repeat, budget)
    here["drill"], _ = in_process(lambda: run_drills(snapshot), repeat, budget)
    return {"process": process, "in-process": here}


def bench_drill_density(directory: Path, vms: int, repeat: int) -> dict[int, Sample]:
    """In-process drills of a `vms`-VM estate at each of `DENSITIES` VMs a host (fewer, fuller hosts; clusters
    stay 8-16 nodes): with the drill linear in VMs a host, its cost per VM stays flat."""
    from preflight.emulator import run_drills
    from preflight.inventory import load_estate_snapshots

    samples = {}
    for density in DENSITIES:
        path = directory / f"estate-{vms}-{density}.json"
        path.write_text(json.dumps(generate_estate(max(1, vms // density), vms, seed=7)), encoding="utf-8")
        snapshot, _ = load_estate_snapshots([path])
        samples[density], _ = in_process(functools.partial(run_drills, snapshot), repeat)
    return samples


def bench_text(path: Path, findings: int) -> tuple[int, Sample, Sample]:
    """(findings, text formatter, the check it is compared with) on a report of about `findings` findings."""
    from preflight.formatters import get_formatter
    from preflight.pipeline import CheckRequest, run_check

    check, (report, _, _) = in_process(lambda: run_check(CheckRequest((path,), as_of=NOW)), 1)
    big = many_findings(report, findings)
    text = get_formatter("text")
    written, _ = in_process(lambda: text.write(big, io.StringIO()), 3)
    return len(big.findings), written, check


def warm_up(directory: Path) -> None:
    """Run every measured command once on a 20-VM estate, untimed: the child processes' bytecode cache
    (`measure.cache_bytecode`) then holds every module they import."""
    small = str(_estate(directory, 20))
    for argv in (("-c", DECODE, small), ("-c", CHECK_IMPORTS + DECODE, small), (*CLI, "--help"),
                 *((*CLI, command, small, "-f", "json", "--as-of", "collected") for command in ("check", "verify", "drill"))):
        whole_process(python(*argv), 1, OUTCOMES)


def bench_startup(directory: Path, repeat: int) -> dict[str, Sample]:
    """`python -c pass`, `preflight --help` and `check` of a 1-host estate (20 VMs), whole process."""
    small = _estate(directory, 20)
    return {
        "python -c pass": whole_process(python("-c", "pass"), repeat),
        "preflight --help": whole_process(python(*CLI, "--help"), repeat),
        "check, 20 VMs": whole_process(python(*CLI, "check", str(small), "-q", "--as-of", "collected"), repeat, OUTCOMES),
    }


def _cell(value: float | None, floor: float | None, digits: int) -> str:
    if value is None:
        return f"{'-':>10}{'':>8}"
    ratio = f" {value / floor:>6.2f}x" if floor else f"{'':>8}"
    return f"{value:>10.{digits}f}{ratio}"


def print_tables(sizes: Sequence[int], results: dict[int, dict[str, dict[str, Sample]]], out: TextIO | None = None) -> None:
    """Time, peak RSS and per-VM cost of every command, one column per estate size, with multiples of the floor."""
    out = out or sys.stdout
    head = "".join(f"{f'{n:,} VMs':>18}" for n in sizes)
    print(f"{'whole process: seconds, x decode':<34}{head}", file=out)
    for row in PROCESS_ROWS:
        cells = (_cell(results[n]["process"][row].seconds, results[n]["process"]["decode"].seconds, 3) for n in sizes)
        print(f"  {row:<32}{''.join(cells)}", file=out)
    print(f"{'whole process: peak RSS MB, x decode+imports':<34}", file=out)
    for row in PROCESS_ROWS:
        cells = (_cell(results[n]["process"][row].peak_mb, results[n]["process"]["decode+imports"].peak_mb, 0) for n in sizes)
        print(f"  {row:<32}{''.join(cells)}", file=out)
    print(f"{'in process: seconds, x decode':<34}{head}", file=out)
    for row in INPROCESS_ROWS:
        cells = (_cell(results[n]["in-process"][row].seconds, results[n]["in-process"]["decode"].seconds, 3) for n in sizes)
        print(f"  {row:<32}{''.join(cells)}", file=out)
    print(f"{'in process: peak RSS MB, x decode':<34}{head}", file=out)
    for row in INPROCESS_ROWS:
        cells = (_cell(results[n]["in-process"][row].peak_mb, results[n]["in-process"]["decode"].peak_mb, 0) for n in sizes)
        print(f"  {row:<32}{''.join(cells)}", file=out)
    first = sizes[0]
    print(f"{'in process: µs per VM, x ' + f'{first:,} VMs':<34}{head}", file=out)
    for row in PER_VM_ROWS:
        base = per_vm(results[first]["in-process"], row, first)
        cells = (_cell(per_vm(results[n]["in-process"], row, n), base, 1) for n in sizes)
        print(f"  {row:<32}{''.join(cells)}", file=out)
    if len(sizes) > 1:
        print(f"in process: µs per VM added since the size before, x {first:,} to {sizes[1]:,} VMs", file=out)
        for row in PER_VM_ROWS:
            slopes = [added_per_vm(results, row, before, n) for before, n in itertools.pairwise(sizes)]
            cells = (_cell(slope, slopes[0], 1) for slope in (None, *slopes))
            print(f"  {row:<32}{''.join(cells)}", file=out)


def per_vm(here: dict[str, Sample], row: str, vms: int) -> float:
    """Microseconds per VM of an in-process stage (the rule catalog is loaded once, outside the stages)."""
    return here[row].seconds / vms * 1e6


def added_per_vm(results: dict[int, dict[str, dict[str, Sample]]], row: str, before: int, vms: int) -> float:
    """Microseconds an in-process stage costs per VM added from the `before`-VM estate to the `vms`-VM one: the
    slope of its cost, without what it spends once per estate (which makes a small estate's per-VM cost dearer)."""
    grown = results[vms]["in-process"][row].seconds - results[before]["in-process"][row].seconds
    return grown / (vms - before) * 1e6


def goals(results: dict[str, dict[str, Sample]], startup: dict[str, Sample],
          text: tuple[int, Sample, Sample] | None, density: dict[int, Sample] | None = None,
          flat: dict[str, float] | None = None) -> list[tuple[str, float, float]]:
    """(goal, measured, limit) for issue 9's goals on one estate size, the drill's per-VM cost at the densest hosts
    over the sparsest (`density`) and each stage's largest per-VM cost over the smallest estate's (`flat`, when
    more than one size ran); a goal is met when measured <= limit."""
    process, here = results["process"], results["in-process"]
    found = [
        ("check / decode, whole process", process["check"].seconds / process["decode"].seconds, 1.5),
        ("check / decode+imports, peak RSS", (process["check"].peak_mb or 0) / (process["decode+imports"].peak_mb or 1), 1.6),
        ("verify / check, whole process", process["verify"].seconds / process["check"].seconds, 2.0),
        ("verify / check, in process", here["verify"].seconds / here["check"].seconds, 2.0),
    ]
    if text:
        found.append((f"text of {text[0]:,} findings / its check", text[1].seconds / text[2].seconds, 0.5))
    base = startup["python -c pass"].seconds
    found += [(f"{name} - python -c pass (s)", startup[name].seconds - base, 0.150)
              for name in ("preflight --help", "check, 20 VMs")]
    if density:
        # linear in VMs a host: fuller hosts may cost less per VM (per-node work spread wider), never more
        found.append((f"drill per VM, {DENSITIES[-1]} / {DENSITIES[0]} VMs a host",
                      density[DENSITIES[-1]].seconds / density[DENSITIES[0]].seconds, 1 + FLAT))
    found += [(f"{row} per VM vs smallest estate (±)", off, FLAT) for row, off in (flat or {}).items()]
    return found


def flatness(sizes: Sequence[int], results: dict[int, dict[str, dict[str, Sample]]]) -> dict[str, float]:
    """Per command, how far its per-VM cost on any larger estate is off its cost on the smallest (0.1: 10 % more
    or less; 0: flat), when more than one size ran."""
    if len(sizes) < 2:
        return {}
    first = sizes[0]
    found = {}
    for row in PER_VM_ROWS:
        if row != "decode":
            base = per_vm(results[first]["in-process"], row, first)
            found[row] = max(abs(per_vm(results[n]["in-process"], row, n) / base - 1) for n in sizes[1:])
    return found


def main(argv: list[str] | None = None) -> int:
    """Generate the estates, measure everything and print the tables and the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,25000,100000", help="VM counts, comma-separated (25 VMs a host)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats below 50,000 VMs (best is kept); at most 2 above")
    parser.add_argument("--budget", type=float, default=BUDGET,
                        help="seconds each in-process stage runs at least (more runs of short stages; at most 100)")
    parser.add_argument("--startup-repeat", type=int, default=9, help="runs of each startup command (best is kept)")
    parser.add_argument("--findings", type=int, default=27_000, help="findings in the report the text formatter writes")
    parser.add_argument("--goal-size", type=int, default=25_000, help="estate size the goals are checked on")
    args = parser.parse_args(argv)
    sizes = sorted(int(n) for n in args.sizes.split(","))
    goal_size = args.goal_size if args.goal_size in sizes else sizes[-1]
    results: dict[int, dict[str, dict[str, Sample]]] = {}
    # in process the catalog is compiled (the `rules` row), never read from or written to the user's cache;
    # the child processes cache it in the bench's own directory (measure.cache_bytecode)
    with tempfile.TemporaryDirectory(prefix="preflight-bench-") as tmp, mock.patch.dict(os.environ, {"PREFLIGHT_CACHE_DIR": ""}):
        directory = Path(tmp)
        cache_bytecode(str(directory / "pycache"))
        try:
            warm_up(directory)
            startup = bench_startup(directory, args.startup_repeat)
            text, density = None, None
            for vms in sizes:
                path = _estate(directory, vms)
                print(f"measuring {vms:,} VMs ({path.stat().st_size / 1e6:.1f} MB) ...", file=sys.stderr, flush=True)
                repeat = args.repeat if vms < BIG else min(args.repeat, 2)
                # stages of milliseconds run more often in process, so that a slow moment does not set the best
                results[vms] = bench_size(path, repeat, args.budget)
                if vms == goal_size:
                    text = bench_text(path, args.findings)
                    density = bench_drill_density(directory, vms, repeat)
        finally:
            cache_bytecode(None)
    print_tables(sizes, results)
    print("startup (whole process, best of runs)")
    for name, sample in startup.items():
        print(f"  {name:<32}{sample.seconds * 1000:>9.1f} ms")
    if text:
        print(f"text formatter, {text[0]:,} findings   {text[1].seconds:>9.3f} s   the check of {goal_size:,} VMs "
              f"{text[2].seconds:.3f} s (in process)")
    if density:
        print(f"{f'drill of {goal_size:,} VMs by VMs a host: seconds, µs per VM, x {DENSITIES[0]} a host':<34}")
        for vms_a_host, sample in density.items():
            print(f"  {f'{vms_a_host} VMs a host':<32}{sample.seconds:>10.3f}{sample.seconds / goal_size * 1e6:>10.1f}"
                  f"{sample.seconds / density[DENSITIES[0]].seconds:>7.2f}x")
    print(f"goals on {goal_size:,} VMs")
    for name, measured, limit in goals(results[goal_size], startup, text, density, flatness(sizes, results)):
        print(f"  {name:<44}{measured:>8.2f}  <= {limit:<6.2f}{'met' if measured <= limit else 'NOT MET':>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
