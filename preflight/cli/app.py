"""The `preflight` command: one typer app, one top-level error handler."""

from __future__ import annotations

import contextlib
import importlib
import signal
import sys
from collections.abc import Iterable
from types import FrameType
from typing import Any

import typer

from preflight import __version__
from preflight.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from preflight.cli.helptext import plain_help
from preflight.errors import PreflightError
from preflight.safe_text import visible

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer depends on click
    from click.exceptions import ClickException  # type: ignore[assignment]

COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "check"), "report": ("report", "report"), "validate": ("validate", "validate"),
    "schema": ("validate", "schema"), "collect": ("collect", "collect"), "collector": ("collector", "collector"),
    "verify": ("verify", "verify"), "drill": ("drill", "drill"), "diff": ("diff", "diff"),
    "import": ("import_", "import_"), "rules": ("rules", "rules_app"), "waivers": ("waivers", "waivers_app"),
}
"""Each command, in the order the help lists them: (module under preflight.cli, the function or sub-app)."""


def build_app(names: Iterable[str] = COMMANDS) -> typer.Typer:
    """The typer app with the commands `names` (by default all of them); each command's module is imported here."""
    app = typer.Typer(
        name="preflight",
        help="Pre-flight validation and upgrade readiness for Windows Server / Hyper-V / VMM estates.",
        epilog=EXIT_CODES_HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # plain click help: rich help imports rich.markdown, markdown_it and rich.traceback (~0.06 s) and renders
        # panels (~0.03 s) on every --help; the goal is <= 0.15 s over `python -c pass` (benchmarks/README.md)
        rich_markup_mode=None,
    )
    for name in names:
        module, attribute = COMMANDS[name]
        target = getattr(importlib.import_module(f"preflight.cli.{module}"), attribute)
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        else:
            app.command(name=name)(target)
    app.callback()(_root)
    return app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"preflight {__version__}")
        raise typer.Exit()


def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version.")) -> None:
    """Pre-flight validation and upgrade readiness for Windows Server / Hyper-V / VMM estates."""


def command(argv: list[str] | None = None) -> Any:
    """The command tree as run: every value labelled for a user (FILE, FORMAT), an example per command.

    Given the command line, only the command it names is built (and its module imported): a run of `check`
    does not pay for the other eleven. Without one (or with `--help`, `--version`, a typo), the whole tree.
    """
    named = next((arg for arg in argv or () if not arg.startswith("-")), None)
    return plain_help(typer.main.get_command(build_app([named] if named in COMMANDS else COMMANDS)))


def __getattr__(name: str) -> Any:
    """`app`: the whole typer app (for typer's CliRunner), built on first use."""
    if name == "app":
        return build_app()
    raise AttributeError(name)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: unwind (every `finally` removes its temporary files), then exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map every error to a one-line message and an exit code.

    A usage error or a `PreflightError` is bad input (2); Ctrl-C is 130 and SIGTERM 143; anything else is
    a bug (3). No traceback reaches the user, and every message goes through `visible`: a file name or a
    value can carry escape sequences, and the terminal must show them, not obey them.
    """
    previous = _install_signal_handlers()
    try:
        return _run(argv)
    finally:
        for signum, handler in previous.items():
            # the installed command is about to exit: a late signal just ends it (no KeyboardInterrupt
            # traceback); an in-process caller (argv given) gets its own handlers back
            signal.signal(signum, handler if argv is not None else signal.SIG_DFL)


def _run(argv: list[str] | None) -> int:
    try:
        code = command(sys.argv[1:] if argv is None else argv)(args=argv, prog_name="preflight", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else ExitCode.BAD_INPUT)
    except ClickException as exc:
        return _usage_error(exc)
    except PreflightError as exc:
        return _say(f"error: {exc}", ExitCode.BAD_INPUT)
    except BrokenPipeError:
        from preflight.cli.output import silence_stdout

        silence_stdout()
        return _say("error: standard output: the reader closed the pipe (broken pipe)", ExitCode.BAD_INPUT)
    except (Interrupted, KeyboardInterrupt) as exc:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the message short
            _ignore(signum)
        if isinstance(exc, Interrupted) and exc.signum == signal.SIGTERM:
            return _say("terminated", ExitCode.TERMINATED)
        return _say("interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:
        return _say(f"internal error: {type(exc).__name__}: {exc} "
                    "(please report this with the command line and the snapshot)", ExitCode.INTERNAL_ERROR)
    return code if isinstance(code, int) else ExitCode.GO


def _usage_error(exc: ClickException) -> int:
    """Typer's usage errors, as one line (they quote the user's arguments, so through `visible` too)."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # no command given: the help is the message, on standard output
        typer.echo(exc.format_message())
        return exc.exit_code
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return _say(f"error: {exc.format_message()}{hint}", ExitCode.BAD_INPUT)


def _say(message: str, code: int) -> int:
    """Print `preflight: message` as one visible line on stderr and return `code`."""
    try:
        sys.stderr.write(f"preflight: {visible(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr is gone: the exit code is all that is left to say it
    return code


def _ignore(signum: int) -> None:
    with contextlib.suppress(ValueError):  # not the main thread: nothing was installed either
        signal.signal(signum, signal.SIG_IGN)


def _install_signal_handlers() -> dict[int, Any]:
    """Make SIGINT and SIGTERM raise `Interrupted` (only the main thread may install handlers)."""
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, _interrupt)
        except ValueError:
            break
    return previous
