"""CROWDLAB's maths (numpy only): annotators' answers plus a classifier's out-of-fold
probabilities as one more, weighted voter.

Goh, Tkachenko, Mueller, "CROWDLAB: Supervised learning to infer consensus labels and
quality scores for data with multiple annotators" (NeurIPS 2022 HILL workshop,
arXiv:2210.06812); this follows cleanlab's ``multiannotator.get_label_quality_multiannotator``
with ``consensus_method="best_quality"``, ``quality_method="crowdlab"`` step by step
(cleanlab is AGPL-3.0: only ``bench/bench_quality.py`` runs it, as a reference):

1. an initial consensus: the majority vote of each item, a tie broken by the model's
   probabilities among the tied labels, then by the rarer label over all answers, then
   by label order (cleanlab draws at random there; here it is deterministic);
2. weights: ``consensus_likelihood`` is the mean share of an item's annotators who
   gave its consensus label (items with 2+ answers); ``most_likely_class_error`` the
   error of always answering the commonest consensus label; an annotator's weight is
   ``1 - (1 - their agreement with the other annotators of their items) /
   most_likely_class_error`` and the model's ``1 - (its error against the consensus) /
   most_likely_class_error``, times ``sqrt(mean answers per item)`` (each at least 1e-6);
3. each item's posterior: the weighted average of the model's probabilities and, per
   answer, ``consensus_likelihood`` on the label given and ``(1 -
   consensus_likelihood) / (K - 1)`` on each other label;
4. the consensus label is the posterior's most probable one (its tie: the initial
   label); steps 2-3 are run again with it, and the item's confidence (cleanlab's
   consensus quality score) is the new posterior of its label;
5. annotator quality: ``w * (mean posterior of the labels they gave) + (1 - w) *
   (their agreement with the consensus on items with 2+ answers)``, ``w`` the model's
   share of the weights.

Differences from cleanlab, on purpose: an item the model has no probabilities for
(``has_model`` False: a question it could not learn, a stand-in model's file without
that item) gets the annotators' vote alone (the model's weight is 0 there); ties as in
step 1. Deterministic: no randomness, sums in a fixed order.

Likely label errors (:func:`self_confidence`): the model's out-of-fold probability of
an item's label, as cleanlab's ``get_label_quality_scores(method="self_confidence")``;
the lower, the likelier the label is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CLIP", "CrowdlabResult", "contradicted", "crowdlab", "majority_vote", "model_matrix",
           "self_confidence"]

CLIP = 1e-6  # cleanlab's CLIPPING_LOWER_BOUND


@dataclass
class CrowdlabResult:
    """What :func:`crowdlab` estimated. Items and annotators are the integer codes given."""

    labels: np.ndarray  # consensus label per item
    confidence: np.ndarray  # posterior of the consensus label (cleanlab's quality score)
    posterior: np.ndarray  # items x labels
    initial: np.ndarray  # the majority vote (step 1)
    annotator_weight: np.ndarray  # per annotator
    annotator_quality: np.ndarray  # per annotator (step 5)
    annotator_agreement: np.ndarray  # per annotator: share of answers equal to the consensus
    annotator_items: np.ndarray  # per annotator: answers given
    model_weight: float
    model_agreement: float  # the model's top label equal to the consensus (2+ answers)
    model_items: int  # items the model has probabilities for


def majority_vote(item: np.ndarray, label: np.ndarray, n_items: int, n_labels: int,
                  probabilities: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(the majority label per item with cleanlab's tie-breaks, the items x labels vote
    counts); see step 1 of the module docstring."""
    counts = np.zeros((n_items, n_labels))
    np.add.at(counts, (item, label), 1.0)
    tied = counts == counts.max(axis=1, keepdims=True)
    # a tie: the model's probabilities, then the rarer label overall, then label order
    if probabilities is not None:
        key = np.where(tied, probabilities, -np.inf)
        tied = key == key.max(axis=1, keepdims=True)
    frequency = counts.sum(axis=0)
    key = np.where(tied, -frequency[None, :], -np.inf)
    chosen = np.argmax(key, axis=1)  # the first of the equal keys (label order)
    return chosen, counts


def _weights(item: np.ndarray, annotator: np.ndarray, label: np.ndarray, counts: np.ndarray,
             n_annotators: int, consensus: np.ndarray, probabilities: np.ndarray,
             has_model: np.ndarray) -> tuple[np.ndarray, float, float, float, np.ndarray]:
    """(annotator weights, model weight, consensus likelihood, model agreement, the
    items with 2+ answers); steps 2 of the module docstring."""
    n_labels = counts.shape[1]
    answers = counts.sum(axis=1)
    several = answers > 1
    agreement = counts[np.arange(len(consensus)), consensus] / np.maximum(answers, 1)
    likelihood = float(agreement[several].mean()) if several.any() else 1.0
    common = np.bincount(consensus[several], minlength=n_labels)
    mlce = max(float(np.mean(consensus[several] != np.argmax(common))) if several.any()
               else 0.0, CLIP)
    # each answer's agreement with the other annotators of its item, weighted by their number
    same = counts[item, label] - 1.0
    others = answers[item] - 1.0
    agreed = np.bincount(annotator, weights=same, minlength=n_annotators)
    compared = np.bincount(annotator, weights=others, minlength=n_annotators)
    with np.errstate(invalid="ignore", divide="ignore"):
        with_others = np.where(compared > 0, agreed / np.where(compared > 0, compared, 1), np.nan)
    known = ~np.isnan(with_others)
    if known.any() and not known.all():
        with_others[~known] = with_others[known].mean()
    elif not known.any():
        with_others[:] = 1.0
    annotator_weight = np.clip(1.0 - (1.0 - with_others) / mlce, CLIP, None)
    judged = several & has_model
    if judged.any():
        model_error = float(np.mean(np.argmax(probabilities[judged], axis=1)
                                    != consensus[judged]))
        model_weight = max(1.0 - model_error / mlce, CLIP) * float(np.sqrt(answers.mean()))
    else:
        model_error, model_weight = 1.0, 0.0
    return annotator_weight, model_weight, likelihood, 1.0 - model_error, several


