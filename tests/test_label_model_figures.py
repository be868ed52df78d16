"""Figures the label model must not make up (issue 17, items 14-16): one answer per item
cannot be judged, a missing label has no confidence, min_confidence 1 is said to reject
everything, and "agree with label %" is "-" where no item has a label."""

from __future__ import annotations

import json

import numpy as np
import pytest
from annotation_builders import SCHEMA_PATH, annotation, choice, rating, schema, task

from toolkit.cli import main
from toolkit.review import review_snapshot
from toolkit.review.aggregate import aggregate_task
from toolkit.review.competence import competence, competence_multi
from toolkit.review.quality import competence_report
from toolkit.review.run import decide_all as apply_label_model
from toolkit.rules import fit_label_model
from toolkit.schema import Schema
from toolkit.studio.snapshot import write_snapshot

STANCES = ["agree", "disagree", "neutral", "unrelated"]


def _schema(**update) -> Schema:
    s = schema()
    return s.model_copy(update={"annotation": s.annotation.model_copy(
        update={"rule": "dawid_skene", "min_annotations": 1, **update})})


def _one_each(n: int = 60) -> list[dict]:
    """Each item answered by one annotator (1, 2 or 3 in turn); every third item has no
    intensity rating."""
    tasks = []
    for t in range(1, n + 1):
        result = [choice("stance", STANCES[t % 4])]
        if t % 3:
            result.append(rating("intensity", 1 + t % 5))
        tasks.append(task(t, "نص", [annotation(t, 1 + t % 3, result)]))
    return tasks


def _three_agree(n: int = 60) -> list[dict]:
    """Three annotators, agreeing on most items; on every fourth one of them (in turn)
    answers otherwise, so that nobody looks perfect."""
    ident, tasks = 0, []
    for t in range(1, n + 1):
        given = []
        for who in (1, 2, 3):
            ident += 1
            stance = STANCES[(t + (t % 4 == 0 and who == 1 + t % 3)) % 4]
            given.append(annotation(ident, who, [choice("stance", stance)]))
        tasks.append(task(t, "نص", given))
    return tasks


def _all_split(n: int = 60) -> list[dict]:
    """Three annotators, three different answers on every item."""
    ident, tasks = 0, []
    for t in range(1, n + 1):
        given = []
        for who in (1, 2, 3):
            ident += 1
            given.append(annotation(ident, who, [choice("stance", STANCES[(t + who) % 4])]))
        tasks.append(task(t, "نص", given))
    return tasks


# -- item 14 ------------------------------------------------------------------------------

def test_one_answer_per_item_gets_no_confidence_and_a_finding():
    s = _schema()
    items = [aggregate_task(t, s) for t in _one_each()]
    findings: list = []
    apply_label_model(items, s, findings=findings)
    assert all("stance" not in item.confidence for item in items)
    assert all(item.labels["stance"] in STANCES for item in items)  # the labels stay
    [finding] = [f for f in findings if f.code == "A053"]
    assert finding.level == "warning"
    assert finding.message.startswith("60 of 60 item(s) have one answer, from annotator(s) "
                                      "who share no item with another (1, 2, 3)")


def test_a_missing_label_has_no_confidence():
    s = _schema()
    items = [aggregate_task(t, s) for t in _three_agree()]
    apply_label_model(items, s)
    # nobody rated intensity: the model's label is "no answer", which has no confidence
    assert all(item.labels["intensity"] is None for item in items)
    assert all("intensity" not in item.confidence for item in items)
    assert all(item.confidence["stance"] > 0.9 for item in items)


def test_one_answer_is_unresolved_under_min_confidence():
    s = _schema(min_confidence=0.5)
    items = [aggregate_task(t, s) for t in _one_each(12)]
    apply_label_model(items, s)
    assert {item.status for item in items} == {"unresolved"}
    assert items[0].reason.endswith("(one answer, from an annotator who shares no item: "
                                    "confidence unknown)")


