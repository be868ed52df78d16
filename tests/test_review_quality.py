"""Label quality through the one read of a snapshot (toolkit.review.run): competence and
the rule dawid_skene come from review_snapshot's pass, not from a second reader."""

from __future__ import annotations

from types import SimpleNamespace

import orjson
import yaml
from annotation_builders import SCHEMA_PATH
from dataset_fixture import make_inputs
from test_cli_agree_competence import _snapshot

import toolkit.studio.snapshot
import toolkit.workflows.sync
from toolkit.review import aggregate_task, review_snapshot
from toolkit.review.aggregate import unresolved_rows
from toolkit.review.quality import competence_report
from toolkit.review.run import decide_all as apply_label_model
from toolkit.schema import load_schema, parse_schema
from toolkit.studio.snapshot import open_snapshot


def _schema(**annotation):
    data = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    data["annotation"].update(annotation)
    return parse_schema(yaml.safe_dump(data, allow_unicode=True))


def _same(a, b) -> bool:
    return orjson.dumps(a) == orjson.dumps(b)  # NaN (no estimate) -> null on both sides


def test_competence_comes_from_the_same_read(tmp_path, streams):
    snap = tmp_path / "snap.json"
    _snapshot(snap)
    schema = load_schema(SCHEMA_PATH)
    review = review_snapshot(snap, schema, validate=False, aggregate=False, competence=True)
    assert streams["n"] == 1
    assert review.items is None and review.agreement is not None
    items = [aggregate_task(t, schema) for t in open_snapshot(snap).tasks()]
    alone = competence_report(items, schema)
    assert review.competence.rows and _same(review.competence.to_dict(), alone.to_dict())
    flags = {(r.annotator, r.question): r.flags for r in review.competence.rows}
    assert flags[("4", "stance")] == ["A050"] and flags[("5", "stance")] == ["A051"]
    # the HTML report's rows: score is the model's accuracy estimate
    page = {(r["annotator"], r["question"]): r for r in review.competence.report_rows()}
    assert page[("4", "stance")]["flags"] == ["A050"]
    assert page[("1", "stance")]["score"] > 0.85


def test_rule_dawid_skene_decides_after_the_read(tmp_path, streams):
    snap = tmp_path / "snap.json"
    _snapshot(snap)
    schema = _schema(rule="dawid_skene", min_confidence=0.9)
    review = review_snapshot(snap, schema, competence=True)
    assert streams["n"] == 1
    items = [aggregate_task(t, schema) for t in open_snapshot(snap).tasks()]
    apply_label_model(items, schema)
    assert [(i.labels, i.provenance, i.status, i.confidence) for i in review.items] == \
        [(i.labels, i.provenance, i.status, i.confidence) for i in items]
    assert any(p == "dawid_skene" for i in review.items for p in i.provenance.values())
    assert all(0 < c <= 1 for i in review.items for c in i.confidence.values())
    # agree --unresolved lists what the model left unresolved, as build rejects it
    rows = [row for item in items for row in unresolved_rows(item)]
    assert rows and review.agreement.unresolved == rows
    assert all("confidence below 0.9" in row["reason"] for row in rows)


def test_majority_items_are_unchanged_by_competence(tmp_path):
    snap = tmp_path / "snap.json"
    _snapshot(snap, n=60)
    schema = load_schema(SCHEMA_PATH)
    plain = review_snapshot(snap, schema)
    with_competence = review_snapshot(snap, schema, competence=True)
    assert with_competence.items == plain.items and plain.competence is None
    assert all(not item.confidence for item in plain.items)


def test_sync_shows_competence_from_its_one_read(tmp_path_factory, monkeypatch, tmp_path):
    schema, corpus, snapshot = make_inputs(tmp_path_factory.mktemp("inputs"))
    monkeypatch.chdir(tmp_path)  # sync saves its model and predictions under ./exports
    schema = load_schema(schema)
    monkeypatch.setattr(toolkit.workflows.sync, "push",
                        lambda *args, **kwargs: SimpleNamespace(project_id=7))
    monkeypatch.setattr(toolkit.workflows.sync, "pull",
                        lambda *args, **kwargs: SimpleNamespace(path=snapshot))
    result = toolkit.workflows.sync.sync(schema, studio=None, corpus_path=corpus,
                                   dataset_dir=tmp_path / "dataset")
    assert result.competence is not None
    items = [aggregate_task(t, schema) for t in open_snapshot(snapshot).tasks()]
    assert _same(result.competence.to_dict(), competence_report(items, schema).to_dict())
    assert 'id="competence"' in result.report.read_text(encoding="utf-8")


def test_sync_points_the_adjudication_tab_at_what_is_left(tmp_path_factory, monkeypatch,
                                                          tmp_path):
    import toolkit.workflows.sync as adjudicate

    schema, corpus, snapshot = make_inputs(tmp_path_factory.mktemp("inputs"))
    schema = load_schema(schema)
    monkeypatch.setattr(toolkit.workflows.sync, "push",
                        lambda *args, **kwargs: SimpleNamespace(project_id=7))
    monkeypatch.setattr(toolkit.workflows.sync, "pull",
                        lambda *args, **kwargs: SimpleNamespace(path=snapshot))
    calls = []

    def update_tab(studio, project_id, task_ids, reasons=None):
        calls.append((studio, project_id, list(task_ids)))
        return "the tab"

    monkeypatch.setattr(adjudicate, "update_tab", update_tab)
    server = object()
    result = toolkit.workflows.sync.sync(schema, studio=server, corpus_path=corpus,
                                         dataset_dir=tmp_path / "dataset", model=False)
    items = [aggregate_task(t, schema) for t in open_snapshot(snapshot).tasks()]
    unresolved = sorted(i.task_id for i in items if i.status == "unresolved")
    assert unresolved and calls == [(server, 7, unresolved)]
    assert result.adjudication == "the tab"
