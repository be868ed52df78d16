"""The schema keys of issue 10: rule dawid_skene, annotation.min_confidence, adjudicators."""

from __future__ import annotations

import pytest

from toolkit.errors import SchemaError
from toolkit.schema import load_schema, parse_schema

BASE = """\
name: s
version: 1
title: S
unit: comment
questions:
  - name: stance
    kind: single
    labels: [agree, disagree]
annotation:
  overlap: 3
"""


def test_dawid_skene_keys_parse():
    schema = parse_schema(BASE + "  rule: dawid_skene\n  min_confidence: 0.7\n"
                          "  adjudicators: [lead, reviewer@example.org]\n")
    assert schema.annotation.rule == "dawid_skene"
    assert schema.annotation.min_confidence == 0.7
    assert schema.annotation.adjudicators == ["lead", "reviewer@example.org"]
    one = parse_schema(BASE + "  adjudicators: lead\n")
    assert one.annotation.adjudicators == ["lead"] and one.annotation.min_confidence is None


@pytest.mark.parametrize(("extra", "where", "words"), [
    ("  rule: majority\n  min_confidence: 0.7\n", "12:3",
     "min_confidence applies only to the rules dawid_skene, one_coin (the rule is majority)"),
    ("  rule: dawid_skene\n  min_confidence: 1.5\n", "12:19", "min_confidence"),
    ("  rule: dawid_skene\n  min_confidence: 0\n", "12:19", "min_confidence"),
    ("  adjudicators: [lead, Lead]\n", "11:24", "adjudicator 'Lead' is listed twice"),
    ("  adjudicators: [' lead']\n", "11:18", "is empty or has surrounding spaces"),
    ("  rule: mace\n", "11:9", "rule"),
])
def test_bad_keys_one_line(extra, where, words):
    with pytest.raises(SchemaError) as caught:
        parse_schema(BASE + extra, "s.yaml")
    message = str(caught.value)
    assert message.startswith(f"s.yaml:{where}: "), message
    assert words in message
    assert "\n" not in message


def test_unused_keys_keep_the_content_hash():
    # a schema that does not use the new keys hashes as before they existed
    shipped = load_schema("schemas/comment_stance.yaml")
    assert shipped.content_hash == "sha256:658ee5d41874e0a7"
    plain = parse_schema(BASE)
    assert parse_schema(BASE + "  adjudicators: []\n").content_hash == plain.content_hash
    assert parse_schema(BASE + "  adjudicators: [lead]\n").content_hash != plain.content_hash
