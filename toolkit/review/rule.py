"""The schema rule ``dawid_skene``: re-decide aggregated items with a label model.

``aggregate_task`` decides one task at a time; a label model needs every item
at once (it learns each annotator from all their answers). So under the rule
``dawid_skene`` build first aggregates every task as usual (majority), then
:func:`apply_label_model` re-decides, over all items that were aggregated from
their annotators' answers (not ground truth, not too few annotations):

- kinds whose ``label_model`` is ``dawid_skene`` (single, yesno, rating):
  :func:`~toolkit.review.dawid_skene.dawid_skene` over (item, annotator, answer);
  "no answer" (None) is a label like any other (an optional or conditional
  question left empty);
- ``binary_relevance`` (multi): :func:`~toolkit.review.dawid_skene.binary_relevance`,
  label by label;
- no label model (spans, text): unchanged (the majority rule).

Per re-decided question the item gets the label, ``confidence[question]`` (the
posterior of the chosen label; for multi the weakest label decision) and the
provenance ``dawid_skene``, or ``unanimous`` when every annotator gave that
label. Below ``annotation.min_confidence`` the question is unresolved (label
None). The item's status and reason are then recomputed as aggregate does.
Deterministic: items are taken in the order given (the snapshot's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..kinds import kind_of
from ..schema import Question, Schema
from .aggregate import OK, STATUS_UNRESOLVED, UNANIMOUS, UNRESOLVED, AggregatedItem
from .dawid_skene import LabelModel, MultiLabelModel, binary_relevance, dawid_skene

DAWID_SKENE = "dawid_skene"
BINARY_RELEVANCE = "binary_relevance"


def modelled(schema: Schema) -> list[tuple[Question, str]]:
    """(question, its kind's label model) of the questions a label model decides."""
    return [(q, model) for q in schema.questions
            if (model := kind_of(q.kind).label_model) is not None]


def fit(question: Question, model: str, triples: list) -> LabelModel | MultiLabelModel:
    """The label model ``model`` fitted on (item, annotator, answer) ``triples``."""
    kind = kind_of(question.kind)
    if model == BINARY_RELEVANCE:
        return binary_relevance(triples, kind.model_labels(question))
    return dawid_skene(triples, kind.model_labels(question))


def apply_label_model(items: Sequence[AggregatedItem], schema: Schema
                      ) -> dict[str, LabelModel | MultiLabelModel]:
    """Re-decide ``items`` in place under the rule dawid_skene (module docstring); returns
    the fitted model per question (for :mod:`toolkit.review.competence`). Does nothing and
    returns {} under another rule."""
    if schema.annotation.rule != DAWID_SKENE:
        return {}
    pool = [item for item in items if item.votes is not None]
    min_confidence = schema.annotation.min_confidence
    models: dict[str, Any] = {}
    for question, kind_model in modelled(schema):
        name = question.name
        set_valued = kind_model == BINARY_RELEVANCE
        triples = [(index, who, vote)
                   for index, item in enumerate(pool)
                   for (who, _), vote in zip(item.answers, item.votes[name], strict=True)]
        model = fit(question, kind_model, triples)
        results = model.results()
        models[name] = model
        for index, item in enumerate(pool):
            found = results.get(index)
            if found is None:
                continue
            label, confidence = found
            if set_valued:
                label = label or None  # no label chosen: stored as None, as aggregate does
            item.confidence[name] = confidence
            if min_confidence is not None and confidence < min_confidence:
                item.labels[name], item.provenance[name] = None, UNRESOLVED
                continue
            votes = item.votes[name]
            unanimous = votes.count(votes[0]) == len(votes) and votes[0] == label
            item.labels[name] = label
            item.provenance[name] = UNANIMOUS if unanimous else DAWID_SKENE
    for item in pool:
        _restate(item, schema)
    return models


def _restate(item: AggregatedItem, schema: Schema) -> None:
    """Status, reason and unresolved questions from the provenances, as aggregate_task."""
    item.unresolved_questions = [q.name for q in schema.questions
                                 if not kind_of(q.kind).free_text
                                 and item.provenance[q.name] == UNRESOLVED]
    if item.unresolved_questions:
        item.status = STATUS_UNRESOLVED
        low = [name for name in item.unresolved_questions if name in item.confidence]
        reason = "no agreed answer for: " + ", ".join(item.unresolved_questions)
        if low:
            reason += (f" (confidence below {schema.annotation.min_confidence:g}: "
                       + ", ".join(f"{name} {item.confidence[name]:.2f}" for name in low) + ")")
        item.reason = reason
    else:
        item.status, item.reason = OK, ""
