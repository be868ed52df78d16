"""What the HTML report shows: aggregates only, never rows (the page stays small).

Every figure is computed by :mod:`toolkit.html_report.gather` from a snapshot
through the library (validate, aggregate, agreement) and drawn by
:mod:`toolkit.html_report.render`. The sizes here grow with the number of
questions, labels, annotators and days, not with the number of tasks: 100,000
tasks and 30 annotators make a page of a few hundred kilobytes of data.

``competence`` and ``near_duplicates`` are hooks for the label-quality and
near-duplicate features: when their data exists a caller fills them and the
page gains a section each; ``None`` leaves the section out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LabelCount:
    """One bar of a distribution: a label as annotators saw it and as it is stored."""

    value: str  # stored value ("agree", "yes", "3", "(none)")
    display: str  # what annotators saw ("موافق"); equals value when there is no text
    count: int
    split: str = "all"  # "all" (the snapshot's aggregated labels) or a dataset split


@dataclass
class QuestionSummary:
    """One question: its aggregated label distribution and its agreement figures."""

    name: str
    kind: str
    prompt: str
    distribution: list[LabelCount] = field(default_factory=list)
    unresolved: int = 0  # items with 2+ annotators and no agreed label for this question
    unit: str = "items"  # what the distribution counts (the kind's report_unit: "spans")
    span_f1: bool = False  # its agreement is pairwise span F1 (no kappa, no alpha)
    # agreement, as `corpus agree` computes it (None: undefined, see notes)
    items: int = 0
    alpha: float | None = None
    alpha_low: float | None = None  # bootstrap 95% interval (items resampled)
    alpha_high: float | None = None
    reading: str = "-"
    alpha_interval_level: float | None = None  # rating: interval alpha
    alpha_per_label: dict[str, float | None] = field(default_factory=dict)
    fleiss_kappa: float | None = None
    cohen_kappa_mean: float | None = None
    full_agreement: float | None = None
    span_f1_exact: float | None = None
    span_f1_overlap: float | None = None
    method: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class AnnotatorSummary:
    """One annotator, named as `corpus agree` names them."""

    id: str
    label: str  # "2 (huda@example.org)", as in `corpus agree`
    submitted: int = 0
    cancelled: int = 0
    drafts: int = 0
    items: int = 0  # items done (agreement's count)
    with_majority: float | None = None  # share of compared answers equal to the majority
    lead_time_n: int = 0  # annotations with a recorded lead_time (> 0)
    lead_time_median: float | None = None
    lead_time_q1: float | None = None
    lead_time_q3: float | None = None
    lead_time_p10: float | None = None
    lead_time_p90: float | None = None
    fast: bool = False  # suspiciously fast: see ReportPage.fast_rule


@dataclass
class PairAgreement:
    """Two annotators on one question: Cohen's kappa (span F1 for spans) on shared items."""

    question: str
    first: str  # annotator labels
    second: str
    value: float | None
    items: int


@dataclass
class ConfusionCell:
    """How often an annotator answered ``given`` where the aggregated label was ``label``."""

    annotator: str
    question: str
    given: str  # display form "موافق (agree)"
    label: str
    count: int


@dataclass
class DayCount:
    day: str  # YYYY-MM-DD (UTC, from the annotation's created_at)
    annotator: str
    count: int


@dataclass
class CodeCount:
    code: str
    name: str
    level: str
    count: int
    question: str | None = None


@dataclass
class Progress:
    tasks: int = 0
    complete: int = 0  # as many submitted annotators as the schema's overlap, or more
    partial: int = 0  # some, fewer than overlap
    not_started: int = 0
    overlap: int = 1
    submitted: int = 0
    cancelled: int = 0
    drafts: int = 0
    by_status: dict[str, int] = field(default_factory=dict)  # aggregate status -> items


@dataclass
class BalanceView:
    """Where the tasks go in a build: from the dataset folder when one was given,
    else predicted from this snapshot (build's own rules, without writing anything)."""

    source: str  # "dataset <folder>" or "predicted from the snapshot"
    in_splits: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)  # reason code -> n
    not_annotated: int = 0
    lines: list[str] = field(default_factory=list)  # the balance lines of the card, if any


@dataclass
class ModelView:
    """The baseline model beside the annotators: the newest model's cross-validated
    figures per question, how often annotators kept its suggestions, and the learning
    curve across the models trained so far (toolkit.model, `corpus model train`/sync)."""

    version: str
    training_items: int
    #: per question: question, accuracy, macro_f1, majority_baseline, alpha, kept, changed
    questions: list[dict[str, Any]] = field(default_factory=list)
    #: per trained model and question: items, question, accuracy, version
    curve: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReportPage:
    """Everything the page shows."""

    title: str
    schema_name: str
    schema_version: str
    snapshot: str
    pulled_at: str | None
    generated_at: str
    toolkit_version: str
    direction: str = "rtl"
    progress: Progress = field(default_factory=Progress)
    per_day: list[DayCount] = field(default_factory=list)
    questions: list[QuestionSummary] = field(default_factory=list)
    annotators: list[AnnotatorSummary] = field(default_factory=list)
    pairs: list[PairAgreement] = field(default_factory=list)
    confusion: list[ConfusionCell] = field(default_factory=list)
    findings: list[CodeCount] = field(default_factory=list)
    rejected_reasons: list[CodeCount] = field(default_factory=list)  # reason -> examples
    balance: BalanceView | None = None
    dataset: str | None = None  # the built dataset folder whose splits are shown
    fast_rule: str = ""
    items_used: int = 0  # items with 2+ annotators (agreement)
    items_left_out: int = 0
    bootstrap_replicates: int = 0
    notes: list[str] = field(default_factory=list)
    # Hooks (other features fill them; the page shows a section only when not None):
    # competence: one dict per annotator (and question), e.g. {"annotator": "2 (huda@..)",
    #   "question": "stance", "score": 0.91, "items": 120, "on_gold": 0.95};
    # near_duplicates (gather.near_duplicate_section, from the corpus's duplicate_of):
    #   {"clusters": int, "members": int (comments in clusters), "copies": int (marked
    #   duplicate_of), "across_articles": int (clusters joining several articles),
    #   "policy": str (the schema's annotation.near_duplicates), "largest": [{"size": int,
    #   "articles": int, "example": str}, ...], "sizes": [{"size": int, "clusters": int}]}.
    competence: list[dict[str, Any]] | None = None
    # the baseline model: None when none was trained for the schema
    model: ModelView | None = None
    near_duplicates: dict[str, Any] | None = None

    def to_dict(self) -> dict:
        return asdict(self)
