"""The sample in the dataset: build reads push's manifest, gives each row its
inclusion_probability (float64; a near-duplicate copy its first comment's; null without
a sample) and the card a table of the strata."""

from __future__ import annotations

import orjson
import pytest
from datasets import Value, load_dataset

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.dataset import build_dataset
from toolkit.schema import parse_schema
from toolkit.studio.push import dry_run
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import write_snapshot

SCHEMA = """\
name: toy_sample
version: '1'
title: A sampled toy
unit: comment
questions:
  - {name: stance, kind: single, required: true, labels: [agree, disagree]}
annotation: {near_duplicates: once_per_article}
dataset: {splits: {train: 1.0}}
"""
SELECTION = "selection: {budget: 5, stratify_by: [site], seed: 3}\n"


def _corpus(path):
    """Site a: 7 comments, each with a near-duplicate copy under the same article; site b: 3.
    Budget 5 over 7 + 3: shares 3.5 and 1.5, so the strata's probabilities differ."""
    a = [Comment(f"a{i}", "A", i, f"تعليق أ رقم {i}") for i in range(1, 8)]
    a += [Comment(f"a{i}-copy", "A", 10 + i, f"تعليق أ رقم {i}!", duplicate_of=f"a{i}")
          for i in range(1, 8)]
    b = [Comment(f"b{i}", "B", i, f"تعليق ب رقم {i}") for i in range(1, 4)]
    write_corpus(path, [
        Article("A", "a.txt", "t", "body", url="https://a.example/1", comments=tuple(a)),
        Article("B", "b.txt", "t", "body", url="https://b.example/2", comments=tuple(b))])


def _snapshot(schema, tasks, path):
    """Every task answered by one annotator (agree)."""
    records = []
    for task_id, task in enumerate(tasks, 1):
        data = task["data"]
        records.append({"id": task_id, "data": data, "drafts": [], "annotations": [
            {"id": task_id * 10, "completed_by": 1, "was_cancelled": False,
             "result": build_result(schema, {"stance": "agree"}, texts={"text": data["text"]})}
        ]})
    write_snapshot(path, {"schema_name": schema.name, "schema_hash": schema.content_hash},
                   records)
    return path


@pytest.fixture
def built(tmp_path):
    schema = parse_schema(SCHEMA + SELECTION, "toy.yaml")
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    out = tmp_path / "tasks.json"
    result = dry_run(schema, corpus, out)
    assert result.created == 5 and result.copies_not_pushed == 7
    manifest = tmp_path / "tasks.selection.json"
    snapshot = _snapshot(schema, orjson.loads(out.read_bytes()), tmp_path / "snapshot.json")
    folder = build_dataset(snapshot, schema, out=tmp_path / "dataset", corpus=corpus,
                           selection=manifest).folder
    return folder, orjson.loads(manifest.read_bytes())


def test_rows_carry_their_inclusion_probability_through_load_dataset(built):
    folder, manifest = built
    by_site = {s["stratum"]["site"]: s for s in manifest["strata"]}
    assert {site: (s["population"], s["sample"]) for site, s in by_site.items()} in (
        {"a.example": (7, 4), "b.example": (3, 1)}, {"a.example": (7, 3), "b.example": (3, 2)})
    dataset = load_dataset(str(folder))["train"]
    assert dataset.features["inclusion_probability"] == Value("float64")
    rows = {(r["comment_id"], r["duplicate_of"], r["inclusion_probability"]) for r in dataset}
    a, b = by_site["a.example"]["probability"], by_site["b.example"]["probability"]
    chosen_a = {u["corpus_key"].split(":")[1] for u in manifest["units"]} - {"b1", "b2", "b3"}
    expected = {(uid, None, a) for uid in chosen_a}
    expected |= {(f"{uid}-copy", uid, a) for uid in chosen_a}  # labelled through their first
    expected |= {(u["corpus_key"].split(":")[1], None, b) for u in manifest["units"]
                 if u["corpus_key"].split(":")[1].startswith("b")}
    assert rows == expected
    assert a != b and len(dataset) == 5 + len(chosen_a)


def test_the_card_states_the_sampling_frame(built):
    folder, manifest = built
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "## Sample" in card
    assert "5 of the 10 comments that could be sampled (budget 5, seed 3), stratified by " \
        "`site`" in card
    assert "| stratum | population | sample | probability |" in card
    for stratum in manifest["strata"]:
        site = stratum["stratum"]["site"]
        assert (f"| site={site} | {stratum['population']} | {stratum['sample']} | "
                f"{stratum['probability']:.4g} |") in card
    assert "`inclusion_probability`" in card


def test_without_a_sample_there_is_no_column(tmp_path):
    """A schema that does not sample builds the dataset it built before (no new column)."""
    schema = parse_schema(SCHEMA, "toy.yaml")
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    out = tmp_path / "tasks.json"
    dry_run(schema, corpus, out)
    snapshot = _snapshot(schema, orjson.loads(out.read_bytes()), tmp_path / "snapshot.json")
    result = build_dataset(snapshot, schema, out=tmp_path / "dataset", corpus=corpus)
    dataset = load_dataset(str(result.folder))["train"]
    assert "inclusion_probability" not in dataset.features
    assert "## Sample" not in (result.folder / "README.md").read_text(encoding="utf-8")
    assert not any(f.code == "B060" for f in result.report.findings)
