"""A model's probabilities for a rule that lets a model vote (``annotation.rule:
crowdlab``; toolkit.rules.base.ModelProvider).

    from toolkit.model.votes import baseline_votes, predictions_votes
    review_snapshot(snapshot, schema, model_votes=baseline_votes)            # the default
    review_snapshot(snapshot, schema, model_votes=predictions_votes("p.jsonl"))  # any model

Why here and not in the rule: the rule is a leaf (toolkit.rules) and review is below
the model, so neither can train a classifier. The stages that string review together
(build, agree, adjudicate, sync, the report) pass one of these providers to
``review_snapshot``, which calls it with the held items only under such a rule.

:func:`baseline_votes`: the baseline model (TF-IDF + logistic regression,
toolkit.model.classifier) cross-validated on the items being aggregated: trained on
each item's initial label (the per-task majority; ties and "no answer" are not
trained on), out-of-fold, so no item's own label feeds its prediction; an item with
no initial label gets the mean of the fold models' probabilities. The texts come from
the task data in the snapshot (no corpus needed). Deterministic (seeded folds, items
in snapshot order); the version (``baseline-oof-<hash>``) is a hash of the texts,
labels, schema and parameters, and the dataset card names it.

:func:`predictions_votes`: any model's predictions in the ``--predictions`` JSONL
format (``corpus_key``, ``model_version``, ``score``, ``result``), such as `corpus
model predict` writes. A line gives one answer per question and its score, so the
probabilities are ``score`` on that answer and the rest spread evenly over the other
labels (no score: 1). Items without a line are decided without the model. The
predictions must be out-of-sample: from a model that did not learn these items'
labels (trained on other data, or cross-validated), else the model just echoes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ..kinds import kind_of
from ..kinds.base import PER_LABEL
from ..provenance import Provenance
from ..review.answers import extract_answers
from ..rules import ModelProvider, ModelVotes
from ..schema import Question, Schema
from ..studio.push import read_predictions
from .classifier import Params, out_of_fold
from .features import TfidfFeatures, prepare

__all__ = ["baseline_votes", "out_of_fold_votes", "predictions_votes"]


def _questions(schema: Schema) -> list[Question]:
    """The questions a model votes on: one label per item (single, yes/no, rating)."""
    return [q for q in schema.questions
            if (shape := kind_of(q.kind).label_model) is not None and shape != PER_LABEL]


def baseline_votes(items: Sequence[Any], schema: Schema, *,
                   params: Params = Params()) -> dict[str, ModelVotes]:
    """The baseline model's out-of-fold probabilities per question (module docstring).
    A question with fewer than two labels given ``params.min_per_class`` times is left
    out (the rule then weighs the annotators alone)."""
    out: dict[str, ModelVotes] = {}
    rows: dict[str, Any] = {}  # field -> TF-IDF rows of every item
    texts: dict[str, list[str]] = {}
    for question in _questions(schema):
        field = schema.target_field(question)
        if field not in rows:
            texts[field] = [prepare(item.data.get(field)) for item in items]
            features = TfidfFeatures.fit(texts[field], min_df=params.min_df,
                                         ngram_range=params.ngram_range)
            rows[field] = features.transform(texts[field]).to_scipy()
        votes = _question_votes(question, items, rows[field], texts[field], schema, params)
        if votes is not None:
            out[question.name] = votes
    return out


def _question_votes(question: Question, items: Sequence[Any], X: Any, texts: list[str],
                    schema: Schema, params: Params) -> ModelVotes | None:
    name = question.name
    classes = list(kind_of(question.kind).model_labels(question))
    code = {value: i for i, value in enumerate(classes)}
    labels = np.full(len(items), -1, dtype=np.int64)
    for index, item in enumerate(items):
        label = item.labels.get(name)
        if item.provenance.get(name) != Provenance.UNRESOLVED and label in code:
            labels[index] = code[label]
    found = out_of_fold_votes(X, labels, len(classes), params)
    if found is None:
        return None
    probabilities, kept = found
    digest = hashlib.sha256(orjson.dumps({"schema": schema.content_hash, "question": name,
                                          "params": params.to_dict()}))
    digest.update(orjson.dumps(texts))
    digest.update(labels.tobytes())
    return ModelVotes([classes[c] for c in kept], probabilities,
                      np.ones(len(items), dtype=bool), "baseline-oof-" + digest.hexdigest()[:12])


def out_of_fold_votes(X: Any, labels: np.ndarray, n_classes: int, params: Params = Params()
                      ) -> tuple[np.ndarray, list[int]] | None:
    """(items x kept classes probabilities, the kept class indexes) of TF-IDF rows ``X``
    whose training label is ``labels[i]`` (a class index, -1: none): out-of-fold for the
    labelled items, the fold models' mean for the others. Classes given fewer than
    ``params.min_per_class`` times are left out; None when fewer than two remain."""
    counts = np.bincount(labels[labels >= 0], minlength=n_classes)
    kept = [c for c in range(n_classes) if counts[c] >= params.min_per_class]
    if len(kept) < 2:
        return None
    recode = np.full(n_classes, -1, dtype=np.int64)
    recode[kept] = np.arange(len(kept))
    y_all = np.where(labels >= 0, recode[np.maximum(labels, 0)], -1)
    train = np.flatnonzero(y_all >= 0)
    rest = np.flatnonzero(y_all < 0)
    oof = out_of_fold(X[train], y_all[train], np.ones(len(train)), kept, multi_label=False,
                      params=params, others=X[rest] if len(rest) else None)
    probabilities = np.zeros((labels.shape[0], len(kept)))
    probabilities[train] = oof.probabilities
    if len(rest) and oof.others is not None:
        probabilities[rest] = oof.others
    return probabilities, kept


def predictions_votes(path: str | Path) -> ModelProvider:
    """A provider from a predictions JSONL file (module docstring); the file is read when
    the rule asks. InputError (file and line) when a line is not a prediction."""
    where = Path(path)

    def provide(items: Sequence[Any], schema: Schema) -> dict[str, ModelVotes]:
        found = read_predictions(where)
        versions = sorted({p["model_version"] for preds in found.values() for p in preds})
        version = ", ".join(versions) or where.name
        out = {}
        for question in _questions(schema):
            classes = list(kind_of(question.kind).model_labels(question))
            code = {value: i for i, value in enumerate(classes)}
            probabilities = np.zeros((len(items), len(classes)))
            has = np.zeros(len(items), dtype=bool)
            for index, item in enumerate(items):
                preds = found.get(item.corpus_key) if item.corpus_key else None
                if not preds:
                    continue
                prediction = preds[-1]  # the file's last line for the item wins
                answer = extract_answers(prediction["result"], schema, item.data).get(
                    question.name)
                if answer not in code:
                    continue
                score = min(max(float(prediction.get("score", 1.0)), 0.0), 1.0)
                rest = (1.0 - score) / max(len(classes) - 1, 1)
                probabilities[index] = rest
                probabilities[index, code[answer]] = score
                has[index] = True
            if has.any():
                out[question.name] = ModelVotes(classes, probabilities, has, version)
        return out

    return provide
