"""Output formats. Every built-in formatter is registered; its module is imported when first used."""

from preflight.formatters.registry import FORMATTERS, Formatter, formatter_for_path, get_formatter

__all__ = ["FORMATTERS", "Formatter", "formatter_for_path", "get_formatter"]
