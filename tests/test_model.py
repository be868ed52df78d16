"""The baseline model (toolkit.model, `corpus model`): it learns labels the words carry,
saves as JSON + NPZ and predicts from the saved files exactly as scikit-learn does,
writes predictions push accepts, byte-identical on a second run, and says in one line
what it cannot learn."""

from __future__ import annotations

import json

import numpy as np
import orjson
import pytest
from model_fixture import SCHEMA, project

from toolkit.cli import main
from toolkit.model import BaselineModel, Params, predict_file, train_model, training_data
from toolkit.model.features import prepare
from toolkit.review import review_snapshot
from toolkit.studio.push import read_predictions


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    schema, corpus, snapshot = project(folder)
    return schema, corpus, snapshot, train_model(schema, snapshot)


def _report(trained, name):
    return next(r for r in trained.reports if r.question == name)


def test_the_model_learns_what_the_cue_words_carry(toy):
    _, _, _, trained = toy
    # measured: stance 1.000, strength 1.000, sarcasm 0.897 (always "no": 0.747)
    stance, strength, sarcasm = (_report(trained, n) for n in ("stance", "strength",
                                                                "sarcasm"))
    assert (stance.items, stance.folds, stance.classes) == (87, 5, ["agree", "disagree",
                                                                     "neutral"])
    assert stance.accuracy >= 0.9 and stance.macro_f1 >= 0.9
    assert strength.accuracy >= 0.9 and strength.classes == [1, 2, 3]
    assert sarcasm.accuracy > sarcasm.majority_baseline and sarcasm.classes == [True, False]
    assert stance.alpha is not None and round(stance.full_agreement, 1) == 86.2
    # spans and free text get no model; every closed question does
    assert [r.question for r in trained.reports] == ["stance", "offensive", "sarcasm",
                                                     "strength"]
    oof = trained.out_of_fold["stance"]
    assert oof.probabilities.shape == (87, 3) and oof.keys == sorted(oof.keys)
    assert np.allclose(oof.probabilities.sum(axis=1), 1.0)
    offensive = trained.out_of_fold["offensive"]
    assert offensive.multi_label and offensive.classes == ["insult", "threat"]
    assert trained.items == 87  # the three items with one annotation are not training data


def test_same_inputs_same_version_and_other_parameters_another(toy):
    schema, _, snapshot, trained = toy
    assert trained.version.startswith("baseline-")
    assert train_model(schema, snapshot).version == trained.version
    assert train_model(schema, snapshot, params=Params(C=1.0)).version != trained.version


def test_saved_model_predicts_like_scikit_learn_on_the_same_texts(toy, tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    schema, _, snapshot, trained = toy
    folder = trained.model.save(tmp_path / "models" / trained.version)
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "vocabulary.json",
                                                        "weights.npz"]
    with np.load(folder / "weights.npz", allow_pickle=False) as npz:  # arrays, no objects
        assert all(npz[name].dtype.kind == "f" for name in npz.files)
    loaded = BaselineModel.load(folder)
    review = review_snapshot(snapshot, schema)
    data = training_data(review.items, schema)
    params = Params()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                 sublinear_tf=True, lowercase=False)
    vectorizer.fit(data.texts)
    assert loaded.features.terms == vectorizer.get_feature_names_out().tolist()
    new = ["أوافق على هذا الخبر", "كذب كذب في الشارع", "لا أعرف يا سلام", "", "🙂 ٣ نص"]
    X_new = vectorizer.transform([prepare(t) for t in new])
    got = loaded.probabilities(new)
    for question in data.questions:
        if question.multi_label:
            continue
        X = vectorizer.transform([data.texts[i] for i in question.texts])
        reference = LogisticRegression(C=params.C, tol=params.tol, max_iter=params.max_iter,
                                       random_state=0)
        reference.fit(X, question.y, sample_weight=question.weights)
        expected = reference.predict_proba(X_new)
        assert np.allclose(got[question.name], expected, rtol=1e-9, atol=1e-12), question.name
        assert loaded.heads[question.name].classes == [question.classes[c]
                                                       for c in reference.classes_]
    # and the in-memory model gives the same as the one read back
    again = trained.model.probabilities(new)
    assert all(np.array_equal(again[name], got[name]) for name in got)


def test_model_json_describes_the_model(toy, tmp_path):
    schema, _, _, trained = toy
    folder = trained.model.save(tmp_path / trained.version)
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    assert meta["model_version"] == trained.version and meta["schema_name"] == "model_toy"
    assert meta["schema_hash"] == schema.content_hash and meta["training_items"] == 87
    stance = next(q for q in meta["questions"] if q["name"] == "stance")
    assert stance["classes"] == ["agree", "disagree", "neutral"] and stance["link"] == "softmax"
    assert stance["accuracy"] == _report(trained, "stance").accuracy
    assert (tmp_path / "latest").read_text(encoding="utf-8").strip() == trained.version


