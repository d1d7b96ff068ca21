"""Where an object of a report is written down: the snapshot file and the line of its entry.

Code-scanning dashboards (GitHub, GitLab) annotate a line of a file, so every SARIF result needs one.
The line is found from the input file itself, re-read here: a JSON scanner or the TOML table headers
give the line of each entry (``$.vms[3]``, ``$.clusters[0].csvs[1]``), and the parsed document says
which entry carries the object's name. A multi-file estate is searched file by file, so a result names
the part that defines its object. What cannot be placed falls back to the entry's parent, then line 1.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec

from preflight.engine.findings import TargetRef
from preflight.errors import PreflightError
from preflight.inventory.read import read_input, to_utf8
from preflight.inventory.snapshot import ENTITY_LISTS

Key = tuple[str | int, ...]

# Target kinds named PARENT/child, and where their entries sit: (parent list, child list).
_NESTED = {"csvs": ("clusters", "csvs"), "host_teams": ("hosts", "teams"), "vm_teams": ("vms", "teams")}
# Target kinds that are entries of an entity list under another name.
_ALIASES = {"replicated_vms": "vms", "replica_servers": "hosts"}
_DEPTH = 4   # entity lists, their entries, an entry's lists and their entries: deep enough for every target kind
_JSON_TOKEN = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\r\n]*(:)?|([{\[])|[}\]]')
_TOML_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([A-Za-z0-9_.\- \t\"']+?)[ \t]*\]\]?[ \t]*(?:#.*)?$")
_TOML_KEY = re.compile(r"^[ \t]*([A-Za-z0-9_\-]+)[ \t]*=")


@dataclass(frozen=True)
class Place:
    """A snapshot file (as the report names it) and a 1-based line in it."""

    file: str
    line: int


def json_entry_lines(text: str) -> dict[Key, int]:
    """The line of every object and array up to `_DEPTH` levels deep, by its path (("vms", 3) is ``$.vms[3]``).

    `text` is valid JSON (the loader read it). Strings are matched whole, so brackets inside them do not count;
    an array's index advances on each object or array in it (entity lists hold objects only).
    """
    lines: dict[Key, int] = {}
    path: list[str | int] = []     # per open container: the key (object) or index (array) of the value being read
    arrays: list[bool] = []
    key = ""
    line, last = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        opener = match.group(3)
        if opener is not None:
            if arrays:
                if arrays[-1]:
                    path[-1] = int(path[-1]) + 1
                else:
                    path[-1] = key
            if len(path) <= _DEPTH:
                start = match.start()
                line += text.count("\n", last, start)
                last = start
                lines.setdefault(tuple(path), line)
            arrays.append(opener == "[")
            path.append(-1 if opener == "[" else "")
        elif match.group(2) is not None:
            raw = match.group(1)
            key = json.loads(f'"{raw}"') if "\\" in raw else raw
        elif match.group(1) is None:     # } or ]
            arrays.pop()
            path.pop()
    return lines


def _toml_key_parts(header: str) -> list[str]:
    return [part.strip().strip("\"'") for part in header.split(".")]


def toml_entry_lines(text: str) -> dict[Key, int]:
    """The line of every table header (``[[vms]]`` is ("vms", n) for its n-th occurrence) and of every
    top-level or table-level key, by path; lines inside multi-line strings are skipped."""
    lines: dict[Key, int] = {}
    counts: dict[Key, int] = {}            # array-of-tables path -> entries so far
    current: Key = ()
    in_string: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if raw.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _TOML_HEADER.match(raw)
        if header:
            current = _resolve_toml_path(_toml_key_parts(header.group(2)), counts, array=header.group(1) == "[[")
            lines.setdefault(current, number)
            continue
        key = _TOML_KEY.match(raw)
        if key:
            lines.setdefault((*current, key.group(1)), number)
        for quote in ('"""', "'''"):
            if raw.count(quote) % 2 == 1:
                in_string = quote
                break
    return lines


def _resolve_toml_path(parts: list[str], counts: dict[Key, int], *, array: bool) -> Key:
    """A header's dotted key as an entry path: every array of tables on the way is its latest entry."""
    path: list[str | int] = []
    for depth, part in enumerate(parts):
        path.append(part)
        key = tuple(path)
        if array and depth == len(parts) - 1:
            counts[key] = counts.get(key, -1) + 1
            path.append(counts[key])
        elif key in counts:
            path.append(counts[key])
    return tuple(path)


