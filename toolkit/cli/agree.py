"""`corpus agree`: inter-annotator agreement per question and per annotator."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..kinds import kind_of
from ..review import review_snapshot
from ..review.agreement import AgreementReport, reliability, write_unresolved
from ..schema import load_schema
from .output import (
    atomic_output,
    err_console,
    out_console,
    output_file,
    print_findings,
    write_json_report,
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def agree(
    snapshot: Path = typer.Argument(..., help="A snapshot written by `corpus pull`."),
    schema: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    unresolved: Path | None = typer.Option(
        None, "--unresolved", help="Write the unresolved items (corpus_key, task id, question, "
        "each annotator's answer) as JSONL, for adjudication in Label Studio."),
    json_out: Path | None = typer.Option(None, "--json", help="Write every figure as JSON."),
) -> None:
    """Inter-annotator agreement per question and per annotator.

    Per question: Krippendorff's alpha, Fleiss' kappa, pairwise Cohen's kappa,
    full agreement, span F1; per annotator: items done, agreement with the majority.

    Alpha is nominal for single choice and yes/no, ordinal for ratings; multi
    choice is treated per label (each label a yes/no decision, alpha per label,
    the mean shown). Spans: pairwise F1, exact and overlap. Items with fewer
    than two annotators are left out and counted.

    Example: corpus agree exports/comment_stance/snapshots/X.json -s schemas/comment_stance.yaml
    """
    for path, option in ((unresolved, "--unresolved"), (json_out, "--json")):
        if path is not None:
            output_file(path, option)  # refused before the work, not after
    review = review_snapshot(snapshot, load_schema(schema), validate=False, aggregate=False)
    report = review.agreement
    show_agreement(report)
    if unresolved is not None:
        with atomic_output(unresolved, "--unresolved") as tmp:
            count = write_unresolved(tmp, report.unresolved)
        err_console.print(f"{count} unresolved item question(s) written to {unresolved}")
    if json_out is not None:
        write_json_report(json_out, report)


def show_agreement(report: AgreementReport) -> None:
    """Findings (e.g. another schema version) on stderr; the two tables on stdout."""
    print_findings(report.findings)
    out_console.print(question_table(report))
    out_console.print(annotator_table(report))


def question_table(report: AgreementReport) -> Table:
    table = Table(
        title=f"Agreement: {report.items_used} items with 2+ annotators "
              f"({report.items_left_out} left out with fewer, {report.items_total} in all)",
        title_justify="left",
    )
    table.add_column("question", no_wrap=True)
    for column in ("items", "alpha", "reading", "Fleiss κ", "Cohen κ mean", "full agr %",
                   "span F1 exact/overlap"):
        table.add_column(column)
    for q in report.questions:
        f1 = (f"{_fmt(q.span_f1_exact)}/{_fmt(q.span_f1_overlap)}" if kind_of(q.kind).span_f1
              else "-")
        table.add_row(
            q.question, str(q.items), _fmt(q.alpha), reliability(q.alpha),
            _fmt(q.fleiss_kappa), _fmt(q.cohen_kappa_mean),
            _fmt(q.full_agreement, 1), f1,
        )
    notes = [f"{q.question}: {note}" for q in report.questions for note in q.notes]
    if notes:
        table.caption = "; ".join(notes)
    return table


def annotator_table(report: AgreementReport) -> Table:
    table = Table(title="Annotators", title_justify="left")
    table.add_column("annotator", overflow="fold")  # a long e-mail folds, never cut
    for column in ("items done", "answers compared", "agree with majority %"):
        table.add_column(column)
    for person in report.annotators:
        share = person.with_majority
        table.add_row(person.label, str(person.items), str(person.compared),
                      _fmt(None if share is None else 100 * share, 1))
    return table


def register(app: typer.Typer) -> None:
    app.command("agree")(agree)
