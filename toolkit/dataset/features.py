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

from datasets import ClassLabel, Features, List, Value

from ..schema import Question, Schema

__all__ = ["features", "question_feature", "span_feature"]


def span_feature(question: Question) -> dict:
    """One span of a spans question: offsets into the item text, label, covered text."""
    return {
        "start": Value("int32"),
        "end": Value("int32"),
        "label": ClassLabel(names=question.label_values),
        "text": Value("string"),
    }


def question_feature(question: Question):
    """The feature of one question's column (see the module docstring)."""
    if question.kind == "single":
        return ClassLabel(names=question.label_values)
    if question.kind == "multi":
        return List(ClassLabel(names=question.label_values))
    if question.kind == "spans":
        return List(span_feature(question))
    if question.kind == "rating":
        return Value("int32")
    if question.kind == "yesno":
        return Value("bool")
    return Value("string")


def features(schema: Schema) -> Features:
    """The question columns of the dataset, one per question, in schema order."""
    return Features({q.name: question_feature(q) for q in schema.questions})
