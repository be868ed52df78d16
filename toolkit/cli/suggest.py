"""`corpus suggest`: a model's predictions pre-filled for annotators on tasks already in
Label Studio (thin: see toolkit.workflows.next_up and toolkit.studio.suggest)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..paths import DEFAULT_LEDGER_DIR
from ..schema import load_schema
from ..studio.connection import connect
from ..studio.lock import DEFAULT_LOCK_TIMEOUT
from ..workflows.next_up import SuggestRun
from ..workflows.next_up import suggest as suggest_run
from .options import ApiKeyOption, UrlOption
from .output import err_console, out_console, say


def suggest(
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    predictions: Path = typer.Option(
        ..., "--predictions", metavar="FILE", exists=True, dir_okay=False,
        help="JSONL of {corpus_key, model_version, score?, result} (corpus model predict "
        "writes it; any model's file in that format works)."),
    ledger_dir: Path = typer.Option(
        DEFAULT_LEDGER_DIR, "--ledger-dir", help="Where push keeps its key -> task id ledgers."
    ),
    lock_timeout: float = typer.Option(
        DEFAULT_LOCK_TIMEOUT, "--lock-timeout", min=0, metavar="SECONDS",
        help="How long to wait for a push of the same schema (on this machine) to finish."),
    url: str | None = UrlOption,
    api_key: str | None = ApiKeyOption,
) -> None:
    """Show a model's answers pre-filled to annotators, on the tasks already pushed.

    Each prediction becomes a Label Studio prediction (its model_version and score)
    of the task its corpus_key was pushed as; the labeling UI pre-fills it, and the
    annotator keeps or changes it. Questions with `suggest: false` (by default spans
    and free text) are left out. Safe to repeat: a task already holding a prediction
    of that model version gets nothing; a new model version is added and shown (the
    old one stays on the task, hidden). Tasks not pushed yet or already finished are
    skipped. Also rewrites the tab "Next up (N)": the open tasks with a suggestion,
    least confident first.

    Example: corpus suggest --schema schemas/comment_stance.yaml --predictions preds.jsonl
    """
    schema = load_schema(schema_path)
    studio = connect(url, api_key, say=say)
    try:
        run = suggest_run(schema, studio, predictions, ledger_dir=ledger_dir,
                          lock_timeout=lock_timeout, say=say)
    finally:
        studio.close()
    show_suggest(run, predictions)


def show_suggest(run: SuggestRun, predictions: Path) -> None:
    """What was left out on stderr; attached, skipped and the tab on stdout."""
    found = run.suggestions
    if found.results_off:
        err_console.print(
            f"{predictions}: {found.results_off} answer(s) to questions with suggestions "
            f"off ({', '.join(found.off_questions)}) left out of the suggestions"
            + (f"; {found.emptied} unit(s) had nothing else and got no suggestion"
               if found.emptied else ""), markup=False, soft_wrap=True)
    if found.results_unknown:
        err_console.print(
            f"{predictions}: {found.results_unknown} answer(s) name no question of the "
            "schema (from_name); left out", markup=False, soft_wrap=True)
    out_console.print(
        f"Suggestions: {found.attached} attached to project {found.project_id}; skipped "
        f"{found.skipped}: {found.already} already there (same model_version), "
        f"{found.not_on_server} not on the server (push them first), {found.decided} on "
        "finished tasks", markup=False)
    if found.model_version is not None:
        shown = "now shown" if found.version_changed else "shown"
        out_console.print(f"Model version {found.model_version!r} {shown} to annotators",
                          markup=False)
    if run.tab is not None:
        out_console.print(f"Tab {run.tab.title!r}: {run.tab.url}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest)
