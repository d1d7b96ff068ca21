"""Progress on standard error for long runs: only on a terminal, never with --quiet."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from preflight.safe_text import visible_markup

if TYPE_CHECKING:
    from rich.progress import TaskID

    from preflight.pipeline import Progress as ProgressFn


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[ProgressFn | None]:
    """Yield a progress callback drawing a bar on stderr, or None when quiet or not a TTY."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # rich only draws a bar on a terminal
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = {"load": "loading snapshots", "evaluate": "evaluating rules"}.get(stage, stage)
                tasks[stage] = bar.add_task(visible_markup(label), total=total)  # a stage may name a file: data
            bar.update(tasks[stage], completed=done, total=total)

        yield update
