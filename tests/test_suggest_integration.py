"""Against a REAL Label Studio: a model's suggestions reach annotators, and the tasks reach
them in the computed priority order.

- `corpus suggest` attaches predictions to tasks already on the server (idempotent per
  model version; a new version is added and shown; unpushed and finished tasks are
  skipped and counted), leaves the spans question out (suggest off by default), and
  writes the "Next up (N)" tab ordered by score.
- `corpus push --slice N`: ordinary annotator accounts, logged in with their own session
  as the labeling UI is, get from ``GET /api/projects/<id>/next`` the pre-filled
  suggestion and the tasks in priority order (least confident first); an item whose two
  answers disagree is re-opened by the next slice (its task overlap raised) and served
  before the new slice's tasks; pull + build keep the annotators' answers (not the
  model's), and the snapshot records ``parent_prediction`` and each result's ``origin``.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import httpx
import orjson
import pyarrow.parquet as pq
import pytest
import yaml

from toolkit.cli import main
from toolkit.corpus import Article, Comment, write_corpus
from toolkit.dataset import build_dataset
from toolkit.schema import load_schema
from toolkit.studio.ledger import Ledger, ledger_path
from toolkit.studio.next_up import NEXT_UP_PREFIX
from toolkit.studio.order import priority_order
from toolkit.studio.pull import pull
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import open_snapshot
from toolkit.workflows.next_up import push_slice, suggest

pytestmark = pytest.mark.integration

ROOT_DIR = Path(__file__).resolve().parents[1]

TEXTS = {  # comment id -> text (the spans suggestion marks "الوزير")
    f"c{n}": f"تعليق رقم {n} على كلام الوزير" for n in range(1, 9)
}


def _schema(tmp_path, name: str):
    """The shipped comment schema under a name of this run (a kept server's projects are
    found again by schema name), overlap 2."""
    name = f"{name}_{uuid.uuid4().hex[:6]}"
    data = yaml.safe_load((ROOT_DIR / "schemas" / "comment_stance.yaml").read_text("utf-8"))
    data.update({"name": name, "title": f"Suggest {name}"})
    data["annotation"].update({"overlap": 2, "min_annotations": 2, "rule": "majority"})
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_schema(path)


def _corpus(tmp_path):
    comments = tuple(Comment(id=cid, article_id="a1", position=n, text=text)
                     for n, (cid, text) in enumerate(TEXTS.items(), start=1))
    path = tmp_path / "corpus.jsonl"
    write_corpus(path, [Article(id="a1", source="it", title="عنوان المقال", body="نص المقال",
                                comments=comments)])
    return path


def _predictions(tmp_path, schema, version: str, scores: dict[str, float],
                 stance: str = "agree"):
    path = tmp_path / f"{version}.jsonl"
    lines = []
    for cid, score in scores.items():
        result = build_result(schema, {"stance": stance,
                                       "targets": [{"label": "person", "text": "الوزير"}]},
                              texts={"text": TEXTS[cid]})
        lines.append(orjson.dumps({"corpus_key": f"{schema.name}:{cid}", "model_version": version,
                                   "score": score, "result": result}))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _ledger(tmp_path, studio, schema) -> dict[str, int]:
    ids = Ledger.load(ledger_path(tmp_path / "ledger", studio.url, schema.name), studio.url,
                      schema.name).ids
    return {key.split(":")[1]: task_id for key, task_id in ids.items()}


class Annotator:
    """An ordinary account, signed up through the web form as a new annotator does (an
    account made by ``users.create`` belongs to no organization and cannot log in), then
    talking to the server with its own session, as the labeling UI does."""

    def __init__(self, studio, name: str) -> None:
        email = f"{name}@annotators.test"
        self.http = httpx.Client(base_url=studio.url, timeout=60)
        self.http.get("/user/signup/")
        signup = self.http.post(
            "/user/signup/", headers={"Referer": f"{studio.url}/user/signup/"},
            data={"email": email, "password": secrets.token_urlsafe(12),
                  "csrfmiddlewaretoken": self.http.cookies.get("csrftoken")})
        assert signup.status_code in (302, 303), signup.text[:300]
        self.headers = {"X-CSRFToken": self.http.cookies.get("csrftoken") or "",
                        "Referer": studio.url}
        self.id = self.http.get("/api/current-user/whoami").json()["id"]

    def next(self, project: int) -> dict | None:
        response = self.http.get(f"/api/projects/{project}/next")
        if response.status_code == 404:  # nothing left for this account
            return None
        assert response.status_code == 200, response.text[:300]
        return response.json()

    def submit(self, task: dict, stance: str) -> dict:
        """Submit as the labeling UI does: the pre-filled prediction's result, kept
        (origin "prediction") or changed ("prediction-changed"), with its id; without a
        prediction, a fresh answer."""
        if not task["predictions"]:
            result = [{"id": "fresh", "from_name": "stance", "to_name": "text",
                       "type": "choices", "value": {"choices": [stance]}}]
            response = self.http.post(f"/api/tasks/{task['id']}/annotations/",
                                      headers=self.headers, json={"result": result})
            assert response.status_code == 201, response.text[:300]
            return response.json()
        prediction = task["predictions"][0]
        result = []
        for item in prediction["result"]:
            item = dict(item)
            if item["value"].get("choices") != [stance]:
                item["value"] = {"choices": [stance]}
                item["origin"] = "prediction-changed"
            else:
                item["origin"] = "prediction"
            result.append(item)
        response = self.http.post(f"/api/tasks/{task['id']}/annotations/", headers=self.headers,
                                  json={"result": result, "parent_prediction": prediction["id"],
                                        "lead_time": 3.5})
        assert response.status_code == 201, response.text[:300]
        return response.json()


def test_suggest_attaches_once_per_version_skips_and_writes_the_tab(studio, tmp_path, capsys):
    schema = _schema(tmp_path, "suggest_tab")
    corpus = _corpus(tmp_path)
    ledger_dir = tmp_path / "ledger"
    # the first 5 comments are on the server, without predictions; c6..c8 are not
    pushed = push_slice(schema, studio.connection, corpus, 5, ledger_dir=ledger_dir)
    assert pushed.order == [f"{schema.name}:c{n}" for n in range(1, 6)]  # corpus order
    assert pushed.push.created == 5 and pushed.push.later == 3
    project = pushed.push.project_id
    tasks = _ledger(tmp_path, studio, schema)
    scores = {"c1": 0.9, "c2": 0.3, "c3": 0.6, "c4": 0.1, "c6": 0.5}
    m1 = _predictions(tmp_path, schema, "m1", scores)

    run = suggest(schema, studio.connection, m1, ledger_dir=ledger_dir)
    found = run.suggestions
    assert (found.attached, found.already, found.not_on_server, found.decided) == (4, 0, 1, 0)
    assert found.results_off == 5 and found.off_questions == ["targets", "note"]
    assert found.model_version == "m1"
    task = studio.connection.http.get(f"/api/tasks/{tasks['c4']}/").json()
    assert [(p["model_version"], p["score"], [r["from_name"] for r in p["result"]])
            for p in task["predictions"]] == [("m1", 0.1, ["stance"])]
    # the tab: the open tasks with a suggestion, least confident first
    assert run.tab is not None and run.tab.title == "Next up (4)"
    listed = studio.connection.http.get("/api/tasks/", params={
        "project": project, "view": run.tab.view_id, "page_size": 50}).json()["tasks"]
    assert [t["id"] for t in listed] == [tasks[c] for c in ("c4", "c2", "c3", "c1")]
    views = [v for v in studio.connection.http.get("/api/dm/views/",
                                                   params={"project": project}).json()
             if v["data"]["title"].startswith(NEXT_UP_PREFIX)]
    assert len(views) == 1

    code = main(["suggest", "--schema", str(tmp_path / f"{schema.name}.yaml"), "--predictions",
                 str(m1), "--ledger-dir", str(ledger_dir), "--url", studio.url, "--api-key",
                 studio.api_key])
    out, err = capsys.readouterr()
    assert code == 0
    assert (f"Suggestions: 0 attached to project {project}; skipped 5: 4 already there (same "
            "model_version), 1 not on the server (push them first), 0 on finished tasks") in out
    assert "Tab 'Next up (4)'" in out and studio.api_key not in out + err
    assert "left out of the suggestions" in err

    # c2 is finished (its overlap of 2 answers): a new model version skips it
    for user in (studio.make_annotator("sug_x"), studio.make_annotator("sug_y")):
        studio.client.annotations.create(id=tasks["c2"], completed_by=user, result=build_result(
            schema, {"stance": "neutral"}, texts={"text": TEXTS["c2"]}))
    m2 = _predictions(tmp_path, schema, "m2", {"c1": 0.4, "c2": 0.2, "c3": 0.35},
                      stance="disagree")
    newer = suggest(schema, studio.connection, m2, ledger_dir=ledger_dir)
    assert (newer.suggestions.attached, newer.suggestions.decided) == (2, 1)
    assert newer.suggestions.version_changed and newer.tab is not None
    assert newer.tab.title == "Next up (2)"
    assert studio.connection.http.get(f"/api/projects/{project}/").json()["model_version"] \
        == "m2"
    # what the labeling stream pre-fills: the newest version only
    task = Annotator(studio, f"tab_{uuid.uuid4().hex[:6]}").next(project)
    assert task is not None and task["id"] == tasks["c1"]
    assert [(p["model_version"], p["result"][0]["value"]) for p in task["predictions"]] == [
        ("m2", {"choices": ["disagree"]})]
    every = studio.connection.http.get("/api/predictions/", params={"task": tasks["c1"]}).json()
    assert sorted(p["model_version"] for p in every) == ["m1", "m2"]  # the old one is kept


def test_annotators_get_suggestions_in_priority_order_and_keep_their_answers(
        studio, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # exports/ (snapshots, dataset) under the test's folder
    schema = _schema(tmp_path, "suggest_stream")
    corpus = _corpus(tmp_path)
    ledger_dir = tmp_path / "ledger"
    keys = [f"{schema.name}:{cid}" for cid in TEXTS]
    m1_scores = {"c1": 0.9, "c2": 0.3, "c3": 0.6, "c4": 0.1, "c5": 0.8, "c6": 0.5}
    m1 = _predictions(tmp_path, schema, "m1", m1_scores)
    expected = priority_order(keys, {f"{schema.name}:{c}": s for c, s in m1_scores.items()})
    assert [k.split(":")[1] for k in expected] == ["c4", "c2", "c6", "c3", "c5", "c1", "c7",
                                                   "c8"]

    first = push_slice(schema, studio.connection, corpus, 3, predictions_path=m1,
                       ledger_dir=ledger_dir)
    assert first.snapshot is None and first.order == expected[:3]
    assert (first.push.created, first.push.later, first.push.predictions_attached) == (3, 5, 3)
    project = first.push.project_id
    tasks = _ledger(tmp_path, studio, schema)
    assert tasks["c4"] < tasks["c2"] < tasks["c6"]  # ids follow the priority order

    suffix = uuid.uuid4().hex[:6]
    ann_a, ann_b, ann_c = (Annotator(studio, f"stream_{who}_{suffix}") for who in "abc")
    # A's stream: the priority order, each task pre-filled with the model's suggestion
    given_a = {"c4": "disagree", "c2": "disagree", "c6": "agree"}
    served = []
    for _ in range(3):
        task = ann_a.next(project)
        assert task is not None
        cid = task["data"]["corpus_key"].split(":")[1]
        served.append(cid)
        [prediction] = task["predictions"]
        assert prediction["model_version"] == "m1"
        assert prediction["score"] == m1_scores[cid]
        assert [(r["from_name"], r["value"]) for r in prediction["result"]] == [
            ("stance", {"choices": ["agree"]})]  # the spans question is not suggested
        ann_a.submit(task, given_a[cid])
    assert served == ["c4", "c2", "c6"]
    assert ann_a.next(project) is None
    # B answers the same three (served in-progress first, in the stream's own order)
    given_b = {"c4": "disagree", "c2": "neutral", "c6": "agree"}
    for _ in range(3):
        task = ann_b.next(project)
        assert task is not None
        ann_b.submit(task, given_b[task["data"]["corpus_key"].split(":")[1]])

    pull(schema, studio.connection, ledger_dir=ledger_dir, project_id=project)
    # the next slice, under a newer model: c2's answers disagree (weak): re-opened first;
    # then the two least confident of the rest under m2's scores
    m2_scores = {"c1": 0.2, "c3": 0.7, "c5": 0.4, "c7": 0.05}
    m2 = _predictions(tmp_path, schema, "m2", m2_scores)
    second = push_slice(schema, studio.connection, corpus, 2, predictions_path=m2,
                        ledger_dir=ledger_dir)
    assert second.weak == {tasks["c2"]: 3}
    assert second.reopened is not None and second.reopened.raised == [tasks["c2"]]
    assert [k.split(":")[1] for k in second.order] == ["c7", "c1"]
    assert second.push.later == 3
    tasks = _ledger(tmp_path, studio, schema)
    assert tasks["c2"] < tasks["c7"] < tasks["c1"]
    # C gets the weak item first (it has the most answers of the open tasks), then the
    # new slice in its priority order
    served = []
    for _ in range(3):
        task = ann_c.next(project)
        assert task is not None
        cid = task["data"]["corpus_key"].split(":")[1]
        served.append(cid)
        # the project shows m2 now; m2 has no prediction for c2, and m1's stays hidden
        assert [p["model_version"] for p in task["predictions"]] == ([] if cid == "c2"
                                                                      else ["m2"])
        ann_c.submit(task, "disagree")
    assert served == ["c2", "c7", "c1"]

    pulled = pull(schema, studio.connection, ledger_dir=ledger_dir, project_id=project)
    by_key = {t["data"]["corpus_key"].split(":")[1]: t for t in open_snapshot(pulled.path).tasks()}
    [by_a] = [a for a in by_key["c4"]["annotations"] if a["completed_by"] == ann_a.id]
    prediction_ids = {p if isinstance(p, int) else p["id"] for p in by_key["c4"]["predictions"]}
    assert by_a["parent_prediction"] in prediction_ids
    assert [(r["from_name"], r["value"], r.get("origin")) for r in by_a["result"]] == [
        ("stance", {"choices": ["disagree"]}, "prediction-changed")]
    [kept] = [a for a in by_key["c6"]["annotations"] if a["completed_by"] == ann_a.id]
    assert [r.get("origin") for r in kept["result"]] == ["prediction"]

    built = build_dataset(pulled.path, schema, out=tmp_path / "dataset", corpus=corpus)
    rows = {}
    for path in sorted((tmp_path / "dataset").rglob("*.parquet")):
        if "rejected" not in path.parts:
            rows.update({row["comment_id"]: row for row in pq.read_table(path).to_pylist()})
    assert built is not None
    names = schema.question("stance").label_values  # ClassLabel: stored as indexes
    # the annotators' answer, not the model's "agree"
    assert names[rows["c4"]["stance"]] == "disagree"
    assert sorted(names[a["stance"]] for a in rows["c4"]["annotations"]) == [
        "disagree", "disagree"]
    assert names[rows["c2"]["stance"]] == "disagree"  # decided by C's third answer
    assert sorted(names[a["stance"]] for a in rows["c2"]["annotations"]) == [
        "disagree", "disagree", "neutral"]
