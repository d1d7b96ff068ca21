"""Locate the data shipped with preflight: built-in rule packs and report templates."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    """`preflight/_data/<name>` in an installed wheel, else `<repo>/<name>` in a checkout."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def builtin_rules_dir() -> Path:
    """Directory of the built-in rule packs, matrices and sources."""
    return _data_dir("rules")


def reports_dir() -> Path:
    """Directory of the HTML report templates and assets."""
    return _data_dir("reports")
