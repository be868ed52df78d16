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

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from ..findings import Finding
from ..kinds import kind_of
from ..kinds.base import PER_LABEL
from ..provenance import Provenance
from .base import Decidable, Decided
from .majority import Majority

if TYPE_CHECKING:
    from ..schema import Question, Schema
    from .dawid_skene import LabelModel, MultiLabelModel

ONE_ANSWER = "A053"  # warning: items the model cannot judge (one answer, annotator alone)
MIN_CONFIDENCE_ONE = "A054"  # warning: min_confidence 1 leaves nearly everything unresolved

__all__ = ["MIN_CONFIDENCE_ONE", "ONE_ANSWER", "DawidSkene", "LabelModelRule", "OneCoin",
           "fit_coded", "fit_label_model", "min_confidence_warning", "modelled"]


def min_confidence_warning(schema: Schema) -> str | None:
    """What is wrong with a ``min_confidence`` the schema accepts but that cannot work
    (1: a posterior is below 1 on nearly every item, even three answers of three
    agreeing), or None."""
    threshold = schema.annotation.min_confidence
    if threshold is None or threshold < 1:
        return None
    return ("annotation.min_confidence is 1: only a posterior of exactly 1 passes, so items "
            "are left unresolved even where every annotator agreed (any doubt about one of "
            "them lowers it), on real data nearly all; use a threshold below 1, e.g. 0.9")


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


def fit_coded(question: Question, shape: str, item: Any, annotator: Any, n_items: int,
              annotators: list, values: list, vote: Any,
              model: Callable[..., LabelModel] | None = None) -> LabelModel | MultiLabelModel:
    """:func:`fit_label_model` on answers already coded as integer arrays (the same model
    as from the triples ``(item[a], annotators[annotator[a]], values[vote[a]])``, items
    and annotators numbered in order of first appearance, the values in theirs): no
    Python object per answer, for a million tasks."""
    import numpy as np

    maths = _maths()
    fit = model or maths.dawid_skene
    labels = kind_of(question.kind).model_labels(question)
    items = range(n_items)  # the items' names are their numbers: no list of a million ints
    if shape == PER_LABEL:
        chosen_sets = [frozenset(value or ()) for value in values]
        order: dict = dict.fromkeys(labels)
        for chosen in chosen_sets:  # values in order of first appearance, as the triples
            for value in sorted(chosen - order.keys(), key=repr):
                order[value] = None
        label_list = list(order)
        table = np.array([[value in chosen for value in label_list] for chosen in chosen_sets],
                         dtype=bool).reshape(len(values), len(label_list))
        # base's labels are never read (each label's model gets its own): one zero seen
        # len(item) times, not a byte per answer
        base = maths.Answers(items, annotators, [False, True], item, annotator,
                             np.broadcast_to(np.int8(0), (len(item),)))
        return maths.binary_relevance_coded(base, table, label_list, vote=vote, model=fit)
    label_of: dict = {}
    for value in labels:
        label_of.setdefault(value, len(label_of))
    recode = np.array([label_of.setdefault(value, len(label_of)) for value in values],
                      dtype=np.int64)
    # label numbers in the narrowest ints that hold them (one byte per answer, not eight)
    recode = recode.astype(np.min_scalar_type(-len(label_of)))
    return fit(maths.Answers(items, annotators, list(label_of), item, annotator,
                             recode[vote] if len(vote) else np.zeros(0, dtype=recode.dtype)))


class LabelModelRule(Majority):
    """What the label-model rules share; a subclass names its model (:meth:`model`)."""

    decides_all_at_once = True
    gives_confidence = True
    #: the model's name as the card writes it
    model_title: ClassVar[str] = ""

    def model(self) -> Callable[..., LabelModel]:
        """The function fitting the model on coded answers (toolkit.rules.dawid_skene)."""
        raise NotImplementedError

    def decide_all(self, items: Sequence[Decidable], schema: Schema, *,
                   where: str = "snapshot") -> Decided:
        pool = list(items)
        min_confidence = schema.annotation.min_confidence
        decided = Decided(unjudged=_unjudged(pool))
        alone = decided.unjudged
        for question, shape in modelled(schema):
            name = question.name
            set_valued = shape == PER_LABEL
            triples = [(index, who, vote)
                       for index, item in enumerate(pool)
                       for (who, _), vote in zip(item.answers, item.votes[name],  # type: ignore[index]
                                                 strict=True)]
            model = fit_label_model(question, shape, triples, self.model())
            results = model.results()
            decided.fitted[name] = model
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
                if min_confidence is not None and (
                        index in alone or (judged and confidence < min_confidence)):
                    item.labels[name], item.provenance[name] = None, Provenance.UNRESOLVED
                    continue
                votes = item.votes[name]  # type: ignore[index]
                unanimous = votes.count(votes[0]) == len(votes) and votes[0] == label
                item.labels[name] = label
                item.provenance[name] = Provenance.UNANIMOUS if unanimous else self.provenance
        decided.findings = _findings(pool, alone, schema, where, bool(decided.fitted))
        return decided

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


def _unjudged(pool: Sequence[Decidable]) -> set[int]:
    """Indexes of the items with one answer whose annotator answers no item together
    with another annotator: the label model cannot judge them."""
    shared = {who for item in pool if len(item.answers) > 1 for who, _ in item.answers}
    return {index for index, item in enumerate(pool)
            if len(item.answers) == 1 and item.answers[0][0] not in shared}


def _findings(pool: Sequence[Decidable], alone: set[int], schema: Schema, where: str,
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
