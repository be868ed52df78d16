"""The rule ``crowdlab``: the annotators' answers and a model's out-of-fold
probabilities, weighed together (CROWDLAB; the maths: toolkit.rules.crowdlab).

Where the probabilities come from: rules are a leaf and cannot train a classifier
(texts and the classifier live in toolkit.model, above review). So the rule declares
``needs_model`` and the review pass calls the :class:`~toolkit.rules.base.ModelProvider`
its caller gave (``review_snapshot(..., model_votes=...)``) with the held items; the
stages that string the pass together hand it toolkit.model's provider: by default the
baseline model cross-validated on the items' own texts and initial (majority) labels
(``toolkit.model.votes.baseline_votes``), or any model's predictions in the
``--predictions`` JSONL format (``predictions_votes``). Imports keep pointing down.

Per question with one label per item (single choice, yes/no, rating), over the items
aggregated from their annotators' answers (not ground truth, not too few):

- the label is CROWDLAB's consensus, ``<question>_confidence`` its posterior;
  provenance ``crowdlab`` (``unanimous`` when every annotator gave that label);
- the model never decides an item no human answered: such items are not aggregated
  at all (status ``no_annotations``); its vote only weighs among the humans';
- an item with ONE answer is decided only when the consensus is that answer and its
  posterior is at least ``annotation.min_confidence`` (above 0.5 when the schema sets
  none): the model never overrules the only human, it can only doubt them, and then
  the item is unresolved (adjudication);
- with 2+ answers, below ``min_confidence`` the item is unresolved, as under
  ``dawid_skene``;
- a question the model has no probabilities for (tiny data) is decided by the
  weighted annotators alone; multi choice, spans and free text keep the per-task
  majority rule.

Also: the annotators' CROWDLAB ratings and the model's own as a voter
(``Decided.ratings``), and likely label errors (``Decided.suspects``): decided items
whose label the out-of-fold model gives the lowest probability, when its own top
label is another (finding A070; at least ``annotation.label_error_above`` they go to
the adjudication tab and stay in the dataset).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..kinds import kind_of
from ..kinds.base import PER_LABEL
from ..provenance import Provenance
from .base import Decidable, Decided, ModelVotes
from .label_model import min_confidence_warning
from .majority import Majority

if TYPE_CHECKING:
    from ..schema import Question, Schema

__all__ = ["LIKELY_ERRORS", "ONE_ANSWER_FLOOR", "CrowdLab"]

LIKELY_ERRORS = "A070"  # info: items whose label the out-of-fold model contradicts
#: with one answer and no ``min_confidence``, the posterior an item needs to be decided
ONE_ANSWER_FLOOR = 0.5


def _maths() -> ModuleType:
    """toolkit.rules.crowdlab, imported when deciding (numpy; loading a schema does not)."""
    from . import crowdlab

    return crowdlab


def _questions(schema: Schema) -> list[Question]:
    return [q for q in schema.questions
            if (shape := kind_of(q.kind).label_model) is not None and shape != PER_LABEL]


class CrowdLab(Majority):
    """CROWDLAB (Goh, Tkachenko, Mueller 2022): a model's out-of-fold probabilities as
    one more voter, every voter weighed by its agreement with the consensus."""

    name = "crowdlab"
    provenance = Provenance.CROWDLAB
    decides_all_at_once = True
    gives_confidence = True
    needs_model = True

    def decide_all(self, items: Sequence[Decidable], schema: Schema, *,
                   where: str = "snapshot", model: dict[str, ModelVotes] | None = None
                   ) -> Decided:
        pool = list(items)
        decided = Decided()
        model = model or {}
        for question in _questions(schema):
            self._decide_question(question, pool, model.get(question.name), schema, decided)
        decided.suspects.sort(key=lambda row: (-row["score"], row["index"], row["question"]))
        decided.findings = _findings(decided, schema, where)
        return decided

    def _decide_question(self, question: Question, pool: list[Decidable],
                         votes: ModelVotes | None, schema: Schema, decided: Decided) -> None:
        maths = _maths()
        name = question.name
        classes: list[Any] = list(kind_of(question.kind).model_labels(question))
        code = {value: i for i, value in enumerate(classes)}
        items: list[int] = []
        annotators: list[int] = []
        labels: list[int] = []
        who_index: dict[str, int] = {}
        for index, item in enumerate(pool):
            for (who, _), vote in zip(item.answers, item.votes[name],  # type: ignore[index]
                                      strict=True):
                if vote not in code:  # "no answer" (None), or a value the schema lacks
                    code[vote] = len(classes)
                    classes.append(vote)
                items.append(index)
                annotators.append(who_index.setdefault(who, len(who_index)))
                labels.append(code[vote])
        if not items:
            return
        n, k = len(pool), len(classes)
        if votes is not None:
            probabilities, has_model = maths.model_matrix(
                [code.get(value) for value in votes.classes], votes.probabilities,
                votes.has_model, n, k)
            decided.model_versions[name] = votes.version
        else:
            probabilities, has_model = maths.model_matrix([], [[]] * n, [False] * n, n, k)
        result = maths.crowdlab(items, annotators, labels, n_items=n,
                                n_annotators=len(who_index), n_labels=k,
                                probabilities=probabilities, has_model=has_model)
        decided.fitted[name] = result
        self._apply(question, pool, classes, result, schema, decided)
        self._rate(name, list(who_index), result, votes, decided)
        self._suspects(name, pool, classes, result, probabilities, has_model, decided)

    def _apply(self, question: Question, pool: list[Decidable], classes: list[Any],
               result: Any, schema: Schema, decided: Decided) -> None:
        name = question.name
        threshold = schema.annotation.min_confidence
        for index, item in enumerate(pool):
            label = classes[int(result.labels[index])]
            confidence = float(result.confidence[index])
            votes = item.votes[name]  # type: ignore[index]
            if label is not None:
                item.confidence[name] = confidence
            if len(votes) == 1:  # the model never decides alone
                passes = label == votes[0] and (
                    confidence >= threshold if threshold is not None
                    else confidence > ONE_ANSWER_FLOOR)
            else:
                passes = threshold is None or label is None or confidence >= threshold
            if not passes:
                item.labels[name], item.provenance[name] = None, Provenance.UNRESOLVED
                if len(votes) == 1:
                    why = (f"{name}: one answer, {votes[0]!s}, "
                           + (f"the consensus is {label!s}" if label != votes[0] else
                              f"confidence {confidence:.2f} not above "
                              f"{threshold if threshold is not None else ONE_ANSWER_FLOOR:g}"))
                else:
                    why = f"{name}: confidence {confidence:.2f} below {threshold:g}"
                decided.notes[index] = (f"{decided.notes[index]}; {why}"
                                        if index in decided.notes else why)
                continue
            unanimous = votes.count(votes[0]) == len(votes) and votes[0] == label
            item.labels[name] = label
            item.provenance[name] = Provenance.UNANIMOUS if unanimous else self.provenance

    @staticmethod
    def _rate(name: str, annotators: list[str], result: Any, votes: ModelVotes | None,
              decided: Decided) -> None:
        for i, who in enumerate(annotators):
            decided.ratings.append({
                "question": name, "annotator": who, "items": int(result.annotator_items[i]),
                "quality": float(result.annotator_quality[i]),
                "weight": float(result.annotator_weight[i]),
                "agreement": float(result.annotator_agreement[i])})
        if votes is not None:
            decided.ratings.append({
                "question": name, "annotator": None, "model": votes.version,
                "items": int(result.model_items), "quality": float(result.model_agreement),
                "weight": float(result.model_weight), "agreement": float(result.model_agreement)})

    @staticmethod
    def _suspects(name: str, pool: list[Decidable], classes: list[Any], result: Any,
                  probabilities: Any, has_model: Any, decided: Decided) -> None:
        code = {value: i for i, value in enumerate(classes)}
        labels = [None if item.provenance.get(name) == Provenance.UNRESOLVED
                  else code.get(item.labels.get(name)) for item in pool]
        labels = [None if label is None or classes[label] is None else label
                  for label in labels]
        for index, top, score in _maths().contradicted(probabilities, has_model, labels):
            decided.suspects.append({
                "index": index, "question": name, "label": pool[index].labels.get(name),
                "model_label": classes[top], "score": score})

    def card_text(self, schema: Schema) -> str:
        below = schema.annotation.min_confidence
        return (": CROWDLAB (Goh, Tkachenko and Mueller, 2022) weighs each annotator and a "
                "text classifier's out-of-fold predicted probabilities, as one more voter, by "
                "their agreement with the consensus; each `<question>_confidence` column gives "
                "the consensus probability of the chosen label"
                + (f" (below {below:g} an item is unresolved)" if below is not None else
                   f"; an item with one answer needs more than {ONE_ANSWER_FLOOR:g}"))

    def confidence_text(self) -> str:
        return ("the CROWDLAB consensus probability of the chosen label (rule crowdlab: the "
                "annotators and the model's out-of-fold probabilities, weighed); null for "
                "ground truth, multi choice and items not aggregated")


def _findings(decided: Decided, schema: Schema, where: str) -> list[Finding]:
    out = []
    if decided.suspects:
        above = schema.annotation.label_error_above
        sent = [row for row in decided.suspects if above is not None and row["score"] >= above]
        shown = ", ".join(f"{row['question']} {row['label']!s}->{row['model_label']!s} "
                          f"({row['score']:.2f})" for row in decided.suspects[:3])
        todo = (f"{len(sent)} at or above annotation.label_error_above {above:g} go to the "
                "adjudication tab; all stay in the dataset" if above is not None else
                "they stay in the dataset; `corpus agree --json` lists them "
                "(likely_label_errors); set annotation.label_error_above to send the worst "
                "to the adjudication tab")
        out.append(Finding(
            "info", LIKELY_ERRORS, where,
            f"{len(decided.suspects)} item question(s) whose label the out-of-fold model "
            f"contradicts (score = 1 - its probability of the label; worst: {shown})", todo))
    caution = min_confidence_warning(schema)
    if caution:
        out.append(Finding("warning", "A054", where, caution,
                           "the items are left unresolved (rejected/) as the schema asks"))
    return out
