"""The schema loader on the shipped schemas and on valid corner cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import SchemaError
from toolkit.schema import Schema, check_schema, load_schema, parse_schema

ROOT = Path(__file__).resolve().parents[1]
COMMENT = ROOT / "schemas" / "comment_stance.yaml"
ARTICLE = ROOT / "schemas" / "article_entities.yaml"

MINI = """\
name: mini
version: 1
title: Mini
unit: comment
questions:
  - name: stance
    kind: single
    labels: {agree: موافق, disagree: معارض}
"""


def test_comment_stance_as_the_issue_lists_it():
    s = load_schema(COMMENT)
    assert (s.name, s.version, s.unit, s.direction, s.language) == (
        "comment_stance", "1", "comment", "rtl", "ar")
    kinds = {q.name: q.kind for q in s.questions}
    assert kinds == {"stance": "single", "sentiment": "single", "offensive": "multi",
                     "sarcasm": "yesno", "targets": "spans", "note": "text"}
    stance = s.question("stance")
    assert stance.required is True
    assert stance.label_values == ["agree", "disagree", "neutral", "unrelated"]
    assert [lb.display for lb in stance.labels] == ["موافق", "معارض", "محايد", "لا علاقة له"]
    assert s.question("sentiment").label_values == ["positive", "negative", "neutral", "mixed"]
    offensive = s.question("offensive")
    assert offensive.label_values == ["insult", "profanity", "hate_speech", "threat"]
    assert offensive.required is False  # may be empty
    assert s.question("sarcasm").label_values == ["yes", "no"]
    assert s.question("targets").label_values == ["person", "organization", "place", "group"]
    assert s.target_field(s.question("targets")) == "text"
    assert s.question("note").required is False
    assert (s.annotation.overlap, s.annotation.rule, s.annotation.min_annotations) == (
        3, "majority", 2)
    assert s.dataset.splits == {"train": 0.8, "validation": 0.1, "test": 0.1}
    assert (s.dataset.group_by, s.dataset.stratify_by, s.dataset.license) == (
        "article_id", "stance", "cc-by-4.0")
    assert "Stance" in s.guidelines and "الموقف" in s.guidelines


def test_article_entities_as_the_issue_lists_it():
    s = load_schema(ARTICLE)
    assert s.unit == "article"
    entities = s.question("entities")
    assert entities.kind == "spans" and s.target_field(entities) == "body"
    assert entities.label_values == ["person", "organization", "place", "group", "event"]
    assert s.question("topic").kind == "single"


def test_content_hash_is_stable_and_tracks_content():
    a, b = load_schema(COMMENT), load_schema(COMMENT)
    assert a.content_hash == b.content_hash
    assert a.content_hash.startswith("sha256:") and len(a.content_hash) == 7 + 16
    # YAML formatting does not matter, content does.
    reformatted = parse_schema(MINI.replace("labels: {agree: موافق, disagree: معارض}",
                                            "labels:\n      agree: موافق\n      disagree: معارض"))
    assert reformatted.content_hash == parse_schema(MINI).content_hash
    changed = parse_schema(MINI.replace("Mini", "Mini 2"))
    assert changed.content_hash != parse_schema(MINI).content_hash


def test_yes_and_no_stay_strings():
    """YAML 1.1 would turn `yes`/`no` into booleans; schema files use YAML 1.2 booleans."""
    s = parse_schema(MINI + "  - name: sarcastic\n    kind: yesno\n"
                     "    labels: {yes: نعم, no: لا}\n")
    assert [lb.value for lb in s.question("sarcastic").labels] == ["yes", "no"]
    assert [lb.display for lb in s.question("sarcastic").labels] == ["نعم", "لا"]


def test_label_forms_list_mapping_and_dicts():
    s = parse_schema(MINI.replace("labels: {agree: موافق, disagree: معارض}",
                                  "labels: [agree, {value: disagree, text: معارض}]"))
    assert s.question("stance").label_values == ["agree", "disagree"]
    assert s.question("stance").labels[0].display == "agree"


def test_when_with_a_single_value_and_valid_reference():
    s = parse_schema(MINI + "  - name: why\n    kind: text\n"
                     "    when: {question: stance, equals: disagree}\n")
    assert s.question("why").when.equals == ["disagree"]


def test_building_in_code_runs_the_cross_field_checks():
    data = parse_schema(MINI).model_dump()
    data["annotation"] = {"overlap": 1, "min_annotations": 2}
    with pytest.raises(ValueError, match="min_annotations"):
        Schema.model_validate(data)


def test_check_schema_is_empty_for_shipped_schemas():
    assert check_schema(load_schema(COMMENT)) == []
    assert check_schema(load_schema(ARTICLE)) == []


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(SchemaError) as info:
        load_schema(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: no such schema file; check the path"


def test_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "cp1256.yaml"
    path.write_bytes(MINI.encode("cp1256"))
    with pytest.raises(SchemaError, match=r"cp1256.yaml: not UTF-8 text .*save it as UTF-8"):
        load_schema(path)


def test_readme_full_example_is_a_valid_schema():
    readme = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    s = parse_schema(example, "schemas/README.md")
    assert s.question_names == ["stance", "offensive", "sarcasm", "offense_target", "targets",
                                "clarity", "note"]
    assert s.question("offense_target").when.equals == ["insult", "hate_speech"]
    assert s.question("sarcasm").labels[0].display == "نعم"
    documented = {line.split("|")[1].strip(" `") for line in readme.splitlines()
                  if line.startswith("| `")}
    from toolkit.schema import (
        AnnotationPolicy,
        DatasetDefaults,
        Label,
        Question,
        Schema,
        Selection,
    )
    for model in (Schema, Question, Label, AnnotationPolicy, DatasetDefaults, Selection):
        assert set(model.model_fields) <= documented, model
