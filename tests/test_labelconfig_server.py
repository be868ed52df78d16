"""The generated configs on a real Label Studio: accepted, read back unchanged, and
results store the stable label values (aliases), not the display texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.schema import load_schema, parse_schema
from toolkit.studio.labelconfig import instructions_html, label_config

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '<b>"x"&y</b>'


def _create(studio, schema):
    config = label_config(schema)
    project = studio.client.projects.create(
        title=f"t-{schema.name}", label_config=config,
        expert_instruction=instructions_html(schema), show_instruction=True)
    back = studio.client.projects.get(project.id)
    return project, config, back


@pytest.mark.parametrize("name", ["comment_stance", "article_entities"])
def test_shipped_config_accepted_and_read_back(studio, name):
    schema = load_schema(ROOT / "schemas" / f"{name}.yaml")
    project, config, back = _create(studio, schema)
    try:
        assert back.label_config == config
        parsed = back.parsed_label_config
        assert set(parsed) == set(schema.question_names)
        for q in schema.questions:
            assert parsed[q.name]["to_name"] == [schema.target_field(q)]
            if q.label_values:
                # Label Studio keys labels by their alias: the stable value.
                assert parsed[q.name]["labels"] == q.label_values
        assert back.expert_instruction == instructions_html(schema)
    finally:
        studio.client.projects.delete(project.id)


def test_hostile_labels_accepted_verbatim(studio):
    schema = parse_schema(f"""\
name: hostile_labels
version: "1"
title: Hostile
unit: comment
questions:
  - name: q
    kind: single
    labels:
      - {{value: '{HOSTILE}', text: '{HOSTILE}', description: '{HOSTILE}'}}
      - {{value: plain, text: '</View><HyperText name="h" value="$text"/>'}}
""")
    project, config, back = _create(studio, schema)
    try:
        assert back.label_config == config
        assert back.parsed_label_config["q"]["labels"] == [HOSTILE, "plain"]
        assert set(back.parsed_label_config) == {"q"}  # nothing injected
    finally:
        studio.client.projects.delete(project.id)


def test_results_hold_stable_values(studio):
    schema = load_schema(ROOT / "schemas" / "comment_stance.yaml")
    project, _, _ = _create(studio, schema)
    text = "الاتفاق : يمثل شروط السيد الإذعانية على عبده !!!"
    try:
        studio.client.projects.import_tasks(id=project.id, request=[{
            "corpus_key": "comment_stance:a1-c2", "unit": "comment", "unit_id": "a1-c2",
            "article_id": "a1", "comment_id": "a1-c2", "text": text,
            "article_title": "عنوان", "article_body": "نص"}])
        task = next(iter(studio.client.tasks.list(project=project.id)))
        result = [
            {"from_name": "stance", "to_name": "text", "type": "choices",
             "value": {"choices": ["disagree"]}},
            {"from_name": "targets", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": 7, "text": text[0:7], "labels": ["place"]}},
        ]
        studio.client.annotations.create(id=task.id, result=result)
        stored = studio.client.tasks.get(task.id).annotations[0]["result"]
        values = {r["from_name"]: r["value"] for r in stored}
        assert values["stance"] == {"choices": ["disagree"]}
        assert values["targets"]["labels"] == ["place"]
        assert values["targets"]["text"] == "الاتفاق"
    finally:
        studio.client.projects.delete(project.id)
