"""`corpus sync` runs the loop (issue 19 item 5): after the build it trains the baseline
model on the same read of the new snapshot, predicts the units not decided yet and
puts them before annotators, each step skipped with one line when it has nothing to do;
the HTML report shows the model (item 6)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from model_fixture import project

import toolkit.workflows.sync
from toolkit.html_report import gather_report, render_html
from toolkit.model.saved import read_history


@pytest.fixture
def toy(tmp_path, monkeypatch, streams):
    """The model fixture's project, with push and pull answered by the snapshot, in a
    folder of its own (models and predictions go under ./exports)."""
    monkeypatch.chdir(tmp_path)
    schema, corpus, snapshot = project(tmp_path)
    monkeypatch.setattr(toolkit.workflows.sync, "push",
                        lambda *args, **kwargs: SimpleNamespace(project_id=7))
    monkeypatch.setattr(toolkit.workflows.sync, "pull",
                        lambda *args, **kwargs: SimpleNamespace(path=snapshot))
    return schema, corpus, snapshot, streams


def test_sync_trains_predicts_and_says_what_it_skipped(toy, tmp_path):
    schema, corpus, snapshot, reads = toy
    result = toolkit.workflows.sync.sync(schema, studio=None, corpus_path=corpus,
                                         dataset_dir=tmp_path / "dataset")
    assert reads["n"] == 1  # build, report, model and predictions from one read
    run = result.model
    assert run is not None and run.trained is not None and run.trained.model is not None
    stance = next(r for r in run.trained.reports if r.question == "stance")
    assert stance.accuracy is not None and stance.accuracy > 0.9  # the cue words carry it
    assert run.saved.resolve() == (tmp_path / "exports" / "model_toy" / "models"
                                   / run.trained.version)
    assert (run.saved / "model.json").is_file()
    # predicted: the 10 units never annotated and the 3 with one answer (too few)
    lines = [json.loads(line) for line in run.predicted.path.read_text().splitlines()]
    assert run.predicted.path.resolve() == tmp_path / "exports" / "model_toy" / "predictions.jsonl"
    assert len(lines) == 13 == run.predicted.written
    assert {line["model_version"] for line in lines} == {run.trained.version}
    assert run.skipped == ["suggestions: no Label Studio to attach them to"]
    assert [h["version"] for h in read_history("model_toy")] == [run.trained.version]
    # the report (written after the model learned) has the model's section
    page = result.report.read_text(encoding="utf-8")
    assert 'id="model"' in page and run.trained.version in page
    assert "chart-learning" in page


def test_sync_without_the_model_trains_nothing(toy, tmp_path):
    schema, corpus, _, _ = toy
    result = toolkit.workflows.sync.sync(schema, studio=None, corpus_path=corpus,
                                         dataset_dir=tmp_path / "dataset", model=False)
    assert result.model is None
    assert not (tmp_path / "exports" / "model_toy" / "models").exists()
    assert 'id="model"' not in result.report.read_text(encoding="utf-8")


def test_a_schema_without_closed_questions_skips_the_model_with_one_line(tmp_path):
    from toolkit.schema import parse_schema
    from toolkit.workflows.learn import learn

    schema = parse_schema("name: notes_only\nversion: '1'\ntitle: Notes\nunit: comment\n"
                          "questions:\n  - {name: note, kind: text}\n", "n.yaml")
    run = learn(schema, tmp_path / "unused.json")
    assert run.trained is None
    assert run.skipped == ["model: the schema has no single, multi, yes/no or rating "
                           "question to learn"]


def test_the_report_counts_the_suggestions_annotators_kept(toy, tmp_path):
    """Label Studio marks an annotation made from a suggestion (parent_prediction) and each
    of its results: origin "prediction" (kept) or "prediction-changed"."""
    schema, corpus, snapshot, _ = toy
    from toolkit.studio.snapshot import open_snapshot, write_snapshot
    from toolkit.workflows.learn import learn

    learn(schema, snapshot)  # a model for the section
    snap = open_snapshot(snapshot)
    tasks = list(snap.tasks())
    origins = ["prediction", "prediction-changed", "prediction"]
    for task, origin in zip(tasks[:3], origins, strict=True):
        annotation = task["annotations"][0]
        annotation["parent_prediction"] = 1
        for result in annotation["result"]:
            if result["from_name"] == "stance":
                result["origin"] = origin
    marked = tmp_path / "marked.json"
    write_snapshot(marked, snap.header, tasks)
    report = gather_report(marked, schema, corpus=corpus)
    stance = next(q for q in report.model.questions if q["question"] == "stance")
    assert (stance["kept"], stance["changed"]) == (2, 1)
    assert "2 of 3 (67%)" in render_html(report)
