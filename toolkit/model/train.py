"""`corpus model train`: the baseline model of a snapshot's aggregated labels.

    from toolkit.model import train_model
    trained = train_model(schema, "exports/s/snapshots/X.json")
    trained.model.save(trained.folder())       # exports/<schema>/models/<version>/
    trained.reports                            # per question: CV figures, agreement

One read of the snapshot (toolkit.review: aggregation and agreement), one TF-IDF
vocabulary over the training texts, then per question its cross-validated
probabilities and figures and the model fitted on all its items. The version is a
hash of the inputs and parameters (:meth:`TrainingData.fingerprint`): the same
snapshot trains the same model under the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..review import ReviewResult, review_snapshot
from ..schema import Schema
from .classifier import OutOfFold, Params, fit_head, metrics, out_of_fold
from .data import QuestionData, modelled_questions, training_data
from .features import TfidfFeatures
from .saved import FORMAT, BaselineModel, models_dir
from .votes import baseline_votes

__all__ = ["QuestionReport", "Trained", "out_of_fold_probabilities", "train_model"]

Progress = Callable[[int, int | None], None]


@dataclass
class QuestionReport:
    """One question's line of `corpus model train`: its cross-validated figures beside
    the annotators' agreement, or why it was skipped."""

    question: str
    kind: str
    items: int = 0
    classes: list[Any] = field(default_factory=list)
    folds: int = 0
    accuracy: float | None = None
    macro_f1: float | None = None
    majority_baseline: float | None = None
    alpha: float | None = None  # annotators: Krippendorff's alpha (multi: mean per label)
    full_agreement: float | None = None  # annotators: percent of items all agreed on
    dropped: dict[str, int] = field(default_factory=dict)  # class -> items left out
    skipped: str | None = None

    def to_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items()}


@dataclass
class Trained:
    """What training made: the model (None when no question could be trained), the
    per-question reports, the out-of-fold probabilities, and the snapshot used."""

    schema: Schema
    snapshot: Path
    model: BaselineModel | None
    reports: list[QuestionReport]
    out_of_fold: dict[str, OutOfFold]
    items: int  # distinct items with at least one training label

    @property
    def version(self) -> str | None:
        return self.model.version if self.model is not None else None

    def folder(self, models: str | Path | None = None) -> Path:
        """``<models>/<version>`` (default exports/<schema>/models/<version>)."""
        base = Path(models) if models is not None else models_dir(self.schema.name)
        return base / str(self.version)


def _agreement(review: Any) -> dict[str, Any]:
    report = review.agreement
    return {q.question: q for q in (report.questions if report is not None else [])}


def out_of_fold_probabilities(items: Any, schema: Schema, *, invalid: Any = (),
                              params: Params = Params()) -> dict[str, OutOfFold]:
    """Question -> the cross-validated probabilities of every training item (keys in
    ``OutOfFold.keys``), from aggregated items (``review_snapshot(...).items``): what a
    rule that lets the model vote needs (no item's own label feeds its prediction).
    Skipped questions (tiny data) are absent."""
    data = training_data(items, schema, invalid=invalid, params=params)
    features = TfidfFeatures.fit(data.texts, min_df=params.min_df, ngram_range=params.ngram_range)
    X = features.transform(data.texts).to_scipy()
    out = {}
    for question in data.questions:
        if question.skipped is None:
            oof = _cross_validate(X, question, params)
            out[question.name] = oof
    return out


def _cross_validate(X: Any, data: QuestionData, params: Params,
                    on_fold: Callable[[], None] | None = None) -> OutOfFold:
    oof = out_of_fold(X[data.texts], data.y, data.weights, data.classes,
                      multi_label=data.multi_label, params=params, on_fold=on_fold)
    oof.keys = list(data.keys)
    return oof


def train_model(schema: Schema, snapshot: str | Path, *, review: ReviewResult | None = None,
                params: Params = Params(), on_progress: Progress | None = None) -> Trained:
    """Train the baseline model on ``snapshot``'s aggregated labels (see the module
    docstring); ``review``: the review of it a caller already made (`corpus sync`: the
    snapshot is read once), else it is read here. InputError when the schema has no
    question a model can learn."""
    if not modelled_questions(schema):
        raise InputError(f"schema {schema.name}: no single, multi, yes/no or "
                         "rating question; the baseline model has nothing to learn")
    if review is None:
        review = review_snapshot(snapshot, schema, validate=True, aggregate=True,
                                 agreement=True, model_votes=baseline_votes)  # crowdlab
    data = training_data(review.items or [], schema, invalid=review.invalid, params=params)
    agreement = _agreement(review)
    trainable = [q for q in data.questions if q.skipped is None]
    total = 2 + sum(_folds_of(q, params) + 1 for q in trainable)
    step = _Steps(total, on_progress)
    features = TfidfFeatures.fit(data.texts, min_df=params.min_df,
                                 ngram_range=params.ngram_range)
    step()
    X = features.transform(data.texts).to_scipy() if trainable else None
    step()
    reports, heads, oofs, specs = [], {}, {}, []
    for question in data.questions:
        report = _report(question, agreement.get(question.name))
        reports.append(report)
        if question.skipped is not None or X is None:
            continue
        oof = _cross_validate(X, question, params, on_fold=step)
        oofs[question.name] = oof
        figures = metrics(question.y, oof)
        report.folds = oof.folds
        report.accuracy = figures["accuracy"]
        report.macro_f1 = figures["macro_f1"]
        report.majority_baseline = figures["majority_baseline"]
        head = fit_head(X[question.texts], question.y, question.weights, question.classes,
                        multi_label=question.multi_label, params=params)
        step()
        heads[question.name] = head
        specs.append({"name": question.name, "kind": question.question.kind,
                      "field": question.text_field, "link": head.link, "classes": head.classes,
                      **{k: v for k, v in report.to_dict().items()
                         if k not in ("question", "kind", "classes", "skipped")}})
    items = len({key for q in data.questions for key in q.keys})
    model = None
    if heads:
        version = "baseline-" + data.fingerprint(schema, params)
        meta = {"format": FORMAT, "model_version": version, "schema_name": schema.name,
                "schema_hash": schema.content_hash, "snapshot": Path(snapshot).name,
                "params": params.to_dict(), "training_items": items,
                "vocabulary_size": len(features.terms), "questions": specs,
                "skipped": [{"name": r.question, "reason": r.skipped}
                            for r in reports if r.skipped is not None]}
        model = BaselineModel(features, heads, meta,
                              {q.name: q.text_field for q in trainable})
    return Trained(schema, Path(snapshot), model, reports, oofs, items)


def _folds_of(data: QuestionData, params: Params) -> int:
    if data.multi_label:
        return min(params.folds, len(data.y))
    counts = np.bincount(data.y)
    return min(params.folds, int(counts[counts > 0].min()))


def _report(data: QuestionData, agreement: Any) -> QuestionReport:
    report = QuestionReport(data.name, data.question.kind, items=len(data.keys),
                            classes=list(data.classes),
                            dropped={str(k): v for k, v in data.dropped.items()},
                            skipped=data.skipped)
    if agreement is not None:
        report.alpha = agreement.alpha
        report.full_agreement = agreement.full_agreement
    return report


class _Steps:
    def __init__(self, total: int, on_progress: Progress | None) -> None:
        self.done, self.total, self.on_progress = 0, total, on_progress
        if on_progress:
            on_progress(0, total)

    def __call__(self) -> None:
        self.done += 1
        if self.on_progress:
            self.on_progress(self.done, self.total)


