"""`corpus adjudicate`: the items to decide, as a tab in the schema's Label Studio project."""

from __future__ import annotations

from pathlib import Path

import typer

from ..paths import DEFAULT_LEDGER_DIR
from ..schema import load_schema
from ..studio.adjudicate import AdjudicationTab
from ..studio.connection import connect
from ..workflows.adjudicate import adjudicate as adjudicate_tab
from .options import ApiKeyOption, UrlOption
from .output import out_console, progress_bar, say


def adjudicate(
    snapshot: Path | None = typer.Argument(
        None, help="A snapshot written by `corpus pull` (default: the newest of the project)."),
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    ledger_dir: Path = typer.Option(
        DEFAULT_LEDGER_DIR, "--ledger-dir", help="Where push keeps its ledgers (project lookup)."
    ),
    snapshot_dir: Path | None = typer.Option(
        None, "--snapshot-dir", metavar="DIR",
        help="Where to find the newest snapshot without SNAPSHOT: pull's --out-dir "
        "(default exports/<schema>/snapshots)."),
    url: str | None = UrlOption,
    api_key: str | None = ApiKeyOption,
) -> None:
    """Show the items to adjudicate in Label Studio, as the tab "Adjudicate (N)".

    The tab of the schema's project is filtered to exactly the tasks the snapshot
    leaves unresolved (no majority; under rule dawid_skene also those below
    annotation.min_confidence), and rewritten on every run (and by `corpus sync`).
    An adjudicator opens it, and on each task either submits their own answer (an
    account listed in the schema's annotation.adjudicators) or marks the right
    annotation as ground truth; the next pull and build take that answer.

    Example: corpus adjudicate --schema schemas/comment_stance.yaml
    """
    schema = load_schema(schema_path)
    studio = connect(url, api_key, say=say)
    try:
        with progress_bar("reading the snapshot") as on_progress:
            tab = adjudicate_tab(schema, studio, snapshot, snapshot_dir=snapshot_dir,
                                 ledger_dir=ledger_dir, on_progress=on_progress)
    finally:
        studio.close()
    show_tab(tab)


def show_tab(tab: AdjudicationTab) -> None:
    """The tab's title, how many tasks it holds, and where to open it, on stdout."""
    line = f"Tab {tab.title!r} {'created' if tab.created else 'updated'}: {len(tab.task_ids)} " \
        f"task(s) to adjudicate"
    if not tab.complete:
        line += f" of {tab.total} (decide these, pull, and run again for the rest)"
    out_console.print(line, markup=False)
    for task, reason in sorted(tab.reasons.items()):
        out_console.print(f"  task {task}: {reason}", markup=False)
    out_console.print(f"Open: {tab.url}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("adjudicate")(adjudicate)
