"""What a kind's hooks are handed by the stages that call them, as Protocols.

The kinds are a leaf: they import the schema model and this module, never the
stages. A stage passes an object that has these attributes and methods
(:mod:`toolkit.review.validate` a :class:`ResultChecker`,
:mod:`toolkit.review.agreement` an :class:`AgreementSink`), and a type checker
holds both sides to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..schema import Question
    from .base import ResultState

__all__ = ["AgreementSink", "Check", "Ids", "ResultChecker"]

#: (where, corpus key, task id, annotation id, annotator) of the annotation being checked;
#: ``where`` None: the finding's place is made from the ids when it is shown
Ids = tuple[Any, Any, Any, Any, Any]

#: ``check(state, value, data)``: one result's ``value`` of a question, in a task's ``data``
Check = Callable[["ResultState", dict, dict], None]


class ResultChecker(Protocol):
    """The validator, as a kind's :meth:`~toolkit.kinds.Kind.validator` sees it."""

    @property
    def REJECT_FIX(self) -> str:  # noqa: N802  (the validator's class constant)
        """The action of findings that make build leave the item out."""

    @property
    def labels(self) -> Mapping[str, frozenset[str]]:
        """Question -> its stored label values."""

    @property
    def rank(self) -> Mapping[str, Mapping[str, int]]:
        """Question -> label value -> its position in the schema."""

    @property
    def span_fields(self) -> Mapping[str, str]:
        """Question -> the task field its spans are offsets into."""

    def finding(self, code: str, ids: Ids, message: str, action: str = "",
                question: str | None = None) -> None:
        """Record a finding with a code of :mod:`toolkit.review.validate` about the
        annotation ``ids`` names."""

    def malformed(self, question: Question, what: str, ids: Ids) -> None:
        """Record that an answer to ``question`` ``what`` (V017: the item is left out)."""


class AgreementSink(Protocol):
    """One question's agreement being measured, as a kind's
    :meth:`~toolkit.kinds.Kind.agree` sees it: the kind picks the figures."""

    #: the distinct answers given, indexed by their code
    values: list[Any]

    def labels(self, categories: list[Any], *, ordinal: bool = False) -> None:
        """Alpha (nominal, or ordinal and interval), Fleiss' and Cohen's kappa over
        ``categories``: one label or value per answer."""

    def per_label(self, labels: list[str]) -> None:
        """Binary alpha per label and their mean: answers that are sets of ``labels``."""

    def spans(self) -> None:
        """Pairwise span F1, exact and overlapping: answers that are sets of spans."""
