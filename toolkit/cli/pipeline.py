"""`corpus sync` and `corpus demo`: the stages strung together (toolkit.workflows)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..corpus import DEFAULT_CORPUS
from ..schema import load_schema
from ..studio.connection import connect
from .adjudicate import show_tab
from .agree import show_agreement, show_competence
from .build import show_build
from .ingest import summary_line
from .model import show_training
from .options import ApiKeyOption, UrlOption
from .output import (
    err_console,
    out_console,
    output_folder,
    print_findings,
    progress_bar,
    say,
)
from .pull import show_pull
from .push import show_push, show_slice
from .suggest import show_suggest
from .validate import show_validation

if TYPE_CHECKING:
    from ..workflows.learn import ModelRun
    from ..workflows.sync import SyncResult

ROWS_SHOWN = 3


def _step(title: str) -> None:
    out_console.print()
    out_console.rule(f"[bold]{title}", align="left")


def show_sync(result: SyncResult, url: str, *, annotated: str | None = None) -> None:
    """Each stage's summary, in order, as the stage commands print them."""
    if result.ingest is not None:
        _step("Ingest")
        print_findings(result.ingest.report.findings)
        out_console.print(summary_line(result.ingest), markup=False)
        counts = result.ingest.report.counts
        if counts["merge_added"] or counts["merge_updated"]:
            out_console.print(
                f"Merged into the corpus: {counts['merge_added']} new articles, "
                f"{counts['merge_updated']} updated", markup=False)
        if result.ingest.unreadable:
            err_console.print(f"Could not read: {', '.join(result.ingest.unreadable)}",
                              markup=False)
    _step("Push")
    if result.slice is not None:
        show_slice(result.slice)
    show_push(result.push, url)
    if annotated:
        _step("Demo annotations")
        out_console.print(annotated, markup=False)
    _step("Pull")
    show_pull(result.pull)
    _step("Validate")
    show_validation(result.validation)
    _step("Agreement")
    show_agreement(result.agreement)
    if result.competence is not None:
        show_competence(result.competence)
    _step("Build")
    show_build(result.build)
    if result.model is not None:
        _step("Model")
        show_model_run(result.model)
    if result.report is not None:
        out_console.print(f"Report written to {result.report}", markup=False)
    if result.adjudication is not None:
        _step("Adjudication")
        show_tab(result.adjudication)


def show_model_run(run: ModelRun) -> None:
    """The model's figures, its predictions and the suggestions, or why a step was
    skipped (one line each)."""
    if run.trained is not None:
        show_training(run.trained)
    if run.saved is not None:
        out_console.print(f"Model {run.trained.version if run.trained else '?'} saved to "
                          f"{run.saved}/", markup=False)
    if run.predicted is not None:
        p = run.predicted
        out_console.print(f"Predictions: {p.written} units written to {p.path} ({p.decided} "
                          "decided left out)", markup=False)
    if run.suggested is not None:
        show_suggest(run.suggested, run.predicted.path if run.predicted else Path("-"))
    for line in run.skipped:
        out_console.print(f"Skipped: {line}", markup=False)


