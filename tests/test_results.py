"""Answers -> Label Studio result items (used by the demo and API-annotating tests)."""

from __future__ import annotations

import pytest
import yaml

from toolkit.errors import InputError
from toolkit.results import build_result
from toolkit.schema import Schema

SCHEMA = Schema.model_validate(
    yaml.safe_load(
        """
name: mini
version: 1
title: Mini
unit: comment
questions:
  - {name: stance, kind: single, labels: [agree, disagree]}
  - {name: offensive, kind: multi, labels: [insult, threat]}
  - {name: sarcasm, kind: yesno}
  - {name: targets, kind: spans, labels: [person, place]}
  - {name: note, kind: text}
"""
    )
)
TEXT = "أمريكا وروسيا ..مصالح، وروسيا 🙂 أيضا"


def test_choices_yesno_and_text_items():
    items = build_result(
        SCHEMA,
        {"stance": "agree", "offensive": ["insult"], "sarcasm": True, "note": "تعليق"},
        texts={"text": TEXT},
    )
    by_name = {item["from_name"]: item for item in items}
    assert by_name["stance"]["value"] == {"choices": ["agree"]}
    assert by_name["stance"]["to_name"] == "text"
    assert by_name["offensive"]["value"] == {"choices": ["insult"]}
    assert by_name["sarcasm"]["value"] == {"choices": ["yes"]}
    assert by_name["note"] == {
        "id": "note",
        "from_name": "note",
        "to_name": "text",
        "type": "textarea",
        "value": {"text": ["تعليق"]},
    }


def test_span_by_text_finds_the_nth_occurrence_in_code_points():
    [first, second] = build_result(
        SCHEMA,
        {"targets": [{"label": "place", "text": "روسيا"}, {"label": "place", "text": "روسيا",
                                                          "occurrence": 2}]},
        texts={"text": TEXT},
    )
    assert (first["value"]["start"], first["value"]["end"]) == (8, 13)
    assert second["value"]["start"] == 24
    assert TEXT[24:29] == second["value"]["text"] == "روسيا"
    assert second["type"] == "labels" and second["value"]["labels"] == ["place"]


def test_empty_answers_give_no_items_and_missing_span_text_is_an_error():
    assert build_result(SCHEMA, {"offensive": [], "note": None}, texts={"text": TEXT}) == []
    with pytest.raises(InputError, match="'بوتين' for question 'targets' is not in the text"):
        build_result(SCHEMA, {"targets": [{"label": "person", "text": "بوتين"}]},
                     texts={"text": TEXT})
