"""The rule crowdlab on a small synthetic snapshot whose text carries the label: ties
decided the way the text says, nobody's item never decided, one answer gated, the
confidence column, byte-identical builds, likely label errors (A070, the adjudication
reasons), `corpus agree --json`'s ratings; and the older rules untouched."""

from __future__ import annotations

import hashlib
import json
import random

import orjson
import pyarrow.parquet as pq
import pytest
import yaml
from annotation_builders import SCHEMA_PATH, annotation, choice, task

from toolkit.cli import main
from toolkit.dataset import build_dataset
from toolkit.model.votes import baseline_votes, predictions_votes
from toolkit.review import review_snapshot
from toolkit.rules.crowdlab import crowdlab
from toolkit.schema import Schema
from toolkit.studio.snapshot import write_snapshot
from toolkit.workflows.adjudicate import label_error_reasons

STANCES = ["agree", "disagree", "neutral", "unrelated"]
CUES = {"agree": ["موافق", "صحيح", "احسنت"], "disagree": ["خطأ", "كذب", "ارفض"],
        "neutral": ["ربما", "عادي", "محايد"], "unrelated": ["كرة", "طقس", "سيارة"]}
FILLER = ["الخبر", "اليوم", "في", "من", "على", "هذا", "المقال", "الناس", "قال", "بعد"]


def _text(rng: random.Random, label: str) -> str:
    words = rng.sample(FILLER, 5) + rng.sample(CUES[label], 2)
    rng.shuffle(words)
    return " ".join(words)


def _tasks(seed: int = 3):
    """200 items answered by 2 of 4 careful annotators (92% right), then: 1-1 ties
    (tasks 201-206), a task nobody answered (207), one-answer tasks (208-209), and an
    item both annotators got wrong against a clear text (210: the injected error)."""
    rng = random.Random(seed)
    tasks, truth, ident = [], {}, 10_000

    def add(number: int, true: str, answers: list[tuple[int, str]]) -> None:
        nonlocal ident
        truth[number] = true
        annotations = []
        for who, given in answers:
            ident += 1
            annotations.append(annotation(ident, who, [choice("stance", given)]))
        tasks.append(task(number, _text(rng, true), annotations))

    for number in range(1, 201):
        true = STANCES[number % 4]
        given = [(who, true if rng.random() < 0.92 else rng.choice(STANCES))
                 for who in sorted(rng.sample(range(1, 5), 2))]
        add(number, true, given)
    for offset, (true, other) in enumerate([("agree", "disagree"), ("disagree", "agree"),
                                            ("neutral", "unrelated"), ("unrelated", "agree"),
                                            ("agree", "neutral"), ("disagree", "neutral")]):
        pair = [(1, true), (2, other)] if offset % 2 else [(1, other), (2, true)]
        add(201 + offset, true, pair)
    add(207, "agree", [])
    add(208, "disagree", [(3, "disagree")])
    add(209, "neutral", [(4, "agree")])  # the text says neutral: the one answer is doubted
    add(210, "unrelated", [(1, "agree"), (3, "agree")])
    return tasks, truth


def _raw(**update) -> dict:
    raw = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    raw["questions"] = [q for q in raw["questions"] if q["name"] == "stance"]
    raw["annotation"].update({"rule": "crowdlab", "min_annotations": 1, **update})
    return raw


def _schema(**update) -> Schema:
    return Schema.model_validate(_raw(**update))


def _snapshot(tmp_path, schema: Schema):
    tasks, truth = _tasks()
    path = tmp_path / "snapshot.json"
    write_snapshot(path, {"schema_name": schema.name, "schema_hash": schema.content_hash,
                          "schema_version": schema.version, "project_id": 1,
                          "server": "http://127.0.0.1:8080",
                          "pulled_at": "2025-03-02T08:00:00Z", "mode": "full"}, tasks)
    return path, truth


def _by_task(review):
    return {item.task_id: item for item in review.items}


