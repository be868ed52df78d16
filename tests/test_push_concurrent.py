"""Overlapping pushes against a real Label Studio: each key exactly once, one project.

Two pushes run in parallel threads, each with its own connection: with one ledger
folder (one machine: the lock keeps them apart) or two (two machines: the server is
repaired after the imports). ``CORPUS_PUSH_TEST_DELAY`` slows the project creation
and every import, so that the two surely overlap. Also: duplicates left by an
earlier overlap are repaired without deleting annotated work, the lock's timeout
is one line, and Ctrl-C during push and pull says what was done (exit 130).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from toolkit.cli import main
from toolkit.corpus import read_corpus, write_corpus
from toolkit.errors import Interrupted
from toolkit.schema import parse_schema
from toolkit.studio import pull as pulling
from toolkit.studio.connection import connect
from toolkit.studio.ledger import Ledger, ledger_path, server_keys
from toolkit.studio.lock import ledger_lock
from toolkit.studio.project import MARKER
from toolkit.studio.push import DELAY_ENV, push

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "schemas" / "comment_stance.yaml"
RUN = secrets.token_hex(3)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, Path, int, int]:
    """(whole corpus, its first article only, comments in each)."""
    folder = tmp_path_factory.mktemp("corpus")
    whole, first = folder / "corpus.jsonl", folder / "first.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(whole)]) == 0
    articles = list(read_corpus(whole))
    write_corpus(first, articles[:1])
    return whole, first, sum(len(a.comments) for a in articles), len(articles[0].comments)


def schema_named(name: str, tmp_path: Path):
    name = f"{name}_{RUN}"
    text = STANCE.read_text(encoding="utf-8")
    text = text.replace("name: comment_stance", f"name: {name}", 1)
    text = text.replace('title: "Reader comments: stance, tone and targets"',
                        f'title: "Test {name}"', 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_schema(text, path), path


def marked_projects(studio, schema) -> list[int]:
    marker = MARKER.format(name=schema.name)
    body = studio.connection.http.get(
        "/api/projects/", params={"page_size": 1000, "include": "id,description"}).json()
    return sorted(p["id"] for p in body["results"] if marker in (p.get("description") or ""))


def key_counts(studio, project_id: int) -> Counter:
    return Counter(key for _, key in server_keys(studio.connection, project_id))


def two_pushes(studio, schema, corpus: Path, ledgers: tuple[Path, ...]) -> list:
    """Pushes (one per ledger) started together in threads, each with its own connection."""
    barrier = threading.Barrier(len(ledgers))
    results: list = [None] * len(ledgers)

    def run(slot: int) -> None:
        own = connect(studio.url, studio.api_key)
        try:
            barrier.wait()
            results[slot] = push(schema, corpus, own, ledger_dir=ledgers[slot], batch_size=3,
                                 say=lambda _line: None)
        except BaseException as exc:  # reported by the assertion below
            results[slot] = exc
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(ledgers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for result in results:
        assert not isinstance(result, BaseException), repr(result)
    return results


@pytest.mark.parametrize("machines", [1, 2])
@pytest.mark.parametrize("existing", [True, False], ids=["existing", "new"])
def test_two_pushes_at_once_give_each_key_once_in_one_project(
    studio, corpora, tmp_path, monkeypatch, existing, machines
):
    whole, first, n_all, n_first = corpora
    schema, _ = schema_named(f"overlap_{'old' if existing else 'new'}{machines}", tmp_path)
    ledgers = (tmp_path / "A", tmp_path / ("A" if machines == 1 else "B"))
    if existing:
        push(schema, first, studio.connection, ledger_dir=ledgers[0])
    monkeypatch.setenv(DELAY_ENV, "0.4")

    results = two_pushes(studio, schema, whole, ledgers)

    projects = marked_projects(studio, schema)
    assert len(projects) == 1
    assert {r.project_id for r in results} == set(projects)
    counts = key_counts(studio, projects[0])
    assert len(counts) == n_all and set(counts.values()) == {1}
    codes = [f.code for r in results for f in r.skipped]
    if machines == 1:  # the lock: the second push found everything in the ledger
        assert sorted(r.created for r in results) == [0, n_all - (n_first if existing else 0)]
        assert codes == []
    else:  # both imported; the copies were removed after
        assert sum(r.duplicates_removed for r in results) >= 1
        assert "P050" in codes
        if not existing:
            # One P052 at least: the push whose project is not the oldest moved to it. (On
            # SQLite, Label Studio may retry a create that met "database is locked" and
            # leave an extra empty project behind: then both pushes move to that one.)
            assert "P052" in codes
    # A later push (either machine) finds everything, warns of nothing.
    for ledger_dir in ledgers:
        again = push(schema, whole, studio.connection, ledger_dir=ledger_dir)
        assert again.created == 0 and again.already_present == n_all and again.skipped == []


def test_three_machines_racing_end_in_one_project_and_count_what_each_created(
    studio, corpora, tmp_path, monkeypatch
):
    """Issue 17 item 17: of three racing pushes one exited 2 ("delete or rename the extra
    ones", for a project already deleted) and two printed every task as created."""
    whole, _, n_all, _ = corpora
    schema, _ = schema_named("three_machines", tmp_path)
    monkeypatch.setenv(DELAY_ENV, "0.4")

    results = two_pushes(studio, schema, whole, (tmp_path / "A", tmp_path / "B", tmp_path / "C"))

    projects = marked_projects(studio, schema)
    assert len(projects) == 1 and {r.project_id for r in results} == set(projects)
    counts = key_counts(studio, projects[0])
    assert len(counts) == n_all and set(counts.values()) == {1}
    # each task on the server is counted by the push that made it, and by that one only
    assert sum(r.created for r in results) == n_all
    assert sum(r.created + r.raced_copies for r in results) > n_all  # they did overlap


def _marked_project(studio, schema, tasks: int = 0) -> int:
    client = studio.connection.client
    project = client.projects.create(title=f"Test {schema.name}",
                                     description=MARKER.format(name=schema.name))
    if tasks:
        client.projects.import_tasks(id=project.id, request=[
            {"corpus_key": f"k{i}", "text": "x"} for i in range(tasks)])
    return project.id


def test_extra_empty_projects_of_a_race_are_not_an_error(studio, tmp_path):
    """The exit 2 of item 17: find_project met the projects of a race in progress."""
    from toolkit.studio.project import find_project

    schema, _ = schema_named("race_leftover", tmp_path)
    oldest = _marked_project(studio, schema, tasks=2)
    leftover = _marked_project(studio, schema)  # empty, stays: the oldest is used
    assert find_project(studio.connection, schema) == oldest
    racing = _marked_project(studio, schema)  # deleted by its push a moment later
    deleter = threading.Timer(0.5, lambda: studio.connection.http.delete(
        f"/api/projects/{racing}/"))
    deleter.start()
    assert find_project(studio.connection, schema) == oldest
    deleter.join()
    assert marked_projects(studio, schema) == [oldest, leftover]


def test_two_projects_holding_tasks_are_named_with_their_counts(studio, tmp_path):
    from toolkit.errors import StudioError
    from toolkit.studio.project import find_project

    schema, _ = schema_named("two_with_tasks", tmp_path)
    first = _marked_project(studio, schema, tasks=2)
    second = _marked_project(studio, schema, tasks=1)
    with pytest.raises(StudioError) as info:
        find_project(studio.connection, schema)
    assert str(info.value).startswith(
        f"Label Studio at {studio.connection.url} has 2 projects made for schema "
        f"{schema.name} holding tasks: {first} (2 tasks), {second} (1 tasks); push uses the "
        f"oldest, {first}: move what is annotated in the others there")


def test_copies_left_by_an_earlier_overlap_are_removed_but_never_annotated_work(
    studio, corpora, tmp_path
):
    whole, _, n_all, _ = corpora
    schema, _ = schema_named("earlier_copies", tmp_path)
    first = push(schema, whole, studio.connection, ledger_dir=tmp_path / "ledger")
    project = first.project_id
    http = studio.connection.http
    ledger_file = ledger_path(tmp_path / "ledger", studio.url, schema.name)
    ledger = Ledger.load(ledger_file, studio.url, schema.name)
    keys = sorted(ledger.ids)[:4]
    # What an overlap of older pushes left: a second copy of four keys.
    tasks = [{"data": http.get(f"/api/tasks/{ledger.ids[k]}/").json()["data"]} for k in keys]
    copies = http.post(f"/api/projects/{project}/import", params={"return_task_ids": "true"},
                       content=orjson.dumps(tasks),
                       headers={"Content-Type": "application/json"}).json()["task_ids"]
    annotator = studio.make_annotator("dora")

    def annotate(task_id: int) -> None:
        studio.client.annotations.create(
            id=task_id, completed_by=annotator,
            result=[{"from_name": "stance", "to_name": "text", "type": "choices",
                     "value": {"choices": ["agree"]}}])

    annotate(copies[0])                       # key 0: only the newer copy annotated
    annotate(ledger.ids[keys[1]])             # key 1: both copies annotated
    annotate(copies[1])
    http.post(f"/api/tasks/{copies[2]}/drafts", json={"result": [], "lead_time": 1})  # key 2
    ledger_file.unlink()  # the ledger is rebuilt from the server: it sees the copies

    again = push(schema, whole, studio.connection, ledger_dir=tmp_path / "ledger")

    counts = key_counts(studio, project)
    assert len(counts) == n_all
    assert {k: counts[k] for k in keys} == {keys[0]: 1, keys[1]: 2, keys[2]: 1, keys[3]: 1}
    gone = {ledger.ids[keys[0]], ledger.ids[keys[2]], copies[3]}
    for task_id in gone:
        assert http.get(f"/api/tasks/{task_id}/").status_code == 404
    for task_id in (copies[0], copies[1], ledger.ids[keys[1]], copies[2], ledger.ids[keys[3]]):
        assert http.get(f"/api/tasks/{task_id}/").status_code == 200
    assert again.duplicates_removed == 3
    found = [(f.level, f.code, f.where) for f in again.skipped]
    assert found == [("info", "P050", f"project {project}"), ("warning", "P051", keys[1])]
    # The ledger names the copies that stay; the next push repeats only the P051 warning.
    rebuilt = Ledger.load(ledger_file, studio.url, schema.name)
    assert rebuilt.ids[keys[0]] == copies[0] and rebuilt.ids[keys[2]] == copies[2]
    later = push(schema, whole, studio.connection, ledger_dir=tmp_path / "ledger")
    assert [(f.code, f.where) for f in later.skipped] == [("P051", keys[1])]
    assert later.duplicates_removed == 0 and later.created == 0


def test_lock_timeout_is_one_line_and_exit_2(studio, corpora, tmp_path, capsys):
    whole, *_ = corpora
    schema, schema_path = schema_named("locked", tmp_path)
    ledger_file = ledger_path(tmp_path / "ledger", studio.url, schema.name)
    with ledger_lock(ledger_file):
        code = main(["push", "--schema", str(schema_path), "--corpus", str(whole),
                     "--ledger-dir", str(tmp_path / "ledger"), "--url", studio.url,
                     "--api-key", studio.api_key, "--lock-timeout", "0.5"])
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, err
    assert f"pid {os.getpid()}" in lines[0] and "--lock-timeout" in lines[0]
    assert f"{ledger_file}.lock" in err.replace("\n", "")
    assert marked_projects(studio, schema) == []  # nothing was done


def test_ctrl_c_during_push_says_what_was_imported_and_a_rerun_continues(
    studio, corpora, tmp_path
):
    whole, _, n_all, _ = corpora
    schema, schema_path = schema_named("ctrl_c", tmp_path)
    env = {**os.environ, DELAY_ENV: "0.3", "LABEL_STUDIO_API_KEY": studio.api_key,
           "LABEL_STUDIO_URL": studio.url, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", "from toolkit.cli import main; main()", "push",
           "--schema", str(schema_path), "--corpus", str(whole), "--batch-size", "2",
           "--ledger-dir", str(tmp_path / "ledger")]
    ledger_file = ledger_path(tmp_path / "ledger", studio.url, schema.name)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if ledger_file.exists() and len(Ledger.load(ledger_file, "", schema.name).ids) >= 4:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    imported = len(Ledger.load(ledger_file, "", schema.name).ids)
    assert 4 <= imported < n_all
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith(
        f"Interrupted: push stopped after {imported} of {n_all} new tasks were imported into "
        "project "), err
    assert "run the same `corpus push` again to continue" in lines[-1]
    assert "Traceback" not in err

    env.pop(DELAY_ENV)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"Tasks: {n_all - imported} created, {imported} already present" in done.stdout
    project = marked_projects(studio, schema)
    assert len(project) == 1
    counts = key_counts(studio, project[0])
    assert len(counts) == n_all and set(counts.values()) == {1}


def test_ctrl_c_during_pull_says_how_far_it_got(studio, corpora, tmp_path, monkeypatch,
                                                capsys):
    whole, *_ = corpora
    schema, schema_path = schema_named("ctrl_c_pull", tmp_path)
    pushed = push(schema, whole, studio.connection, ledger_dir=tmp_path / "ledger")
    out_dir = tmp_path / "snapshots"

    def boom(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(Interrupted) as caught:
        pulling.pull(schema, studio.connection, out_dir=out_dir,
                     ledger_dir=tmp_path / "ledger", on_progress=boom)
    message = str(caught.value)
    assert message.startswith(f"pull stopped after reading 0 of {pushed.created} tasks")
    assert "no snapshot was written" in message and "`corpus pull` again" in message
    assert not any(p.suffix == ".json" for p in out_dir.glob("*"))

    # Through the CLI: one line, exit 130 (the library's progress callback is the CLI's).

    def interrupted_pull(*args, on_progress, **kwargs):
        on_progress(2, 5)
        raise KeyboardInterrupt

    monkeypatch.setattr(pulling, "pull", pulling._says_how_far(interrupted_pull))
    code = main(["pull", "--schema", str(schema_path), "--out-dir", str(out_dir),
                 "--ledger-dir", str(tmp_path / "ledger"), "--url", studio.url,
                 "--api-key", studio.api_key])
    err = capsys.readouterr().err
    assert code == 130
    assert [line for line in err.splitlines() if line.strip()] == [
        "Interrupted: pull stopped after reading 2 of 5 tasks; no snapshot was written "
        "(earlier snapshots are unchanged); run the same `corpus pull` again to read them "
        "(incremental when an earlier snapshot exists)"]
