"""The counting rules: ``majority`` (the default) and ``unanimous``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..provenance import Provenance
from .base import Rule

if TYPE_CHECKING:
    from ..schema import Question

__all__ = ["Majority", "Unanimous"]


class Majority(Rule):
    """More than half of the annotators gave the answer (label by label for multi choice
    and spans); a tie is unresolved."""

    name = "majority"


class Unanimous(Rule):
    """Only an answer every annotator gave counts; any disagreement is unresolved."""

    name = "unanimous"
    majority_first = False

    def disagreement(self, question: Question, votes: list[Any]) -> tuple[Any, str]:
        return None, Provenance.UNRESOLVED
