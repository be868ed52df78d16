"""The Label Studio config and instructions generated from a schema (no server)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from toolkit.schema import load_schema, parse_schema
from toolkit.studio.labelconfig import instructions_html, label_config

ROOT = Path(__file__).resolve().parents[1]
COMMENT = load_schema(ROOT / "schemas" / "comment_stance.yaml")
ARTICLE = load_schema(ROOT / "schemas" / "article_entities.yaml")

HOSTILE = '<b>"x"&y</b>'
HOSTILE_SCHEMA = f"""\
name: hostile
version: "1"
title: '{HOSTILE}'
unit: comment
guidelines: "<script>alert(1)</script> [x](javascript:alert(1)) **bold**"
questions:
  - name: q
    kind: single
    title: '{HOSTILE}'
    description: '{HOSTILE}'
    labels:
      - {{value: '{HOSTILE}', text: '{HOSTILE}', description: '{HOSTILE}'}}
      - {{value: "a'b", text: '</View><HyperText name="h" value="$text"/>'}}
"""


def _tags(root: ET.Element) -> list[ET.Element]:
    return list(root.iter())


def test_comment_config_rtl_and_whitespace():
    root = ET.fromstring(label_config(COMMENT))
    assert root.tag == "View"
    assert "direction: rtl" in root.get("style")
    style = root.find("Style")
    assert style is not None and style.text == ".htx-text{white-space: pre-wrap}"


def test_comment_context_is_read_only_and_above_the_item():
    root = ET.fromstring(label_config(COMMENT))
    texts = [(t.get("name"), t.get("value")) for t in root.iter("Text")]
    assert texts == [("article_title", "$article_title"), ("article_body", "$article_body"),
                     ("text", "$text")]
    bound = {el.get("toName") for el in root.iter() if el.get("toName")}
    assert bound == {"text"}  # nothing points at the context: it cannot be labelled
    assert not list(root.iter("HyperText"))


def test_every_question_bound_to_its_field_with_its_name():
    root = ET.fromstring(label_config(COMMENT))
    controls = {el.get("name"): (el.tag, el.get("toName")) for el in root.iter()
                if el.get("toName")}
    assert controls == {
        "stance": ("Choices", "text"), "sentiment": ("Choices", "text"),
        "offensive": ("Choices", "text"), "sarcasm": ("Choices", "text"),
        "targets": ("Labels", "text"), "note": ("TextArea", "text"),
    }
    article = ET.fromstring(label_config(ARTICLE))
    assert [(t.get("name"), t.get("value")) for t in article.iter("Text")] == [
        ("title", "$title"), ("body", "$body")]
    assert {el.get("name"): el.get("toName") for el in article.iter() if el.get("toName")} == {
        "entities": "body", "topic": "body"}


def test_display_text_is_value_and_stored_value_is_alias():
    root = ET.fromstring(label_config(COMMENT))
    stance = next(el for el in root.iter("Choices") if el.get("name") == "stance")
    assert stance.get("choice") == "single-radio" and stance.get("required") == "true"
    assert [(c.get("value"), c.get("alias"), c.get("hotkey")) for c in stance] == [
        ("موافق", "agree", "1"), ("معارض", "disagree", "2"), ("محايد", "neutral", "3"),
        ("لا علاقة له", "unrelated", "4")]
    assert stance[0].get("hint") == "Supports the article's claim or the position it reports"
    offensive = next(el for el in root.iter("Choices") if el.get("name") == "offensive")
    assert offensive.get("choice") == "multiple" and offensive.get("required") is None
    sarcasm = next(el for el in root.iter("Choices") if el.get("name") == "sarcasm")
    assert [(c.get("value"), c.get("alias")) for c in sarcasm] == [("نعم", "yes"), ("لا", "no")]
    targets = next(root.iter("Labels"))
    assert [(lb.get("value"), lb.get("alias")) for lb in targets] == [
        ("شخص", "person"), ("منظمة", "organization"), ("بلد أو مكان", "place"),
        ("جماعة", "group")]


def test_rating_and_when():
    schema = parse_schema("""\
name: m
version: "1"
title: T
unit: comment
direction: ltr
language: en
questions:
  - {name: offensive, kind: yesno}
  - {name: how, kind: multi, labels: [insult, threat], when: {question: offensive, equals: "yes"}}
  - {name: toxicity, kind: rating, scale: 4, required: true}
""")
    root = ET.fromstring(label_config(schema))
    assert root.get("style") == "direction: ltr"
    how = next(el for el in root.iter("Choices") if el.get("name") == "how")
    assert (how.get("visibleWhen"), how.get("whenTagName"), how.get("whenChoiceValue")) == (
        "choice-selected", "offensive", "yes")
    rating = next(root.iter("Rating"))
    assert (rating.get("name"), rating.get("maxRating"), rating.get("required")) == (
        "toxicity", "4", "true")
    yesno = next(el for el in root.iter("Choices") if el.get("name") == "offensive")
    assert [(c.get("value"), c.get("alias")) for c in yesno] == [("Yes", "yes"), ("No", "no")]


def test_hostile_label_is_escaped_not_injected():
    schema = parse_schema(HOSTILE_SCHEMA)
    xml = label_config(schema)
    root = ET.fromstring(xml)  # still well-formed
    assert not list(root.iter("HyperText")) and not list(root.iter("b"))
    choices = next(root.iter("Choices"))
    assert [(c.get("value"), c.get("alias")) for c in choices] == [
        (HOSTILE, HOSTILE), ('</View><HyperText name="h" value="$text"/>', "a'b")]
    assert choices[0].get("hint") == HOSTILE
    assert "&lt;b&gt;&quot;x&quot;&amp;y&lt;/b&gt;" in xml


def test_same_schema_same_bytes():
    assert label_config(COMMENT) == label_config(load_schema(ROOT / "schemas" /
                                                             "comment_stance.yaml"))
    assert label_config(ARTICLE).encode() == label_config(ARTICLE).encode()


def test_instructions_escape_user_text():
    html_text = instructions_html(parse_schema(HOSTILE_SCHEMA))
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert "javascript:" not in html_text.replace("[x](javascript:alert(1))", "")
    assert "<strong>bold</strong>" in html_text
    assert "<b>&lt;b&gt;&quot;x&quot;&amp;y&lt;/b&gt;</b>" in html_text


def test_instructions_of_comment_schema():
    text = instructions_html(COMMENT)
    assert text.startswith('<div dir="rtl">')
    assert "<code>agree</code>" in text and "موافق" in text and '<h2 dir="auto">' in text
    # every block takes its own direction: English guideline lines inside the RTL frame
    assert '<p dir="auto">Optional free-text note for reviewers</p>' in text
    assert "<p>" not in text and "<li>" not in text
