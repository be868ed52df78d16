"""`corpus validate`: check a pulled snapshot against the schema."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..review import CODES, FINDINGS_SHOWN, ValidationReport, review_snapshot
from ..schema import load_schema
from .output import (
    fitted_table,
    out_console,
    output_file,
    print_findings,
    progress_bar,
    write_json_report,
)

SHOWN = FINDINGS_SHOWN  # findings printed on stderr; --json has all of them


def validate(
    snapshot: Path = typer.Argument(..., help="A snapshot written by `corpus pull` "
                                    "(or a plain Label Studio JSON export)."),
    schema: Path = typer.Option(..., "--schema", "-s", help="The schema YAML file."),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="The corpus JSONL the tasks were pushed from: flags task text "
        "that changed since push (V011)."),
    json_out: Path | None = typer.Option(
        None, "--json", help="Write the whole report (summary and every finding) as JSON."),
) -> None:
    """Check every task, annotation and result of a snapshot against the schema.

    Findings go to stderr (errors and warnings; info findings only in the
    summary and --json), the summary table by code and question to stdout.
    Exit status 1 when there are errors, 0 otherwise; codes are listed in
    docs/validate.md.

    Example: corpus validate exports/comment_stance/snapshots/X.json -s schemas/comment_stance.yaml
    """
    if json_out is not None:
        output_file(json_out, "--json")  # refused before the work, not after
    with progress_bar("validating") as on_progress:
        # without --json, only the findings printed are kept: the rest are counted
        review = review_snapshot(snapshot, load_schema(schema), corpus=corpus, aggregate=False,
                                 agreement=False, on_progress=on_progress,
                                 keep_findings=True if json_out is not None else SHOWN)
    report = review.validation
    assert report is not None
    show_validation(report)
    if json_out is not None:
        write_json_report(json_out, report)
    raise typer.Exit(report.exit_code)


def show_validation(report: ValidationReport) -> None:
    """Errors and warnings on stderr (at most SHOWN), the summary table on stdout."""
    print_findings([f for f in report.findings if f.level != "info"], limit=SHOWN,
                   total=report.count("error") + report.count("warning"))
    out_console.print(summary_table(report))


def summary_table(report: ValidationReport) -> Table:
    counts = report.counts
    title = (f"{report.snapshot}: {counts['tasks']} tasks, {counts['submitted']} submitted "
             f"annotations, {counts['results']} results, {counts['cancelled']} cancelled, "
             f"{counts['drafts']} drafts")
    rows = [[code, CODES[code][0], CODES[code][1], question or "-", str(n)]
            for (code, question), n in sorted(report.summary.items())]
    errors, warnings = report.count("error"), report.count("warning")
    table = fitted_table(title, ["code", "level", "problem", "question", "count"], rows,
                         caption=f"{errors} error(s), {warnings} warning(s)")
    table.columns[-1].justify = "right"
    return table


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
