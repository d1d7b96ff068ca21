"""Output formats. Importing this package registers every built-in formatter."""

from preflight.formatters import html, junit, markdown, sarif  # noqa: F401 - first, so '.sarif.json' beats '.json'
from preflight.formatters import json_format, text  # noqa: F401 - registration
from preflight.formatters.registry import FORMATTERS, Formatter, formatter_for_path, get_formatter

__all__ = ["FORMATTERS", "Formatter", "formatter_for_path", "get_formatter"]
