"""The one place where build meets the review stage's results.

Build reads a snapshot through :func:`toolkit.review.review_snapshot` (validation,
aggregation and agreement in one pass) and keeps each aggregated item as the small
:class:`Item` view below; the card's agreement figures and the question features
are shaped here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from datasets import Features

# Item status, as toolkit.review.aggregate sets it, under the names build imports from here.
from ..review.aggregate import NO_ANNOTATIONS as STATUS_NO_ANNOTATIONS  # noqa: F401
from ..review.aggregate import OK as STATUS_OK  # noqa: F401
from ..review.aggregate import STATUS_UNRESOLVED  # noqa: F401
from ..review.aggregate import TOO_FEW as STATUS_TOO_FEW  # noqa: F401
from ..review.agreement import reliability
from ..schema import Schema
from .features import features

if TYPE_CHECKING:
    from ..review.agreement import AgreementReport  # noqa: F401


@dataclass(frozen=True)
class Item:
    """What build needs of one aggregated task (a view of aggregate's AggregatedItem)."""

    corpus_key: str
    unit_id: str
    task_id: Any
    data: dict
    annotations: list[tuple[str, dict]]  # (annotator id as Label Studio has it, answers)
    n_annotators: int
    labels: dict[str, Any]
    provenance: dict[str, str]
    status: str  # see STATUS_*
    reason: str
    # question -> posterior of the chosen label, under the rule dawid_skene only
    confidence: dict[str, float] = field(default_factory=dict)


def question_features(schema: Schema) -> Features:
    """The question columns' features (ClassLabel names in schema order, ...)."""
    return features(schema)


def agreement_figures(report: AgreementReport) -> dict[str, dict[str, Any]]:
    """Question -> its agreement figures for the card: method, items, alpha (and its
    reading), Fleiss' kappa, % full agreement, span F1. Figures keyed by annotator
    (pairwise Cohen's kappa, per-annotator rates) are left out: they would name
    annotators by their Label Studio ids."""
    figures: dict[str, dict[str, Any]] = {}
    for q in report.questions:
        figures[q.question] = {
            "method": q.method,
            "items": q.items,
            "alpha": q.alpha,
            "reading": reliability(q.alpha),
            "alpha_interval": q.alpha_interval,
            "fleiss_kappa": q.fleiss_kappa,
            "full_agreement_%": q.full_agreement,
            "span_f1_exact": q.span_f1_exact,
            "span_f1_overlap": q.span_f1_overlap,
        }
    return figures


def item_of(agg: Any, keep: set[str] | None = None) -> Item:
    """The build view of one aggregated item; ``keep`` names the task data fields kept."""
    data = agg.data
    if keep is not None:
        data = {key: value for key, value in data.items() if key in keep}
    return Item(
        corpus_key=agg.corpus_key or f"task:{agg.task_id}",
        unit_id=agg.unit_id or "",
        task_id=agg.task_id,
        data=data,
        annotations=agg.answers,
        n_annotators=agg.n_annotators,
        labels=agg.labels,
        provenance=agg.provenance,
        status=agg.status,
        reason=agg.reason,
        confidence=agg.confidence,
    )
