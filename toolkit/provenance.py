"""Where an aggregated label came from, and what became of an item: the two
vocabularies every stage shares (aggregation writes them, build publishes them,
the report and `corpus agree` count them).

Members are strings equal to their values, so they are stored, compared and
serialised as those.
"""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10
    class StrEnum(str, Enum):
        """enum.StrEnum of Python 3.11: members format and print as their values."""

        def __str__(self) -> str:
            return str(self.value)

        __format__ = str.__format__  # type: ignore[assignment]

__all__ = ["Provenance", "Status", "StrEnum"]


class Provenance(StrEnum):
    """How a question's label was reached (the dataset's ``<question>_provenance``)."""

    #: every annotator gave this answer
    UNANIMOUS = "unanimous"
    #: more than half of the annotators gave it (rule ``majority``)
    MAJORITY = "majority"
    #: a label model weighed the annotators (rule ``dawid_skene``)
    DAWID_SKENE = "dawid_skene"
    #: the one-coin label model weighed them (rule ``one_coin``)
    ONE_COIN = "one_coin"
    #: the annotators and a model's out-of-fold probabilities, weighed (rule ``crowdlab``)
    CROWDLAB = "crowdlab"
    #: an adjudicator's answer, or an annotation marked ground truth
    GROUND_TRUTH = "ground_truth"
    #: no label could be agreed (the label is None)
    UNRESOLVED = "unresolved"
    #: a near-duplicate copy labelled through the first of its cluster (build)
    DUPLICATE = "duplicate"


class Status(StrEnum):
    """What became of an item at aggregation."""

    OK = "ok"
    UNRESOLVED = "unresolved"
    TOO_FEW = "too_few_annotations"
    NO_ANNOTATIONS = "no_annotations"
