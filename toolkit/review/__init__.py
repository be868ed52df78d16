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

import importlib
from typing import TYPE_CHECKING, Any

from .aggregate import AggregatedItem, aggregate_task
from .answers import Span, extract_answers
from .validate import (
    CODES,
    FINDINGS_SHOWN,
    ValidationReport,
    validate_snapshot,
    validate_tasks,
)

if TYPE_CHECKING:
    from .agreement import AgreementReport, reliability, write_unresolved
    from .run import ReviewResult, agreement_for_snapshot, review_snapshot

#: names loaded on first use: agreement (numpy) and the pass that runs it,
#: so that validation alone (`import toolkit.review.validate`) loads neither
_LAZY = {"AgreementReport": ".agreement", "reliability": ".agreement",
         "write_unresolved": ".agreement", "ReviewResult": ".run",
         "agreement_for_snapshot": ".run", "review_snapshot": ".run"}

__all__ = [
    "CODES",
    "FINDINGS_SHOWN",
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
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
