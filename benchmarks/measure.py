"""Timing and peak memory of one stage, in this process or as a whole child process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_CLEAR_REFS = "/proc/self/clear_refs"
_STATUS = "/proc/self/status"


@dataclass(frozen=True)
class Sample:
    """Best wall time of the repeats (seconds) and the highest peak resident set size seen (MB; None: unknown)."""

    seconds: float
    peak_mb: float | None


def _reset_peak() -> bool:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs), so a stage's own peak can be read."""
    try:
        with open(_CLEAR_REFS, "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float | None:
    try:
        with open(_STATUS) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def in_process(action: Callable[[], Any], repeat: int, budget: float = 0.0, most: int = 100) -> tuple[Sample, Any]:
    """Run `action` here `repeat` times, then again while those runs took under `budget` seconds in all (at most
    `most` runs); the best time, the stage's peak RSS (whole process) and its last result.

    With a budget a stage of milliseconds is run dozens of times and a stage of seconds `repeat` times: the best
    of a few runs of a short stage can be a slow moment of the machine's, not the stage's cost."""
    times: list[float] = []
    peaks: list[float] = []
    result = None
    while len(times) < repeat or (sum(times) < budget and len(times) < most):
        result = None   # the previous result must not count towards this repeat's peak
        gc.collect()
        resettable = _reset_peak()
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
        peak = _peak_mb() if resettable else None
        if peak is not None:
            peaks.append(peak)
    return Sample(min(times), max(peaks) if peaks else None), result


# Runs the command from a small process: a child's ru_maxrss starts at the RSS of the process that forked it
# (Linux keeps the high-water mark across exec), so forking from this large process would report its size.
_LAUNCHER = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "seconds = time.perf_counter() - started\n"
    "sys.stderr.buffer.write(run.stderr[-2000:])\n"
    "print(run.returncode, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


_CHILD_ENV: dict[str, str] | None = None


def cache_bytecode(directory: str | None) -> None:
    """Let the measured child processes keep compiled bytecode (in `directory`), as an installed package has
    it (pip compiles it on install): with PYTHONDONTWRITEBYTECODE set, as on the build machine, every run
    would compile every module it imports from source, which the CLI pays and the decode floor mostly not.
    The compiled rule catalog is cached there as well. None: the children inherit this process's environment
    again."""
    global _CHILD_ENV
    if directory is None:
        _CHILD_ENV = None
        return
    _CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    _CHILD_ENV["PYTHONPYCACHEPREFIX"] = directory
    # the compiled rule catalog too (preflight/pipeline/rule_cache.py): an installed CLI has it after its
    # first run; kept beside the bytecode, never in the user's own cache directory
    _CHILD_ENV["PREFLIGHT_CACHE_DIR"] = os.path.join(directory, "preflight-rules")


def whole_process(argv: Sequence[str], repeat: int, ok_codes: tuple[int, ...] = (0,)) -> Sample:
    """Run `argv` `repeat` times as a child process (output discarded); best wall time and its peak RSS.

    The peak is the child's own (rusage of a child of a small launcher process), so it covers the
    interpreter, every import and the work, exactly what an admin's machine sees.
    """
    times: list[float] = []
    peaks: list[float] = []
    for _ in range(repeat):
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True, env=_CHILD_ENV)
        code, seconds, peak_kb = launched.stdout.split()
        if int(code) not in ok_codes:
            raise RuntimeError(f"{' '.join(argv)} exited {code}: {launched.stderr[-2000:]}")
        times.append(float(seconds))
        peaks.append(int(peak_kb) / 1024)   # Linux reports kilobytes
    return Sample(min(times), max(peaks))


def python(*args: str) -> list[str]:
    """The command line of this interpreter running `args` (the venv's python, so the same packages)."""
    return [sys.executable, *args]
