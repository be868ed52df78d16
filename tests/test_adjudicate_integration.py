"""Against a REAL Label Studio: three annotators disagree on two items; `corpus adjudicate`
puts exactly those in the project's "Adjudicate (N)" tab; an adjudicator decides one by
submitting their own answer (an account in annotation.adjudicators); an annotator's star
on their own annotation and an account whose first name is the lead's e-mail decide
nothing; pull + build put the decided items in the dataset with provenance
ground_truth, and the next run empties the tab."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
import yaml
from annotation_builders import SCHEMA_PATH, choice

from toolkit.cli import main
from toolkit.corpus import Article, Comment, write_corpus
from toolkit.dataset import build_dataset
from toolkit.schema import load_schema
from toolkit.studio.adjudicate import TAB_PREFIX
from toolkit.studio.pull import pull
from toolkit.studio.push import push

pytestmark = pytest.mark.integration

ANSWERS = {  # comment id -> stance of annotators a, b, c
    "k1": ("agree", "agree", "agree"),
    "k2": ("agree", "disagree", "neutral"),
    "k3": ("agree", "disagree", "unrelated"),
    "k4": ("neutral", "neutral", "agree"),
}


def _view_tasks(studio, project: int, title_prefix: str = TAB_PREFIX) -> tuple[str, list[int]]:
    http = studio.connection.http
    views = [v for v in http.get("/api/dm/views/", params={"project": project}).json()
             if v["data"]["title"].startswith(title_prefix)]
    assert len(views) == 1, views
    response = http.get("/api/tasks/", params={"project": project, "view": views[0]["id"],
                                               "page_size": 100})
    assert response.status_code == 200, response.text
    return views[0]["data"]["title"], sorted(t["id"] for t in response.json()["tasks"])


def _rows(folder) -> dict[str, dict]:
    rows = {}
    for path in sorted(folder.rglob("*.parquet")):
        if "rejected" in path.parts:
            continue
        for row in pq.read_table(path).to_pylist():
            rows[row["comment_id"]] = row
    return rows


def test_adjudication_round_trip(studio, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # exports/ (snapshots) under the test's folder
    lead = "adj_lead"
    studio.make_annotator(lead)
    data = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    data.update({"name": "adjudicate_it", "title": "Adjudicate integration"})
    data["annotation"].update({"overlap": 3, "adjudicators": [f"{lead}@annotators.test"]})
    schema_path = tmp_path / "adjudicate_it.yaml"
    schema_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    schema = load_schema(schema_path)
    stances = schema.questions[[q.name for q in schema.questions].index("stance")].label_values

    comments = tuple(Comment(id=cid, article_id="a1", position=n, text=f"تعليق رقم {n}")
                     for n, cid in enumerate(ANSWERS, start=1))
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, [Article(id="a1", source="it", title="عنوان", body="نص",
                                  comments=comments)])
    ledger = tmp_path / "ledger"
    pushed = push(schema, corpus, studio.connection, ledger_dir=ledger)
    project = pushed.project_id
    users = [studio.make_annotator(f"adj_{name}") for name in ("a", "b", "c")]
    tasks = {t.data["corpus_key"].split(":")[1]: t.id
             for t in studio.client.tasks.list(project=project, fields="all")}
    made = {}
    for cid, given in ANSWERS.items():
        for user, stance in zip(users, given, strict=True):
            made[cid, user] = studio.client.annotations.create(
                id=tasks[cid], result=[choice("stance", stance)], completed_by=user).id
    pull(schema, studio.connection, ledger_dir=ledger, project_id=project)

    cli = ["--url", studio.url, "--api-key", studio.api_key, "--ledger-dir", str(ledger)]
    assert main(["adjudicate", "-s", str(schema_path), *cli]) == 0
    out = capsys.readouterr().out
    assert "Tab 'Adjudicate (2)' created: 2 task(s) to adjudicate" in out
    assert f"/projects/{project}/data?tab=" in out and studio.api_key not in out
    assert _view_tasks(studio, project) == ("Adjudicate (2)", sorted([tasks["k2"], tasks["k3"]]))

    # k2: the adjudicator (listed in the schema) submits their own answer;
    # k3: two tries at making an answer the truth that must not work (issue 17): annotator
    # b stars their own annotation, and eve, who set her first name to the lead's e-mail
    # (PATCH of one's own name answers 200), submits hers
    lead_id = studio.make_annotator(lead)
    studio.client.annotations.create(id=tasks["k2"], result=[choice("stance", "neutral")],
                                     completed_by=lead_id)
    http = studio.connection.http
    response = http.patch(f"/api/annotations/{made['k3', users[1]]}/",
                          json={"ground_truth": True})
    assert response.status_code == 200, response.text
    eve = studio.make_annotator("adj_eve")
    response = http.patch(f"/api/users/{eve}/", json={"first_name": f"{lead}@annotators.test"})
    assert response.status_code == 200, response.text
    studio.client.annotations.create(id=tasks["k3"], result=[choice("stance", "unrelated")],
                                     completed_by=eve)

    pulled = pull(schema, studio.connection, ledger_dir=ledger, project_id=project)
    assert pulled.header["annotator_emails"][str(lead_id)] == f"{lead}@annotators.test"
    assert pulled.header["annotator_emails"][str(eve)] == "adj_eve@annotators.test"
    assert pulled.header["annotators"][str(eve)].startswith(f"{lead}@annotators.test")
    built = build_dataset(pulled.path, schema, out=tmp_path / "dataset", corpus=corpus)
    rows = _rows(built.folder)
    assert sorted(rows) == ["k1", "k2", "k4"]  # k3 still undecided
    assert (stances[rows["k2"]["stance"]], rows["k2"]["stance_provenance"]) == \
        ("neutral", "ground_truth")
    assert rows["k1"]["stance_provenance"] == "unanimous"
    assert rows["k4"]["stance_provenance"] == "majority"
    ignored = [f for f in built.report.findings if f.code == "A060"]
    assert len(ignored) == 1 and f"annotator {users[1]} (" in ignored[0].message
    assert ignored[0].where.startswith(f"task {tasks['k3']} [")

    # k3: the lead takes b's answer as theirs (Duplicate Annotation, Submit)
    studio.client.annotations.create(id=tasks["k3"], result=[choice("stance", "disagree")],
                                     completed_by=lead_id)
    pulled = pull(schema, studio.connection, ledger_dir=ledger, project_id=project)
    built = build_dataset(pulled.path, schema, out=tmp_path / "dataset", corpus=corpus)
    rows = _rows(built.folder)
    assert sorted(rows) == ["k1", "k2", "k3", "k4"]
    assert (stances[rows["k3"]["stance"]], rows["k3"]["stance_provenance"]) == \
        ("disagree", "ground_truth")
    assert built.balance.adds_up

    # the next run (on the newest snapshot) empties the tab, and keeps it the same tab
    assert main(["adjudicate", "-s", str(schema_path), *cli]) == 0
    assert "Tab 'Adjudicate (0)' updated: 0 task(s)" in capsys.readouterr().out
    assert _view_tasks(studio, project) == ("Adjudicate (0)", [])
