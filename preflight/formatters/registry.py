"""The formatter registry: every output format is a pure function of the `Report` writing to a stream."""

from __future__ import annotations

import importlib
from collections.abc import Callable, ItemsView, Iterator, KeysView, ValuesView
from dataclasses import dataclass
from typing import TextIO

from preflight.errors import PreflightError
from preflight.report import Report

WriteFn = Callable[[Report, TextIO], None]


@dataclass(frozen=True)
class Formatter:
    """A registered output format; `reads_topology` is False when `write` never reads `Report.topology`, so a
    command writing only such formats skips building the tree (a tenth of a large estate's check)."""

    name: str
    extensions: tuple[str, ...]
    description: str
    write: WriteFn
    reads_topology: bool = True


BUILTIN_MODULES = {"text": "text", "json": "json_format", "html": "html", "md": "markdown", "junit": "junit",
                   "sarif": "sarif"}
"""The module of each built-in format: a command imports only the formatter it writes with (HTML needs jinja2)."""


class _Registry(dict[str, Formatter]):
    """Registered formatters; a built-in one is imported the first time it is asked for by name, all of them
    when the registry is listed (extensions, known names)."""

    def _load(self, name: str) -> None:
        if name in BUILTIN_MODULES and not dict.__contains__(self, name):
            importlib.import_module(f"preflight.formatters.{BUILTIN_MODULES[name]}")

    def load_all(self) -> None:
        """Import every built-in formatter."""
        for name in BUILTIN_MODULES:
            self._load(name)

    def __missing__(self, name: str) -> Formatter:
        self._load(name)
        if not dict.__contains__(self, name):
            raise KeyError(name)
        return dict.__getitem__(self, name)

    def get(self, name: str, default: Formatter | None = None) -> Formatter | None:  # type: ignore[override]
        self._load(name)
        return dict.get(self, name, default)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self._load(name)
        return dict.__contains__(self, name)

    def __iter__(self) -> Iterator[str]:
        self.load_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self.load_all()
        return dict.__len__(self)

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        self.load_all()
        return dict.keys(self)

    def values(self) -> ValuesView[Formatter]:  # type: ignore[override]
        self.load_all()
        return dict.values(self)

    def items(self) -> ItemsView[str, Formatter]:  # type: ignore[override]
        self.load_all()
        return dict.items(self)


FORMATTERS: dict[str, Formatter] = _Registry()


def formatter(name: str, extensions: tuple[str, ...], description: str, *, reads_topology: bool = True,
              ) -> Callable[[WriteFn], WriteFn]:
    """Register `write` as the formatter `name`, chosen by default for files with `extensions` (pass
    `reads_topology=False` when it never reads the report's topology tree)."""

    def register(write: WriteFn) -> WriteFn:
        FORMATTERS[name] = Formatter(name, extensions, description, write, reads_topology)
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
