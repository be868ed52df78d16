"""Aggregation rules are classes in one registry: a new rule is one class.

A toy ``senior`` rule (when the answers differ, the lowest annotator id wins) is
registered here and goes through schema check -> review -> build -> dataset card
without any other module knowing about it."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.dataset import build_dataset
from toolkit.errors import SchemaError
from toolkit.provenance import Provenance
from toolkit.review import review_snapshot
from toolkit.rules import RULES, DawidSkene, Majority, OneCoin, Rule, register, unregister
from toolkit.schema import parse_schema
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import write_snapshot
from toolkit.tasks import iter_task_data


class Senior(Rule):
    """When the answers differ, the answer of the annotator with the lowest id wins."""

    name = "senior"
    provenance = "senior"

    def disagreement(self, question, votes):
        return votes[0], self.provenance


SCHEMA = """\
name: toy_rule
version: '1'
title: A toy rule
unit: comment
questions:
  - {name: stance, kind: single, required: true, labels: [agree, disagree, neutral]}
annotation: {overlap: 3, min_annotations: 2, rule: senior}
dataset: {splits: {train: 1.0}}
"""


@pytest.fixture
def senior_rule():
    register(Senior)
    try:
        yield RULES["senior"]
    finally:
        unregister("senior")


def test_the_builtin_rules_are_registered_by_name():
    assert list(RULES) == ["majority", "unanimous", "dawid_skene", "one_coin", "crowdlab"]
    assert isinstance(RULES["one_coin"], DawidSkene)  # overrides only what differs
    assert (RULES["one_coin"].provenance, RULES["dawid_skene"].provenance) == (
        Provenance.ONE_COIN, Provenance.DAWID_SKENE)
    assert [RULES[n].decides_all_at_once for n in RULES] == [False, False, True, True, True]
    assert [RULES[n].needs_model for n in RULES] == [False, False, False, False, True]
    assert isinstance(RULES["majority"], Majority) and isinstance(RULES["one_coin"], OneCoin)


def test_an_unregistered_rule_is_refused_with_the_known_names():
    with pytest.raises(SchemaError, match="rule: input should be 'majority', 'unanimous', "
                                          "'dawid_skene', 'one_coin' or 'crowdlab', got "
                                          "'senior'"):
        parse_schema(SCHEMA, "x.yaml")


def test_a_new_rule_goes_from_schema_to_dataset(senior_rule, tmp_path):
    schema = parse_schema(SCHEMA, "x.yaml")
    assert schema.annotation.rule == "senior"
    comments = [Comment(f"c{i}", "a1", i, f"تعليق رقم {i}") for i in range(1, 5)]
    articles = [Article("a1", "s", "عنوان", "نص", comments=comments)]
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, articles)
    answers = [("agree", "agree", "agree"), ("disagree", "agree", "agree"),
               ("neutral", "agree", "disagree"), ("agree", "disagree", "neutral")]
    tasks = []
    for task_id, (data, given) in enumerate(zip(iter_task_data(schema, articles), answers,
                                                strict=True), 1):
        tasks.append({"id": task_id, "data": data, "drafts": [], "annotations": [
            {"id": task_id * 10 + who, "completed_by": who, "was_cancelled": False,
             "result": build_result(schema, {"stance": stance}, texts={"text": data["text"]})}
            for who, stance in zip((1, 2, 3), given, strict=True)]})
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(snapshot, {"schema_name": schema.name, "schema_hash": schema.content_hash},
                   tasks)

    review = review_snapshot(snapshot, schema, corpus=corpus)
    assert [(i.labels["stance"], i.provenance["stance"]) for i in review.items] == [
        ("agree", "unanimous"), ("disagree", "senior"), ("neutral", "senior"),
        ("agree", "senior")]

    out = build_dataset(snapshot, schema, out=tmp_path / "dataset", corpus=corpus).folder
    rows = pq.read_table(next((out / "data").glob("train-*.parquet"))).to_pylist()
    names = ["agree", "disagree", "neutral"]
    assert sorted((names[r["stance"]], r["stance_provenance"]) for r in rows) == [
        ("agree", "senior"), ("agree", "unanimous"), ("disagree", "senior"),
        ("neutral", "senior")]
    assert "aggregated by the rule `senior`" in (out / "README.md").read_text(encoding="utf-8")
