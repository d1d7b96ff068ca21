"""The compiled rule catalog, cached under the user's cache directory: a run skips parsing and validating
every pack (~0.05 s of a small `check`) when nothing it depends on has changed.

An entry is named by a SHA-256 of everything the compiled catalog is a function of: the rule directories'
file names and contents (read on every run, so an edited, added or removed pack is a new key, never a stale
hit), the Python version, and preflight's own version and source files (name, size, modification time: a
changed engine, model or remediation action — what a `fix` may name — recompiles). Only a catalog that loaded without
error is stored, so every error is reported from the packs themselves. Any entry that cannot be read,
unpickled or is not a catalog is ignored and rebuilt; a directory that cannot be written just goes uncached.
Deleting the directory is always safe.

Where: `PREFLIGHT_CACHE_DIR` if set (empty: no cache), else the platform's cache directory
(`%LOCALAPPDATA%\\preflight\\Cache`, `~/Library/Caches/preflight`, `$XDG_CACHE_HOME/preflight` or
`~/.cache/preflight`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import preflight
from preflight.engine.catalog import Catalog, rule_files
from preflight.errors import CatalogError

ENV = "PREFLIGHT_CACHE_DIR"
KEEP = 8
"""Entries kept (newest first): one per combination of rule directories in use, and a few edits back."""



def cache_dir() -> Path | None:
    """The directory entries live in, or None when `PREFLIGHT_CACHE_DIR` is set empty (caching off)."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "preflight" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "preflight"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "preflight"


def cached_catalog(directories: list[Path], build: Callable[[], Catalog]) -> Catalog:
    """`build()`, the catalog of `directories`, or the one it returned before for the same inputs (see the module)."""
    where = cache_dir()
    if where is None:
        return build()
    key = _key(directories)
    if key is None:  # a directory is missing or unreadable: `build` names it
        return build()
    entry = where / f"catalog-{key}.pickle"
    found = _read(entry)
    if found is not None:
        return found
    catalog = build()
    _write(where, entry, catalog)
    return catalog


def _key(directories: list[Path]) -> str | None:
    digest = hashlib.sha256()
    digest.update(f"{preflight.__version__}\0{sys.version}\0{pickle.HIGHEST_PROTOCOL}\0".encode())
    digest.update(_code_stamp())
    try:
        for directory in directories:
            digest.update(f"\0dir {directory}\0".encode())
            for path in rule_files(directory):
                data = path.read_bytes()
                digest.update(f"\0file {path} {len(data)}\0".encode())
                digest.update(data)
    except (CatalogError, OSError):  # the uncached load reports it, naming the file
        return None
    return digest.hexdigest()


def _code_stamp() -> bytes:
    """Name, size and modification time of every preflight source file: an edited engine is a new key."""
    parts: list[str] = []
    pending = [os.path.dirname(preflight.__file__)]
    while pending:  # os.scandir: a third of the time of Path.rglob over the ~200 files
        with contextlib.suppress(OSError), os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                elif entry.name.endswith(".py"):
                    stat = entry.stat()
                    parts.append(f"{entry.path} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(sorted(parts)).encode()


def _read(entry: Path) -> Catalog | None:
    try:
        with entry.open("rb") as handle:
            if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                return None  # only ever unpickle what this user wrote
            found = pickle.load(handle)  # the user's own cache, written by `_write`
    except Exception:  # missing, truncated, corrupt, or classes this version no longer has: rebuild
        return None
    return found if isinstance(found, Catalog) else None


def _write(where: Path, entry: Path, catalog: Catalog) -> None:
    """Store `catalog` atomically (a reader sees the whole entry or none), then drop the oldest entries."""
    temporary = None
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".catalog-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(catalog, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
        temporary = None
        entries = sorted(where.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # a read-only or full disk, a catalog that cannot pickle: this run goes uncached
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