def test_crowdlab_decides_ties_by_the_text_and_never_an_unanswered_item(tmp_path):
    schema = _schema()
    path, truth = _snapshot(tmp_path, schema)
    majority = _by_task(review_snapshot(path, _schema(rule="majority"), agreement=False))
    review = review_snapshot(path, schema, agreement=False, model_votes=baseline_votes)
    items = _by_task(review)
    for number in range(201, 207):  # 1-1 ties: unresolved under majority, the text decides
        assert majority[number].labels["stance"] is None
        assert items[number].labels["stance"] == truth[number], number
        assert items[number].provenance["stance"] == "crowdlab"
        assert 0.5 < items[number].confidence["stance"] < 1
    nobody = items[207]
    assert nobody.status == "no_annotations" and nobody.labels["stance"] is None
    assert "stance" not in nobody.confidence
    # one answer: decided only when the consensus is that answer, above 0.5; the model
    # that disagrees with the only human does not overrule them: unresolved
    assert items[208].labels["stance"] == "disagree"
    assert items[208].confidence["stance"] > 0.5
    assert items[209].labels["stance"] is None and items[209].status == "unresolved"
    # a unanimous item keeps its provenance; the model version is named
    assert items[1].provenance["stance"] in ("unanimous", "crowdlab")
    assert review.model_versions["stance"].startswith("baseline-oof-")
    # more right than majority over the whole snapshot
    right = sum(items[n].labels["stance"] == truth[n] for n in truth)
    right_majority = sum(majority[n].labels["stance"] == truth[n] for n in truth)
    assert right > right_majority


def test_one_answer_under_min_confidence(tmp_path):
    schema = _schema(min_confidence=0.999)
    path, _ = _snapshot(tmp_path, schema)
    items = _by_task(review_snapshot(path, schema, agreement=False, model_votes=baseline_votes))
    assert items[208].labels["stance"] is None  # one answer, below 0.999


def test_the_injected_wrong_label_is_a_likely_error_and_goes_to_the_tab(tmp_path):
    schema = _schema(label_error_above=0.5)
    path, _ = _snapshot(tmp_path, schema)
    review = review_snapshot(path, schema, agreement=False, model_votes=baseline_votes)
    items = _by_task(review)
    assert items[210].labels["stance"] == "agree"  # both annotators: it stays
    suspect = next(row for row in review.likely_errors if row["task_id"] == 210)
    assert suspect["label"] == "agree" and suspect["model_label"] == "unrelated"
    assert suspect["score"] > 0.5
    assert review.likely_errors[0]["score"] >= review.likely_errors[-1]["score"]
    codes = [f for f in review.findings if f.code == "A070"]
    assert len(codes) == 1 and "contradicts" in codes[0].message
    reasons = label_error_reasons(review.likely_errors, schema, review.invalid)
    assert reasons[210].startswith("likely label error: stance is agree, the model says "
                                   "unrelated")
    assert label_error_reasons(review.likely_errors, _schema(), review.invalid) == {}


