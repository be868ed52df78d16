"""`corpus agree`: inter-annotator agreement per question and per annotator."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..kinds import kind_of
from ..model.votes import baseline_votes, predictions_votes
from ..review import ReviewResult, review_snapshot
from ..review.agreement import AgreementReport, reliability, write_unresolved
from ..review.quality import CompetenceReport
from ..schema import load_schema
from .output import (
    err_console,
    fitted_table,
    keeping,
    out_console,
    output_file,
    print_findings,
    progress_bar,
    short_names,
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
    predictions: Path | None = typer.Option(
        None, "--predictions", metavar="FILE", help="Rule crowdlab: a model's predictions "
        "(the JSONL `corpus push --predictions` reads) vote instead of the baseline model "
        "cross-validated on the snapshot's texts."),
) -> None:
    """Inter-annotator agreement per question and per annotator.

    Per question: Krippendorff's alpha, Fleiss' kappa, pairwise Cohen's kappa,
    full agreement, span F1; per annotator: items done, agreement with the majority.
    Competence per annotator and question (single, yes/no, rating, multi): agreement
    with the aggregated label, the Dawid-Skene model's accuracy estimate, spammer
    score (0 = answers unrelated to the truth, 1 = perfect), accuracy against ground
    truth where there is some, and flags A050 spammer, A051 constant answer, A052
    too few items to judge. Under the rule crowdlab also each annotator's CROWDLAB
    rating and the model's own as a voter, and the likely label errors (A070; all of
    them in --json's "crowdlab").

    Alpha is nominal for single choice and yes/no, ordinal for ratings; multi
    choice is treated per label (each label a yes/no decision, alpha per label,
    the mean shown). Spans: pairwise F1, exact and overlap. Items with fewer
    than two annotators are left out and counted.

    Example: corpus agree exports/comment_stance/snapshots/X.json -s schemas/comment_stance.yaml
    """
    for path, option in ((unresolved, "--unresolved"), (json_out, "--json")):
        if path is not None:
            output_file(path, option)  # refused before the work, not after
    votes = predictions_votes(predictions) if predictions is not None else baseline_votes
    with progress_bar("reading the snapshot") as on_progress, \
            progress_bar("agreement and competence (questions)") as on_figures:
        review = review_snapshot(snapshot, load_schema(schema), validate=False, aggregate=False,
                                 competence=True, model_votes=votes, on_progress=on_progress,
                                 on_figures=on_figures,
                                 # the unresolved items' rows: only --unresolved and --json
                                 # write them (a few hundred bytes each)
                                 list_unresolved=unresolved is not None or json_out is not None)
    report, competence = review.agreement, review.competence
    assert report is not None  # asked for (agreement=True)
    report.findings.extend(review.findings)  # who decides items (A060-A063), the model's
    show_agreement(report)
    show_competence(competence)
    show_ratings(review.ratings, competence.names)
    if unresolved is not None:
        target = output_file(unresolved, "--unresolved")
        with keeping(target):  # written whole or not at all; an error says what is kept
            count = write_unresolved(target, report.unresolved)
        err_console.print(f"{count} unresolved item question(s) written to {unresolved}")
    if json_out is not None:
        write_json_report(json_out, _Figures(report, competence, review))


class _Figures:
    """What --json writes: the agreement report's figures, 'competence', and under a rule
    where a model votes 'crowdlab' (ratings, the model's version, likely label errors)."""

    def __init__(self, report: AgreementReport, competence: CompetenceReport,
                 review: ReviewResult) -> None:
        self.report, self.competence, self.review = report, competence, review

    def to_dict(self) -> dict:
        out = {**self.report.to_dict(rows_as_read=True),  # the rows written one by one
               "competence": self.competence.to_dict()}
        if self.review.ratings or self.review.model_versions:
            out["crowdlab"] = {"model_versions": self.review.model_versions,
                               "ratings": self.review.ratings,
                               "likely_label_errors": self.review.likely_errors}
        return out


def show_ratings(ratings: list[dict], names: dict[str, str]) -> None:
    """The CROWDLAB ratings (rule crowdlab), one table per question: each annotator's
    quality and weight, and the model's as a voter (the last row)."""
    if not ratings:
        return
    shown = short_names({str(r["annotator"]): names.get(str(r["annotator"]))
                         for r in ratings if r["annotator"] is not None})
    by_question: dict[str, list] = {}
    for row in ratings:
        by_question.setdefault(row["question"], []).append(row)
    for question, rows in by_question.items():
        cells = [[f"model {row['model']}" if row["annotator"] is None
                  else shown[str(row["annotator"])], str(row["items"]), _fmt(row["quality"]),
                  _fmt(row["weight"]), _fmt(100 * row["agreement"], 1)] for row in rows]
        out_console.print(fitted_table(
            f"Annotator ratings (CROWDLAB, with the model as a voter): {question}",
            ["annotator", "items", "quality", "weight", "agree with consensus %"], cells))


def show_agreement(report: AgreementReport) -> None:
    """Findings (e.g. another schema version) on stderr; the two tables on stdout."""
    print_findings(report.findings)
    out_console.print(question_table(report))
    out_console.print(annotator_table(report))


def question_table(report: AgreementReport) -> Table:
    """Per question (fits 80 columns: see :func:`fitted_table`)."""
    rows = []
    for q in report.questions:
        f1 = (f"{_fmt(q.span_f1_exact)} / {_fmt(q.span_f1_overlap)}"
              if kind_of(q.kind).span_f1 else "-")
        rows.append([q.question, str(q.items), _fmt(q.alpha), reliability(q.alpha),
                     _fmt(q.fleiss_kappa), _fmt(q.cohen_kappa_mean),
                     _fmt(q.full_agreement, 1), f1])
    notes = [f"{q.question}: {note}" for q in report.questions for note in q.notes]
    return fitted_table(
        f"Agreement: {report.items_used} items with 2+ annotators "
        f"({report.items_left_out} left out with fewer, {report.items_total} in all)",
        ["question", "items", "alpha", "reading", "Fleiss κ", "mean Cohen κ", "full agr. %",
         "span F1 exact / overlap"], rows, caption="; ".join(notes) or None)


def annotator_table(report: AgreementReport) -> Table:
    """Per annotator, named without a shared e-mail domain (:func:`short_names`)."""
    names = short_names({person.annotator: person.name for person in report.annotators})
    rows = [[names[person.annotator], str(person.items), str(person.compared),
             _fmt(None if person.with_majority is None else 100 * person.with_majority, 1)]
            for person in report.annotators]
    return fitted_table("Annotators",
                        ["annotator", "items done", "answers compared",
                         "agree with majority %"], rows, first_max=30)


def show_competence(report: CompetenceReport) -> None:
    """Flags (A050-A052) on stderr; one table per question on stdout, a row per annotator
    (one table of nine columns does not fit 80 columns)."""
    print_findings(report.findings)
    if not report.rows:
        return
    names = short_names({str(row.annotator): report.names.get(str(row.annotator))
                         for row in report.rows})
    by_question: dict[str, list] = {}
    for row in report.rows:
        by_question.setdefault(row.question or "-", []).append(row)
    for question, rows in by_question.items():
        cells = [[names[str(row.annotator)], str(row.items),
                  _fmt(100 * row.agreement if row.items and row.agreement is not None
                       else None, 1),
                  _fmt(None if row.accuracy != row.accuracy else row.accuracy),  # NaN: none
                  _fmt(row.spammer_score), str(row.gold_items),
                  _fmt(None if row.gold_accuracy is None else 100 * row.gold_accuracy, 1),
                  " ".join(row.flags) or "-"] for row in rows]
        out_console.print(fitted_table(
            f"Annotator competence (Dawid-Skene): {question}",
            ["annotator", "items", "agree with label %", "est. accuracy", "spammer score",
             "gold items", "gold accuracy %", "flags"], cells))


def register(app: typer.Typer) -> None:
    app.command("agree")(agree)