def test_an_annotator_alone_gets_no_accuracy_estimate():
    s = _schema()
    items = [aggregate_task(t, s) for t in _one_each()]
    models = apply_label_model(items, s)
    report = competence_report(items, s, models)
    stance = [row for row in report.rows if row.question == "stance"]
    assert len(stance) == 3
    for row in stance:
        assert row.accuracy != row.accuracy  # NaN: shown "-"
        assert (row.spammer_score, row.flags, row.shared_items) == (None, ["A052"], 0)
    [few] = [f for f in report.findings if f.where == "annotator 1"]
    assert "no item shared with another annotator on stance" in few.message


# -- item 15 ------------------------------------------------------------------------------

def test_min_confidence_one_is_said_to_reject_everything(tmp_path):
    s = _schema(min_confidence=1.0)
    path = tmp_path / "snap.json"
    write_snapshot(path, {}, _three_agree())
    review = review_snapshot(path, s, validate=False, agreement=False)
    [finding] = [f for f in review.findings if f.code == "A054"]
    assert finding.level == "warning"
    assert "annotation.min_confidence is 1" in finding.message


# -- item 16 ------------------------------------------------------------------------------

def test_agree_with_label_is_unknown_when_no_item_has_a_label(tmp_path, capsys):
    s = _schema(min_confidence=1.0)
    items = [aggregate_task(t, s) for t in _all_split()]
    models = apply_label_model(items, s)
    assert {item.status for item in items} == {"unresolved"}
    rows = [r for r in competence_report(items, s, models).rows if r.question == "stance"]
    assert [r.agreement for r in rows] == [None, None, None]

    schema_path = tmp_path / "s.yaml"
    schema_path.write_text(SCHEMA_PATH.read_text(encoding="utf-8").replace(
        "rule: majority", "rule: dawid_skene\n  min_confidence: 1"), encoding="utf-8")
    snap, out = tmp_path / "snap.json", tmp_path / "agree.json"
    write_snapshot(snap, {}, _all_split())
    assert main(["agree", str(snap), "-s", str(schema_path), "--json", str(out)]) == 0
    table = capsys.readouterr().out
    section = table.split("Annotator competence (Dawid-Skene): stance")[1]
    line = next(x for x in section.splitlines() if x.strip("│ ").startswith("1"))
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells[:3] == ["1", "60", "-"]  # annotator, items, agree with label %
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {r["agreement"] for r in data["competence"]["annotators"]} == {None}
    assert "A054" in {f["code"] for f in data["findings"]}


# -- the collector's narrow ints ------------------------------------------------------------

@pytest.mark.parametrize("team", [40, 200])
def test_competence_from_the_collector_is_the_fit_on_the_answers(team):
    """CompetenceCollector keeps annotator numbers and answer codes in the narrowest ints
    (one byte up to 127 annotators, two beyond): its figures are those of the model fitted
    on the (item, annotator, answer) triples, bit for bit; 40 annotators x 5 stance labels
    make (annotator, label) cells past a byte's range, 200 annotators a wider column."""
    rng = np.random.default_rng(team)
    ident, tasks = 0, []
    for t in range(1, 4 * team + 1):
        given = []
        for who in rng.choice(team, 3, replace=False).tolist():
            ident += 1
            stance = STANCES[t % 4] if rng.random() < 0.8 else STANCES[rng.integers(4)]
            given.append(annotation(ident, who + 1, [choice("stance", stance),
                                                     choice("offensive", "insult")
                                                     if rng.random() < 0.3 else
                                                     choice("offensive", "profanity")]))
        tasks.append(task(t, "نص", given))
    s = schema()
    items = [aggregate_task(t, s) for t in tasks]
    rows = {(r.question, r.annotator): r for r in competence_report(items, s).rows}
    for name, shape in (("stance", "single"), ("offensive", "per_label")):
        question = s.question(name)
        triples = [(index, who, item.votes[name][position])
                   for index, item in enumerate(items)
                   for position, (who, _) in enumerate(item.answers)]
        model = fit_label_model(question, shape, triples)
        expected = (competence_multi(model, question=name) if shape == "per_label"
                    else competence(model, question=name))
        assert len(expected) == team
        for row in expected:
            got = rows[(name, row.annotator)]
            assert (got.items, got.accuracy, got.spammer_score, got.flags) == (
                row.items, row.accuracy, row.spammer_score, row.flags)
