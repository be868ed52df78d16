"""Kinds whose answer is one value: a rating (int, 1..scale) and free text (str, several
text lines joined by "\\n")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .base import ONE_LABEL, Kind, ResultState
from .hooks import AgreementSink, Check, ResultChecker
from .labelxml import bool_attr, sub, when_attrs

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from ..schema import Question, Schema


class Rating(Kind):
    name = "rating"
    agreement_method = "alpha ordinal (and interval)"
    result_type = "rating"
    report_distribution = True
    label_model = ONE_LABEL
    alpha_level = "ordinal"
    suggest_by_default = True

    def answer_values(self, question: Question) -> list[Any]:
        return list(range(1, (question.scale or 5) + 1))

    def model_labels(self, question: Question) -> list[Any]:
        return list(range(1, (question.scale or 0) + 1))

    def check_scale(self, q: Question, loc: tuple, set_keys: set[str], bad: Any) -> None:
        if q.scale is None:
            bad(loc, f"rating question {q.name!r} has no scale; add e.g. `scale: 5`")
        elif not 2 <= q.scale <= 10:
            bad((*loc, "scale"), f"scale {q.scale} of {q.name!r} is out of range; use 2 to 10")

    def control(self, parent: Element, schema: Schema, question: Question) -> None:
        sub(
            parent, "Rating", name=question.name, toName=schema.target_field(question),
            maxRating=str(question.scale), icon="star", size="medium",
            required=bool_attr(question.required), **when_attrs(question),
        )

    def read(self, value: dict, data: Any, field: str | None) -> Any:
        rating = value.get("rating")
        if type(rating) is int:
            return rating
        if type(rating) is float and rating.is_integer():
            return int(rating)
        return None

    def validator(self, checker: ResultChecker, question: Question) -> Check:
        name = question.name
        scale = question.scale

        def check(state: ResultState, value: dict, data: dict) -> None:
            extracted = state.extracted
            if extracted is not None and name in extracted:
                extracted = state.extracted = None
            rating = value.get("rating")
            if type(rating) is not int or rating < 1 or (scale is not None and rating > scale):
                checker.malformed(question, f"has rating {rating!r}, expected a whole number "
                                   f"from 1 to {scale or 'the scale'}", state.ids)
                state.extracted = None
            else:
                state.answered[name] = rating
                if extracted is not None:
                    extracted[name] = rating

        return check

    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        return [(question.name, {"rating": int(answer)})]

    def feature(self, question: Question) -> Any:
        from datasets import Value

        return Value("int32")

    def agree(self, question: Question, sink: AgreementSink) -> None:
        values = sink.values
        top = question.scale or (max(int(v) for v in values) if values else 0)
        sink.labels(list(range(1, top + 1)), ordinal=True)


class Text(Kind):
    name = "text"
    free_text = True  # notes rarely coincide, and they are not labels
    in_distribution = False
    result_type = "textarea"

    def control(self, parent: Element, schema: Schema, question: Question) -> None:
        sub(
            parent, "TextArea", name=question.name, toName=schema.target_field(question),
            rows="2", maxSubmissions="1", editable="true",
            required=bool_attr(question.required), **when_attrs(question),
        )

    def read(self, value: dict, data: Any, field: str | None) -> Any:
        lines = value.get("text")
        if isinstance(lines, str):
            lines = [lines]
        if isinstance(lines, list):
            joined = "\n".join(line for line in lines if isinstance(line, str))
            if joined:
                return joined
        return None

    def validator(self, checker: ResultChecker, question: Question) -> Check:
        name = question.name

        def check(state: ResultState, value: dict, data: dict) -> None:
            if state.extracted is not None and name in state.extracted:
                state.extracted = None
            text = value.get("text")
            if type(text) is str:
                text = [text]
            if type(text) is not list or any(type(t) is not str for t in text):
                checker.malformed(question, "has a text value that is not a list of strings",
                                   state.ids)
                state.extracted = None
            else:
                if any(t.strip() for t in text):
                    state.answered[name] = text
                if state.extracted is not None:
                    joined = "\n".join(text)
                    if joined:
                        state.extracted[name] = joined
                    else:  # an empty note: extract_answers leaves it out, then a
                        state.extracted = None  # repeat would count; keep it simple

        return check

    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        return [(question.name, {"text": [answer]})]

    def feature(self, question: Question) -> Any:
        from datasets import Value

        return Value("string")