def _posterior(item: np.ndarray, annotator: np.ndarray, label: np.ndarray, n_items: int,
               n_labels: int, annotator_weight: np.ndarray, model_weight: float,
               likelihood: float, probabilities: np.ndarray, has_model: np.ndarray
               ) -> np.ndarray:
    """Step 3: the weighted average of the model's and the answers' probabilities."""
    other = (1.0 - likelihood) / max(n_labels - 1, 1)
    weight = annotator_weight[annotator]
    model = np.where(has_model, model_weight, 0.0)
    votes = np.zeros((n_items, n_labels))
    np.add.at(votes, item, (weight * other)[:, None])
    np.add.at(votes, (item, label), weight * (likelihood - other))
    total = np.bincount(item, weights=weight, minlength=n_items) + model
    post = votes + probabilities * model[:, None]
    return post / np.where(total > 0, total, 1.0)[:, None]


def crowdlab(item: Any, annotator: Any, label: Any, *, n_items: int,
             n_annotators: int, n_labels: int, probabilities: Any,
             has_model: Any = None) -> CrowdlabResult:
    """CROWDLAB on coded answers: answer ``a`` is annotator ``annotator[a]`` giving label
    ``label[a]`` on item ``item[a]`` (every item has at least one answer);
    ``probabilities``: items x labels, the model's out-of-fold probabilities;
    ``has_model``: items the model has probabilities for (default all)."""
    item = np.asarray(item, dtype=np.int64)
    annotator = np.asarray(annotator, dtype=np.int64)
    label = np.asarray(label, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    has_model = (np.ones(n_items, dtype=bool) if has_model is None
                 else np.asarray(has_model, dtype=bool))
    probabilities = np.where(has_model[:, None], probabilities, 1.0 / n_labels)
    initial, counts = majority_vote(item, label, n_items, n_labels,
                                    np.where(has_model[:, None], probabilities, 0.0))
    weights = _weights(item, annotator, label, counts, n_annotators, initial, probabilities,
                       has_model)
    post = _posterior(item, annotator, label, n_items, n_labels, weights[0], weights[1],
                      weights[2], probabilities, has_model)
    top = post.max(axis=1, keepdims=True)
    unique = (post == top).sum(axis=1) == 1
    consensus = np.where(unique, np.argmax(post, axis=1), initial)
    annotator_weight, model_weight, likelihood, model_agreement, several = _weights(
        item, annotator, label, counts, n_annotators, consensus, probabilities, has_model)
    post = _posterior(item, annotator, label, n_items, n_labels, annotator_weight,
                      model_weight, likelihood, probabilities, has_model)
    confidence = post[np.arange(n_items), consensus]
    # step 5: annotator quality
    given = np.bincount(annotator, minlength=n_annotators).astype(np.float64)
    scores = np.bincount(annotator, weights=post[item, label], minlength=n_annotators)
    with np.errstate(invalid="ignore", divide="ignore"):
        label_quality = scores / given
        on_several = several[item]
        same = (label == consensus[item]) & on_several
        agreement_several = (np.bincount(annotator, weights=same, minlength=n_annotators)
                             / np.bincount(annotator, weights=on_several,
                                           minlength=n_annotators))
        agreement_all = np.bincount(annotator, weights=label == consensus[item],
                                    minlength=n_annotators) / given
    spread = annotator_weight.sum() * counts.sum(axis=1).mean() / max(n_annotators, 1)
    share = model_weight / (model_weight + spread) if model_weight + spread > 0 else 0.0
    quality = share * label_quality + (1.0 - share) * agreement_several
    quality = np.where(np.isnan(agreement_several), label_quality, quality)
    return CrowdlabResult(consensus, confidence, post, initial, annotator_weight, quality,
                          agreement_all, given.astype(np.int64), model_weight,
                          model_agreement, int(has_model.sum()))


def self_confidence(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The model's probability of each item's label (rows of ``probabilities``): low
    means the model contradicts the label (cleanlab's self-confidence score)."""
    return np.asarray(probabilities)[np.arange(len(labels)), np.asarray(labels)]


def model_matrix(columns: list[int | None], given: Any, has_model: Any, n_items: int,
                 n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """A model's probabilities re-laid on the rule's labels: ``columns[j]`` is the label
    index of the model's class j (None: a class the rule does not know, dropped); rows
    renormalized; (probabilities, has_model), a row without probability mass has none."""
    probabilities = np.zeros((n_items, n_labels))
    given = np.asarray(given, dtype=np.float64)
    for j, column in enumerate(columns):
        if column is not None:
            probabilities[:, column] = given[:, j]
    sums = probabilities.sum(axis=1, keepdims=True)
    has = np.asarray(has_model, dtype=bool) & (sums[:, 0] > 0)
    scaled = np.where(has[:, None], probabilities / np.where(sums > 0, sums, 1.0), 0.0)
    return scaled, has


def contradicted(probabilities: np.ndarray, has_model: np.ndarray,
                 labels: list[int | None]) -> list[tuple[int, int, float]]:
    """(item, the model's top label, 1 - self-confidence) of the items with a label
    (not None) and model probabilities whose top label is another one."""
    out = []
    for index, label in enumerate(labels):
        if label is None or not has_model[index]:
            continue
        row = probabilities[index]
        top = int(row.argmax())
        if top != label:
            out.append((index, top, round(1.0 - float(row[label]), 6)))
    return out
