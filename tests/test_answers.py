"""Reading one annotation's result list as answers per question."""

from __future__ import annotations

from annotation_builders import choice, rating, schema, span, textarea

from toolkit.review.answers import (
    Span,
    annotator_id,
    extract_answers,
    repair_span,
    utf16_to_codepoints,
)

TEXT = "😀😀😀 محمد صلاح لاعب"  # three emoji (astral: 2 UTF-16 units each) before the name


def test_every_kind_gets_its_python_type():
    s = schema()
    result = [
        choice("stance", "agree"),
        choice("offensive", "threat", "insult"),
        choice("sarcasm", "no"),
        rating("intensity", 4),
        textarea("note", "سطر", "ثان"),
        span("targets", 4, 13, "محمد صلاح", "person"),
    ]
    answers = extract_answers(result, s, {"text": TEXT})
    assert answers == {
        "stance": "agree",
        "offensive": ("insult", "threat"),  # schema order, not click order
        "sarcasm": False,
        "intensity": 4,
        "note": "سطر\nثان",
        "targets": (Span(4, 13, "person", "محمد صلاح"),),
    }
    assert TEXT[4:13] == "محمد صلاح"


def test_utf16_offsets_are_repaired_when_text_given():
    assert TEXT.encode("utf-16-le")[7 * 2 : 16 * 2].decode("utf-16-le") == "محمد صلاح"
    assert utf16_to_codepoints(TEXT, 7) == 4
    assert utf16_to_codepoints(TEXT, 1) is None  # inside a surrogate pair
    assert repair_span(TEXT, 7, 16, "محمد صلاح") == (4, 13)
    shifted = span("targets", 7, 16, "محمد صلاح", "person")
    answers = extract_answers([shifted], schema(), {"text": TEXT})
    assert answers["targets"] == (Span(4, 13, "person", "محمد صلاح"),)


def test_unknown_questions_and_odd_values_are_left_out():
    result = [
        choice("old_question", "x"),
        {"from_name": "stance"},  # no value
        "not a dict",
        rating("intensity", "high"),
        choice("sarcasm", "maybe"),
    ]
    assert extract_answers(result, schema()) == {}
    assert extract_answers(None, schema()) == {}


def test_annotator_id_int_or_dict():
    assert annotator_id({"completed_by": 7}) == "7"
    assert annotator_id({"completed_by": {"id": 9, "email": "a@b"}}) == "9"
    assert annotator_id({"completed_by": {"email": "a@b"}}) == "a@b"
    assert annotator_id({}) == ""
