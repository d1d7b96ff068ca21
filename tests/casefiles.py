"""The built-in rules' case files (fixtures/rules/<CODE>.toml, bases in fixtures/rules/_bases), read with the
harness that ships in the package (preflight/engine/casefiles.py) and runs `preflight rules test` too."""

from __future__ import annotations

from pathlib import Path

from preflight.engine import casefiles
from preflight.engine.casefiles import DEFAULT_NOW, Case, Expectation, apply_edits, run_case

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "fixtures" / "rules"
BASES_DIR = CASES_DIR / "_bases"

__all__ = ["BASES_DIR", "CASES_DIR", "DEFAULT_NOW", "ROOT", "Case", "Expectation", "apply_edits", "load_cases", "run_case"]


def load_cases() -> list[Case]:
    """Every case of every built-in case file, in file order."""
    return casefiles.load_cases(CASES_DIR)
