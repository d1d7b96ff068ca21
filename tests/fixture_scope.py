"""The scope of fixtures that several tests share and that run the code under test."""

from __future__ import annotations

import os

import pytest


def module_unless_mutating(fixture_name: str, config: pytest.Config) -> str:
    """``module``, but ``function`` under mutmut (`make mutation`).

    mutmut records once which test calls which function, and credits what a module-scoped fixture runs to
    the first test that uses it only: the other tests, which assert on what the fixture built, would then
    never run against a mutant of that code. mutmut sets MUTANT_UNDER_TEST in every process it tests in.
    """
    return "function" if "MUTANT_UNDER_TEST" in os.environ else "module"
