"""The schema rule dawid_skene applied to aggregated tasks, and adjudicators as ground truth."""

from __future__ import annotations

import random

from annotation_builders import annotation, choice, schema, span, task

from toolkit.review.aggregate import aggregate_task
from toolkit.review.run import decide_all as apply_label_model
from toolkit.schema import Schema

TEXT = "محمد صلاح في ليفربول"
STANCES = ["agree", "disagree", "neutral", "unrelated"]


def _schema(**update) -> Schema:
    s = schema()
    policy = s.annotation.model_copy(update=update)
    return s.model_copy(update={"annotation": policy})


def _tasks(n: int = 240, seed: int = 4):
    """Careful annotators 1-3 (95% right), spammers 4-5 (random); 3 of the 5 per task."""
    rng = random.Random(seed)
    truth, tasks, ident = [], [], 1000
    for t in range(n):
        true = rng.choice(STANCES)
        truth.append(true)
        annotations = []
        for who in sorted(rng.sample(range(1, 6), 3)):
            if who <= 3:
                given = true if rng.random() < 0.95 else rng.choice(STANCES)
            else:
                given = rng.choice(STANCES)
            ident += 1
            topics = ["insult"] if true == "disagree" and who <= 3 else []
            annotations.append(annotation(ident, who, [choice("stance", given),
                                                       choice("offensive", *topics),
                                                       span("targets", 0, 4, "محمد", "person")]))
        tasks.append(task(t + 1, TEXT, annotations))
    return tasks, truth


def test_dawid_skene_beats_majority_and_marks_provenance():
    tasks, truth = _tasks()
    majority = [aggregate_task(t, _schema()) for t in tasks]
    s = _schema(rule="dawid_skene")
    items = [aggregate_task(t, s) for t in tasks]
    models = apply_label_model(items, s)
    assert set(models) == {"stance", "sentiment", "offensive", "sarcasm", "sarcasm_target",
                           "intensity"}  # spans and text keep the majority rule
    right_majority = sum(i.labels["stance"] == y for i, y in zip(majority, truth, strict=True))
    right_ds = sum(i.labels["stance"] == y for i, y in zip(items, truth, strict=True))
    assert right_ds > right_majority + 10, (right_ds, right_majority)
    # every stance decided (no ties left), with its provenance and confidence
    assert all(i.status == "ok" for i in items)
    assert {i.provenance["stance"] for i in items} == {"unanimous", "dawid_skene"}
    assert all(0.25 < i.confidence["stance"] <= 1.0 for i in items)
    assert all(i.provenance["targets"] == "unanimous" for i in items)
    assert "targets" not in items[0].confidence
    # multi choice: label by label; "none chosen" is None as under majority
    for item, true in zip(items, truth, strict=True):
        assert item.labels["offensive"] == (("insult",) if true == "disagree" else None)
    # the spammers weigh less: an item where two spammers outvote a careful annotator
    flipped = [i for i, m in zip(items, majority, strict=True)
               if m.labels["stance"] is not None and i.labels["stance"] != m.labels["stance"]]
    assert flipped and all(i.provenance["stance"] == "dawid_skene" for i in flipped)


def test_min_confidence_makes_items_unresolved():
    tasks, _ = _tasks()
    s = _schema(rule="dawid_skene", min_confidence=0.9)
    items = [aggregate_task(t, s) for t in tasks]
    apply_label_model(items, s)
    low = [i for i in items if i.confidence["stance"] < 0.9]
    assert low
    for item in low:
        assert item.status == "unresolved" and item.labels["stance"] is None
        assert item.provenance["stance"] == "unresolved"
        assert item.reason.startswith("no agreed answer for: stance (confidence below 0.9: "
                                      "stance 0.")
    assert all(i.status == "ok" for i in items if i.confidence["stance"] >= 0.9)


def test_other_rules_untouched():
    tasks, _ = _tasks(30)
    s = _schema()
    items = [aggregate_task(t, s) for t in tasks]
    before = [(dict(i.labels), dict(i.provenance), i.status) for i in items]
    assert apply_label_model(items, s) == {}
    assert [(i.labels, i.provenance, i.status) for i in items] == before


def test_adjudicator_answer_is_ground_truth():
    # an export whose completed_by is an object carries the account's e-mail; a name
    # (created_username) is the owner's to set and never matched
    lead = annotation(3, {"id": 9, "email": "Lead@Example.org"}, [choice("stance", "neutral")])
    lead["created_username"] = " Lead@Example.org, 9"
    t = task(1, TEXT, [annotation(1, 1, [choice("stance", "agree")]),
                       annotation(2, 2, [choice("stance", "disagree")]), lead])
    plain = aggregate_task(t, _schema())
    assert plain.status == "unresolved"
    for accounts in (["lead@example.org"], ["LEAD@example.org", "other@x.org"], [9]):
        item = aggregate_task(t, _schema(adjudicators=accounts))
        assert item.status == "ok"
        assert (item.labels["stance"], item.provenance["stance"]) == ("neutral", "ground_truth")
    assert aggregate_task(t, _schema(adjudicators=["someone@else"])).status == "unresolved"
    lead["completed_by"] = 9  # the name alone: not an adjudicator
    assert aggregate_task(t, _schema(adjudicators=["lead@example.org"])).status == "unresolved"
