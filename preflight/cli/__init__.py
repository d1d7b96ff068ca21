"""Thin command-line layer: one module per command, shared options in `options`."""

from preflight.cli.app import app, main

__all__ = ["app", "main"]