def test_a_damaged_model_is_one_line(toy, tmp_path, capsys):
    _, _, _, trained = toy
    folder = trained.model.save(tmp_path / "m")
    (folder / "weights.npz").write_bytes(b"not a zip")
    code = main(["model", "predict", "-s", _schema_file(tmp_path), "--model", str(folder),
                 "--out", str(tmp_path / "p.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "weights.npz: cannot be read as numeric arrays" in err
    assert "Traceback" not in err and not (tmp_path / "p.jsonl").exists()


def _schema_file(folder) -> str:
    path = folder / "model_toy.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    return str(path)


def test_predictions_file_is_push_format_and_byte_identical(toy, tmp_path):
    schema, corpus, snapshot, trained = toy
    model = BaselineModel.load(trained.model.save(tmp_path / "m"))
    first = predict_file(schema, model, corpus, out=tmp_path / "a.jsonl", snapshot=snapshot)
    second = predict_file(schema, model, corpus, out=tmp_path / "b.jsonl", snapshot=snapshot)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    # 100 units: 87 decided; 10 never pushed and 3 with one annotation are not
    assert (first.units, first.decided, first.written + first.empty) == (100, 87, 13)
    assert second.written == first.written
    lines = [orjson.loads(line) for line in (tmp_path / "a.jsonl").read_bytes().splitlines()]
    assert [list(line) for line in lines] == [["corpus_key", "model_version", "score",
                                               "result"]] * len(lines)
    assert [line["corpus_key"] for line in lines][:3] == ["model_toy:c87", "model_toy:c88",
                                                          "model_toy:c89"]
    for line in lines:
        assert line["model_version"] == trained.version and 0 < line["score"] <= 1
        names = [item["from_name"] for item in line["result"]]
        assert {"stance", "sarcasm", "strength"} <= set(names) and "targets" not in names
    stance = [next(i["value"]["choices"][0] for i in line["result"] if i["from_name"] ==
                   "stance") for line in lines]
    truth = [("agree", "disagree", "neutral")[int(line["corpus_key"].split(":c")[1]) % 3]
             for line in lines]
    assert sum(s == t for s, t in zip(stance, truth, strict=True)) >= len(lines) - 1
    assert set(read_predictions(tmp_path / "a.jsonl")) == {line["corpus_key"] for line in lines}


def test_push_dry_run_attaches_the_predictions(toy, tmp_path, capsys):
    _, corpus, snapshot, trained = toy
    schema_file = _schema_file(tmp_path)
    models = tmp_path / "models"
    trained.model.save(models / trained.version)
    preds, tasks_file = tmp_path / "p.jsonl", tmp_path / "tasks.json"
    assert main(["model", "predict", "-s", schema_file, "--model", str(models / trained.version),
                 "--corpus", str(corpus), "--snapshot", str(snapshot),
                 "--out", str(preds)]) == 0
    assert "predictions of model" in capsys.readouterr().out
    assert main(["push", "-s", schema_file, "--corpus", str(corpus), "--dry-run",
                 "--out", str(tasks_file), "--predictions", str(preds)]) == 0
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    with_predictions = [t for t in tasks if "predictions" in t]
    assert len(tasks) == 100 and len(with_predictions) == len(preds.read_text().splitlines())
    first = with_predictions[0]
    assert first["data"]["corpus_key"] == "model_toy:c87"
    assert first["predictions"][0]["model_version"] == trained.version
    assert first["predictions"][0]["result"][0]["from_name"] == "stance"


def test_tiny_data_skips_a_question_with_one_line(tmp_path, capsys):
    schema_file = _schema_file(tmp_path)
    # 5 usable items: stance agree 2, disagree 2, neutral 1 (left out); insult chosen once
    _, _, snapshot = project(tmp_path, n=8, unannotated=0)
    code = main(["model", "train", "-s", schema_file, str(snapshot),
                 "--models-dir", str(tmp_path / "models")])
    captured = capsys.readouterr()
    assert code == 0
    skipped = [line for line in captured.err.splitlines() if "skipped" in line]
    assert skipped == ["offensive: skipped, too little data: 5 items; no label is both "
                       "chosen and left out by at least 2 of them"]
    assert "stance: answers too rare to learn, left out of its model: neutral (1 item)" \
        in captured.err
    assert "a demonstration" in captured.err and "Traceback" not in captured.err
    meta = json.loads(next((tmp_path / "models").glob("baseline-*/model.json")).read_text())
    assert [q["name"] for q in meta["questions"]] == ["stance", "sarcasm", "strength"]
    assert meta["skipped"][0]["name"] == "offensive"


def test_nothing_to_learn_exits_1_and_saves_nothing(tmp_path, capsys):
    schema_file = _schema_file(tmp_path)
    _, _, snapshot = project(tmp_path, n=4, unannotated=0)  # one usable item
    code = main(["model", "train", "-s", schema_file, str(snapshot),
                 "--models-dir", str(tmp_path / "models")])
    err = capsys.readouterr().err
    assert code == 1 and "No model saved" in err and "Traceback" not in err
    assert "stance: skipped, too little data: 1 items (agree: 1)" in err
    assert not (tmp_path / "models").exists()


def test_cli_finds_the_newest_snapshot_and_the_latest_model(toy, tmp_path, monkeypatch,
                                                            capsys):
    _, corpus, snapshot, trained = toy
    monkeypatch.chdir(tmp_path)
    schema_file = _schema_file(tmp_path)
    assert main(["model", "train", "-s", schema_file]) == 2  # no snapshot yet
    assert "no snapshot of schema model_toy; run `corpus pull" in capsys.readouterr().err
    assert main(["model", "predict", "-s", schema_file, "--out", "p.jsonl"]) == 2
    assert "no trained model of schema model_toy" in capsys.readouterr().err
    folder = tmp_path / "exports" / "model_toy" / "snapshots"
    folder.mkdir(parents=True)
    newest = folder / "2026-01-01T000000Z-1.json"
    newest.write_bytes(snapshot.read_bytes())
    older = folder / "2025-06-01T000000Z.json"
    older.write_bytes(snapshot.read_bytes().replace(b"2026-01-01T00:00:00", b"2025-06-01T00:00:00"))
    assert main(["model", "train", "-s", schema_file]) == 0
    captured = capsys.readouterr()
    assert f"Training on the newest snapshot: {newest.relative_to(tmp_path)}" in captured.err
    assert f"Model {trained.version} saved to exports/model_toy/models/{trained.version}/" \
        in captured.out
    assert "stance" in captured.out and "accuracy" in captured.out
    assert main(["model", "predict", "-s", schema_file, "--corpus", str(corpus),
                 "--out", "p.jsonl"]) == 0
    assert len((tmp_path / "p.jsonl").read_text().splitlines()) == 13


def test_a_schema_without_closed_questions_is_bad_input(tmp_path, capsys):
    path = tmp_path / "spans.yaml"
    path.write_text(SCHEMA.split("  - {name: stance")[0]
                    + "  - {name: targets, kind: spans, labels: [person]}\n"
                    + "annotation: {overlap: 3, min_annotations: 2, rule: majority}\n"
                    + "dataset: {splits: {train: 1.0}}\n", encoding="utf-8")
    _, _, snapshot = project(tmp_path, n=10, unannotated=0)
    code = main(["model", "train", "-s", str(path), str(snapshot)])
    err = capsys.readouterr().err
    assert code == 2 and "no single, multi, yes/no or rating question" in err


def test_training_weights_are_the_rules_confidence(toy):
    schema, _, snapshot, _ = toy
    items = review_snapshot(snapshot, schema).items
    for number, item in enumerate(items):  # as a label-model rule gives them
        if number % 2:
            item.confidence["stance"] = 0.5 + number / 1000
    data = training_data(items, schema)
    stance = next(q for q in data.questions if q.name == "stance")
    given = {item.corpus_key: item.confidence.get("stance", 1.0) for item in items}
    assert stance.weights.tolist() == [given[key] for key in stance.keys]
    assert 0.5 < stance.weights.min() < 0.6 and stance.weights.max() == 1.0
    sarcasm = next(q for q in data.questions if q.name == "sarcasm")
    assert set(sarcasm.weights.tolist()) == {1.0}  # no confidence given for it: 1


def test_an_empty_predict_run_keeps_the_previous_predictions(toy, tmp_path):
    """Nothing lost: when every unit is decided the file written before stays as it was,
    and the result says so in one line."""
    import json

    from toolkit.model.predict import decided_keys, predict_file

    schema, corpus, snapshot, trained = toy
    out = tmp_path / "preds.jsonl"
    first = predict_file(schema, trained.model, corpus, out=out, snapshot=snapshot)
    assert first.written > 0
    before = out.read_bytes()
    predicted = {json.loads(line)["corpus_key"] for line in before.splitlines()}
    every = predict_file(schema, trained.model, corpus, out=out, snapshot=snapshot,
                         decided=decided_keys(schema, snapshot) | predicted)
    assert every.written == 0 and out.read_bytes() == before
    assert every.notes[-1] == f"nothing to predict: {out} was kept as it was"


def test_saving_a_model_again_replaces_it_whole(toy, tmp_path):
    schema, _, _, trained = toy
    folder = trained.model.save(tmp_path / "models" / "v")
    (folder / "stale.txt").write_text("left from before", encoding="utf-8")
    trained.model.save(folder)
    assert not (folder / "stale.txt").exists() and (folder / "model.json").is_file()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["latest", "v"]
