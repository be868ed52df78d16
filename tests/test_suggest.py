"""Suggestions and order, offline: the schema switch per question (kinds' defaults, the
content hash), which results a suggestion keeps, the priority order, the weak items that
get another answer, and `corpus push --dry-run --slice` (the slice a push would import)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
import yaml

from toolkit.cli import main
from toolkit.kinds import KINDS
from toolkit.schema import Schema, load_schema
from toolkit.studio.order import priority_order, uncertainty_scores
from toolkit.studio.predictions import suggested
from toolkit.studio.results import build_result
from toolkit.tasks import tasks_from_corpus
from toolkit.workflows.next_up import MAX_EXTRA_ANSWERS, weak_items

ROOT = Path(__file__).resolve().parents[1]
STANCE = ROOT / "schemas" / "comment_stance.yaml"


def _schema(**suggest: bool) -> Schema:
    data = yaml.safe_load(STANCE.read_text(encoding="utf-8"))
    for question in data["questions"]:
        if question["name"] in suggest:
            question["suggest"] = suggest[question["name"]]
    return Schema.model_validate(data)


def test_kinds_decide_the_default_and_a_question_may_override_it():
    defaults = {name: kind.suggest_by_default for name, kind in KINDS.items()}
    assert defaults == {"single": True, "multi": True, "yesno": True, "rating": True,
                        "spans": False, "text": False}
    schema = _schema(targets=True, stance=False)
    on = [q.name for q in schema.questions if q.suggests]
    assert on == ["sentiment", "offensive", "sarcasm", "targets"]


def test_the_switch_left_out_keeps_the_content_hash_and_set_changes_it():
    plain = load_schema(STANCE)
    assert plain.content_hash == "sha256:658ee5d41874e0a7"  # as before `suggest` existed
    assert b"suggest" not in plain.canonical_json()
    assert _schema(stance=True).content_hash != plain.content_hash  # said, even if default
    assert _schema(stance=False).content_hash != plain.content_hash


def test_a_suggestion_keeps_only_the_questions_that_suggest():
    schema = _schema(sarcasm=False)
    text = "كلام الوزير"
    result = build_result(schema, {"stance": "agree", "sarcasm": "no", "note": "x",
                                   "targets": [{"label": "person", "text": "الوزير"}]},
                          texts={"text": text})
    result.append({"from_name": "ghost", "to_name": "text", "type": "choices",
                   "value": {"choices": ["x"]}})
    only_spans = build_result(schema, {"targets": [{"label": "person", "text": "الوزير"}]},
                              texts={"text": text})
    kept = suggested(schema, {
        "s:a": [{"model_version": "m", "score": 0.4, "result": result}],
        "s:b": [{"model_version": "m", "result": only_spans}],
    })
    assert [r["from_name"] for r in kept.predictions["s:a"][0]["result"]] == ["stance"]
    assert kept.predictions["s:a"][0]["score"] == 0.4
    assert (kept.results_off, kept.results_unknown, kept.emptied) == (4, 1, ["s:b"])
    assert kept.off_questions == ["sarcasm", "targets", "note"]


def test_priority_order_least_confident_first_then_unscored_in_corpus_order():
    keys = ["a", "b", "c", "d", "e", "f"]
    scores = {"e": 0.2, "b": 0.9, "d": 0.2, "a": 0.5}
    assert priority_order(keys, scores) == ["d", "e", "a", "b", "c", "f"]
    assert priority_order(keys, {}) == keys


def test_uncertainty_scores_take_the_least_confident_prediction_of_a_key():
    predictions = {"a": [{"score": 0.8}, {"score": 0.3}], "b": [{"model_version": "m"}],
                   "c": [{"score": None}, {"score": 0.6}]}
    assert uncertainty_scores(predictions) == {"a": 0.3, "c": 0.6}


def _item(task_id, status, n, gold_by=None):
    return SimpleNamespace(task_id=task_id, status=status, n_annotators=n, gold_by=gold_by)


def test_weak_items_want_one_more_answer_up_to_a_cap():
    schema = _schema()  # overlap 3, min_annotations 2
    cap = 3 + MAX_EXTRA_ANSWERS
    items = [_item(1, "ok", 3), _item(2, "unresolved", 3), _item(3, "too_few_annotations", 1),
             _item(4, "no_annotations", 0), _item(5, "unresolved", cap),
             _item(6, "unresolved", 2, gold_by="lead"), _item(7, "unresolved", 2),
             _item(None, "unresolved", 2)]
    assert weak_items(items, schema, invalid={7}) == {2: 4, 3: 2}


def _predictions(path: Path, scores: dict[str, float], schema: Schema) -> Path:
    result = build_result(schema, {"stance": "agree"}, texts={})
    path.write_bytes(b"\n".join(orjson.dumps({"corpus_key": k, "model_version": "m1",
                                              "score": s, "result": result})
                                for k, s in scores.items()) + b"\n")
    return path


def test_dry_run_slice_writes_the_least_confident_units(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(corpus)]) == 0
    schema = load_schema(STANCE)
    keys = [t["corpus_key"] for t in tasks_from_corpus(schema, corpus)]
    scores = {keys[3]: 0.2, keys[1]: 0.1, keys[0]: 0.95}
    preds = _predictions(tmp_path / "p.jsonl", scores, schema)
    out = tmp_path / "slice.json"
    capsys.readouterr()
    code = main(["push", "--schema", str(STANCE), "--corpus", str(corpus), "--dry-run",
                 "--slice", "3", "--predictions", str(preds), "--out", str(out),
                 "--ledger-dir", str(tmp_path / "ledger")])
    printed = capsys.readouterr().out
    assert code == 0
    written = orjson.loads(out.read_bytes())
    assert [t["data"]["corpus_key"] for t in written] == [keys[1], keys[3], keys[0]]
    assert [t["predictions"][0]["score"] for t in written] == [0.1, 0.2, 0.95]
    assert "3 written" in printed and f"{len(keys) - 3} left for later slices" in printed


@pytest.mark.parametrize("bad", ["0", "-2", "x"])
def test_slice_must_be_a_positive_count(tmp_path, capsys, bad):
    code = main(["push", "--schema", str(STANCE), "--dry-run", "--slice", bad,
                 "--corpus", str(tmp_path / "none.jsonl")])
    assert code == 2
    assert "--slice" in capsys.readouterr().err


def test_suggest_without_its_predictions_file_is_one_line_exit_2(tmp_path, capsys):
    code = main(["suggest", "--schema", str(STANCE), "--predictions",
                 str(tmp_path / "missing.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "missing.jsonl" in err and "Traceback" not in err
