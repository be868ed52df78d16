"""Against a REAL Label Studio: push, annotate as three users with one deliberate error of
each kind, pull (export), validate: each error found exactly once, and nothing else."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
from annotation_builders import choice, rating, schema, span

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.review import validate_snapshot
from toolkit.studio.push import push
from toolkit.studio.snapshot import write_snapshot

pytestmark = pytest.mark.integration

PLAIN = "محمد صلاح في ليفربول"
EMOJI = "😀😀😀 محمد صلاح لاعب"  # "محمد صلاح": code points 4..13, UTF-16 units 7..16

# comment id -> (text, {annotator: result}) ; annotators a, b, c; "ok" = a clean answer
CLEAN = [choice("stance", "agree")]
CASES: dict[str, tuple[str, str | None]] = {
    # comment id: (text, expected code on annotator a's annotation, or None)
    "k01": (PLAIN, "V001"), "k02": (PLAIN, "V002"), "k03": (PLAIN, "V003"),
    "k04": (PLAIN, "V004"), "k05": (PLAIN, "V005"), "k06": (PLAIN, "V006"),
    "k07": (PLAIN, "V007"), "k08": (EMOJI, "V008"), "k09": (PLAIN, "V009"),
    "k10": (PLAIN, "V010"), "k11": (PLAIN, None), "k12": (PLAIN, None),
    "k13": (PLAIN, None), "k14": (PLAIN, None),
}
BAD_RESULT = {
    "k01": [*CLEAN, choice("topic", "sports")],
    "k02": [*CLEAN, choice("sentiment", "angry")],
    "k03": [choice("stance", "agree", "neutral")],
    "k04": [choice("sentiment", "positive")],
    "k05": [*CLEAN, choice("sarcasm", "no"), choice("sarcasm_target", "person")],
    "k06": [*CLEAN, span("targets", 15, 40, "ليفربول", "place")],
    "k07": [*CLEAN, span("targets", 0, 4, "صلاح", "person")],
    "k08": [*CLEAN, span("targets", 7, 16, "محمد صلاح", "person")],
    "k09": [*CLEAN, span("targets", 0, 9, "محمد صلاح", "person"),
            span("targets", 5, 12, "صلاح في", "group")],
    "k10": [*CLEAN, span("targets", 3, 3, "", "person")],
}


def test_each_deliberate_error_found_exactly_once(studio, tmp_path):
    s = schema().model_copy(update={"name": "validate_it", "title": "Validate integration"})
    comments = tuple(Comment(id=cid, article_id="a1", position=n, text=text)
                     for n, (cid, (text, _)) in enumerate(CASES.items(), start=1))
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, [Article(id="a1", source="it", title="عنوان", body="نص",
                                  comments=comments)])
    pushed = push(s, corpus, studio.connection, ledger_dir=tmp_path / "ledger")
    assert pushed.created == len(CASES)
    project = pushed.project_id
    users = {name: studio.make_annotator(f"validate_it_{name}") for name in ("a", "b", "c")}
    tasks = {t.data["corpus_key"].split(":")[1]: t.id
             for t in studio.client.tasks.list(project=project, fields="all")}
    create = studio.client.annotations.create
    for cid, task_id in tasks.items():
        first = BAD_RESULT.get(cid, CLEAN)
        create(id=task_id, result=first, completed_by=users["a"])
        if cid == "k11":  # V013: annotator a submits twice
            create(id=task_id, result=CLEAN, completed_by=users["a"])
        create(id=task_id, result=CLEAN + [rating("intensity", 3)], completed_by=users["b"])
        if cid == "k12":  # V015 + V014: c skips, so only 2 of 3 submitted
            create(id=task_id, result=[], completed_by=users["c"], was_cancelled=True)
        else:
            create(id=task_id, result=CLEAN, completed_by=users["c"])
        if cid == "k13":  # V016: a draft
            response = studio.connection.http.post(
                f"/api/tasks/{task_id}/drafts", json={"result": CLEAN, "lead_time": 1.0})
            assert response.status_code in (200, 201), response.text
    # V011: the corpus text of k14 changes after the push
    changed = tuple(c if c.id != "k14" else Comment(id="k14", article_id="a1",
                                                    position=c.position, text=PLAIN + "!")
                    for c in comments)
    write_corpus(corpus, [Article(id="a1", source="it", title="عنوان", body="نص",
                                  comments=changed)])
    # pull: Label Studio's own export of every task, written as a toolkit snapshot
    response = studio.connection.http.get(
        f"/api/projects/{project}/export", params={"exportType": "JSON",
                                                   "download_all_tasks": "true"})
    assert response.status_code == 200, response.text
    exported = orjson.loads(response.content)
    snapshot = tmp_path / "snapshot.json"
    write_snapshot(snapshot, {"project_id": project, "schema_name": s.name,
                              "schema_hash": s.content_hash}, exported)
    if os.environ.get("CORPUS_CAPTURE_FIXTURES"):  # refresh the committed real-server fixture
        fixtures = Path(__file__).parent / "data" / "snapshots"
        shutil.copy(snapshot, fixtures / "ls_1.23.2_errors.json")
        shutil.copy(corpus, fixtures / "ls_1.23.2_errors.corpus.jsonl")
    report = validate_snapshot(snapshot, s, corpus=corpus)

    found = sorted((f.code, f.task_key.split(":")[1]) for f in report.findings)
    expected = sorted(
        [(code, cid) for cid, (_, code) in CASES.items() if code]
        + [("V013", "k11"), ("V015", "k12"), ("V014", "k12"), ("V016", "k13"),
           ("V011", "k14")]
    )
    assert found == expected, "\n".join(f.line() for f in report.findings)
    by_code = {f.code: f for f in report.findings}
    assert by_code["V002"].annotator == str(users["a"])
    assert by_code["V008"].message.endswith("in characters they are 4..13")
    assert report.exit_code == 1
