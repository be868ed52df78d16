"""The base class of aggregation rules (the schema's ``annotation.rule``).

Aggregation decides each item in two steps. While a snapshot is read, every task
is aggregated on its own (toolkit.review.aggregate): an answer all annotators
gave wins (``unanimous``), ground truth wins outright, and when the answers
differ the rule's :meth:`Rule.disagreement` decides. A rule that needs every
item before it decides any (a label model learns each annotator from all their
answers) sets ``decides_all_at_once``: the read then holds the items and calls
:meth:`Rule.decide_all` once it is done.

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

__all__ = ["Decidable", "Decided", "Rule"]


class Decidable(Protocol):
    """An item as :meth:`Rule.decide_all` sees it (toolkit.review.aggregate.AggregatedItem)."""

    answers: list[tuple[str, dict[str, Any]]]
    labels: dict[str, Any]
    provenance: dict[str, str]
    confidence: dict[str, float]
    votes: dict[str, list] | None


@dataclass
class Decided:
    """What :meth:`Rule.decide_all` did besides re-deciding the items in place."""

    #: question -> what the rule fitted on it (a label model; competence reuses it)
    fitted: dict[str, Any] = field(default_factory=dict)
    #: indexes of the items it could not judge (their reason says so)
    unjudged: set[int] = field(default_factory=set)
    #: what the stage reports about the decisions (A053, A054, ...)
    findings: list[Finding] = field(default_factory=list)


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

    def disagreement(self, question: Question, votes: list[Any]) -> tuple[Any, str]:
        """(label, provenance) of a question whose annotators' answers differ: the
        question's kind decides by majority (whole answers, or label by label)."""
        return kind_of(question.kind).disagreement(question, votes, len(votes))

    def decide_all(self, items: Sequence[Decidable], schema: Schema, *,
                   where: str = "snapshot") -> Decided:
        """Re-decide ``items`` (those aggregated from their annotators' answers) in place,
        once all are read; ``where`` names the snapshot in findings."""
        return Decided()

    def card_text(self, schema: Schema) -> str:
        """What the dataset card adds after "aggregated by the rule `name` (...)"."""
        return ""

    def confidence_text(self) -> str:
        """The card's description of the ``<question>_confidence`` columns."""
        return ""

    def __repr__(self) -> str:
        return f"<rule {self.name}>"
