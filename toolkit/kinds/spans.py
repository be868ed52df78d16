"""The spans kind: stretches of the item text marked with a label.

An answer is a tuple of :class:`Span`, sorted by (start, end, label), one Span per
label. Offsets are code points of the task text, end exclusive. When the task's
text is given, offsets that only fit counted as UTF-16 code units (older Label
Studio frontends; emoji before the span) are repaired to code points, the same
repair validate reports as warning V008.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import InputError
from .base import Kind, ResultState, per_part_majority
from .hooks import AgreementSink, Check, ResultChecker
from .labelxml import PALETTE, bool_attr, sub, when_attrs

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from ..schema import Question, Schema


class Span(NamedTuple):
    """A marked stretch of the item text: ``text == item_text[start:end]``."""

    start: int
    end: int
    label: str
    text: str


def utf16_to_codepoints(text: str, offset: int) -> int | None:
    """Map an offset counted in UTF-16 code units to a Python (code point) index.

    None when the offset falls inside a surrogate pair or beyond the text.
    """
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        if units > offset:
            return None
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text) if units == offset else None


def repair_span(text: str, start: int, end: int, recorded: str) -> tuple[int, int] | None:
    """Offsets that make ``text[start:end] == recorded`` when read as UTF-16 units, else None."""
    new_start = utf16_to_codepoints(text, start)
    new_end = utf16_to_codepoints(text, end)
    if new_start is None or new_end is None:
        return None
    if text[new_start:new_end] == recorded:
        return new_start, new_end
    return None


def _spans(value: Mapping[str, Any], text: str | None) -> list[Span]:
    start, end, recorded = value.get("start"), value.get("end"), value.get("text")
    if type(start) is not int or type(end) is not int:
        return []
    if not isinstance(recorded, str):
        recorded = text[start:end] if isinstance(text, str) else ""
    if isinstance(text, str) and text[start:end] != recorded:
        repaired = repair_span(text, start, end, recorded)
        if repaired is not None:
            start, end = repaired
    labels = value.get("labels")
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list):
        return []
    return [Span(start, end, label, recorded) for label in labels if isinstance(label, str)]


class Spans(Kind):
    name = "spans"
    labels_rule = "required"
    set_valued = True
    marks_text = True
    gathers = True
    memo_votes = False  # votes are offsets in each item's own text, rarely repeated
    in_distribution = False
    agreement_method = "pairwise F1, exact and overlap"
    span_f1 = True
    result_type = "labels"
    report_distribution = True  # the labels of the spans marked
    report_unit = "spans"

    def answer_parts(self, value: Any) -> tuple:
        return tuple(span[2] for span in value or ())  # Span(start, end, label, ...)

    def stored_parts(self, question: Question, value: Any) -> tuple:
        names = question.label_values
        return tuple(names[span["label"]] for span in value or ())  # {"label": class index}

    def control(self, parent: Element, schema: Schema, question: Question) -> None:
        control = sub(
            parent,
            "Labels",
            name=question.name,
            toName=schema.target_field(question),
            required=bool_attr(question.required),
            **when_attrs(question),
        )
        for index, lb in enumerate(question.labels):
            sub(
                control,
                "Label",
                value=lb.display,
                alias=lb.value,
                hint=lb.description,
                hotkey=lb.hotkey,
                background=PALETTE[index % len(PALETTE)],
            )

    def read(self, value: dict, data: Any, field: str | None) -> Any:
        text = data.get(field) if data else None
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        recorded = value.get("text")
        if (type(start) is int and type(end) is int and type(labels) is list
                and len(labels) == 1 and type(labels[0]) is str and type(text) is str
                and type(recorded) is str and text[start:end] == recorded):
            return [Span(start, end, labels[0], recorded)]  # the usual, clean case
        return _spans(value, text if isinstance(text, str) else None)

    def combine(self, parts: list, order: Mapping[str, int]) -> Any:
        return tuple(sorted(set(parts))) if len(parts) > 1 else tuple(parts)

    def validator(self, checker: ResultChecker, question: Question) -> Check:
        name = question.name
        labels = checker.labels[name]
        field_name = checker.span_fields[name]
        careful = self.check_span

        def check(state: ResultState, value: dict, data: dict) -> None:
            # The fast path for the well-formed common case: one known label, offsets
            # that fit the text.
            start, end, span_labels = value.get("start"), value.get("end"), value.get("labels")
            if (type(start) is int and type(end) is int and type(span_labels) is list
                    and len(span_labels) == 1 and type(span_labels[0]) is str
                    and span_labels[0] in labels):
                text = data.get(field_name)
                recorded = value.get("text")
                if (type(text) is str and 0 <= start < end <= len(text)
                        and text[start:end] == recorded):
                    spans = state.spans
                    if name in spans:
                        spans[name].append((start, end))
                    else:
                        spans[name] = [(start, end)]
                    state.answered[name] = True
                    if state.extracted is not None:
                        span = Span(start, end, span_labels[0], recorded)
                        marked = state.marked
                        if marked is None:
                            state.marked = {name: [span]}
                        elif name in marked:
                            marked[name].append(span)
                        else:
                            marked[name] = [span]
                    return
            state.extracted = None
            found = careful(checker, state, question, value, data)
            if found is not None:
                state.spans.setdefault(name, []).append(found)
                state.answered[name] = True

        return check

    def check_span(self, checker: ResultChecker, state: ResultState, question: Question,
                   value: dict, data: dict) -> tuple[int, int] | None:
        """The careful path: findings for anything unusual in a span; its offsets, or None."""
        ids = state.ids
        fix = checker.REJECT_FIX
        name = question.name
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if type(start) is not int or type(end) is not int:
            checker.malformed(question, f"has span offsets {start!r}..{end!r}, not whole "
                               "numbers", ids)
            return None
        if type(labels) is not list or any(type(lab) is not str for lab in labels):
            checker.malformed(question, "has a span without a list of labels", ids)
            return None
        known = checker.labels[name]
        for label in labels:
            if label not in known:
                checker.finding("V002", ids,
                            f"span label '{label}' is not a label of question '{name}' "
                            f"(labels: {', '.join(question.label_values)})", fix, name)
        recorded = value.get("text")
        field_name = checker.span_fields[name]
        text = data.get(field_name)
        if type(text) is not str:
            checker.malformed(question, f"is a span on field '{field_name}', which the task "
                               "does not have as text", ids)
            return None
        if start == end or recorded == "":
            checker.finding("V010", ids, f"empty span at {start}..{end} in '{name}'", fix, name)
            return None
        inside = 0 <= start < end <= len(text)
        if inside and (type(recorded) is not str or text[start:end] == recorded):
            return (start, end)
        if type(recorded) is str:
            repaired = repair_span(text, start, end, recorded) if start >= 0 and end >= 0 else None
            if repaired is not None:
                checker.finding("V008", ids,
                            f"span {recorded!r} in '{name}' had offsets {start}..{end} counted "
                            f"in UTF-16 units (emoji before it); in characters they are "
                            f"{repaired[0]}..{repaired[1]}", "repaired", name)
                return repaired
        if not inside:
            checker.finding("V006", ids,
                        f"span {start}..{end} in '{name}' lies outside the {field_name} "
                        f"({len(text)} characters)", fix, name)
            return None
        checker.finding("V007", ids,
                    f"span {start}..{end} in '{name}' covers {text[start:end]!r} but records "
                    f"{recorded!r}", fix, name)
        return None

    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        text = texts[to_name]
        return [(f"{question.name}-{index}", _span_value(question, span, text))
                for index, span in enumerate(answer)]

    def feature(self, question: Question) -> Any:
        from datasets import List

        return List(span_feature(question))

    def disagreement(self, question: Question, votes: list[Any], n: int) -> tuple[Any, str]:
        return per_part_majority(votes, n, order=None)

    def agree(self, question: Question, sink: AgreementSink) -> None:
        sink.spans()


def span_feature(question: Question) -> dict:
    """One span of a spans question: offsets into the item text, label, covered text."""
    from datasets import ClassLabel, Value

    return {
        "start": Value("int32"),
        "end": Value("int32"),
        "label": ClassLabel(names=question.label_values),
        "text": Value("string"),
    }


def _span_value(question: Question, span: Mapping[str, Any], text: str) -> dict:
    """A hand-written span ({label, start, end} or {label, text, occurrence?}) as a
    Label Studio result value; the text's first (or ``occurrence``-th) match."""
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
