"""`corpus ingest`: raw pages, JSONL and CSV -> the corpus file (thin: see toolkit.ingest)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from ..errors import InputError, UsageError
from ..ingest import IngestResult, discover
from ..ingest import ingest as run_ingest
from ..ingest.near_duplicates import DEFAULT_THRESHOLD, parse_threshold
from ..paths import DEFAULT_CORPUS
from .output import (
    keeping,
    out_console,
    output_file,
    print_findings,
    progress_bar,
    say,
    write_json_report,
)

_PROGRESS_MIN_COMMENTS = 100_000  # a bar for the near-duplicate marks from this many
_PROGRESS_MIN_MB = 50  # a bar for reading from this many megabytes of input
_PROGRESS_MIN_FILES = 5  # a bar only for more files than this


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise UsageError(f"--crawled-at {value!r} is not a date; use YYYY-MM-DD") from exc


def ingest(
    inputs: list[Path] = typer.Argument(..., metavar="INPUT...", help="Files or folders."),
    out: Path = typer.Option(DEFAULT_CORPUS, "--out", "-o", help="Corpus file."),
    fmt: str | None = typer.Option(
        None, "--format", help="txt, jsonl or csv (default: from each file's extension)."
    ),
    crawled_at: str | None = typer.Option(
        None, "--crawled-at", metavar="DATE",
        help="When the pages were crawled (YYYY-MM-DD): adds each comment's estimated date.",
    ),
    report_file: Path | None = typer.Option(
        None, "--report", metavar="FILE", help="Also write the report (findings, counts) as JSON."
    ),
    near_duplicates: str = typer.Option(
        str(DEFAULT_THRESHOLD), "--near-duplicates", metavar="JACCARD|off",
        help="Mark near-duplicate comments (duplicate_of) at this Jaccard similarity of "
        "their normalized 5-grams; 'off' to skip.",
    ),
) -> None:
    """Read news pages (.txt), JSONL or CSV into one corpus JSONL file.

    Findings go to stderr, one line each; the summary to stdout. Exit 2 when an
    input could not be read at all (the others are still ingested), else 0.

    Example: corpus ingest samples/ --out exports/corpus.jsonl --crawled-at 2024-03-01
    """
    try:
        threshold = parse_threshold(near_duplicates)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    target = output_file(out, "--out")
    if report_file is not None:
        output_file(report_file, "--report")  # refused before the inputs are read
    # one bar at a time: files when there are many, else megabytes read
    many_files = sum(1 for _ in discover(inputs, fmt)) > _PROGRESS_MIN_FILES
    with progress_bar("ingest", min_total=_PROGRESS_MIN_FILES + 1) as on_progress, \
            progress_bar("reading MB", min_total=_PROGRESS_MIN_MB) as on_megabytes, \
            progress_bar("near-duplicates", min_total=_PROGRESS_MIN_COMMENTS) as on_marking, \
            keeping(target):
        result = run_ingest(
            inputs, out=target, fmt=fmt, crawled_at=_parse_date(crawled_at),
            progress=lambda _path, done, total: on_progress(done, total),
            near_duplicates=threshold, say=say, marking_progress=on_marking,
            reading_progress=None if many_files else (
                lambda done, total: on_megabytes(done >> 20, (total or 0) >> 20)),
        )
    result.out = out  # the summary names the path as given (a symlink, not its target)
    report = result.report
    print_findings(report.findings)
    if report_file is not None:
        write_json_report(report_file, report, option="--report", announce=False)
    out_console.print(summary_line(result), markup=False)
    if result.unreadable:
        raise InputError(
            f"could not read {len(result.unreadable)} input(s): {', '.join(result.unreadable)}; "
            "the others were ingested"
        )


def summary_line(result: IngestResult) -> str:
    """The run's one-line summary: files, articles, comments, duplicates, warnings, errors."""
    c = result.report.counts
    where = f"in {result.out}" if result.written else f"({result.out} left as it was)"
    line = (
        f"{c['files']} files -> {c['articles']} articles, {c['comments']} comments "
        f"{where}; duplicates {c['duplicates']}, warnings {c['warnings']}, "
        f"errors {c['errors']}"
    )
    if c.get("near_duplicate_clusters"):  # said only when there are some
        line += (
            f"; near-duplicate clusters {c['near_duplicate_clusters']} "
            f"({c['comments_in_clusters']} comments, {c['near_duplicates']} marked duplicate_of)"
        )
    return line


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
