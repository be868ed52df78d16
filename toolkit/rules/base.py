"""The base class of aggregation rules (the schema's ``annotation.rule``).

Aggregation decides each item in two steps. While a snapshot is read, every task
is aggregated on its own (toolkit.review.aggregate): an answer all annotators
gave wins (``unanimous``), ground truth wins outright, and when the answers
differ the rule's :meth:`Rule.disagreement` decides. A rule that needs every
item before it decides any (a label model learns each annotator from all their
answers) sets ``decides_all_at_once``: the read then holds the items and calls
:meth:`Rule.decide_all` once it is done.

A rule that lets a model vote (``needs_model``: ``crowdlab``) gets, in
:meth:`Rule.decide_all`'s ``model``, question -> :class:`ModelVotes`: a classifier's
probabilities for the items. Rules cannot compute them (the texts and the classifier
live above, in toolkit.model): the review pass takes a :class:`ModelProvider` from its
caller (``review_snapshot(..., model_votes=...)``) and calls it with the held items
only under such a rule. The stages that string the pass together (build, agree,
adjudicate, sync, the report) hand it toolkit.model's provider; review itself never
imports the model, so imports keep pointing down.

A new rule is one subclass passed to :func:`toolkit.rules.register`; the schema
then accepts its name. Rules import the schema model and the kinds only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..findings import Finding
from ..kinds import kind_of
from ..provenance import Provenance

if TYPE_CHECKING:
    from ..schema import Question, Schema

__all__ = ["Decidable", "Decided", "ModelProvider", "ModelVotes", "Rule"]


class Decidable(Protocol):
    """An item as :meth:`Rule.decide_all` sees it (toolkit.review.aggregate.AggregatedItem)."""

    answers: list[tuple[str, dict[str, Any]]]
    labels: dict[str, Any]
    provenance: dict[str, str]
    confidence: dict[str, float]
    votes: dict[str, list] | None


@dataclass
class ModelVotes:
    """A model's probabilities for one question, for the items a rule decides:
    ``probabilities[i, j]`` is item i's probability of ``classes[j]`` (a numpy array,
    items x classes, rows in the order of the items given); ``has_model[i]`` False where
    the model has none (the row is then ignored). They must be out-of-sample (no item's
    own label fed its prediction): cross-validated, or from a model trained elsewhere."""

    classes: list[Any]
    probabilities: Any  # numpy array (rules load numpy only when fitting)
    has_model: Any  # numpy bool array
    version: str  # the model version the dataset card names


class ModelProvider(Protocol):
    """What hands a rule with ``needs_model`` its model's probabilities:
    ``provider(items, schema) -> {question: ModelVotes}``, for the items as the rule gets
    them (aggregated items with their task ``data`` and initial labels). A question
    absent from the answer is decided without the model."""

    def __call__(self, items: Sequence[Any], schema: Schema) -> dict[str, ModelVotes]: ...


@dataclass
class Decided:
    """What :meth:`Rule.decide_all` did besides re-deciding the items in place."""

    #: question -> what the rule fitted on it (a label model; competence reuses it)
    fitted: dict[str, Any] = field(default_factory=dict)
    #: indexes of the items it could not judge (their reason says so)
    unjudged: set[int] = field(default_factory=set)
    #: what the stage reports about the decisions (A053, A054, ...)
    findings: list[Finding] = field(default_factory=list)
    #: the rule's own ratings of the annotators (and of the model, as a voter): rows of
    #: {question, annotator, ...}; `corpus agree` shows them beside Dawid-Skene's
    ratings: list[dict[str, Any]] = field(default_factory=list)
    #: likely label errors: {index (into the items), question, label, model_label, score}
    #: rows, the likeliest first (a rule with a model: its out-of-fold self-confidence)
    suspects: list[dict[str, Any]] = field(default_factory=list)
    #: question -> the version of the model that voted
    model_versions: dict[str, str] = field(default_factory=dict)
    #: index -> why the rule left the item unresolved, in its own words (the reason's
    #: parenthesis; default: the confidence below ``min_confidence``)
    notes: dict[int, str] = field(default_factory=dict)


class Rule:
    """One way of deciding an item's label from its annotators' answers. Subclass, set
    ``name``, override what differs, and :func:`toolkit.rules.register` it."""

    #: the schema's ``annotation.rule`` value
    name: ClassVar[str] = ""
    #: the provenance of a label this rule chose among differing answers
    provenance: ClassVar[str] = Provenance.MAJORITY
    #: the per-task step (:meth:`disagreement`) is the majority rule's, so agreement may
    #: reuse the items' labels as the majority answers
    majority_first: ClassVar[bool] = True
    #: needs every item before deciding any: :meth:`decide_all` runs after the read
    decides_all_at_once: ClassVar[bool] = False
    #: gives each question it decides a confidence (``<question>_confidence``;
    #: ``annotation.min_confidence`` applies)
    gives_confidence: ClassVar[bool] = False
    #: lets a model vote: :meth:`decide_all` is called with ``model`` (see the module
    #: docstring); implies ``decides_all_at_once``
    needs_model: ClassVar[bool] = False

    def disagreement(self, question: Question, votes: list[Any]) -> tuple[Any, str]:
        """(label, provenance) of a question whose annotators' answers differ: the
        question's kind decides by majority (whole answers, or label by label)."""
        return kind_of(question.kind).disagreement(question, votes, len(votes))

    def decide_all(self, items: Sequence[Decidable], schema: Schema, *,
                   where: str = "snapshot") -> Decided:
        """Re-decide ``items`` (those aggregated from their annotators' answers) in place,
        once all are read; ``where`` names the snapshot in findings. A rule with
        ``needs_model`` also takes ``model`` (question -> :class:`ModelVotes`)."""
        return Decided()

    def card_text(self, schema: Schema) -> str:
        """What the dataset card adds after "aggregated by the rule `name` (...)"."""
        return ""

    def confidence_text(self) -> str:
        """The card's description of the ``<question>_confidence`` columns."""
        return ""

    def __repr__(self) -> str:
        return f"<rule {self.name}>"
