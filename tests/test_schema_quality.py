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
                          "  adjudicators: [lead@example.org, 7]\n")
    assert schema.annotation.rule == "dawid_skene"
    assert schema.annotation.min_confidence == 0.7
    assert schema.annotation.adjudicators == ["lead@example.org", 7]
    one = parse_schema(BASE + "  adjudicators: lead@example.org\n")
    assert one.annotation.adjudicators == ["lead@example.org"]
    assert one.annotation.min_confidence is None
    assert parse_schema(BASE + "  adjudicators: 12\n").annotation.adjudicators == [12]


@pytest.mark.parametrize(("extra", "where", "words"), [
    ("  rule: majority\n  min_confidence: 0.7\n", "12:3",
     "min_confidence applies only to the rules dawid_skene, one_coin, crowdlab (the rule is "
     "majority)"),
    ("  rule: dawid_skene\n  label_error_above: 0.9\n", "12:3",
     "label_error_above applies only to the rules where a model votes (crowdlab; the rule is "
     "dawid_skene)"),
    ("  rule: crowdlab\n  label_error_above: 0\n", "12:22", "label_error_above"),
    ("  rule: dawid_skene\n  min_confidence: 1.5\n", "12:19", "min_confidence"),
    ("  rule: dawid_skene\n  min_confidence: 0\n", "12:19", "min_confidence"),
    ("  adjudicators: [l@x.org, L@x.org]\n", "11:27", "adjudicator 'L@x.org' is listed twice"),
    ("  adjudicators: [' l@x.org']\n", "11:18", "is empty or has surrounding spaces"),
    # issue 17 item 1: a name anyone can set is never an adjudicator
    ("  adjudicators: [lead]\n", "11:18",
     "adjudicator 'lead' is not an e-mail address: adjudicators are matched by the account's "
     "e-mail"),
    ("  adjudicators: [0]\n", "11:18", "adjudicator 0 is not a Label Studio user id"),
    ("  adjudicators: [true]\n", "11:17", "e-mail or user id, not a boolean"),
    # issue 17 item 15: `true` is not 1
    ("  rule: dawid_skene\n  min_confidence: true\n", "12:19",
     "annotation.min_confidence: must be a number between 0 and 1 (e.g. 0.8), not a boolean"),
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
    assert parse_schema(BASE + "  adjudicators: [l@x.org]\n").content_hash != plain.content_hash


def test_min_confidence_one_is_accepted_with_a_warning():
    from toolkit.rules.label_model import min_confidence_warning

    one = parse_schema(BASE + "  rule: dawid_skene\n  min_confidence: 1\n")
    assert one.annotation.min_confidence == 1
    assert min_confidence_warning(one).startswith(
        "annotation.min_confidence is 1: only a posterior of exactly 1 passes")
    assert min_confidence_warning(parse_schema(BASE + "  rule: dawid_skene\n  min_confidence: "
                                               "0.99\n")) is None


def test_schema_check_warns_about_min_confidence_one(tmp_path, capsys):
    from toolkit.cli import main

    path = tmp_path / "s.yaml"
    path.write_text(BASE + "  rule: dawid_skene\n  min_confidence: 1\n", encoding="utf-8")
    assert main(["schema", "check", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"Warning: {path}: annotation.min_confidence is 1" in " ".join(err.split())
