"""End to end against a real Label Studio: ingest samples/ -> push -> three annotators
(the demo annotations, through the API) -> pull -> validate -> agree -> build ->
`datasets.load_dataset`. This is the path of `corpus demo` and `corpus sync`."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

from toolkit.corpus import read_corpus
from toolkit.dataset import build_dataset
from toolkit.schema import load_schema
from toolkit.studio.annotate import ANNOTATOR_EMAIL_DOMAIN
from toolkit.workflows.demo import load_demo_annotations, submit_demo_annotations
from toolkit.workflows.sync import sync

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def run(studio, tmp_path_factory):
    """One sync with the demo annotations; relative defaults (.corpus, exports) in a temp dir."""
    import os

    work = tmp_path_factory.mktemp("e2e")
    before = Path.cwd()
    os.chdir(work)
    try:
        demo_schema = load_schema(REPO / "schemas" / "comment_stance.yaml")
        schema = demo_schema.model_copy(update={"name": "comment_stance_e2e"})
        answers = load_demo_annotations(SAMPLES / "demo_annotations.yaml", demo_schema)

        def annotate(project_id: int) -> None:
            submit_demo_annotations(
                studio.connection, schema, project_id, answers, corpus_path="corpus.jsonl"
            )

        first = sync(
            schema, studio.connection, inputs=[SAMPLES], corpus_path="corpus.jsonl",
            annotate=annotate,
        )
        second = sync(
            schema, studio.connection, inputs=[SAMPLES], corpus_path="corpus.jsonl",
            annotate=annotate,
        )
        yield work, schema, first, second
    finally:
        os.chdir(before)


def _rows(dataset: datasets.DatasetDict) -> dict[str, dict]:
    return {row["comment_id"]: {**row, "split": name} for name in dataset for row in dataset[name]}


def test_every_stage_saw_the_samples(run):
    _, _, first, _ = run
    assert first.ingest.comments == 22 and first.ingest.articles == 9
    assert first.push.created == 22 and first.push.project_created
    assert first.pull.counts == {"tasks": 22, "annotations": 61, "cancelled": 0, "drafts": 0}
    assert first.validation.exit_code == 0
    under = sorted(f.task_key for f in first.validation.findings if f.code == "V014")
    assert under == [
        "comment_stance_e2e:csv-201-176926c2926e",
        "comment_stance_e2e:csv-201-2ba498b15e7f",
        "comment_stance_e2e:csv-202-ab1ea3d4267f",
    ]
    stance = next(q for q in first.agreement.questions if q.question == "stance")
    assert stance.items == 20 and stance.alpha is not None


def test_second_sync_imports_and_annotates_nothing_again(run):
    _, _, _, second = run
    assert second.push.created == 0 and second.push.already_present == 22
    assert second.pull.counts["annotations"] == 61
    assert second.build.balance.adds_up


def test_dataset_loads_with_schema_features_and_aggregated_values(run):
    _, _, _, second = run  # both syncs build into the same folder; the second is left
    loaded = datasets.load_dataset(str(second.build.folder))
    assert set(loaded) == {"train", "validation", "test"}
    features = loaded["train"].features
    assert features["stance"].names == ["agree", "disagree", "neutral", "unrelated"]
    assert features["offensive"].feature.names == ["insult", "profanity", "hate_speech", "threat"]
    assert features["sarcasm"].dtype == "bool"
    rows = _rows(loaded)
    assert len(rows) == 18

    obama = rows["dab86e570d492265-985a2393149e"]
    assert features["stance"].int2str(obama["stance"]) == "disagree"
    assert obama["stance_provenance"] == "unanimous"
    assert obama["sarcasm"] is True and obama["offensive"] == []
    assert obama["n_annotators"] == 3
    spans = [(s["text"], features["targets"].feature["label"].int2str(s["label"]))
             for s in obama["targets"]]
    assert spans == [("اوباما", "person"), ("بوتن", "person")]  # بوتن: 2 of 3 annotators
    first_span = obama["targets"][0]
    assert obama["text"][first_span["start"]:first_span["end"]] == "اوباما"
    assert [a["annotator"] for a in obama["annotations"]] == [
        "annotator_1", "annotator_2", "annotator_3"]

    library = rows["4f2c9a7e1b3d5068-fec9426d0cef"]  # neutral, agree, neutral
    assert features["stance"].int2str(library["stance"]) == "neutral"
    assert library["stance_provenance"] == "majority"


def test_no_article_in_two_splits_and_the_balance_adds_up(run):
    _, _, first, second = run
    loaded = datasets.load_dataset(str(second.build.folder))
    articles = {name: set(loaded[name]["article_id"]) for name in loaded}
    names = list(articles)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not articles[a] & articles[b], (a, b)
    balance = first.build.balance
    assert balance.adds_up
    assert sum(balance.in_splits.values()) == 18
    assert balance.rejected == {"too_few_annotations": 2, "unresolved": 2}
    assert balance.not_annotated == 0
    rejected = [json.loads(line) for line in second.build.rejected_file.read_text().splitlines()]
    assert {r["unit_id"]: r["code"] for r in rejected} == {
        "csv-201-176926c2926e": "unresolved",
        "csv-201-2ba498b15e7f": "too_few_annotations",
        "csv-202-ab1ea3d4267f": "too_few_annotations",
        "dab86e570d492265-0226f243f8d0": "unresolved",
    }


def test_no_commenter_name_or_annotator_email_in_the_published_folder(run):
    work, _, _, second = run
    authors = {c.author for a in read_corpus(work / "corpus.jsonl") for c in a.comments
               if c.author}
    assert "علي علاو" in authors
    texts = []
    for path in sorted(second.build.folder.rglob("*")):
        if path.suffix == ".parquet":
            texts.append(json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False))
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    blob = "\n".join(texts)
    assert ANNOTATOR_EMAIL_DOMAIN not in blob
    assert "admin@" not in blob
    leaked = sorted(name for name in authors if name in blob)
    assert leaked == []


def test_building_twice_from_one_snapshot_gives_identical_bytes(run, tmp_path):
    work, schema, _, second = run  # the second sync's build is the one left in its folder
    again = build_dataset(second.pull.path, schema, out=tmp_path / "again",
                          corpus=work / "corpus.jsonl")
    built = {p.relative_to(second.build.folder): p.read_bytes()
             for p in second.build.folder.rglob("*") if p.is_file()}
    rebuilt = {p.relative_to(again.folder): p.read_bytes()
               for p in again.folder.rglob("*") if p.is_file()}
    assert built.keys() == rebuilt.keys()
    assert built == rebuilt


def test_sync_writes_the_report_next_to_the_dataset(run):
    work, schema, _, second = run
    assert second.report == Path("exports") / schema.name / "report.html"
    page = (work / second.report).read_text(encoding="utf-8")
    assert "موافق (agree)" in page  # the demo's stance labels, as annotators saw them
    assert f"split {next(iter(schema.dataset.splits))}" in page  # the built dataset's splits
