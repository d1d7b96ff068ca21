"""The formatter registry: every output format is a pure function of the `Report` writing to a stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from preflight.errors import PreflightError
from preflight.report import Report

WriteFn = Callable[[Report, TextIO], None]


@dataclass(frozen=True)
class Formatter:
    """A registered output format."""

    name: str
    extensions: tuple[str, ...]
    description: str
    write: WriteFn


FORMATTERS: dict[str, Formatter] = {}


def formatter(name: str, extensions: tuple[str, ...], description: str) -> Callable[[WriteFn], WriteFn]:
    """Register `write` as the formatter `name`, chosen by default for files with `extensions`."""

    def register(write: WriteFn) -> WriteFn:
        FORMATTERS[name] = Formatter(name, extensions, description, write)
        return write

    return register


def get_formatter(name: str) -> Formatter:
    """The formatter called `name`; PreflightError lists the known ones."""
    try:
        return FORMATTERS[name]
    except KeyError:
        raise PreflightError(f"unknown format '{name}' (expected one of: {', '.join(sorted(FORMATTERS))})") from None


def known_extensions() -> list[str]:
    """Every file extension some formatter claims, sorted."""
    return sorted({ext for item in FORMATTERS.values() for ext in item.extensions})


def formatter_for_path(path: str, default: str | None = None) -> Formatter:
    """The formatter whose extension matches `path`, else `default`; without a default, PreflightError.

    An unknown extension is an error rather than a guess: `-o results.junit` must not quietly write HTML.
    """
    lowered = path.lower()
    matches = [(len(ext), item) for item in FORMATTERS.values() for ext in item.extensions if lowered.endswith(ext)]
    if matches:
        return max(matches, key=lambda match: match[0])[1]  # longest extension wins: .sarif.json over .json
    if default is None:
        raise PreflightError(f"{path}: cannot tell the format from the file name (known extensions: "
                             f"{' '.join(known_extensions())}); name the format with --format")
    return get_formatter(default)
