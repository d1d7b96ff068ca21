"""The `preflight` command: one typer app, one top-level error handler."""

from __future__ import annotations

import sys

import typer

from preflight import __version__
from preflight.cli.check import check
from preflight.cli.collect import collect
from preflight.cli.drill import drill
from preflight.cli.exit_codes import EXIT_CODES_HELP, ExitCode
from preflight.cli.report import report
from preflight.cli.rules import rules_app
from preflight.cli.validate import schema, validate
from preflight.cli.verify import verify
from preflight.errors import PreflightError

app = typer.Typer(
    name="preflight",
    help="Pre-flight validation and upgrade readiness for Windows Server / Hyper-V / VMM estates.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(check)
app.command()(report)
app.command()(validate)
app.command()(schema)
app.command()(collect)
app.command()(verify)
app.command()(drill)
app.add_typer(rules_app, name="rules")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"preflight {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version.")) -> None:
    """Pre-flight validation and upgrade readiness for Windows Server / Hyper-V / VMM estates."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map every error to a one-line message and an exit code.

    Usage errors are reported by typer itself (exit code 2); a `PreflightError` is bad input (2);
    anything else is a bug (3). No traceback reaches the user.
    """
    try:
        app(args=argv, prog_name="preflight")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else ExitCode.BAD_INPUT)
    except PreflightError as exc:
        sys.stderr.write(f"preflight: error: {exc}\n")
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("preflight: interrupted\n")
        return ExitCode.INTERNAL_ERROR
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into exit code 3
        sys.stderr.write(f"preflight: internal error: {type(exc).__name__}: {exc}\n"
                         "Please report this with the command line and the snapshot.\n")
        return ExitCode.INTERNAL_ERROR
    return ExitCode.GO
