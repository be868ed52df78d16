"""Question kinds are classes in one registry: a new kind is one class.

A toy ``number`` kind (a free number per item) is registered here and goes through
schema check -> Label Studio config -> validate -> build without any other module
knowing about it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pyarrow.parquet as pq
import pytest

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.dataset import build_dataset
from toolkit.errors import SchemaError
from toolkit.kinds import KINDS, Kind, ResultState, kind_of, register, unregister
from toolkit.review import review_snapshot
from toolkit.schema import parse_schema
from toolkit.studio.labelconfig import label_config
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import write_snapshot
from toolkit.tasks import iter_task_data

ROOT = Path(__file__).resolve().parents[1]


class Number(Kind):
    """How many people does the comment name? Any number; the majority wins."""

    name = "number"
    result_type = "number"
    in_distribution = False  # no agreement_method: no agreement figure

    def control(self, parent, schema, question):
        ET.SubElement(parent, "Number", {"name": question.name,
                                         "toName": schema.target_field(question)})

    def read(self, value, data, field):
        number = value.get("number")
        return number if type(number) in (int, float) else None

    def validate(self, checker, state: ResultState, name, question, value, data):
        number = value.get("number")
        if type(number) in (int, float):
            state.answered[name] = number
            if state.extracted is not None:
                state.extracted[name] = number
        else:
            checker.malformed(question, f"has number {number!r}, not a number", state.ids)
            state.extracted = None

    def write(self, question, answer, texts, to_name):
        return [(question.name, {"number": answer})]

    def feature(self, question):
        from datasets import Value

        return Value("float64")


SCHEMA = """\
name: people_count
version: '1'
title: How many people are named
unit: comment
questions:
  - {name: stance, kind: single, required: true, labels: [agree, disagree]}
  - {name: people, kind: number, required: true}
annotation: {overlap: 3, min_annotations: 2}
dataset: {splits: {train: 0.5, test: 0.5}}
"""


@pytest.fixture
def number_kind():
    register(Number)
    try:
        yield KINDS["number"]
    finally:
        unregister("number")


def test_the_builtin_kinds_are_registered_in_schema_order():
    assert list(KINDS) == ["single", "multi", "spans", "rating", "text", "yesno"]
    assert kind_of("yesno").label_values(None) == ["yes", "no"]


def test_an_unregistered_kind_is_refused():
    with pytest.raises(SchemaError, match="kind: input should be 'single', 'multi', 'spans', "
                                          "'rating', 'text' or 'yesno', got 'number'"):
        parse_schema(SCHEMA, "x.yaml")


def test_a_new_kind_goes_from_schema_to_dataset(number_kind, tmp_path):
    # schema check: the kind's own rules (labels do not apply, as to ratings)
    with pytest.raises(SchemaError, match="question 'people' is number: labels do not apply"):
        parse_schema(SCHEMA.replace("kind: number,", "kind: number, labels: [a],"), "x.yaml")
    schema = parse_schema(SCHEMA, "x.yaml")
    assert schema.question("people").kind == "number"

    # the Label Studio config: its control, in the questions' box
    config = label_config(schema)
    assert '<Number name="people" toName="text" />' in config

    # a corpus, its tasks, and three annotators' answers as Label Studio results
    comments = [Comment(f"c{i}", "a1", i, f"تعليق رقم {i} عن محمد وعلي") for i in range(1, 9)]
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, [Article("a1", "s", "عنوان", "نص", comments=comments)])
    tasks = []
    for task_id, data in enumerate(iter_task_data(schema, [Article("a1", "s", "عنوان", "نص",
                                                                   comments=comments)]), 1):
        people = [2, 2, 3] if task_id % 2 else [1, 1, 1]
        annotations = [
            {"id": task_id * 10 + who, "completed_by": who, "was_cancelled": False,
             "result": build_result(schema, {"stance": "agree", "people": n},
                                    texts={"text": data["text"]})}
            for who, n in zip((1, 2, 3), people, strict=True)
        ]
        tasks.append({"id": task_id, "data": data, "annotations": annotations, "drafts": []})
    tasks[0]["annotations"][2]["result"][1]["value"] = {"number": "many"}  # malformed
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(snapshot, {"schema_name": schema.name, "schema_hash": schema.content_hash},
                   tasks)

    # validate: the kind checks its results
    review = review_snapshot(snapshot, schema, corpus=corpus)
    codes = [f.code for f in review.validation.findings]
    assert codes == ["V017", "V004"]  # malformed, so the required answer is missing
    assert "the answer to 'people' has number 'many', not a number" in \
        review.validation.findings[0].message
    assert [item.labels["people"] for item in review.items] == [2, 1, 2, 1, 2, 1, 2, 1]
    assert [q.question for q in review.agreement.questions] == ["stance"]

    # build: the kind's feature, aggregated by majority
    out = build_dataset(snapshot, schema, out=tmp_path / "dataset", corpus=corpus).folder
    rows = [row for path in sorted((out / "data").glob("*.parquet"))
            for row in pq.read_table(path).to_pylist()]
    rejected = [json.loads(line) for line in (out / "rejected" / "rejected.jsonl").open()]
    assert sorted(row["people"] for row in rows) == [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    assert [r["code"] for r in rejected] == ["invalid"]  # V017 rejects the item
    assert pq.read_schema(next((out / "data").glob("*.parquet"))).field("people").type \
        == "double"

    # the HTML report: the base class's defaults leave a kind without a label
    # distribution (report_distribution False) out of the per-question section
    from toolkit.html_report import gather_report, render_html

    report = gather_report(snapshot, schema, corpus=corpus, dataset=out)
    assert [q.name for q in report.questions] == ["stance"]
    counts = report.questions[0].distribution
    assert sum(c.count for c in counts if c.split == "all") == 8  # the snapshot's labels
    assert sum(c.count for c in counts if c.split != "all") == 7  # the built rows
    assert "people" not in {c.question for c in report.confusion}
    assert "<html" in render_html(report)


def test_importing_the_kinds_imports_no_heavy_library():
    code = ("import sys, toolkit.kinds, toolkit.schema; "
            "print(sorted(m for m in ('datasets', 'numpy', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
