"""Command output that never destroys and never leaves half a file.

Everything is rendered in memory first. Standard output (`-o -` or no `-o`), a device, a FIFO or a
`/dev/stdout`-style name is then written in place; a regular file is staged next to its target (fsynced)
and renamed over it, and a command with several outputs renames only once every file is staged, so it
writes all or none. Environment failures become one-line `PreflightError`s naming the file.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from preflight.errors import PreflightError
from preflight.formatters import Formatter, formatter_for_path, get_formatter

Writer = Callable[[TextIO], object]
"""Renders one output into a stream (a return value, such as `write`'s count, is ignored)."""
STDOUT = Path("-")
_TEMP_PREFIX, _TEMP_SUFFIX = ".preflight-", ".tmp"  # short: a 250-character output name still fits


def is_stdout(path: Path | None) -> bool:
    """True when `path` means standard output (no `-o`, or `-o -`)."""
    return path is None or str(path) == "-"


def choose_formatter(format: str | None, output: Path | None, default_format: str) -> Formatter:
    """`--format` if given, else the one the output file's extension names; `default_format` for a stream.

    A file name with no known extension is an error listing the known ones (never a silent default).
    """
    if format:
        return get_formatter(format)
    if output is None or is_stdout(output) or _written_in_place(output):
        return get_formatter(default_format)
    return formatter_for_path(str(output))


def check_outputs(outputs: Mapping[str, Path | None], inputs: Sequence[Path]) -> None:
    """Before anything runs: PreflightError for an output naming an input or another output, a directory,
    or a file in a directory that does not exist.

    `outputs` maps an option (``-o``, ``--script``) to its path; None is "not written" except for ``-o``,
    where it is standard output. Files are compared by device and inode when they exist, else by real
    path; character devices (/dev/null, a terminal) never clash.
    """
    seen: list[tuple[str, Path, object]] = []
    for option, path in outputs.items():
        if path is None and option != "-o":
            continue
        path = path or STDOUT
        if not is_stdout(path) and not _written_in_place(path):
            _target(path)
        identity = _identity(path)
        for source in inputs:
            if identity == _identity(source) and not _is_char_device(path):
                raise PreflightError(f"{option} {path}: is the input {source}; refusing to overwrite an input")
        for other_option, other, other_identity in seen:
            if is_stdout(path) and is_stdout(other):
                raise PreflightError(f"{option} -: standard output already takes the output of {other_option}; "
                                     "give each output its own file")
            if identity == other_identity and not _is_char_device(path):
                raise PreflightError(f"{option} {path}: {other_option} {other} writes there too; "
                                     "give each output its own file")
        seen.append((option, path, identity))


def emit(write: Writer, output: Path | None) -> None:
    """Render with `write`, then send it to standard output, write it in place or replace the file."""
    emit_all([(write, output)])


def emit_all(outputs: Sequence[tuple[Writer, Path | None]]) -> None:
    """Write several outputs all or none: render all, stage every file, write the streams, then rename."""
    files: list[tuple[str, Path]] = []
    streams: list[tuple[str, Path | None]] = []
    for write, path in outputs:
        if path is None or is_stdout(path) or _written_in_place(path):
            streams.append((_render(write, _is_terminal(path)), path))
        else:
            files.append((_render(write, False), path))
    staged: list[tuple[str, Path, Path]] = []  # (temporary name, target, name the user gave)
    try:
        for text, path in files:
            _stage(text, path, staged)
        for text, path in streams:
            _write_stream(text, path)
        with _signals_blocked():
            while staged:
                temp, target, given = staged[0]
                try:
                    os.replace(temp, target)
                except OSError as exc:
                    raise _environment_error(given, exc) from None
                staged.pop(0)
                _sync_directory(target.parent)
    finally:
        with _signals_blocked():
            for temp, _, _ in staged:
                Path(temp).unlink(missing_ok=True)


class _Buffer(io.StringIO):
    """The in-memory render of an output, answering `isatty()` for the stream it will be written to."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal


def _render(write: Writer, terminal: bool) -> str:
    """Run `write` into memory; `terminal` tells a formatter that may colour that the text goes to a terminal."""
    buffer = _Buffer(terminal)
    write(buffer)
    return buffer.getvalue()


def _is_terminal(path: Path | None) -> bool:
    """True when the text for `path` goes to standard output and that is a terminal (a device named
    with -o is written as plain text: opening it just to ask could have side effects)."""
    try:
        return (path is None or is_stdout(path)) and sys.stdout.isatty()
    except (OSError, ValueError):
        return False


def _stage(text: str, given: Path, staged: list[tuple[str, Path, Path]]) -> None:
    """Write `text` to a fresh, fsynced temporary file beside the target and record it in `staged`."""
    target = _target(given)
    mode = _existing_mode(given, target)
    try:
        with _signals_blocked():  # between mkstemp and the record a signal would leak the temporary file
            handle, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=target.parent)
            staged.append((temp, target, given))
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8", "backslashreplace"))  # an undecodable file name becomes \udcXX
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
    except OSError as exc:
        raise _environment_error(given, exc) from None


def _target(given: Path) -> Path:
    """The regular file `given` names, through symlinks (the link stays, its target is replaced)."""
    target = Path(os.path.realpath(given))
    if target.is_dir():
        raise PreflightError(f"{given}: is a directory")
    if not target.parent.is_dir():
        raise PreflightError(f"{given}: directory {target.parent} does not exist")
    return target


def _existing_mode(given: Path, target: Path) -> int:
    """The mode of the file being replaced (keep a 0600 report private), else 0666 minus the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        current = os.umask(0)
        os.umask(current)
        return 0o666 & ~current
    except OSError as exc:
        raise _environment_error(given, exc) from None


def _write_stream(text: str, path: Path | None) -> None:
    """Write to standard output, or append to a device, FIFO or inherited descriptor without replacing it."""
    stream = sys.stdout if path is None or is_stdout(path) else _standard_stream(path)
    if stream is None:
        assert path is not None
        try:
            with open(path, "ab") as handle:  # append: never truncate what a shell's >> redirection holds
                handle.write(text.encode("utf-8", "backslashreplace"))
        except OSError as exc:
            raise _environment_error(path, exc) from None
        return
    encoding = stream.encoding or "utf-8"
    with writing_stdout(stream):
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


@contextmanager
def writing_stdout(stream: TextIO | None = None) -> Iterator[None]:
    """Write to standard output (or `stream`) in the block and flush; a failure is one line, not a traceback.

    A closed pipe (`preflight ... | head -c1`) or a full disk behind a redirection is an environment
    error: `PreflightError`, with descriptor 1 pointed at /dev/null so the interpreter's exit is quiet.
    """
    stream = stream or sys.stdout
    try:
        yield
        stream.flush()
    except OSError as exc:
        if stream is sys.stdout:
            silence_stdout()
        name = "standard error" if stream is sys.stderr else "standard output"
        raise PreflightError(f"{name}: cannot write: {_reason(exc)}") from None


def _standard_stream(path: Path) -> TextIO | None:
    """sys.stdout or sys.stderr when `path` is the regular file descriptor 1 or 2 writes to, else None.

    `-o /dev/stdout > log` must write where the shell's redirection points (at its offset, not truncating).
    """
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        try:
            info = os.stat(path)
            if stat.S_ISREG(info.st_mode) and os.path.samestat(info, os.fstat(fd)):
                return stream
        except OSError:
            continue
    return None


def silence_stdout() -> None:
    """Point descriptor 1 at /dev/null so the interpreter's final flush cannot fail on a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # stdout is not a real descriptor (tests capture it): nothing to flush later


def _written_in_place(path: Path) -> bool:
    """True for a device, FIFO or socket, and for a name that reaches a descriptor through /proc or /dev/fd.

    Renaming over those would replace the device node or the shell's redirection with a regular file.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _environment_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise PreflightError(f"{path}: is a directory")
    if not stat.S_ISREG(info.st_mode):
        return True
    current = os.path.abspath(path)
    for _ in range(40):  # the symlink chain of the name itself: /dev/stdout -> /proc/self/fd/1 -> the file
        if current.startswith(("/proc/", "/dev/fd/")):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
    return False


def _identity(path: Path) -> object:
    if is_stdout(path):
        try:
            info = os.fstat(1)
            return (info.st_dev, info.st_ino)
        except OSError:
            return "stdout"
    try:
        info = os.stat(path)
        return (info.st_dev, info.st_ino)
    except OSError:
        return os.path.realpath(path)


def _is_char_device(path: Path) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode) if not is_stdout(path) else stat.S_ISCHR(os.fstat(1).st_mode)
    except OSError:
        return False


def _sync_directory(directory: Path) -> None:
    """fsync the directory so the rename itself survives a crash (best effort: not every FS allows it)."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _environment_error(given: Path, exc: OSError) -> PreflightError:
    return PreflightError(f"{given}: cannot write: {_reason(exc)}")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EPIPE:
        return "the reader closed the pipe (broken pipe)"
    return os.strerror(exc.errno) if exc.errno else str(exc)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, so a rename or a cleanup is never cut in half."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
