"""`corpus build`: a pulled snapshot -> a Hugging Face dataset folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import EmptyDatasetRefused
from ..paths import DEFAULT_CORPUS
from ..schema import load_schema
from .output import (
    keeping,
    out_console,
    output_folder,
    print_findings,
    progress_bar,
    say,
)

if TYPE_CHECKING:
    from ..dataset import BuildResult


def build(
    snapshot: Path = typer.Argument(..., help="A snapshot written by `corpus pull`."),
    schema: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="The dataset folder (default: exports/<schema>/dataset); "
        "replaced when it holds an earlier build."),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="The corpus JSONL the tasks were pushed from (default: "
        "exports/corpus.jsonl when it exists): near-duplicate clusters stay in one split, and "
        "the balance covers every unit of the corpus (without one, only the snapshot's tasks, "
        "and clusters are not known: B052)."),
    with_context: bool = typer.Option(
        False, "--with-context", help="Include each comment's article body (article_body)."),
    keep_unresolved: bool = typer.Option(
        False, "--keep-unresolved", help="Keep unresolved items in the splits, with null "
        "labels (provenance 'unresolved'), instead of in rejected/."),
    keep_authors: bool = typer.Option(
        False, "--keep-authors", help="Keep the commenters' display names (author column); "
        "off by default for privacy."),
    selection: Path | None = typer.Option(
        None, "--selection", metavar="FILE", help="The sample manifest (.selection.json) "
        "`corpus push --budget` wrote (default: the one beside the push ledger of the "
        "snapshot's server): each row's inclusion_probability and the card's Sample section."),
    predictions: Path | None = typer.Option(
        None, "--predictions", metavar="FILE", help="Rule crowdlab: a model's predictions "
        "(the JSONL `corpus push --predictions` reads, e.g. from `corpus model predict`) "
        "vote instead of the baseline model cross-validated on the snapshot's texts."),
    allow_empty: bool = typer.Option(
        False, "--allow-empty", help="Replace a dataset that has rows even when this build "
        "has none (refused otherwise, exit 1)."),
    max_shard_mb: float | None = typer.Option(
        None, "--max-shard-mb", min=0.0001, metavar="MB", help="Start a new Parquet shard "
        "(data/{split}-0000i-of-0000N.parquet) when one reaches this many MB of rows "
        "(Arrow size; default 256)."),
) -> None:
    """Build the dataset folder: Parquet splits, README.md card, rejected items.

    The folder loads with `datasets.load_dataset(FOLDER)` and is laid out as a
    Hub dataset repository (see `corpus publish`). Prints the split sizes and
    the balance: every unit is in a split, rejected (with its reason), or not
    yet annotated. A build without rows does not replace a dataset that has
    some (exit 1) unless --allow-empty. On a terminal a bar shows the tasks read,
    then the rows written.

    Example: corpus build exports/comment_stance/snapshots/X.json -s schemas/comment_stance.yaml
    """
    from ..dataset import build_dataset, default_out  # imports `datasets`: only when building

    loaded = load_schema(schema)
    target = output_folder(out or default_out(loaded), "--out")
    if corpus is None and DEFAULT_CORPUS.is_file():
        corpus = DEFAULT_CORPUS
        say(f"Reading the corpus {corpus} (the default; --corpus to choose another) for "
            "near-duplicate clusters and the balance")
    try:
        with keeping(target), progress_bar("building") as on_progress:
            result = build_dataset(
                snapshot, loaded, out=target, corpus=corpus, with_context=with_context,
                keep_unresolved=keep_unresolved, keep_authors=keep_authors,
                allow_empty=allow_empty, selection=selection,
                predictions=str(predictions) if predictions is not None else None,
                max_shard_bytes=(None if max_shard_mb is None
                                 else max(1, int(max_shard_mb * 1024 * 1024))),
                on_progress=on_progress,
            )
    except EmptyDatasetRefused as exc:  # say why the rows went, then the one-line error
        print_findings(exc.findings)
        raise
    if corpus is None and loaded.unit == "comment":
        result.report.warning(
            "B052", str(snapshot), "built without the corpus file, so near-duplicate clusters "
            "are not known and copies may land in two splits",
            f"give --corpus (default {DEFAULT_CORPUS})")
    show_build(result)
    if not result.balance.adds_up:
        raise typer.Exit(1)


def show_build(result: BuildResult) -> None:
    """Findings on stderr; the folder, split sizes, rejected count and balance on stdout."""
    print_findings(result.report.findings)
    out_console.print(f"Dataset written to {result.folder}", markup=False)
    for split in result.splits:
        files = ", ".join(split.paths)
        out_console.print(f"  {split.name}: {split.num_examples} rows ({files})", markup=False)
    rejected = sum(result.balance.rejected.values())
    out_console.print(f"  rejected: {rejected} items ({result.rejected_file})", markup=False)
    for line in result.balance.lines():
        out_console.print(line, markup=False)


def register(app: typer.Typer) -> None:
    app.command("build")(build)
