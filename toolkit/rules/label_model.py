"""The label-model rules: ``dawid_skene`` and ``one_coin``.

Each annotator's answers are modelled (toolkit.rules.dawid_skene); an item's label
is the one with the highest posterior. The per-task step is the majority rule's
(:class:`~toolkit.rules.majority.Majority`); once every item is read,
:meth:`LabelModelRule.decide_all` re-decides those aggregated from their
annotators' answers (not ground truth, not too few annotations):

- kinds whose ``label_model`` is ``one_label`` (single, yesno, rating): the model
  over (item, annotator, answer); "no answer" (None) is a label like any other
  (an optional or conditional question left empty);
- ``per_label`` (multi): binary relevance, label by label;
- no label model (spans, text): unchanged (the majority rule).

Per re-decided question the item gets the label, ``confidence[question]`` (the
posterior of the chosen label; for multi the weakest label decision) and the
rule's provenance, or ``unanimous`` when every annotator gave that label. Below
``annotation.min_confidence`` the question is unresolved (label None).
Deterministic: items are taken in the order given (the snapshot's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from ..kinds import kind_of
from ..kinds.base import ONE_LABEL, PER_LABEL
from ..provenance import Provenance
from .base import Decidable
from .majority import Majority

if TYPE_CHECKING:
    from ..schema import Question, Schema
    from .dawid_skene import LabelModel, MultiLabelModel

__all__ = ["ONE_LABEL", "PER_LABEL", "DawidSkene", "LabelModelRule", "OneCoin",
           "fit_label_model", "modelled"]

def _maths() -> ModuleType:
    """toolkit.rules.dawid_skene, imported when a model is fitted (it loads numpy, which
    loading a schema does not need)."""
    from . import dawid_skene

    return dawid_skene


def modelled(schema: Schema) -> list[tuple[Question, str]]:
    """(question, its kind's label model shape) of the questions a label model decides."""
    return [(q, shape) for q in schema.questions
            if (shape := kind_of(q.kind).label_model) is not None]


def fit_label_model(question: Question, shape: str, triples: list,
                    model: Callable[..., LabelModel] | None = None
                    ) -> LabelModel | MultiLabelModel:
    """A label model (Dawid-Skene unless ``model`` says otherwise) fitted on
    (item, annotator, answer) ``triples`` of ``question``."""
    maths = _maths()
    fit = model or maths.dawid_skene
    labels = kind_of(question.kind).model_labels(question)
    if shape == PER_LABEL:
        return maths.binary_relevance(triples, labels, model=fit)
    return fit(triples, labels)


class LabelModelRule(Majority):
    """What the label-model rules share; a subclass names its model (:meth:`model`)."""

    decides_all_at_once = True
    gives_confidence = True
    #: the model's name as the card writes it
    model_title: ClassVar[str] = ""

    def model(self) -> Callable[..., LabelModel]:
        """The function fitting the model on coded answers (toolkit.rules.dawid_skene)."""
        raise NotImplementedError

    def decide_all(self, items: Sequence[Decidable], schema: Schema) -> dict[str, Any]:
        pool = [item for item in items if item.votes is not None]
        min_confidence = schema.annotation.min_confidence
        fitted: dict[str, Any] = {}
        for question, shape in modelled(schema):
            name = question.name
            triples = [(index, who, vote)
                       for index, item in enumerate(pool)
                       for (who, _), vote in zip(item.answers, item.votes[name],  # type: ignore[index]
                                                 strict=True)]
            model = fit_label_model(question, shape, triples, self.model())
            results = model.results()
            fitted[name] = model
            for index, item in enumerate(pool):
                found = results.get(index)
                if found is None:
                    continue
                label, confidence = found
                if shape == PER_LABEL:
                    label = label or None  # no label chosen: stored as None, as aggregate does
                item.confidence[name] = confidence
                if min_confidence is not None and confidence < min_confidence:
                    item.labels[name], item.provenance[name] = None, Provenance.UNRESOLVED
                    continue
                votes = item.votes[name]  # type: ignore[index]
                unanimous = votes.count(votes[0]) == len(votes) and votes[0] == label
                item.labels[name] = label
                item.provenance[name] = Provenance.UNANIMOUS if unanimous else self.provenance
        return fitted

    def card_text(self, schema: Schema) -> str:
        below = schema.annotation.min_confidence
        return (f": a {self.model_title} model weighs each annotator by their estimated "
                "accuracy, and each `<question>_confidence` column gives the probability of "
                "the chosen label"
                + (f" (below {below:g} an item is unresolved)" if below is not None else ""))

    def confidence_text(self) -> str:
        return (f"the probability of the chosen label under the {self.model_title} model "
                f"(rule {self.name}; for multi choice the weakest of its label decisions); "
                "null for ground truth and items not aggregated")


class DawidSkene(LabelModelRule):
    """Dawid & Skene (1979): a confusion matrix per annotator."""

    name = "dawid_skene"
    provenance = Provenance.DAWID_SKENE
    model_title = "Dawid-Skene"

    def model(self) -> Callable[..., LabelModel]:
        return _maths().dawid_skene


class OneCoin(DawidSkene):
    """The one-coin Dawid-Skene model: one accuracy per annotator (steadier with few
    items per annotator)."""

    name = "one_coin"
    provenance = Provenance.ONE_COIN
    model_title = "one-coin Dawid-Skene"

    def model(self) -> Callable[..., LabelModel]:
        return _maths().one_coin_dawid_skene
