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

What the model cannot judge gets no confidence (None, an empty cell in the
dataset), never a made-up 1.0:

- a missing label (single, yes/no, rating: the model chose "no answer"): there is
  no label to be confident in;
- an item whose one answer comes from an annotator who shares no item with
  another annotator: nothing tells how often they are right (with one annotator
  per item the model would call everyone perfect). Under ``min_confidence`` such a
  question is unresolved. Finding A053 counts them.

``min_confidence: 1`` leaves nearly every item unresolved: finding A054.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..kinds import kind_of
from ..report import Finding
from ..schema import Question, Schema, min_confidence_warning
from .aggregate import OK, STATUS_UNRESOLVED, UNANIMOUS, UNRESOLVED, AggregatedItem
from .dawid_skene import LabelModel, MultiLabelModel, binary_relevance, dawid_skene

DAWID_SKENE = "dawid_skene"
BINARY_RELEVANCE = "binary_relevance"
ONE_ANSWER = "A053"  # warning: items the model cannot judge (one answer, annotator alone)
MIN_CONFIDENCE_ONE = "A054"  # warning: min_confidence 1 leaves nearly everything unresolved


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


def apply_label_model(items: Sequence[AggregatedItem], schema: Schema, *,
                      findings: list[Finding] | None = None, where: str = "snapshot"
                      ) -> dict[str, LabelModel | MultiLabelModel]:
    """Re-decide ``items`` in place under the rule dawid_skene (module docstring); returns
    the fitted model per question (for :mod:`toolkit.review.competence`). Does nothing and
    returns {} under another rule. ``findings`` gets A053 and A054, ``where`` naming the
    snapshot."""
    if schema.annotation.rule != DAWID_SKENE:
        return {}
    pool = [item for item in items if item.votes is not None]
    min_confidence = schema.annotation.min_confidence
    alone = _unjudged(pool)
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
            judged = index not in alone and (set_valued or label is not None)
            if judged:
                item.confidence[name] = confidence
            if min_confidence is not None and index in alone:
                item.labels[name], item.provenance[name] = None, UNRESOLVED
                continue
            if min_confidence is not None and judged and confidence < min_confidence:
                item.labels[name], item.provenance[name] = None, UNRESOLVED
                continue
            votes = item.votes[name]
            unanimous = votes.count(votes[0]) == len(votes) and votes[0] == label
            item.labels[name] = label
            item.provenance[name] = UNANIMOUS if unanimous else DAWID_SKENE
    for index, item in enumerate(pool):
        _restate(item, schema, unjudged=index in alone)
    if findings is not None:
        findings.extend(_findings(pool, alone, schema, where, bool(models)))
    return models


def _unjudged(pool: Sequence[AggregatedItem]) -> set[int]:
    """Indexes of the items with one answer whose annotator answers no item together
    with another annotator: the label model cannot judge them."""
    shared = {who for item in pool if len(item.answers) > 1 for who, _ in item.answers}
    return {index for index, item in enumerate(pool)
            if len(item.answers) == 1 and item.answers[0][0] not in shared}


def _findings(pool: Sequence[AggregatedItem], alone: set[int], schema: Schema, where: str,
              modelled_any: bool) -> list[Finding]:
    """A053 when some items cannot be judged, A054 for min_confidence 1."""
    out = []
    if alone and modelled_any:
        who = sorted({pool[i].answers[0][0] for i in alone}, key=lambda w: (len(w), w))
        shown = ", ".join(who[:10]) + (", ..." if len(who) > 10 else "")
        under = ("; under min_confidence they are unresolved"
                 if schema.annotation.min_confidence is not None else "")
        out.append(Finding(
            "warning", ONE_ANSWER, where,
            f"{len(alone)} of {len(pool)} item(s) have one answer, from annotator(s) who share "
            f"no item with another ({shown}): one answer cannot be judged (the model would "
            "call every such annotator always right)",
            f"their confidence is left empty{under}; give items a second annotator "
            "(annotation.overlap 2 or more)"))
    caution = min_confidence_warning(schema)
    if caution:
        out.append(Finding("warning", MIN_CONFIDENCE_ONE, where, caution,
                           "the items are left unresolved (rejected/) as the schema asks"))
    return out


def _restate(item: AggregatedItem, schema: Schema, *, unjudged: bool = False) -> None:
    """Status, reason and unresolved questions from the provenances, as aggregate_task;
    ``unjudged``: the item's one answer could not be judged (A053)."""
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
        elif unjudged:
            reason += " (one answer, from an annotator who shares no item: confidence unknown)"
        item.reason = reason
    else:
        item.status, item.reason = OK, ""
