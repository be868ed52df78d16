"""Answers -> Label Studio result items: the inverse of reading annotations.

Used wherever the toolkit itself creates annotations through the API: the demo
(hand-labelled answers in samples/), and tests that annotate as several users.
A span may be given by offsets or by its text (the first occurrence, or the
``occurrence``-th), so hand-written files need no offset counting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..kinds import kind_of
from ..schema import Schema


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
        kind = kind_of(question.kind)
        to_name = schema.target_field(question)  # as labelconfig's toName
        base = {"from_name": name, "to_name": to_name, "type": kind.result_type}
        for result_id, value in kind.write(question, answer, texts, to_name):
            items.append({"id": result_id, **base, "value": value})
    return items
