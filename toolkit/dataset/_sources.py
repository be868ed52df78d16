"""The one place where build meets the other stages' libraries.

Build consumes the aggregation (toolkit.aggregate), validation
(toolkit.validate), agreement (toolkit.agreement) and question features
(toolkit.features). Their exact signatures live here only, so a change there is
a change in one file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasets import Features

# Item status, as toolkit.aggregate sets it, under the names build imports from here.
from ..aggregate import NO_ANNOTATIONS as STATUS_NO_ANNOTATIONS  # noqa: F401
from ..aggregate import OK as STATUS_OK  # noqa: F401
from ..aggregate import STATUS_UNRESOLVED  # noqa: F401
from ..aggregate import TOO_FEW as STATUS_TOO_FEW  # noqa: F401
from ..schema import Schema
from ..snapshot import Snapshot

if TYPE_CHECKING:
    from ..agreement import AgreementReport


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
    from ..features import features

    return features(schema)


def invalid_tasks(snapshot: Snapshot, schema: Schema,
                  corpus: Path | None) -> dict[Any, str]:
    """Task id -> its first finding that makes the item unusable ("V002 unknown-label:
    ..."), for the tasks build rejects as invalid.

    Only the codes in ``toolkit.validate.REJECTS_ITEM`` reject an item; for the other
    errors (V001, V003, V004, V005, V009, V013) build keeps the item and does what the
    finding's action says (docs/validate.md, column "in build").
    """
    from ..validate import validate_snapshot

    invalid: dict[Any, str] = {}
    _note_invalid(validate_snapshot(snapshot, schema, corpus=corpus).findings, invalid)
    return invalid


def _note_invalid(findings: Iterable[Any], invalid: dict[Any, str]) -> None:
    """Add to ``invalid`` (task id -> reason) the first finding that makes its item
    unusable (a code in validate's REJECTS_ITEM) of each task not in it yet."""
    from ..validate import CODES, REJECTS_ITEM

    for finding in findings:
        task_id = getattr(finding, "task_id", None)
        if finding.code in REJECTS_ITEM and task_id is not None and task_id not in invalid:
            invalid[task_id] = f"{finding.code} {CODES[finding.code][1]}: {finding.message}"


def agreement_figures(report: AgreementReport) -> dict[str, dict[str, Any]]:
    """Question -> its agreement figures for the card: method, items, alpha (and its
    reading), Fleiss' kappa, % full agreement, span F1. Figures keyed by annotator
    (pairwise Cohen's kappa, per-annotator rates) are left out: they would name
    annotators by their Label Studio ids."""
    from ..agreement import reliability

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


class SnapshotPass:
    """Validation, aggregation and agreement from ONE streaming read of a snapshot.

    ``items()`` yields each task's :class:`Item` (aggregated) while the same
    parsed task goes through the validator and, unless agreement was given,
    the agreement collector; so the snapshot is parsed and its answers extracted
    once (by aggregation; agreement reuses them). After the stream is consumed:
    ``invalid`` (as :func:`invalid_tasks` returns it) and ``agreement()`` (as
    :func:`agreement_figures` returns it) hold for the whole snapshot, and ``seconds``
    the time spent per stage (read, validate, aggregate, agreement).

    ``keep``, when given, names the task data fields the items keep (build drops
    what it does not publish, such as article bodies, as early as it can: memory).
    """

    def __init__(self, snapshot: Snapshot, schema: Schema, corpus: Path | None, *,
                 agreement: bool = True, keep: set[str] | None = None) -> None:
        from ..agreement import AgreementCollector
        from ..validate import corpus_fingerprints, task_validator

        self.snapshot = snapshot
        self.schema = schema
        fingerprints = corpus_fingerprints(corpus, schema) if corpus is not None else None
        self.corpus_keys = fingerprints.keys() if fingerprints is not None else None
        self.validator = task_validator(schema, header=snapshot.header, corpus=fingerprints)
        self.validator.collect = True  # its answers feed aggregation: results walked once
        self.collector = AgreementCollector(schema) if agreement else None
        self.keep = keep
        self.invalid: dict[Any, str] = {}
        self.seconds: dict[str, float] = {"read": 0.0, "validate": 0.0, "aggregate": 0.0,
                                          "agreement": 0.0}

    def items(self):  # -> Iterator[Item]
        from time import perf_counter

        from ..aggregate import aggregate_task_with

        findings = self.validator.report.findings
        invalid = self.invalid
        collector = self.collector
        keep = self.keep
        seconds = self.seconds
        read = validate = aggregate = agree = 0.0
        held: list | None = [] if self.schema.annotation.rule == "dawid_skene" else None
        tasks = self.snapshot.tasks()
        try:
            while True:
                start = perf_counter()
                task = next(tasks, None)
                after_read = perf_counter()
                read += after_read - start
                if task is None:
                    break
                seen = len(findings)
                self.validator.task(task)
                if len(findings) > seen:
                    _note_invalid(findings[seen:], invalid)
                after_validate = perf_counter()
                validate += after_validate - after_read
                agg = aggregate_task_with(task, self.schema, self.validator.answers)
                after_aggregate = perf_counter()
                aggregate += after_aggregate - after_validate
                if collector is not None:
                    collector.add(agg)
                    agree += perf_counter() - after_aggregate
                if held is not None:
                    held.append(agg)
                else:
                    yield _item(agg, keep)
            if held is not None:
                # rule dawid_skene: every item is needed before any is decided
                from ..review.rule import apply_label_model

                start = perf_counter()
                apply_label_model(held, self.schema)
                aggregate += perf_counter() - start
                for agg in held:
                    yield _item(agg, keep)
        finally:
            seconds["read"] += read
            seconds["validate"] += validate
            seconds["aggregate"] += aggregate
            seconds["agreement"] += agree

    def agreement(self) -> dict[str, dict[str, Any]]:
        """The agreement figures of every task streamed so far (the card's)."""
        if self.collector is None:
            raise ValueError("this pass was made without agreement")
        return agreement_figures(self.collector.report())


def _item(agg: Any, keep: set[str] | None = None) -> Item:
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