def test_build_has_the_confidence_column_names_the_model_and_is_byte_identical(tmp_path):
    schema = _schema()
    path, _ = _snapshot(tmp_path, schema)
    first, second = tmp_path / "one", tmp_path / "two"
    build_dataset(path, schema, out=first)
    build_dataset(path, schema, out=second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    rows = [r for p in sorted(first.glob("data/*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert rows and all("stance_confidence" in r for r in rows)
    assert {r["stance_provenance"] for r in rows} <= {"unanimous", "crowdlab"}
    card = (first / "README.md").read_text(encoding="utf-8")
    assert "aggregated by the rule `crowdlab`" in card and "`baseline-oof-" in card


def test_predictions_file_stands_in_for_the_model(tmp_path):
    schema = _schema()
    path, truth = _snapshot(tmp_path, schema)
    lines = [{"corpus_key": f"comment_stance:c{n}", "model_version": "other-model-7",
              "score": 0.9, "result": [choice("stance", truth[n])]} for n in range(201, 207)]
    file = tmp_path / "predictions.jsonl"
    file.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    review = review_snapshot(path, schema, agreement=False, model_votes=predictions_votes(file))
    items = _by_task(review)
    assert review.model_versions == {"stance": "other-model-7"}
    for number in range(201, 207):
        assert items[number].labels["stance"] == truth[number]


def test_a_review_without_a_provider_says_so(tmp_path):
    from toolkit.errors import InputError

    schema = _schema()
    path, _ = _snapshot(tmp_path, schema)
    with pytest.raises(InputError, match="rule crowdlab needs a model's probabilities"):
        review_snapshot(path, schema, agreement=False)


def test_agree_json_has_the_crowdlab_ratings_and_the_likely_errors(tmp_path, capsys):
    schema = _schema()
    path, _ = _snapshot(tmp_path, schema)
    schema_file = tmp_path / "schema.yaml"
    schema_file.write_text(yaml.safe_dump(_raw(), allow_unicode=True), encoding="utf-8")
    report = tmp_path / "agree.json"
    assert main(["agree", str(path), "-s", str(schema_file), "--json", str(report)]) == 0
    out = capsys.readouterr()
    assert "Annotator ratings (CROWDLAB" in out.out and "A070" in out.err
    data = json.loads(report.read_text(encoding="utf-8"))["crowdlab"]
    people = [r for r in data["ratings"] if r["annotator"] is not None]
    assert {r["annotator"] for r in people} == {"1", "2", "3", "4"}
    assert all(0 < r["quality"] <= 1 and r["weight"] > 0 for r in people)
    model = [r for r in data["ratings"] if r["annotator"] is None]
    assert len(model) == 1 and model[0]["model"].startswith("baseline-oof-")
    assert model[0]["quality"] > 0.8  # the cues make the model nearly always right
    assert any(r["task_id"] == 210 for r in data["likely_label_errors"])


@pytest.mark.parametrize("seed", [0, 1])
def test_the_maths_equals_cleanlab(seed):
    """On random answers (1-3 per item, annotators of mixed accuracy) and random model
    probabilities: the same consensus, confidences, weights and annotator qualities as
    cleanlab's get_label_quality_multiannotator (AGPL: a dev-only reference)."""
    import warnings

    import numpy as np
    multiannotator = pytest.importorskip("cleanlab.multiannotator")
    rng = np.random.default_rng(seed)
    n, m, k = 800, 9, 3
    truth = rng.integers(0, k, n)
    accuracy = rng.uniform(0.3, 0.95, m)
    wide = np.full((n, m), np.nan)
    items, annotators, labels = [], [], []
    for i in range(n):
        for a in rng.choice(m, rng.integers(1, 4), replace=False):
            given = truth[i] if rng.random() < accuracy[a] else rng.integers(0, k)
            wide[i, a] = given
            items.append(i), annotators.append(a), labels.append(given)
    probabilities = rng.dirichlet(np.ones(k), n) * 0.6
    probabilities[np.arange(n), truth] += 0.4
    ours = crowdlab(items, annotators, labels, n_items=n, n_annotators=m, n_labels=k,
                    probabilities=probabilities)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = multiannotator.get_label_quality_multiannotator(
            wide, probabilities, verbose=False, return_weights=True)
    quality = theirs["label_quality"]
    assert ours.labels.tolist() == quality["consensus_label"].tolist()
    assert np.allclose(ours.confidence, quality["consensus_quality_score"], atol=1e-12)
    assert np.isclose(ours.model_weight, theirs["model_weight"])
    assert np.allclose(ours.annotator_weight, theirs["annotator_weight"])
    stats = theirs["annotator_stats"].sort_index()
    assert np.allclose(ours.annotator_quality, stats["annotator_quality"])


def _digest(out) -> str:
    rows = [r for p in sorted(out.glob("data/*.parquet")) for r in pq.read_table(p).to_pylist()]
    rejected = (out / "rejected" / "rejected.jsonl").read_bytes()
    return hashlib.sha256(orjson.dumps(rows, option=orjson.OPT_SORT_KEYS) + rejected
                          ).hexdigest()[:16]


#: the rows and rejects of tests/dataset_fixture's build under the older rules, as main
#: built them before the rule crowdlab existed (`_digest` of build_dataset's output)
BEFORE_CROWDLAB = {"majority": "6e6ae5a692f94759", "dawid_skene": "700ca2dc5fc1ecf0"}


@pytest.mark.parametrize("rule", sorted(BEFORE_CROWDLAB))
def test_older_rules_build_what_they_built_before(tmp_path, rule):
    from dataset_fixture import make_inputs

    from toolkit.schema import load_schema

    schema_path, corpus, snapshot = make_inputs(tmp_path)
    loaded = load_schema(schema_path)
    schema = loaded.model_copy(update={"annotation": loaded.annotation.model_copy(
        update={"rule": rule})})
    out = tmp_path / rule
    build_dataset(snapshot, schema, out=out, corpus=corpus)
    assert _digest(out) == BEFORE_CROWDLAB[rule]


def test_the_report_shows_the_crowdlab_ratings_beside_the_competence(tmp_path):
    """Issue 20 item 2: the rule's ratings of the annotators and of the model, in the
    report's competence section."""
    from toolkit.html_report import gather_report, render_html

    schema = _schema()
    snapshot, _ = _snapshot(tmp_path, schema)
    report = gather_report(snapshot, schema)
    rated = [row for row in report.competence or [] if row["question"].endswith("(CROWDLAB)")]
    assert rated and any(row["annotator"].startswith("model ") for row in rated)
    assert all(0.0 <= row["score"] <= 1.0 for row in rated)
    assert "(CROWDLAB)" in render_html(report)
