"""`corpus agree`: annotator competence (Dawid-Skene), flags A050-A052, gold accuracy."""

from __future__ import annotations

import json
import random

from annotation_builders import SCHEMA_PATH, annotation, choice, task

from toolkit.cli import main
from toolkit.studio.snapshot import write_snapshot

STANCES = ["agree", "disagree", "neutral", "unrelated"]


def _snapshot(path, n=300, seed=2):
    """Careful annotators 1-3, a random spammer 4, an always-'agree' 5, a newcomer 6 with 3
    items; the lead (7) answers 20 items as ground truth, always right."""
    rng = random.Random(seed)
    tasks, ident = [], 0
    for t in range(1, n + 1):
        true = rng.choice(STANCES)
        annotations = []
        for who in sorted(rng.sample(range(1, 6), 3)):
            given = (true if rng.random() < 0.93 else rng.choice(STANCES)) if who <= 3 else (
                rng.choice(STANCES) if who == 4 else "agree")
            ident += 1
            annotations.append(annotation(ident, who, [choice("stance", given),
                                                       choice("sarcasm", "no")]))
        if t <= 3:
            ident += 1
            annotations.append(annotation(ident, 6, [choice("stance", true)]))
        if t % 15 == 0:
            ident += 1
            annotations.append(annotation(ident, 7, [choice("stance", true)], ground_truth=True))
        tasks.append(task(t, "نص", annotations))
    write_snapshot(path, {}, tasks)


def test_agree_reports_competence_and_flags(tmp_path, capsys):
    snap, report = tmp_path / "snap.json", tmp_path / "agree.json"
    _snapshot(snap)
    assert main(["agree", str(snap), "-s", str(SCHEMA_PATH), "--json", str(report)]) == 0
    captured = capsys.readouterr()
    assert "Annotator competence (Dawid-Skene)" in captured.out
    err = captured.err
    assert "annotator 4, question stance: warning[A050 spammer]: answers look random" in err
    assert ("annotator 5, question stance: warning[A051 constant-answer]: gave the same "
            "answer on all") in err
    assert ("annotator 6: info[A052 too-few-items]: only 3 items on stance, sarcasm "
            "(fewer than 50)") in err
    assert "annotator 1, question stance: warning" not in err
    data = json.loads(report.read_text(encoding="utf-8"))
    rows = {(r["annotator"], r["question"]): r for r in data["competence"]["annotators"]}
    careful = rows[("1", "stance")]
    assert careful["flags"] == [] and careful["accuracy"] > 0.85
    assert careful["agreement"] > 0.85
    # gold: 20 tasks with the lead's ground truth; the careful are mostly right on them,
    # the constant annotator right only where the truth is 'agree'
    assert careful["gold_items"] > 0 and careful["gold_accuracy"] > 0.8
    constant = rows[("5", "stance")]
    assert constant["flags"] == ["A051"] and constant["gold_accuracy"] < 0.6
    # the lead answered ground-truth items only: not compared with themself, so no row
    assert ("7", "stance") not in rows
    # nobody answered sentiment: no rows for it; on sarcasm everyone says "no" but the
    # newcomer (who left it empty): too little evidence to judge anyone there
    assert {q for _, q in rows} == {"stance", "sarcasm"}
    assert all(r["flags"] == ["A052"] for (_, q), r in rows.items() if q == "sarcasm")


def test_agree_unresolved_follows_the_dawid_skene_rule(tmp_path):
    import yaml

    data = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    data["annotation"].update({"rule": "dawid_skene", "min_confidence": 0.9})
    schema_path = tmp_path / "schema.yaml"
    schema_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    snap, unresolved = tmp_path / "snap.json", tmp_path / "unresolved.jsonl"
    _snapshot(snap)
    assert main(["agree", str(snap), "-s", str(schema_path), "--unresolved",
                 str(unresolved)]) == 0
    rows = [json.loads(line) for line in unresolved.read_text(encoding="utf-8").splitlines()]
    assert rows and {r["question"] for r in rows} == {"stance"}
    assert all("confidence below 0.9: stance 0." in r["reason"] for r in rows)
    majority, plain = tmp_path / "majority.jsonl", len(rows)
    assert main(["agree", str(snap), "-s", str(SCHEMA_PATH), "--unresolved", str(majority)]) == 0
    assert len(majority.read_text(encoding="utf-8").splitlines()) > plain
