"""`corpus report`: one self-contained HTML page of the project (toolkit.html_report)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..schema import load_schema
from .output import keeping, out_console, output_file, progress_bar


def report(
    snapshot: Path = typer.Argument(..., help="A snapshot written by `corpus pull`."),
    schema: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="The corpus JSONL the tasks were pushed from (validation then "
        "also flags text changed since push)."),
    dataset: Path | None = typer.Option(
        None, "--dataset", help="A dataset folder written by `corpus build`: label "
        "distributions per split, and that build's rejected items and balance."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="The HTML file (default: exports/<schema>/report.html)."),
    models: Path | None = typer.Option(
        None, "--models-dir", metavar="DIR",
        help="Where the schema's models were saved, for the page's model section "
        "(default exports/<schema>/models)."),
) -> None:
    """Write one HTML page a team lead opens to see the project.

    Progress (tasks done and left, annotations per day and per annotator); per
    question the aggregated labels (as annotators saw them, stored value beside)
    and agreement (Krippendorff's alpha with a bootstrap 95% interval, and the
    figures of `corpus agree`); per annotator the agreement with each other
    annotator, their answers against the aggregated label, their time per
    annotation (suspiciously fast ones marked); validation findings, rejected
    items and the balance of the build. The page is self-contained: it opens
    offline by double-click and asks nothing of any host.

    Example: corpus report exports/comment_stance/snapshots/X.json -s schemas/comment_stance.yaml
    """
    from ..html_report import default_report_path, gather_report, write_html

    loaded = load_schema(schema)
    page = output_file(out if out is not None else default_report_path(loaded), "--out")
    with progress_bar("reading the snapshot") as on_progress, \
            progress_bar("agreement and competence (questions)") as on_figures:
        gathered = gather_report(snapshot, loaded, corpus=corpus, dataset=dataset,
                                 models=models, on_progress=on_progress,
                                 on_figures=on_figures)
    with keeping(page):  # write_html replaces the page whole; an error says what is kept
        write_html(gathered, page)
    out_console.print(f"Report written to {out if out is not None else page}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
