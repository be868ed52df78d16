"""Review: what the annotators gave, read back from a pulled snapshot.

    answers     reading answers out of Label Studio results (offsets, repairs)
    validate    every task, annotation and result checked against the schema (V001-V020)
    aggregate   one label per item and question, with its provenance
    agreement   inter-annotator agreement per question and per annotator
    run         review_snapshot(): all of it from ONE streaming read of a snapshot
    competence  per annotator: accuracy estimate, spammer score, flags A050-A052
    quality     competence_report over a snapshot's aggregated items (corpus agree, sync)
    adjudicators which annotations come from an account in annotation.adjudicators

    from toolkit.review import review_snapshot
    result = review_snapshot(snapshot_path, schema, corpus="exports/corpus.jsonl")
    result.validation.findings, result.items, result.agreement.questions
    review_snapshot(..., competence=True).competence   # annotator competence too

`corpus validate`, `agree`, `build` and `sync` all read snapshots through
:func:`review_snapshot`.
"""

from __future__ import annotations

from .aggregate import AggregatedItem, aggregate_task
from .agreement import AgreementReport, reliability, write_unresolved
from .answers import Span, extract_answers
from .run import ReviewResult, agreement_for_snapshot, review_snapshot, validate_snapshot
from .validate import CODES, ValidationReport, validate_tasks

__all__ = [
    "CODES",
    "AggregatedItem",
    "AgreementReport",
    "ReviewResult",
    "Span",
    "ValidationReport",
    "aggregate_task",
    "agreement_for_snapshot",
    "extract_answers",
    "reliability",
    "review_snapshot",
    "validate_snapshot",
    "validate_tasks",
    "write_unresolved",
]