def sync_command(
    inputs: list[Path] = typer.Argument(
        None, metavar="[INPUT]...", help="New raw pages / JSONL / CSV to ingest first "
        "(the corpus is re-ingested from them); none: use the existing corpus."),
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus JSONL."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Dataset folder (default: exports/<schema>/dataset)."),
    full: bool = typer.Option(False, "--full", help="Pull every task, not only changes."),
    slice_size: int | None = typer.Option(
        None, "--slice", min=1, metavar="N",
        help="Push only the next N units, most uncertain first by the last model's "
        "predictions, after opening weak items for another answer (default: all new units)."),
    model: bool = typer.Option(
        True, "--model/--no-model",
        help="Train the baseline model on the new snapshot, predict the undecided units and "
        "attach the predictions as suggestions (each step skipped with one line when it has "
        "nothing to do)."),
    url: str | None = UrlOption,
    api_key: str | None = ApiKeyOption,
) -> None:
    """The daily loop: ingest, push, pull, validate, agree, build, train, suggest.

    New inputs are merged into the corpus (an article met again under its id is
    updated, e.g. a re-scraped page with more comments). Idempotent: nothing is
    imported twice, each run writes a new snapshot (incremental when an earlier
    one exists) and rebuilds the dataset from it. Exit status 2 when an input
    could not be read, 1 when validation found errors (their items are rejected
    from the dataset with the reason) or the balance does not add up, else 0.

    With --slice N the push imports only the next N units in priority order (the
    previous run's predictions), so Label Studio's stream hands annotators the most
    useful tasks first; the model's steps then train on the new snapshot, predict the
    units not decided yet and pre-fill them for annotators.

    Example: corpus sync raw/ --schema schemas/comment_stance.yaml

    Example: corpus sync --schema schemas/comment_stance.yaml --slice 200
    """
    from ..workflows.sync import sync  # imports `datasets`: only when syncing

    schema = load_schema(schema_path)
    if out is not None:
        out = output_folder(out, "--out")
    studio = connect(url, api_key, say=say)
    try:
        with progress_bar("push") as push_progress, progress_bar("pull") as pull_progress:
            result = sync(
                schema, studio, inputs=inputs or [], corpus_path=corpus, dataset_dir=out,
                full_pull=full, say=say, push_progress=push_progress,
                pull_progress=pull_progress, slice_size=slice_size, model=model,
            )
    finally:
        studio.close()
    show_sync(result, studio.url)
    raise typer.Exit(result.exit_code)


def demo_command(
    port: int = typer.Option(8080, "--port", help="Port of the local Label Studio."),
) -> None:
    """Run the whole pipeline on samples/ with a local Label Studio and demo annotations.

    Starts (or reuses) the local Label Studio, ingests the input files of
    samples/, pushes the comment_stance tasks under the demo's name (its schema
    written to exports/demo/comment_stance_demo.yaml), submits the hand-written
    DEMO annotations of three demo annotator accounts
    (samples/demo_annotations.yaml), pulls, validates, prints agreement, builds
    the dataset, loads it back with `datasets.load_dataset`, prints the commands
    that redo each stage by hand, and ends with the URL and login to annotate
    more. Safe to run again.

    Example: corpus demo
    """
    from ..workflows.demo import run_demo  # imports `datasets`: only for the demo

    result = run_demo(port=port, say=say)
    annotated = (
        f"{result.annotated.created} DEMO annotations submitted "
        f"({result.annotated.already_present} were already there) by "
        f"{', '.join(sorted(result.annotated.annotators))}, from {result.annotations_path}. "
        "These are demo annotations written by the toolkit's developers, not research data."
    )
    show_sync(result.sync, result.server_url, annotated=annotated)
    _step("Loaded back with datasets.load_dataset")
    folder = result.sync.build.folder
    out_console.print(f"datasets.load_dataset({str(folder)!r})", markup=False)
    out_console.print(repr(result.dataset), markup=False)
    for line in result.sample_rows(ROWS_SHOWN):
        out_console.print(line, markup=False)
    _step("Each stage by hand")
    out_console.print(
        f"The demo's schema is {result.schema_path} (the shipped one under the demo's "
        "name). These commands redo each stage on the demo's files:", markup=False)
    for command in result.redo_commands():
        out_console.print(f"  {command}", markup=False)
    _step("Annotate more")
    project = result.sync.push.project_id
    out_console.print(f"Label Studio: {result.server_url}/projects/{project}/data", markup=False)
    login = (f"Log in as {result.login_email}; the password is in {result.credentials_path} "
             "(readable only by you)." if result.credentials_path
             else "Log in with your Label Studio account.")
    todo = (f"Annotate comment {result.comment_to_annotate} (it has one annotation too few for "
            "the schema's minimum; yours completes it)" if result.comment_to_annotate
            else "Annotate a comment")
    out_console.print(
        f"{login} {todo}, then run `make demo` again to pull your annotations into the "
        "dataset.",
        markup=False,
    )
    out_console.print("Stop the server with `corpus studio down`.", markup=False)
    if result.sync.report is not None:
        _step("Report")
        out_console.print(f"Open the project's report in a browser: {result.sync.report}",
                          markup=False)


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_command)
    app.command("demo")(demo_command)
