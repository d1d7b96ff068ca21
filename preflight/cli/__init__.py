"""Thin command-line layer: one module per command, shared options in `options`."""

from typing import Any

from preflight.cli.app import main

# importing the submodule bound `preflight.cli.app` to it; the name stands for the typer app, as it always has
globals().pop("app", None)

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    """`app`, the whole typer app, is built on first use: a run builds only the command it names."""
    if name == "app":
        from preflight.cli.app import build_app

        return build_app()
    raise AttributeError(name)
