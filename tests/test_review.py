"""toolkit.review: one streaming pass over a snapshot gives validation, aggregated items
and agreement together, equal to what each step gives on its own; `corpus sync` reads
each new snapshot once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from dataset_fixture import make_inputs

import toolkit.studio.snapshot
import toolkit.workflows.sync
from toolkit.review import (
    aggregate_task,
    agreement_for_snapshot,
    review_snapshot,
    validate_snapshot,
)
from toolkit.schema import load_schema
from toolkit.studio.snapshot import open_snapshot


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    schema, corpus, snapshot = make_inputs(tmp_path_factory.mktemp("inputs"))
    return load_schema(schema), corpus, snapshot



def test_one_pass_equals_the_steps_on_their_own(inputs, streams):
    schema, corpus, snapshot = inputs
    review = review_snapshot(snapshot, schema, corpus=corpus)
    assert streams["n"] == 1
    alone = validate_snapshot(snapshot, schema, corpus=corpus)
    assert review.validation.to_dict() == alone.to_dict()
    assert review.agreement.to_dict() == agreement_for_snapshot(snapshot, schema).to_dict()
    tasks = list(open_snapshot(snapshot).tasks())
    assert [item.task_id for item in review.items] == [task["id"] for task in tasks]
    assert review.items == [aggregate_task(task, schema) for task in tasks]
    assert len(review.items) == 13
    # the fixture's task with a label the schema does not have is rejected with its reason
    assert len(review.invalid) == 1
    assert next(iter(review.invalid.values())).startswith("V002 unknown-label: ")
    assert streams["n"] == 1 + 1 + 1 + 1  # the pass, then validate, agree and the list above


def test_findings_counted_but_not_kept(inputs):
    """keep_findings=False (the report's pass): the same counts and invalid tasks, no list."""
    schema, corpus, snapshot = inputs
    kept = review_snapshot(snapshot, schema, corpus=corpus)
    counted = review_snapshot(snapshot, schema, corpus=corpus, keep_findings=False)
    assert len(kept.validation.findings) > 1
    assert counted.validation.findings == []
    assert counted.validation.summary == kept.validation.summary
    assert counted.validation.counts == kept.validation.counts
    assert counted.invalid == kept.invalid and len(counted.invalid) == 1
    assert counted.items == kept.items


def test_the_first_findings_kept(inputs):
    """keep_findings=N (`corpus validate` without --json): the first N errors and warnings
    in snapshot order, every finding counted, the invalid tasks all found."""
    schema, corpus, snapshot = inputs
    kept = review_snapshot(snapshot, schema, corpus=corpus, aggregate=False, agreement=False)
    shown = [f for f in kept.validation.findings if f.level != "info"]
    assert len(shown) > 2
    first = review_snapshot(snapshot, schema, corpus=corpus, aggregate=False, agreement=False,
                            keep_findings=2)
    assert first.validation.findings == shown[:2]
    assert first.validation.summary == kept.validation.summary
    assert first.validation.exit_code == kept.validation.exit_code == 1
    assert first.invalid == kept.invalid and len(first.invalid) == 1


def test_figures_after_the_read_are_followed_question_by_question(inputs):
    """on_figures: the agreement report's questions, then the competence fits', counted up
    to their total (a bar after the read's)."""
    schema, corpus, snapshot = inputs
    calls: list[tuple[int, int]] = []
    review = review_snapshot(snapshot, schema, corpus=corpus, competence=True,
                             on_figures=lambda done, total: calls.append((done, total)))
    questions = len(review.agreement.questions)
    fitted = len({row.question for row in review.competence.rows if row.items})
    assert questions >= 4 and fitted >= 2
    total = questions + fitted
    assert calls == [(done, total) for done in range(1, total + 1)]


def test_only_what_is_asked_for(inputs):
    schema, corpus, snapshot = inputs
    validation_only = review_snapshot(snapshot, schema, aggregate=False, agreement=False)
    assert validation_only.items is None and validation_only.agreement is None
    assert validation_only.validation.counts["tasks"] == 13
    agreement_only = review_snapshot(snapshot, schema, validate=False, aggregate=False)
    assert agreement_only.validation is None and agreement_only.items is None
    assert agreement_only.agreement.items_total == 13


def test_sync_reads_the_new_snapshot_once(inputs, streams, monkeypatch, tmp_path):
    schema, corpus, snapshot = inputs
    monkeypatch.chdir(tmp_path)  # sync saves its model and predictions under ./exports
    monkeypatch.setattr(toolkit.workflows.sync, "push",
                        lambda *args, **kwargs: SimpleNamespace(project_id=7))
    monkeypatch.setattr(toolkit.workflows.sync, "pull",
                        lambda *args, **kwargs: SimpleNamespace(path=snapshot))
    result = toolkit.workflows.sync.sync(schema, studio=None, corpus_path=corpus,
                                   dataset_dir=tmp_path / "dataset")
    assert streams["n"] == 1
    assert result.validation.to_dict() == validate_snapshot(snapshot, schema,
                                                            corpus=corpus).to_dict()
    assert result.agreement.to_dict() == agreement_for_snapshot(snapshot, schema).to_dict()
    assert sum(result.build.balance.in_splits.values()) == 9
