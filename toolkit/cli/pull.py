"""`corpus pull`: a snapshot of every task and annotation (thin: see toolkit.studio.pull)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UsageError
from ..paths import DEFAULT_LEDGER_DIR
from ..schema import load_schema
from ..studio import pull as pulling
from ..studio.connection import connect
from .options import ApiKeyOption, UrlOption
from .output import out_console, progress_bar, say


def pull(
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    out_dir: Path | None = typer.Option(
        None, "--out-dir", help="Snapshot folder (default: exports/<schema>/snapshots)."
    ),
    full: bool = typer.Option(
        False, "--full", help="Read every task, even when a previous snapshot allows an "
        "incremental pull (only the tasks changed since)."
    ),
    page_size: int = typer.Option(
        pulling.DEFAULT_PAGE_SIZE, "--page-size", min=1,
        help="Tasks per Data Manager page (--source pages).",
    ),
    workers: int = typer.Option(
        pulling.DEFAULT_WORKERS, "--workers", min=1,
        help="Requests in parallel (gains on a multi-process server: corpus studio up "
        "--workers 2).",
    ),
    source: str = typer.Option(
        pulling.DEFAULT_SOURCE, "--source",
        help="Where tasks are read: 'export' (Label Studio's export, in chunks of task ids; "
        "fastest) or 'pages' (Data Manager pages of --page-size; predictions inline).",
    ),
    ledger_dir: Path = typer.Option(
        DEFAULT_LEDGER_DIR, "--ledger-dir", help="Where push keeps its ledgers (project lookup)."
    ),
    url: str | None = UrlOption,
    api_key: str | None = ApiKeyOption,
) -> None:
    """Save every task of the schema's project, with its annotations, as a snapshot.

    Drafts and cancelled annotations are kept and counted. Incremental when an
    earlier snapshot exists: only tasks changed since are read, and merged.

    Example: corpus pull --schema schemas/comment_stance.yaml
    """
    if source not in pulling.SOURCES:
        raise UsageError(f"--source {source!r} is not one of: {', '.join(pulling.SOURCES)}")
    schema = load_schema(schema_path)
    studio = connect(url, api_key, say=say)
    try:
        with progress_bar("pull") as on_progress:
            result = pulling.pull(
                schema, studio, out_dir=out_dir, full=full, page_size=page_size,
                workers=workers, source=source, ledger_dir=ledger_dir,
                on_progress=on_progress, say=say,
            )
    finally:
        studio.close()
    show_pull(result)


def show_pull(result: pulling.PullResult) -> None:
    """The snapshot's path, project, mode and counts, on stdout."""
    counts = result.counts
    header = result.header
    how = result.mode
    if result.mode == "incremental":
        how += f" ({result.fetched} changed tasks read, merged into {header.get('base')})"
    out_console.print(f"Snapshot: {result.path}", markup=False)
    out_console.print(
        f"Project {header['project_id']} {header['project_title']!r} at {header['server']}; "
        f"mode: {how}",
        markup=False,
    )
    out_console.print(
        f"Tasks: {counts.get('tasks', 0)}, annotations: {counts.get('annotations', 0)}, "
        f"drafts: {counts.get('drafts', 0)}, cancelled: {counts.get('cancelled', 0)}; "
        f"{result.seconds:.1f} s",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("pull")(pull)
