"""Where the CLI writes: data and summaries to stdout, findings, progress and errors to stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_findings(findings, *, limit: int | None = None) -> None:
    """Print each finding as its one clear line on stderr (errors red, warnings yellow)."""
    style = {"error": "red", "warning": "yellow", "info": "dim"}
    shown = findings if limit is None else findings[:limit]
    for finding in shown:
        err_console.print(finding.line(), style=style.get(finding.level), markup=False)
    if limit is not None and len(findings) > limit:
        err_console.print(f"... and {len(findings) - limit} more (see the JSON report)")


def write_json_report(path: Path, report: Any, *, announce: bool = True) -> None:
    """Write a report's ``to_dict()`` as indented JSON (the --json / --report option),
    creating the folder; ``announce`` says where on stderr."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
    if announce:
        err_console.print(f"Report written to {path}")


def say(line: str) -> None:
    """A progress or status line on stderr, printed as is (no rich markup)."""
    err_console.print(line, markup=False)


@contextmanager
def progress_bar(
    label: str, *, min_total: int = 1
) -> Iterator[Callable[[int, int | None], None]]:
    """Yields ``on_progress(done, total)`` for a library call.

    The first call with a total of at least ``min_total`` starts a transient rich
    bar on stderr (label, bar, done/total, time left); later calls move it; it is
    stopped when done reaches the total, or when the block exits (also on an
    error). No total, no bar.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar: Progress | None = None
    task = None

    def on_progress(done: int, total: int | None) -> None:
        nonlocal bar, task
        if bar is None:
            if not total or total < min_total:
                return
            bar = Progress(
                "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=err_console, transient=True,
            )
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total or None)
        if total and done >= total:  # finished: let the next stage show its own bar
            bar.stop()
            bar = None

    try:
        yield on_progress
    finally:
        if bar is not None:
            bar.stop()
