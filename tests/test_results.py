"""Answers -> Label Studio result items (used by the demo and API-annotating tests)."""

from __future__ import annotations

import pytest
import yaml

from toolkit.errors import InputError
from toolkit.schema import Schema
from toolkit.studio.results import build_result

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


def test_every_kind_targets_the_field_the_label_config_binds():
    """An article question without ``field`` is bound to the body (labelconfig's toName),
    whatever its kind; one with ``field: title`` to the title."""
    article = Schema.model_validate(yaml.safe_load(
        """
name: art
version: 1
title: Articles
unit: article
questions:
  - {name: topic, kind: single, labels: [politics, sport]}
  - {name: headline_tone, kind: single, field: title, labels: [calm, alarming]}
  - {name: quality, kind: rating, scale: 5}
  - {name: entities, kind: spans, labels: [person]}
"""
    ))
    items = build_result(
        article,
        {"topic": "sport", "headline_tone": "calm", "quality": 4,
         "entities": [{"label": "person", "text": "ميسي"}]},
        texts={"body": "سجل ميسي هدفين", "title": "مباراة"},
    )
    assert [(i["from_name"], i["to_name"]) for i in items] == [
        ("topic", "body"), ("headline_tone", "title"), ("quality", "body"), ("entities", "body"),
    ]
    assert items[3]["value"] == {"start": 4, "end": 8, "text": "ميسي", "labels": ["person"]}
    from toolkit.studio.labelconfig import label_config

    config = label_config(article)
    assert 'name="topic" toName="body"' in config
    assert 'name="headline_tone" toName="title"' in config
