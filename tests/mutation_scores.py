"""Per-module scores of the last `make mutation` run (read from mutmut's mutants/ directory).

Run after `mutmut run`: prints, for each module under [tool.mutmut] only_mutate, how many mutants were
killed and the score, then every mutant left alive (with --survivors) so docs/mutation.md can say why
each one is equivalent. Killed counts kills by a failing test and by a timeout (a mutant that hangs).
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          37: "killed"}
SURVIVED, NO_TESTS = {0}, {5, 33}


def _status(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "not checked" if code is None else f"other ({code})"


def scores(root: Path = ROOT) -> dict[str, tuple[Counter[str], list[str]]]:
    """For each mutated module: its status counts and the names of the mutants left alive."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    result: dict[str, tuple[Counter[str], list[str]]] = {}
    for module in config["only_mutate"]:
        meta = root / "mutants" / f"{module}.meta"
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts = Counter(_status(code) for code in codes.values())
        alive = sorted(name for name, code in codes.items() if _status(code) in ("survived", "no tests"))
        result[module] = (counts, alive)
    return result


def main(argv: list[str]) -> int:
    """Print the score table (and, with --survivors, every mutant left alive)."""
    table = scores()
    if not table:
        print("no mutation results: run `make mutation` first")
        return 1
    print("| module | mutants | killed | survived | no tests | not run | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    total: Counter[str] = Counter()
    for module, (counts, _) in table.items():
        total.update(counts)
        print(_row(module.removeprefix("preflight/"), counts))
    print(_row("**all**", total))
    if "--survivors" in argv:
        for module, (_, alive) in table.items():
            for name in alive:
                print(f"{module}: {name}")
    return 0


def _row(name: str, counts: Counter[str]) -> str:
    """One line of the table; the score is of the mutants the run reached (a stopped run leaves some not run)."""
    run = sum(counts.values()) - counts["not checked"]
    score = f"{100 * counts['killed'] / run:.1f} %" if run else "-"
    return (f"| {name} | {sum(counts.values())} | {counts['killed']} | {counts['survived']} | {counts['no tests']} | "
            f"{counts['not checked']} | {score} |")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