class SourceFile:
    """One input snapshot file: its parsed document and the line of each entry."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._by_name: dict[str, dict[str, list[tuple[int, str | None]]]] = {}
        try:
            text = to_utf8(read_input(Path(file)), file).decode("utf-8")
            toml = file.lower().endswith(".toml")
            self.document: dict[str, Any] = tomllib.loads(text) if toml else msgspec.json.decode(text)
            self.lines = toml_entry_lines(text) if toml else json_entry_lines(text)
            if not isinstance(self.document, dict):
                self.document, self.lines = {}, {}
        except (PreflightError, ValueError, RecursionError, msgspec.DecodeError):
            # The file changed or vanished after the check read it: place its objects on line 1.
            self.document, self.lines = {}, {}

    def line_of(self, path: Key) -> int:
        """The line of the entry at `path`, else of its nearest placed parent, else 1."""
        for depth in range(len(path), 0, -1):
            line = self.lines.get(path[:depth])
            if line is not None:
                return line
        return 1

    def find(self, target: TargetRef) -> Key | None:
        """The path of the entry describing `target` in this file, or None when the file does not define it."""
        if target.kind == "snapshots":
            info = self.document.get("snapshot")
            return ("snapshot",) if isinstance(info, dict) and _same(info.get("name"), target.name) else None
        if target.kind in _NESTED:
            return self._find_nested(target)
        kind = _ALIASES.get(target.kind, target.kind)
        found = self._index(kind, target.name, target.ref.vm_host if kind == "vms" else None)
        if found is None and target.kind == "replica_servers":
            return self._find_broker(target.name)
        if found is None and kind not in ENTITY_LISTS:   # a kind this module does not know: any entry of that name
            return next((p for k in ENTITY_LISTS if (p := self._index(k, target.name, None)) is not None), None)
        return found

    def _entries(self, container: Any, key: str) -> list[Any]:
        value = container.get(key) if isinstance(container, dict) else None
        return value if isinstance(value, list) else []

    def _index(self, kind: str, name: str, owner: str | None) -> Key | None:
        for i, host in self._names(kind).get(name.casefold(), ()):
            if owner is None or (host is not None and host == owner.casefold()):
                return (kind, i)
        return None

    def _names(self, kind: str) -> dict[str, list[tuple[int, str | None]]]:
        """Entries of one entity list by folded name: (index, folded host); built once per list."""
        names = self._by_name.get(kind)
        if names is None:
            names = self._by_name[kind] = {}
            for i, entry in enumerate(self._entries(self.document, kind)):
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    host = entry.get("host")
                    names.setdefault(entry["name"].casefold(), []).append((i, host.casefold() if isinstance(host, str) else None))
        return names

    def _find_nested(self, target: TargetRef) -> Key | None:
        """A team or CSV: the entry named by its typed identity (own name, owner), never by splitting its label."""
        parent_kind, child_kind = _NESTED[target.kind]
        owner = target.ref.owner
        if owner is None:
            return None
        for i, parent in enumerate(self._entries(self.document, parent_kind)):
            if not isinstance(parent, dict) or not _same(parent.get("name"), owner.name):
                continue
            if parent_kind == "vms" and target.ref.vm_host is not None and not _same(parent.get("host"), target.ref.vm_host):
                continue
            for j, entry in enumerate(self._entries(parent, child_kind)):
                if isinstance(entry, dict) and _same(entry.get("name"), target.ref.name):
                    return (parent_kind, i, child_kind, j)
        return None

    def _find_broker(self, name: str) -> Key | None:
        for i, cluster in enumerate(self._entries(self.document, "clusters")):
            broker = cluster.get("replica_broker") if isinstance(cluster, dict) else None
            if isinstance(broker, dict) and (_same(broker.get("name"), name) or _same(cluster.get("name"), name)):
                return ("clusters", i, "replica_broker")
        return None


def _same(value: Any, name: str) -> bool:
    return isinstance(value, str) and value.casefold() == name.casefold()


class SourceLines:
    """Places the objects of a report in its input files (each file read once, on first use)."""

    def __init__(self, files: list[str]) -> None:
        self.files = files

    @cached_property
    def _sources(self) -> list[SourceFile]:
        return [SourceFile(file) for file in self.files]

    def place(self, target: TargetRef) -> Place | None:
        """The file and line of `target`'s entry; the first file's header line when no file defines it;
        None when the report has no input file (an estate built in memory)."""
        if not self.files:
            return None
        for source in self._sources:
            path = source.find(target)
            if path is not None:
                return Place(source.file, source.line_of(path))
        return self.header()

    def header(self) -> Place | None:
        """The `snapshot` header of the first input file (where a result about the whole run is placed)."""
        if not self.files:
            return None
        first = self._sources[0]
        return Place(first.file, first.line_of(("snapshot",)))
