"""Aggregation rules: majority, unanimous, per-label multi choice, spans, ground truth, ties."""

from __future__ import annotations

from annotation_builders import annotation, choice, schema, span, task

from toolkit.review.aggregate import aggregate_task, unresolved_rows
from toolkit.review.answers import Span
from toolkit.schema import Schema

TEXT = "محمد صلاح في ليفربول"


def _schema(rule: str = "majority", min_annotations: int = 2) -> Schema:
    s = schema()
    policy = s.annotation.model_copy(update={"rule": rule, "min_annotations": min_annotations})
    return s.model_copy(update={"annotation": policy})


def test_majority_single_and_per_label_multi():
    t = task(1, TEXT, [
        annotation(11, 1, [choice("stance", "agree"), choice("offensive", "insult", "threat")]),
        annotation(12, 2, [choice("stance", "agree"), choice("offensive", "insult")]),
        annotation(13, 3, [choice("stance", "disagree"), choice("offensive", "threat", "insult")]),
    ])
    item = aggregate_task(t, _schema())
    assert item.status == "ok", item.reason
    assert item.corpus_key == "comment_stance:c1" and item.task_id == 1 and item.unit_id == "c1"
    assert item.n_annotators == 3
    assert item.labels["stance"] == "agree" and item.provenance["stance"] == "majority"
    assert item.labels["offensive"] == ("insult", "threat")
    assert item.provenance["offensive"] == "majority"
    # nobody answered the optional sentiment: None, unanimously
    assert item.labels["sentiment"] is None and item.provenance["sentiment"] == "unanimous"
    assert [who for who, _ in item.answers] == ["1", "2", "3"]


def test_tie_is_unresolved_and_listed_for_adjudication():
    t = task(2, TEXT, [
        annotation(21, 1, [choice("stance", "agree")]),
        annotation(22, 2, [choice("stance", "disagree")]),
    ])
    item = aggregate_task(t, _schema())
    assert item.status == "unresolved"
    assert item.labels["stance"] is None and item.provenance["stance"] == "unresolved"
    rows = unresolved_rows(item)
    assert rows == [{
        "corpus_key": "comment_stance:c2", "task_id": 2, "status": "unresolved",
        "question": "stance", "reason": "no agreed answer for: stance",
        "answers": {"1": "agree", "2": "disagree"},
    }]


def test_three_way_split_has_no_majority():
    t = task(3, TEXT, [annotation(30 + i, i, [choice("stance", v)])
                       for i, v in enumerate(["agree", "disagree", "neutral"], 1)])
    assert aggregate_task(t, _schema()).provenance["stance"] == "unresolved"


def test_unanimous_rule_refuses_a_majority():
    t = task(4, TEXT, [
        annotation(41, 1, [choice("stance", "agree")]),
        annotation(42, 2, [choice("stance", "agree")]),
        annotation(43, 3, [choice("stance", "neutral")]),
    ])
    assert aggregate_task(t, _schema("majority")).labels["stance"] == "agree"
    item = aggregate_task(t, _schema("unanimous"))
    assert item.labels["stance"] is None and item.status == "unresolved"


def test_ground_truth_wins_over_the_majority():
    t = task(5, TEXT, [
        annotation(51, 1, [choice("stance", "agree")]),
        annotation(52, 2, [choice("stance", "agree")]),
        annotation(53, 3, [choice("stance", "neutral")], ground_truth=True),
    ])
    item = aggregate_task(t, _schema())
    assert item.labels["stance"] == "neutral"
    # the questions the ground truth left empty keep the annotators' aggregate (all
    # empty here: unanimous None)
    assert item.provenance.pop("stance") == "ground_truth"
    assert set(item.provenance.values()) == {"unanimous"}
    assert item.status == "ok"


def test_spans_kept_when_a_majority_marked_them_identically():
    name = span("targets", 0, 9, "محمد صلاح", "person")
    place = span("targets", 13, 20, "ليفربول", "place")
    t = task(6, TEXT, [
        annotation(61, 1, [choice("stance", "agree"), name, place]),
        annotation(62, 2, [choice("stance", "agree"), span("targets", 0, 9, name["value"]["text"],
                                                           "person")]),
        annotation(63, 3, [choice("stance", "agree"), span("targets", 0, 4, "محمد", "person")]),
    ])
    item = aggregate_task(t, _schema())
    assert item.labels["targets"] == (Span(0, 9, "person", "محمد صلاح"),)
    assert item.provenance["targets"] == "majority"
    assert item.provenance["stance"] == "unanimous"


def test_cancelled_drafts_and_repeat_annotator_are_not_votes():
    t = task(7, TEXT, [
        annotation(71, 1, [choice("stance", "disagree")]),
        annotation(72, 1, [choice("stance", "agree")]),  # same annotator again: latest counts
        annotation(73, 2, [choice("stance", "agree")]),
        annotation(74, 3, [], cancelled=True),
    ], drafts=[{"id": 1, "result": [choice("stance", "neutral")], "user": 4}])
    item = aggregate_task(t, _schema())
    assert item.n_annotators == 2 and item.cancelled == 1 and item.drafts == 1
    assert item.labels["stance"] == "agree" and item.provenance["stance"] == "unanimous"


def test_too_few_and_no_annotations():
    one = task(8, TEXT, [annotation(81, 1, [choice("stance", "agree")])])
    item = aggregate_task(one, _schema(min_annotations=2))
    assert item.status == "too_few_annotations" and item.labels["stance"] is None
    assert "1 annotator(s)" in item.reason
    none = aggregate_task(task(9, TEXT, []), _schema())
    assert none.status == "no_annotations" and none.n_annotators == 0
    assert unresolved_rows(none) == []
