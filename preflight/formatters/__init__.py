"""Output formats. Importing this package registers every built-in formatter."""

from preflight.formatters import html, json_format, junit, markdown, sarif, text  # noqa: F401 - registration
from preflight.formatters.registry import FORMATTERS, Formatter, formatter_for_path, get_formatter

__all__ = ["FORMATTERS", "Formatter", "formatter_for_path", "get_formatter"]
