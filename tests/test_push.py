"""`corpus push` against a real Label Studio: idempotent, interruption-safe, annotatable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

from toolkit.cli import main
from toolkit.corpus import read_corpus
from toolkit.errors import StudioError, StudioUnreachable
from toolkit.schema import parse_schema
from toolkit.studio.connection import connect
from toolkit.studio.ledger import Ledger, ledger_path, server_keys
from toolkit.studio.push import INTERRUPT_ENV, dry_run, push
from toolkit.tasks import tasks_from_corpus

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "schemas" / "comment_stance.yaml"
SEED_ID = "dab86e570d492265"
# Project names unique per session: CORPUS_TEST_STUDIO_DIR may keep a server's data across runs.
RUN = secrets.token_hex(3)


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def n_comments(corpus_path) -> int:
    return sum(len(a.comments) for a in read_corpus(corpus_path))


def schema_named(name: str, tmp_path: Path, *, replace: tuple[str, str] | None = None):
    """comment_stance under another name (so each test gets its own project)."""
    name = f"{name}_{RUN}"
    text = STANCE.read_text(encoding="utf-8")
    text = text.replace("name: comment_stance", f"name: {name}", 1)
    text = text.replace('title: "Reader comments: stance, tone and targets"',
                        f'title: "Test {name}"', 1)
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_schema(text, path), path


def server_key_counts(studio, project_id: int) -> Counter:
    return Counter(key for _, key in server_keys(studio.connection, project_id))


def test_task_data_contract(corpus_path, tmp_path):
    schema, _ = schema_named("contract", tmp_path)
    tasks = list(tasks_from_corpus(schema, corpus_path))
    seed = [t for t in tasks if t["article_id"].endswith(SEED_ID) or SEED_ID in t["source"]]
    assert len(seed) == 5
    first = seed[0]
    assert list(first) == [
        "corpus_key", "unit", "unit_id", "article_id", "comment_id", "source", "position",
        "author", "time_raw", "text", "article_title", "article_body",
    ]
    assert first["corpus_key"] == f"{schema.name}:{first['comment_id']}"
    assert first["unit"] == "comment" and first["unit_id"] == first["comment_id"]
    assert [t["position"] for t in seed] == [1, 2, 3, 4, 5]
    assert first["time_raw"] == "منذ 7 سنوات 8 أشهر"
    assert len({t["corpus_key"] for t in tasks}) == len(tasks)


@pytest.mark.integration
def test_push_then_two_annotators(studio, corpus_path, n_comments, tmp_path):
    schema, _ = schema_named("two_annotators", tmp_path)
    result = push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger",
                  batch_size=7)
    assert result.project_created and result.created == n_comments
    assert result.already_present == 0 and result.skipped == []
    project = studio.client.projects.get(id=result.project_id)
    assert project.title == f"Test {schema.name}"
    assert project.maximum_annotations == schema.annotation.overlap
    assert 'name="article_title"' in project.label_config
    assert "direction: rtl" in project.label_config
    assert f"[corpus-toolkit:{schema.name}]" in project.description

    keys = server_key_counts(studio, result.project_id)
    assert len(keys) == n_comments and set(keys.values()) == {1}

    ledger = Ledger.load(ledger_path(tmp_path / "ledger", studio.url, schema.name),
                         studio.url, schema.name)
    task_id = ledger.ids[next(iter(sorted(ledger.ids)))]
    alice, bob = studio.make_annotator("alice"), studio.make_annotator("bob")
    for user, choice in ((alice, "agree"), (bob, "disagree")):
        studio.client.annotations.create(
            id=task_id,
            result=[{"from_name": "stance", "to_name": "text", "type": "choices",
                     "value": {"choices": [choice]}}],
            completed_by=user,
        )
    task = studio.client.tasks.get(id=task_id)
    def user_id(value) -> int:  # tasks.get expands completed_by into the user object
        return value["id"] if isinstance(value, dict) else value

    got = sorted((user_id(a["completed_by"]), a["result"][0]["value"]["choices"][0])
                 for a in task.annotations)
    assert got == sorted([(alice, "agree"), (bob, "disagree")])
    assert task.data["corpus_key"] in ledger.ids


@pytest.mark.integration
def test_push_twice_creates_nothing_the_second_time(studio, corpus_path, n_comments, tmp_path,
                                                   capsys):
    _, schema_path = schema_named("twice", tmp_path)
    args = ["push", "--schema", str(schema_path), "--corpus", str(corpus_path),
            "--ledger-dir", str(tmp_path / "ledger"), "--url", studio.url,
            "--api-key", studio.api_key]
    assert main(args) == 0
    first = capsys.readouterr()
    assert f"Tasks: {n_comments} created, 0 already present, 0 skipped" in first.out
    assert main(args) == 0
    second = capsys.readouterr()
    assert f"Tasks: 0 created, {n_comments} already present, 0 skipped" in second.out
    assert "Updated:" not in second.out  # nothing changed in the project's settings
    assert studio.api_key not in first.out + first.err + second.out + second.err
    project_id = int(second.out.split("Project ", 1)[1].split()[0])
    counts = server_key_counts(studio, project_id)
    assert len(counts) == n_comments and max(counts.values()) == 1


@pytest.mark.integration
def test_killed_mid_push_then_push_again_gives_each_task_once(studio, corpus_path, n_comments,
                                                              tmp_path):
    """Killed right after an import returned, before its ids reached the ledger."""
    schema, schema_path = schema_named("killed", tmp_path)
    env = {**os.environ, INTERRUPT_ENV: "2", "LABEL_STUDIO_API_KEY": studio.api_key,
           "LABEL_STUDIO_URL": studio.url}
    cmd = [sys.executable, "-c", "from toolkit.cli import main; main()",
           "push", "--schema", str(schema_path),
           "--corpus", str(corpus_path), "--batch-size", "5",
           "--ledger-dir", str(tmp_path / "ledger")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 137, done.stderr
    ledger_file = ledger_path(tmp_path / "ledger", studio.url, schema.name)
    ledger = Ledger.load(ledger_file, studio.url, schema.name)
    assert ledger.pending and len(ledger.ids) == 5  # batch 2 reached the server only
    project_id = ledger.project_id
    assert sum(server_key_counts(studio, project_id).values()) == 10

    env.pop(INTERRUPT_ENV)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "interrupted during an import: reconciling" in done.stderr
    assert f"Tasks: {n_comments - 10} created, 10 already present" in done.stdout
    counts = server_key_counts(studio, project_id)
    assert len(counts) == n_comments and max(counts.values()) == 1
    assert not Ledger.load(ledger_file, studio.url, schema.name).pending


@pytest.mark.integration
def test_lost_ledger_is_rebuilt_from_the_server(studio, corpus_path, n_comments, tmp_path):
    schema, _ = schema_named("lost_ledger", tmp_path)
    first = push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger")
    ledger_path(tmp_path / "ledger", studio.url, schema.name).unlink()
    again = push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger")
    assert again.project_id == first.project_id and not again.project_created
    assert again.reconciled == n_comments
    assert again.created == 0 and again.already_present == n_comments
    counts = server_key_counts(studio, first.project_id)
    assert len(counts) == n_comments and max(counts.values()) == 1


@pytest.mark.integration
def test_predictions_attach_by_key_and_unknown_keys_are_reported(studio, corpus_path, tmp_path):
    schema, _ = schema_named("predicted", tmp_path)
    keys = [t["corpus_key"] for t in tasks_from_corpus(schema, corpus_path)]
    preds = tmp_path / "preds.jsonl"
    result = [{"from_name": "stance", "to_name": "text", "type": "choices",
               "value": {"choices": ["neutral"]}}]
    preds.write_bytes(b"\n".join(orjson.dumps(r) for r in [
        {"corpus_key": keys[0], "model_version": "m1", "score": 0.9, "result": result},
        {"corpus_key": f"{schema.name}:nope", "model_version": "m1", "result": result},
    ]) + b"\n")
    out = push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger",
               predictions_path=preds)
    assert out.predictions_attached == 1
    assert [(f.code, f.where) for f in out.skipped] == [
        ("P002", f"{schema.name}:nope")]
    ledger = Ledger.load(ledger_path(tmp_path / "ledger", studio.url, schema.name),
                         studio.url, schema.name)
    task = studio.connection.http.get(f"/api/tasks/{ledger.ids[keys[0]]}/").json()
    assert [(p["model_version"], p["result"][0]["value"]) for p in task["predictions"]] == [
        ("m1", {"choices": ["neutral"]})]
    # A second model's predictions for tasks pushed earlier are added, once.
    preds.write_bytes(orjson.dumps(
        {"corpus_key": keys[1], "model_version": "m2", "result": result}) + b"\n")
    for expected in (1, 0):
        again = push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger",
                     predictions_path=preds)
        assert again.created == 0 and again.predictions_attached == expected


@pytest.mark.integration
def test_schema_change_updates_config_or_is_refused_in_one_line(studio, corpus_path, tmp_path):
    schema, _ = schema_named("evolving", tmp_path)
    first = push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger")
    ledger = Ledger.load(ledger_path(tmp_path / "ledger", studio.url, schema.name),
                         studio.url, schema.name)
    task_id = next(iter(ledger.ids.values()))
    studio.client.annotations.create(
        id=task_id,
        result=[{"from_name": "stance", "to_name": "text", "type": "choices",
                 "value": {"choices": ["unrelated"]}}],
        completed_by=studio.make_annotator("carol"),
    )
    # Adding a label: accepted, the config is updated.
    grown, _ = schema_named("evolving", tmp_path, replace=(
        '      unrelated: {text: "لا علاقة له"',
        '      mocking: {text: "ساخر"}\n      unrelated: {text: "لا علاقة له"'))
    assert grown.question("stance").label_values[-2] == "mocking"
    updated = push(grown, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger")
    assert updated.project_id == first.project_id and updated.created == 0
    assert "label_config" in updated.settings_updated
    assert 'alias="mocking"' in studio.client.projects.get(id=first.project_id).label_config
    # Removing the question an annotation answers: refused, in one clear line.
    text = STANCE.read_text(encoding="utf-8")
    text = text[: text.index("  - name: stance")] + text[text.index("  - name: sentiment"):]
    text = text.replace("stratify_by: stance", "stratify_by: sentiment")
    text = text.replace("name: comment_stance", f"name: {schema.name}", 1).replace(
        'title: "Reader comments: stance, tone and targets"', f'title: "Test {schema.name}"', 1)
    shrunk = parse_schema(text, "shrunk.yaml")
    with pytest.raises(StudioError) as caught:
        push(shrunk, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger")
    message = str(caught.value)
    assert "\n" not in message
    assert f"refused schema {schema.name}" in message and f"project {first.project_id}" in message


@pytest.mark.integration
def test_timeout_during_the_import_is_one_line(studio, corpus_path, tmp_path):
    """A real timeout: the import request gets a read timeout of 1 microsecond."""
    import httpx

    schema, _ = schema_named("timeout", tmp_path)
    own = connect(studio.url, studio.api_key)  # its timeout is changed: not the shared one

    def shrink_timeout(done: int, total: int | None) -> None:
        own.http.timeout = httpx.Timeout(10.0, read=1e-6)

    try:
        with pytest.raises(StudioUnreachable) as caught:
            push(schema, corpus_path, own, ledger_dir=tmp_path / "ledger",
                 on_progress=shrink_timeout)
    finally:
        own.close()
    message = str(caught.value)
    assert "\n" not in message and "(pushing): no answer in time" in message
    # The import may still land on the server: the marker makes the next push reconcile.
    ledger = Ledger.load(ledger_path(tmp_path / "ledger", studio.url, schema.name),
                         studio.url, schema.name)
    assert ledger.pending


def test_dry_run_writes_importable_tasks(corpus_path, n_comments, tmp_path):
    schema, _ = schema_named("dry", tmp_path)
    out = tmp_path / "tasks.json"
    result = dry_run(schema, corpus_path, out)
    tasks = orjson.loads(out.read_bytes())
    assert result.created == n_comments == len(tasks)
    assert all(set(t) == {"data"} for t in tasks)
    assert tasks[0]["data"]["corpus_key"].startswith(f"{schema.name}:")


@pytest.mark.integration
def test_dry_run_after_push_lists_only_new_units(studio, corpus_path, n_comments, tmp_path,
                                                 capsys):
    schema, schema_path = schema_named("dry_after", tmp_path)
    push(schema, corpus_path, studio.connection, ledger_dir=tmp_path / "ledger")
    out = tmp_path / "tasks.json"
    code = main(["push", "--schema", str(schema_path), "--corpus", str(corpus_path),
                 "--ledger-dir", str(tmp_path / "ledger"), "--url", studio.url,
                 "--dry-run", "--out", str(out)])
    assert code == 0
    assert orjson.loads(out.read_bytes()) == []
    assert f"Dry run: 0 tasks written to {out}" in capsys.readouterr().out
    assert n_comments > 0
