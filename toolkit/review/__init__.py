"""Review: what the annotators gave, read back from a pulled snapshot.

    answers     reading answers out of Label Studio results (offsets, repairs)
    validate    every task, annotation and result checked against the schema (V001-V020)
    aggregate   one label per item and question, with its provenance
    agreement   inter-annotator agreement per question and per annotator
    run         review_snapshot(): all of it from ONE streaming read of a snapshot
    dawid_skene label models on numpy: Dawid-Skene, one-coin Dawid-Skene, binary relevance
    rule        the schema rule dawid_skene: re-decides aggregated items with a label model
    competence  per annotator: accuracy estimate, spammer score, flags A050-A052
    quality     competence_report over a snapshot's aggregated items (corpus agree, sync)
    adjudicators which annotations come from an account in annotation.adjudicators

    from toolkit.review import review_snapshot
    result = review_snapshot(snapshot_path, schema, corpus="exports/corpus.jsonl")
    result.validation.findings, result.items, result.agreement.questions
    review_snapshot(..., competence=True).competence   # annotator competence too

`corpus validate`, `agree`, `build` and `sync` all read snapshots through
:func:`review_snapshot`. The agreement module (numpy, krippendorff) is imported
only when one of its names is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .aggregate import AggregatedItem, aggregate_task
from .answers import Span, extract_answers
from .run import ReviewResult, review_snapshot
from .validate import CODES, ValidationReport, validate_snapshot, validate_tasks

if TYPE_CHECKING:
    from .agreement import AgreementReport, agreement_for_snapshot, reliability, write_unresolved

_AGREEMENT = {"AgreementReport", "agreement_for_snapshot", "reliability", "write_unresolved"}

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


def __getattr__(name: str) -> Any:
    if name in _AGREEMENT:
        from . import agreement

        return getattr(agreement, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
