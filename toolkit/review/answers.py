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
from typing import Any, TypeVar, Union

from ..kinds import Kind, kind_of
from ..kinds.spans import Span, repair_span, utf16_to_codepoints
from ..schema import Schema

__all__ = [
    "Answer",
    "Span",
    "annotator_id",
    "annotator_name",
    "extract_answers",
    "per_schema",
    "repair_span",
    "utf16_to_codepoints",
]


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


class _Reader:
    """What extract_answers needs of a schema, looked up once (the schema is frozen)."""

    def __init__(self, schema: Schema) -> None:
        self.questions = {q.name: q for q in schema.questions}
        # name -> (kind, the field the question is on, {label value: rank})
        self.spec: dict[str, tuple[Kind, str, dict[str, int]]] = {
            q.name: (
                kind_of(q.kind),
                schema.target_field(q),
                {v: i for i, v in enumerate(q.label_values)},
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
    gathered: dict[str, list] | None = None  # choices and spans add up over results
    for item in result:
        if type(item) is not dict and not isinstance(item, dict):
            continue
        name = item.get("from_name")
        found = spec.get(name) if type(name) is str else None
        value = item.get("value")
        if found is None or not isinstance(value, dict) or not isinstance(name, str):
            continue
        kind = found[0]
        answer = kind.read(value, data, found[1])  # each kind's fast path for clean results
        if kind.gathers:
            if gathered is None:
                gathered = {name: list(answer)}
            elif name in gathered:
                gathered[name].extend(answer)
            else:
                gathered[name] = list(answer)
        elif answer is not None:
            answers[name] = answer
    if gathered:
        for name, parts in gathered.items():
            kind, _, order = spec[name]
            answer = kind.combine(parts, order)
            if answer is not None:
                answers[name] = answer
    return answers
