"""`make bench` runs end to end: the harness on the smallest estate prints every table with every row.

Timings are not asserted (they depend on the machine); the shape of what an engineer reads is.
"""

from __future__ import annotations

import io
import re

import pytest

from benchmarks import measure
from benchmarks.run import INPROCESS_ROWS, PER_VM_ROWS, PROCESS_ROWS, main

NUMBER = r"\d+(\.\d+)?"


def test_the_harness_prints_every_table_on_the_smallest_estate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "1000", "--repeat", "1", "--budget", "0", "--startup-repeat", "1", "--findings", "600"]) == 0
    out = capsys.readouterr().out
    sections = re.split(r"^(?=\S)", out, flags=re.M)
    titles = [s.splitlines()[0] for s in sections if s]
    for title in ("whole process: seconds, x decode", "whole process: peak RSS MB, x decode+imports",
                  "in process: seconds, x decode", "in process: peak RSS MB, x decode",
                  "in process: µs per VM, x 1,000 VMs", "startup", "text formatter, 600 findings", "goals on 1,000 VMs"):
        assert any(t.startswith(title) for t in titles), f"missing table {title!r} in:\n{out}"
    tables = {s.splitlines()[0].split("  ")[0].strip(): s.splitlines()[1:] for s in sections if s}
    for title, rows in (("whole process: seconds, x decode", PROCESS_ROWS), ("in process: seconds, x decode", INPROCESS_ROWS),
                        ("in process: µs per VM, x 1,000 VMs", PER_VM_ROWS)):
        assert [line.split()[0] for line in tables[title]] == list(rows)
        for line in tables[title]:  # a value and its multiple of the floor
            assert re.fullmatch(rf"\s+\S+\s+{NUMBER}\s+{NUMBER}x", line), line
    floor = tables["whole process: seconds, x decode"][0]
    assert floor.split()[-1] == "1.00x", "the floor is 1x itself"
    goals = tables["goals on 1,000 VMs"]
    assert len(goals) == 8 and "drill per VM, 100 / 25 VMs a host" in goals[-1]   # one size: no flatness goal
    for line in goals:
        assert re.search(rf"{NUMBER}\s+<= {NUMBER}\s+(met|NOT MET)$", line), line
    density = next(s.splitlines() for s in sections if s.startswith("drill of 1,000 VMs by VMs a host"))
    assert [line.split()[0] for line in density[1:]] == ["25", "50", "100"]
    assert density[1].split()[-1] == "1.00x"


def test_flatness_is_the_worst_size_over_the_smallest() -> None:
    from benchmarks.measure import Sample
    from benchmarks.run import flatness

    def stages(seconds: float) -> dict[str, dict[str, Sample]]:
        return {"in-process": {row: Sample(seconds, None) for row in PER_VM_ROWS}}

    results = {1000: stages(0.010), 5000: stages(0.060), 100_000: stages(0.75)}   # 10, 12, 7.5 µs per VM
    found = flatness([1000, 5000, 100_000], results)
    assert set(found) == set(PER_VM_ROWS) - {"decode"} and all(abs(off - 0.25) < 1e-9 for off in found.values())
    assert flatness([1000], {1000: results[1000]}) == {}


def test_the_cost_per_added_vm_is_the_slope_between_sizes_without_the_per_estate_cost() -> None:
    from benchmarks.measure import Sample
    from benchmarks.run import added_per_vm, print_tables

    def stages(seconds: float) -> dict[str, dict[str, Sample]]:
        return {"process": {row: Sample(seconds, 10.0) for row in PROCESS_ROWS},
                "in-process": {row: Sample(seconds, 10.0) for row in INPROCESS_ROWS}}

    # 4 ms once per estate, then 20 µs a VM up to 5,000 VMs and 22 µs a VM from there
    results = {1000: stages(0.024), 5000: stages(0.104), 25_000: stages(0.544)}
    assert added_per_vm(results, "verify", 1000, 5000) == pytest.approx(20.0)
    assert added_per_vm(results, "verify", 5000, 25_000) == pytest.approx(22.0)
    out = io.StringIO()
    print_tables([1000, 5000, 25_000], results, out)
    section = out.getvalue().split("in process: µs per VM added since the size before, x 1,000 to 5,000 VMs")[1].splitlines()[1:]
    assert [line.split()[0] for line in section] == list(PER_VM_ROWS)
    assert section[PER_VM_ROWS.index("verify")].split()[1:] == ["-", "20.0", "1.00x", "22.0", "1.10x"]
    per_vm = out.getvalue().split("in process: µs per VM, x 1,000 VMs")[1].splitlines()[1:]
    assert per_vm[PER_VM_ROWS.index("verify")].split()[1:] == ["24.0", "1.00x", "20.8", "0.87x", "21.8", "0.91x"]
    one = io.StringIO()
    print_tables([1000], {1000: results[1000]}, one)
    assert "per VM added" not in one.getvalue()   # one size: no slope


def test_a_stage_runs_its_repeats_then_again_within_the_budget_up_to_a_cap() -> None:
    runs: list[int] = []
    sample, last = measure.in_process(lambda: runs.append(len(runs)) or len(runs), 2)
    assert len(runs) == 2 and last == 2 and sample.seconds >= 0
    runs.clear()
    measure.in_process(lambda: runs.append(1), 2, budget=1e9, most=7)   # a budget never reached: the cap ends it
    assert len(runs) == 7
    runs.clear()
    measure.in_process(lambda: runs.append(1), 3, budget=1e-12, most=50)   # reached by the repeats themselves
    assert len(runs) == 3


def test_measured_children_keep_bytecode_and_the_setting_ends_with_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    measure.cache_bytecode("/tmp/cache")
    try:
        env = measure._CHILD_ENV
        assert env is not None and "PYTHONDONTWRITEBYTECODE" not in env and env["PYTHONPYCACHEPREFIX"] == "/tmp/cache"
    finally:
        measure.cache_bytecode(None)
    assert measure._CHILD_ENV is None
