"""`corpus push`: the corpus's units as Label Studio tasks (thin: see toolkit.studio.push)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UsageError
from ..paths import DEFAULT_CORPUS, DEFAULT_LEDGER_DIR, default_tasks_file
from ..schema import load_schema
from ..studio import push as pushing
from ..studio.connection import connect
from ..studio.lock import DEFAULT_LOCK_TIMEOUT
from ..workflows.next_up import SliceResult, ordering, push_slice
from .options import ApiKeyOption, UrlOption
from .output import keeping, out_console, output_file, print_findings, progress_bar, say


def push(
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus JSONL."),
    batch_size: int = typer.Option(
        pushing.DEFAULT_BATCH_SIZE, "--batch-size", min=1, help="Tasks per import request."
    ),
    predictions: Path | None = typer.Option(
        None, "--predictions", metavar="FILE",
        help="JSONL of {corpus_key, model_version, score?, result}: pre-annotations by key.",
    ),
    slice_size: int | None = typer.Option(
        None, "--slice", min=1, metavar="N",
        help="Import only the next N units not on the server, most uncertain first (by "
        "--predictions' scores; units without one after, in corpus order); first, the "
        "labelled items whose consensus is weak (newest snapshot) are opened for one more "
        "answer. Annotators get tasks in import order: push a slice when the last is done.",
    ),
    snapshot_dir: Path | None = typer.Option(
        None, "--snapshot-dir", metavar="DIR",
        help="With --slice: where pull writes snapshots (default exports/<schema>/snapshots).",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Write the tasks that would be imported instead of importing."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="With --dry-run: the JSON file (default exports/<schema>/tasks.json)."
    ),
    ledger_dir: Path = typer.Option(
        DEFAULT_LEDGER_DIR, "--ledger-dir", help="Where the key -> task id ledgers are kept."
    ),
    lock_timeout: float = typer.Option(
        DEFAULT_LOCK_TIMEOUT, "--lock-timeout", min=0, metavar="SECONDS",
        help="How long to wait for another push of the same schema to the same server "
        "(on this machine) to finish.",
    ),
    budget: int | None = typer.Option(
        None, "--budget", min=1, metavar="N",
        help="Push a stratified sample of N units (overrides the schema's selection.budget; "
        "without selection: a simple random sample, seed 0). Units pushed before stay in it; "
        "the sampling frame is recorded beside the ledger (or the --dry-run file).",
    ),
    url: str | None = UrlOption,
    api_key: str | None = ApiKeyOption,
) -> None:
    """Import the corpus's units as tasks of the schema's Label Studio project.

    Creates (or finds) the project, brings its config up to date, and imports
    the units that are not tasks yet. Safe to repeat and to interrupt: every
    unit becomes exactly one task, also when two pushes overlap (one at a time
    on this machine; copies made by pushes from two machines are removed after).

    With a budget (--budget N, or the schema's `selection:`), only the N units of a
    stratified sample are pushed: the same for the same seed, and a larger budget
    pushes the sample's further units, never replacing any.

    Example: corpus push --schema schemas/comment_stance.yaml --corpus exports/corpus.jsonl

    Example: corpus push -s schemas/comment_stance.yaml --budget 500 --dry-run --out sample.json

    Example (the next 200, most uncertain first):
    corpus push --schema schemas/comment_stance.yaml --slice 200 --predictions preds.jsonl
    """
    if out is not None and not dry_run:
        raise UsageError(
            f"--out {out} is only for --dry-run (the file the dry run writes); nothing was "
            "pushed: add --dry-run to write the tasks there, or drop --out to push to "
            "Label Studio"
        )
    schema = load_schema(schema_path)
    if budget is not None and schema.unit == "comment" \
            and schema.annotation.near_duplicates == "annotate_each":
        raise UsageError(
            f"--budget {budget}: a sample holds at most one comment per near-duplicate cluster, "
            f"but {schema_path} sets annotation.near_duplicates: annotate_each; nothing was "
            "pushed: set annotate_once or once_per_article, or push without --budget"
        )
    if dry_run:  # offline: filtered by the local ledger of the server push would use
        out = output_file(out or default_tasks_file(schema.name), "--out")
        with keeping(out):
            result = pushing.dry_run(
                schema, corpus, out, predictions_path=predictions, ledger_dir=ledger_dir,
                url=url, api_key=api_key, budget=budget,
                order=ordering(predictions) if slice_size else None, limit=slice_size,
            )
        print_findings(result.skipped)
        show_sample(result)
        out_console.print(
            f"Dry run: {result.created} tasks written to {result.dry_run_path} "
            f"(Label Studio import format): {units_line(result, created='written')}.",
            markup=False,
        )
        return

    studio = connect(url, api_key, say=say)
    if slice_size is not None:
        try:
            with progress_bar("import") as on_progress:
                sliced = push_slice(
                    schema, studio, corpus, slice_size, predictions_path=predictions,
                    snapshot_dir=snapshot_dir, ledger_dir=ledger_dir, lock_timeout=lock_timeout,
                    batch_size=batch_size, on_progress=on_progress, say=say,
                )
        finally:
            studio.close()
        show_slice(sliced)
        show_push(sliced.push, studio.url)
        return
    try:
        with progress_bar("import") as on_progress:
            result = pushing.push(
                schema, corpus, studio, batch_size=batch_size, predictions_path=predictions,
                ledger_dir=ledger_dir, lock_timeout=lock_timeout, on_progress=on_progress,
                say=say, budget=budget,
            )
    finally:
        studio.close()
    show_push(result, studio.url)


def show_push(result: pushing.PushResult, url: str) -> None:
    """Skipped units on stderr; project, settings and task counts on stdout."""
    print_findings(result.skipped)
    verb = "created" if result.project_created else "found"
    out_console.print(
        f"Project {result.project_id} {result.project_title!r} {verb} at {url}",
        markup=False,
    )
    show_sample(result)
    if result.settings_updated:
        out_console.print(f"Updated: {', '.join(result.settings_updated)}", markup=False)
    if result.duplicates_removed:
        out_console.print(
            f"Duplicates removed: {result.duplicates_removed} (copies made by an overlapping "
            "push)", markup=False,
        )
    if result.reconciled is not None:
        out_console.print(f"Ledger reconciled from {result.reconciled} server tasks", markup=False)
    if result.raced_copies:
        out_console.print(
            f"Another push raced this one: {result.raced_copies} tasks this push imported "
            "were copies of its tasks and were removed (not counted as created)", markup=False,
        )
    out_console.print(
        f"Tasks: {units_line(result)}; predictions attached: {result.predictions_attached}",
        markup=False,
    )
    if result.suggestions_off:
        out_console.print(f"Left out of the suggestions: {result.suggestions_off} answer(s) to "
                          "questions with suggest off", markup=False)
    if result.model_version is not None:
        out_console.print(f"Model version {result.model_version!r} shown to annotators",
                          markup=False)


def show_slice(result: SliceResult) -> None:
    """The weak items opened for another answer, and the slice's order, on stdout."""
    if result.snapshot is None:
        out_console.print("Weak consensus: no snapshot of the project yet (corpus pull); "
                          "nothing to re-open", markup=False)
    elif result.reopened is None:
        out_console.print(f"Weak consensus: none in {result.snapshot.name}", markup=False)
    else:
        done = result.reopened
        out_console.print(
            f"Weak consensus: {len(result.weak)} item(s) in {result.snapshot.name} want "
            f"another answer: {len(done.raised)} re-opened, {len(done.already)} already "
            f"open, {len(done.missing)} no longer on the server", markup=False)
    if result.order:
        out_console.print(
            f"Slice order: {result.scored} by prediction score (least confident first), "
            f"{len(result.order) - result.scored} without a prediction (corpus order); "
            f"first: {', '.join(result.order[:3])}", markup=False)


def show_sample(result: pushing.PushResult) -> None:
    """One line on the sample, when there is one: its size, design and manifest."""
    sample = result.sample
    if sample is None:
        return
    design = sample.design
    noun = f"{result.unit}s"
    by = ", ".join(design.frame.stratify_by) or "nothing (simple random sample)"
    pushed = f", {sample.pushed} of them pushed before" if sample.pushed else ""
    strata = "stratum" if len(sample.strata) == 1 else "strata"
    out_console.print(
        f"Sample: {sample.size} of the {sample.population} {noun} that may be sampled "
        f"(budget {design.budget}, seed {design.seed}, stratified by {by}: "
        f"{len(sample.strata)} {strata}{pushed}); frame recorded in {result.manifest}",
        markup=False,
    )


def units_line(result: pushing.PushResult, *, created: str = "created") -> str:
    """``5 created, 0 already present, 0 skipped (...), 7 near-duplicate copies not pushed
    = the corpus's 12 comments``: every unit counted once, the sum said."""
    parts = [(n, created if what == "created" else what) for n, what in result.accounted()]
    noun = result.unit if result.units == 1 else f"{result.unit}s"
    return (", ".join(f"{n} {what}" for n, what in parts)
            + f" = the corpus's {result.units} {noun}")


def register(app: typer.Typer) -> None:
    app.command("push")(push)
