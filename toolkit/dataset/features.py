"""Schema -> ``datasets.Features`` of the question columns.

Declared from the schema, never inferred from data, so a label nobody used is
still in the ClassLabel and its integer ids stay stable across builds:

    single  -> ClassLabel(names=label values in schema order)
    multi   -> List(ClassLabel(...))
    spans   -> List({start: int32, end: int32, label: ClassLabel(...), text: string})
               (offsets in code points of the task text, end exclusive: text[start:end])
    rating  -> Value("int32")   (1..scale)
    yesno   -> Value("bool")    ("yes" -> True, "no" -> False)
    text    -> Value("string")

(``List`` is what older ``datasets`` and the issues call ``Sequence``.) Build
adds the other columns (ids, text, provenance, annotators) around these.
"""

from __future__ import annotations

from datasets import Features

from ..kinds import kind_of
from ..kinds.spans import span_feature
from ..schema import Question, Schema

__all__ = ["features", "question_feature", "span_feature"]


def question_feature(question: Question):
    """The feature of one question's column: its kind's (see the module docstring)."""
    return kind_of(question.kind).feature(question)


def features(schema: Schema) -> Features:
    """The question columns of the dataset, one per question, in schema order."""
    return Features({q.name: question_feature(q) for q in schema.questions})
