"""Answers -> Label Studio result items: the inverse of reading annotations.

Used wherever the toolkit itself creates annotations through the API: the demo
(hand-labelled answers in samples/), and tests that annotate as several users.
A span may be given by offsets or by its text (the first occurrence, or the
``occurrence``-th), so hand-written files need no offset counting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from ..schema import Question, Schema

_RESULT_TYPE = {
    "single": "choices",
    "multi": "choices",
    "yesno": "choices",
    "spans": "labels",
    "rating": "rating",
    "text": "textarea",
}


def _span_value(question: Question, span: Mapping[str, Any], text: str) -> dict:
    label = span["label"]
    if "start" in span and "end" in span:
        start, end = int(span["start"]), int(span["end"])
    else:
        wanted = span["text"]
        start = -1
        for _ in range(int(span.get("occurrence", 1))):
            start = text.find(wanted, start + 1)
            if start < 0:
                raise InputError(
                    f"span {wanted!r} for question {question.name!r} is not in the text"
                )
        end = start + len(wanted)
    return {"start": start, "end": end, "text": text[start:end], "labels": [label]}


def build_result(schema: Schema, answers: Mapping[str, Any], *, texts: Mapping[str, str]) -> list:
    """Label Studio result items for ``answers`` ({question name: answer}).

    ``texts`` maps the task's text fields (e.g. ``{"text": comment}``) for spans.
    Answers: single -> value, multi -> list of values, yesno -> bool or "yes"/"no",
    rating -> int, text -> str, spans -> list of {label, start, end} or {label, text}.
    ``None`` or an empty list means "not answered" and produces no item.
    """
    items: list[dict] = []
    for name, answer in answers.items():
        question = schema.question(name)
        if answer is None or answer == [] or answer == "":
            continue
        to_name = schema.target_field(question)  # as labelconfig's toName
        base = {"from_name": name, "to_name": to_name, "type": _RESULT_TYPE[question.kind]}
        if question.kind == "spans":
            for index, span in enumerate(answer):
                value = _span_value(question, span, texts[to_name])
                items.append({"id": f"{name}-{index}", **base, "value": value})
            continue
        if question.kind == "single":
            value = {"choices": [answer]}
        elif question.kind == "multi":
            value = {"choices": list(answer)}
        elif question.kind == "yesno":
            if isinstance(answer, bool):
                answer = "yes" if answer else "no"
            value = {"choices": [answer]}
        elif question.kind == "rating":
            value = {"rating": int(answer)}
        else:
            value = {"text": [answer]}
        items.append({"id": name, **base, "value": value})
    return items
