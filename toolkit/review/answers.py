"""One annotation's Label Studio ``result`` list read as answers to the schema's questions.

Shared by validate, agree, aggregate and build, so every stage reads an
annotation the same way. Results are matched to questions by ``from_name ==
question.name``; the value types are:

    single -> str                      the stored label value (the Choice alias)
    multi  -> tuple[str, ...]          labels in schema order (unknown ones last, as met)
    yesno  -> bool                     "yes" -> True, "no" -> False
    rating -> int
    text   -> str                      several text lines joined by "\\n"
    spans  -> tuple[Span, ...]         sorted by (start, end, label); one Span per label

Extraction is lenient on purpose: it never raises on odd shapes, it leaves out
what it cannot read (results for unknown questions, a rating that is not a
number, a yes/no answer other than yes/no). Reporting those is validate's job.
A question nobody answered is simply absent from the dict.

Spans: when the task's text is given, offsets that only fit counted as UTF-16
code units (older Label Studio frontends; emoji before the span) are repaired
to code points, the same repair validate reports as warning V008.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, TypeVar, Union

from ..schema import Schema


class Span(NamedTuple):
    """A marked stretch of the item text: ``text == item_text[start:end]``."""

    start: int
    end: int
    label: str
    text: str


Answer = Union[str, bool, int, tuple]  # noqa: UP007  (tuple[str, ...] or tuple[Span, ...])


def annotator_id(annotation: Mapping[str, Any]) -> str:
    """Who made an annotation, as a string: ``completed_by`` is an int id, or a dict
    with ``id``/``email`` in some exports. Empty string when unknown."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("id", who.get("email"))
    if who is None or isinstance(who, (dict, list)):
        return ""
    return str(who)


def annotator_name(annotation: Mapping[str, Any]) -> str | None:
    """A readable name for the annotator, when the export has one: Label Studio's
    ``created_username`` is "<first> <last> <email>, <user id>"; the part before the
    id. Else the e-mail of a ``completed_by`` object. None when neither is there.

    For the team lead's eyes only (``corpus agree``): never published.
    """
    given = annotation.get("created_username")
    if isinstance(given, str):
        head, comma, tail = given.rpartition(",")
        name = (head if comma and tail.strip().isdigit() else given).strip()
        if name:
            return name
    who = annotation.get("completed_by")
    if isinstance(who, dict) and isinstance(who.get("email"), str) and who["email"]:
        return who["email"]
    return None


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


class _Reader:
    """What extract_answers needs of a schema, looked up once (the schema is frozen)."""

    def __init__(self, schema: Schema) -> None:
        self.questions = {q.name: q for q in schema.questions}
        # name -> (kind, span field or None, {label value: rank} for multi)
        self.spec: dict[str, tuple[str, str | None, dict[str, int]]] = {
            q.name: (
                q.kind,
                schema.target_field(q) if q.kind == "spans" else None,
                {v: i for i, v in enumerate(q.label_values)} if q.kind == "multi" else {},
            )
            for q in schema.questions
        }


T = TypeVar("T")


def per_schema(make: Callable[[Schema], T]) -> Callable[[Schema], T]:
    """``make(schema)``, computed once per schema object and remembered.

    Keyed by the schema's id (a Schema is frozen but not hashable); the entry
    keeps the schema itself, so an id reused by a newer object is recognised.
    Bounded: a process holds a few schemas at most.
    """
    cache: dict[int, tuple[Schema, T]] = {}

    def cached(schema: Schema) -> T:
        found = cache.get(id(schema))
        if found is not None and found[0] is schema:
            return found[1]
        if len(cache) >= 16:
            cache.clear()
        made = make(schema)
        cache[id(schema)] = (schema, made)
        return made

    return cached


_reader = per_schema(_Reader)


def extract_answers(
    result: Iterable[Any] | None, schema: Schema, data: Mapping[str, Any] | None = None
) -> dict[str, Answer]:
    """Read a ``result`` list as ``{question name: answer}`` (see the module docstring).

    ``data`` is the task's data; with it, span offsets are checked against the
    question's field and repaired from UTF-16 units when that is what fits.
    """
    answers: dict[str, Answer] = {}
    if not isinstance(result, (list, tuple)):
        return answers
    spec = _reader(schema).spec
    choices: dict[str, list[str]] | None = None
    spans: dict[str, list[Span]] | None = None
    for item in result:
        if type(item) is not dict and not isinstance(item, dict):
            continue
        name = item.get("from_name")
        found = spec.get(name) if type(name) is str else None
        value = item.get("value")
        if found is None or not isinstance(value, dict):
            continue
        kind = found[0]
        if kind == "single" or kind == "multi" or kind == "yesno":
            given = value.get("choices")
            if type(given) is list and all(type(c) is str for c in given):
                pass  # the common case: a list of strings, taken as it is
            elif isinstance(given, str):
                given = [given]
            elif isinstance(given, list):
                given = [c for c in given if isinstance(c, str)]
            else:
                given = []
            if choices is None:
                choices = {}
            if name in choices:
                choices[name].extend(given)
            else:
                choices[name] = list(given)
        elif kind == "spans":
            text = data.get(found[1]) if data else None  # type: ignore[arg-type]
            if spans is None:
                spans = {}
            start, end, labels = value.get("start"), value.get("end"), value.get("labels")
            recorded = value.get("text")
            if (type(start) is int and type(end) is int and type(labels) is list
                    and len(labels) == 1 and type(labels[0]) is str and type(text) is str
                    and type(recorded) is str and text[start:end] == recorded):
                marked = [Span(start, end, labels[0], recorded)]  # the usual, clean case
            else:
                marked = _spans(value, text if isinstance(text, str) else None)
            if name in spans:
                spans[name].extend(marked)
            else:
                spans[name] = marked
        elif kind == "rating":
            rating = value.get("rating")
            if type(rating) is int:
                answers[name] = rating
            elif type(rating) is float and rating.is_integer():
                answers[name] = int(rating)
        elif kind == "text":
            lines = value.get("text")
            if isinstance(lines, str):
                lines = [lines]
            if isinstance(lines, list):
                joined = "\n".join(line for line in lines if isinstance(line, str))
                if joined:
                    answers[name] = joined
    if choices:
        for name, values in choices.items():
            if not values:
                continue
            kind, _, order = spec[name]
            if kind == "single":
                answers[name] = values[0]
            elif kind == "yesno":
                if values[0] in ("yes", "no"):
                    answers[name] = values[0] == "yes"
            elif len(values) == 1:
                answers[name] = (values[0],)
            else:
                unique = list(dict.fromkeys(values))
                known = sorted((v for v in unique if v in order), key=order.__getitem__)
                answers[name] = tuple(known + [v for v in unique if v not in order])
    if spans:
        for name, marked in spans.items():
            answers[name] = tuple(sorted(set(marked))) if len(marked) > 1 else tuple(marked)
    return answers

