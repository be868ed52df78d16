"""`corpus model train` and `corpus model predict`: the baseline model (thin: see
toolkit.model)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import SnapshotError
from ..model import (
    BaselineModel,
    Trained,
    latest_model,
    models_dir,
    newest_snapshot,
    predict_file,
    train_model,
)
from ..paths import DEFAULT_CORPUS
from ..schema import load_schema
from ..workflows.learn import save_model
from .output import (
    err_console,
    fitted_table,
    keeping,
    naming,
    out_console,
    output_file,
    output_folder,
    progress_bar,
    say,
)

#: below this many training items the figures are a demonstration, not an estimate
DEMONSTRATION = 200

group = typer.Typer(
    help="The baseline model: train a text classifier per closed question on the "
         "aggregated labels, and write its suggestions for `corpus push --predictions`.",
    no_args_is_help=True,
)

SnapshotDirOption = typer.Option(
    None, "--snapshot-dir", metavar="DIR",
    help="Where to find the newest snapshot without SNAPSHOT: pull's --out-dir "
         "(default exports/<schema>/snapshots).")


def _fmt(value: float | None, *, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}" if percent else f"{value:.3f}"


def train(
    snapshot: Path | None = typer.Argument(
        None, help="A snapshot written by `corpus pull` (default: the newest of the schema)."),
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    snapshot_dir: Path | None = SnapshotDirOption,
    models: Path | None = typer.Option(
        None, "--models-dir", metavar="DIR",
        help="Where models are saved (default exports/<schema>/models)."),
) -> None:
    """Train the baseline model on a snapshot's aggregated labels and save it.

    Per single, multi, yes/no and rating question: character n-gram TF-IDF (on the
    Arabic matching normalization) and logistic regression, weighted by the rule's
    confidence where it gives one. Prints each question's cross-validated accuracy
    and macro-F1 (and always answering the most common label, for comparison) next to
    the annotators' own agreement (Krippendorff's alpha, % of items all agreed on).
    Saved as JSON + NPZ (no pickle) under exports/<schema>/models/<version>/; the
    version is a hash of the training data and parameters. Exit 1 when no question
    has enough labels to train on.

    Example: corpus model train --schema schemas/comment_stance.yaml
    """
    schema = load_schema(schema_path)
    if models is not None:
        output_folder(models, "--models-dir")
    if snapshot is None:
        snapshot = newest_snapshot(schema, snapshot_dir)
        say(f"Training on the newest snapshot: {snapshot}")
    with progress_bar("training") as on_progress:
        trained = train_model(schema, snapshot, on_progress=on_progress)
    show_training(trained)
    if trained.model is None:
        err_console.print("No model saved: no question has enough decided labels to learn "
                          "from; annotate more items and train again", markup=False)
        raise typer.Exit(1)
    folder = trained.folder(models)
    with naming(folder):
        save_model(trained, models)
    out_console.print(f"Model {trained.version} saved to {folder}/ ({trained.items} training "
                      f"items); suggestions: corpus model predict --schema {schema_path} "
                      "--out predictions.jsonl", markup=False)


def show_training(trained: Trained) -> None:
    """The per-question table on stdout; skipped questions and left-out classes, and the
    demonstration note for tiny data, as one line each on stderr."""
    rows = [[r.question, r.kind, str(r.items), str(r.folds), _fmt(r.accuracy),
             _fmt(r.macro_f1), _fmt(r.majority_baseline), _fmt(r.alpha),
             "-" if r.full_agreement is None else f"{r.full_agreement:.1f}"]
            for r in trained.reports if r.skipped is None]
    if trained.model is not None:
        out_console.print(fitted_table(
            f"Baseline model: cross-validated on {trained.snapshot.name}",
            ["question", "kind", "items", "folds", "accuracy", "macro-F1", "top label",
             "ann. α", "ann. agree %"], rows,
            caption="accuracy, macro-F1: out-of-fold predictions against the aggregated "
                    "labels; top label: the accuracy of always answering the most common "
                    "label; ann. α and ann. agree %: the annotators among themselves "
                    "(Krippendorff's alpha, % of items all agreed on)"))
    for r in trained.reports:
        if r.skipped is not None:
            say(f"{r.question}: skipped, too little data: {r.skipped}")
        elif r.dropped:
            shown = ", ".join(f"{k} ({v} item{'s' if v != 1 else ''})"
                              for k, v in r.dropped.items())
            say(f"{r.question}: answers too rare to learn, left out of its model: {shown}")
    if trained.model is not None and trained.items < DEMONSTRATION:
        say(f"Trained on {trained.items} items: a demonstration, not a model to rely on; the "
            f"figures mean something from a few hundred labelled items per question")


def predict(
    schema_path: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    out: Path = typer.Option(..., "--out", help="The predictions JSONL to write."),
    model: Path | None = typer.Option(
        None, "--model", metavar="DIR",
        help="A model folder (default: the one `corpus model train` saved last)."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, "--corpus", help="Corpus JSONL."),
    snapshot: Path | None = typer.Option(
        None, "--snapshot", metavar="FILE",
        help="The snapshot that says which units are decided (default: the newest)."),
    snapshot_dir: Path | None = SnapshotDirOption,
) -> None:
    """Write the model's answers for the units not yet decided, for push --predictions.

    One JSONL line per unit of the corpus that the snapshot does not decide (not yet
    annotated, not yet pushed, or unresolved): {corpus_key, model_version, score,
    result}, score being the model's confidence (for several questions, the weakest).
    `corpus push --predictions FILE` attaches them as pre-annotations; any model's
    predictions in this format work the same way.

    Example: corpus model predict --schema schemas/comment_stance.yaml --out predictions.jsonl
    """
    schema = load_schema(schema_path)
    target = output_file(out, "--out")
    folder = model if model is not None else latest_model(schema.name, models_dir(schema.name))
    loaded = BaselineModel.load(folder)
    if snapshot is None:
        try:
            snapshot = newest_snapshot(schema, snapshot_dir)
        except SnapshotError:
            say("No snapshot of the schema yet: every unit of the corpus is undecided")
    with keeping(target), progress_bar("predicting") as on_progress:
        result = predict_file(schema, loaded, corpus, out=target, snapshot=snapshot,
                              on_progress=on_progress)
    for note in result.notes:
        say(note)
    left = [f"{result.decided} decided"]
    if result.copies:
        left.append(f"{result.copies} near-duplicate copies")
    if result.empty:
        left.append(f"{result.empty} with no answer to pre-fill")
    out_console.print(
        f"{result.written} predictions of model {result.model_version} written to {out} "
        f"({result.units} units in the corpus; left out: {', '.join(left)}); attach them: "
        f"corpus push --schema {schema_path} --predictions {out}", markup=False)


group.command("train")(train)
group.command("predict")(predict)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="model")
