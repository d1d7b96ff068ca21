"""A collector bundle (a folder or a zip of it): `manifest.json` and one export per source and computer.

The format is the shared contract in the collector's documentation (`preflight/bundle/v1`). A source that
is absent, failed or skipped is "not collected" with its reason; nothing is read from outside the bundle.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from preflight.errors import InputError, split_validation_error
from preflight.importer.readers import read_clixml, read_json
from preflight.importer.values import Missing
from preflight.inventory.common import Timestamp
from preflight.inventory.read import max_input_bytes, read_input, to_utf8

BUNDLE_SCHEMA = "preflight/bundle/v1"


class _Strict(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    pass


class ManifestCollector(_Strict):
    name: str
    version: str | None = None
    powershell: str | None = None


class ManifestSource(_Strict):
    id: str
    computer: str
    status: Literal["ok", "failed", "skipped"]
    file: str | None = None
    format: Literal["clixml", "json"] | None = None
    reason: str | None = None


class Manifest(_Strict):
    schema: Literal["preflight/bundle/v1"]
    collector: ManifestCollector
    collected_at: Timestamp
    name: str
    collected_by: str | None = None
    sources: list[ManifestSource] = []


@dataclass
class Bundle:
    """An opened bundle: its manifest, and the objects of each source read on demand."""

    path: str
    manifest: Manifest
    _files: dict[str, bytes] = field(default_factory=dict)

    def computers(self) -> list[str]:
        """The computers the manifest names, in manifest order."""
        return list(dict.fromkeys(source.computer for source in self.manifest.sources))

    def source(self, computer: str, source_id: str) -> tuple[list[Any], str] | Missing:
        """(objects, where) of one source of one computer, or why it was not collected.

        CLIXML is preferred when the manifest lists both formats: it keeps enum names.
        """
        entries = [s for s in self.manifest.sources if s.computer.lower() == computer.lower() and s.id == source_id]
        if not entries:
            return Missing(f"source {source_id} of {computer} is not in the bundle")
        ok = sorted((s for s in entries if s.status == "ok"), key=lambda s: s.format != "clixml")
        if not ok:
            first = entries[0]
            return Missing(f"source {source_id} of {computer} {first.status}: {first.reason or 'no reason given'}")
        entry = ok[0]
        where = f"{self.path}/{entry.file}"
        data = self._read(entry, where)
        text = to_utf8(data, where)
        if entry.format == "json" or (entry.format is None and str(entry.file).lower().endswith(".json")):
            return read_json(text, where), where
        return read_clixml(text.decode("utf-8"), where), where

    def _read(self, entry: ManifestSource, where: str) -> bytes:
        name = entry.file or ""
        normal = posixpath.normpath(name.replace("\\", "/"))
        if not name or normal.startswith(("../", "/")) or normal == ".." or ":" in normal:
            raise InputError(f"{self.path}/manifest.json", None,
                             f"source {entry.id} of {entry.computer}: file {name!r} is not a path inside the bundle")
        if normal not in self._files:
            raise InputError(where, None, "is listed in manifest.json as collected but is not in the bundle")
        return self._files[normal]


def open_bundle(path: Path) -> Bundle:
    """Open a bundle folder or zip and validate its manifest; every problem is one `InputError` line."""
    files = _zip_files(path) if path.is_file() else _folder_files(path)
    where = f"{path}/manifest.json"
    if "manifest.json" not in files:
        raise InputError(str(path), None, "expected a collector bundle: a folder or zip with manifest.json")
    try:
        manifest = msgspec.json.decode(to_utf8(files["manifest.json"], where), type=Manifest)
    except msgspec.ValidationError as exc:
        field_path, kind, problem = split_validation_error(exc)
        raise InputError(where, field_path, {"missing": "required field is missing"}.get(kind or "", problem)) from None
    except msgspec.DecodeError as exc:
        raise InputError(where, None, f"malformed JSON: {exc}") from None
    return Bundle(str(path), manifest, files)


def _folder_files(path: Path) -> dict[str, bytes]:
    if not path.is_dir():
        raise InputError(str(path), None, "cannot read: no such bundle folder or zip")
    files: dict[str, bytes] = {}
    for item in sorted(path.rglob("*")):
        if item.is_file() and not item.is_symlink():
            files[item.relative_to(path).as_posix()] = read_input(item)
    return files


def _zip_files(path: Path) -> dict[str, bytes]:
    limit, total = max_input_bytes(), 0
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(str(path), None, f"expected a bundle folder or a zip of one: {exc}") from None
    files: dict[str, bytes] = {}
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        # Windows PowerShell 5.0's Compress-Archive wrote member names with backslashes: read both
        names = [info.filename.replace("\\", "/") for info in members]
        roots = {name.split("/", 1)[0] for name in names}
        # Compress-Archive of the folder puts everything under the folder's name: look through it
        strip = len(roots) == 1 and all("/" in name for name in names)
        for info, name in zip(members, names, strict=True):
            total += info.file_size
            if total > limit:
                raise InputError(str(path), None, f"unpacks to more than the input limit of {limit / 1e6:g} MB")
            # members are only read into memory, by the manifest's paths: a name climbing out writes nothing
            files[posixpath.normpath(name.split("/", 1)[1] if strip else name)] = archive.read(info)
    return files
