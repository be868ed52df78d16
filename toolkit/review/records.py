"""A Label Studio task read once into typed records, for every step of the review pass.

The validator, aggregation and the report's tally used to interpret the raw export dict
each on its own (who made an annotation, was it cancelled, ...), and the validator
handed its extracted answers to aggregation keyed by ``id(annotation)``. Now
:func:`parse_task` reads each task once; the validator fills each
:class:`Annotation`'s ``answers`` as it checks it (the kinds' fast paths), aggregation
extracts only those still missing, and observers get the same record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .answers import annotator_id

__all__ = ["Annotation", "Task", "parse_task"]


@dataclass(slots=True)
class Annotation:
    """One annotation of a task, as the export gives it, read once."""

    raw: dict
    id: Any
    #: the annotator's id as text ("7"), or the e-mail/name the export gives; None when
    #: the export names nobody
    annotator_id: str | None
    cancelled: bool
    ground_truth: bool
    #: the answers per question (toolkit.review.answers.extract_answers), once read: the
    #: validator fills them on its fast paths; None until then
    answers: dict[str, Any] | None = None

    @property
    def created_at(self) -> str | None:
        """When it was made (the export's text), or None."""
        created = self.raw.get("created_at")
        return created if isinstance(created, str) else None

    @property
    def lead_time(self) -> float | None:
        """Seconds the annotator spent in the editor (Label Studio's lead_time), or None."""
        lead = self.raw.get("lead_time")
        return float(lead) if isinstance(lead, (int, float)) and not isinstance(lead, bool) \
            else None

    @property
    def annotator(self) -> str:
        """The key aggregation groups answers by: the annotator, or the annotation itself
        when the export names nobody."""
        return self.annotator_id or f"annotation-{self.id}"


@dataclass(slots=True)
class Task:
    """One task of a snapshot, read once."""

    raw: dict
    id: Any
    #: the task's data; None when it is not an object (the validator reports it)
    data: dict | None
    #: the annotations in export order; None stands for an entry that is not an object,
    #: and the list itself is None when 'annotations' is not a list (both reported)
    annotations: list[Annotation | None] | None
    #: the drafts as given (a list, or None)
    drafts: list | None

    def submitted(self) -> list[Annotation]:
        """The annotations that were submitted (not cancelled), in export order."""
        return [a for a in self.annotations or () if a is not None and not a.cancelled]


def parse_task(raw: Mapping[str, Any]) -> Task:
    """The typed record of a task dict (a mapping: the validator reports other values)."""
    data = raw.get("data")
    given = raw.get("annotations")
    if given is None:
        given = []
    annotations: list[Annotation | None] | None = None
    if type(given) is list:
        annotations = []
        for annotation in given:
            if type(annotation) is not dict:
                annotations.append(None)
                continue
            who = annotation.get("completed_by")
            annotations.append(Annotation(
                annotation, annotation.get("id"),
                str(who) if type(who) is int else annotator_id(annotation),  # the usual inline
                bool(annotation.get("was_cancelled")), bool(annotation.get("ground_truth"))))
    drafts = raw.get("drafts")
    return Task(dict(raw) if not isinstance(raw, dict) else raw, raw.get("id"),
                data if type(data) is dict else None, annotations,
                drafts if type(drafts) is list else None)
