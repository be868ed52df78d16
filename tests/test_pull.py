"""`corpus pull` against a real Label Studio: push -> annotate as two users -> pull."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus import read_corpus
from toolkit.errors import StudioAuthError, StudioUnreachable
from toolkit.schema import parse_schema
from toolkit.studio.connection import connect
from toolkit.studio.ledger import Ledger, ledger_path
from toolkit.studio.pull import CURSOR_MARGIN, SOURCE_TEXT, _Exporter, _Reader, pull
from toolkit.studio.push import push
from toolkit.studio.server import free_port
from toolkit.studio.snapshot import open_snapshot

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "schemas" / "comment_stance.yaml"
RUN = secrets.token_hex(3)


def stance(choice: str) -> list[dict]:
    return [{"from_name": "stance", "to_name": "text", "type": "choices",
             "value": {"choices": [choice]}}]


def by_id(path: Path) -> dict[int, dict]:
    return {task["id"]: task for task in open_snapshot(path).tasks()}


def annotation_view(tasks: dict[int, dict]) -> dict[int, list]:
    """Per task: its annotations' (id, owner, cancelled, result) and its drafts' results."""
    return {
        task_id: [
            sorted((a["id"], a["completed_by"], a["was_cancelled"], str(a["result"]))
                   for a in task.get("annotations") or ()),
            sorted(str(d["result"]) for d in task.get("drafts") or ()),
        ]
        for task_id, task in tasks.items()
    }


@pytest.fixture(scope="module")
def pushed(studio, tmp_path_factory):
    """The sample corpus pushed under a schema of its own; (schema, schema path, ids, dirs)."""
    home = tmp_path_factory.mktemp("pull")
    corpus = home / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(corpus)]) == 0
    name = f"pull_{RUN}"
    text = STANCE.read_text(encoding="utf-8").replace("name: comment_stance", f"name: {name}", 1)
    text = text.replace('title: "Reader comments: stance, tone and targets"',
                        f'title: "Test {name}"', 1)
    schema_path = home / f"{name}.yaml"
    schema_path.write_text(text, encoding="utf-8")
    schema = parse_schema(text, schema_path)
    result = push(schema, corpus, studio.connection, ledger_dir=home / "ledger")
    n_comments = sum(len(a.comments) for a in read_corpus(corpus))
    assert result.created == n_comments
    ledger = Ledger.load(ledger_path(home / "ledger", studio.url, schema.name),
                         studio.url, schema.name)
    ids = [ledger.ids[key] for key in sorted(ledger.ids)]
    return schema, schema_path, ids, home


def test_pull_keeps_two_annotators_a_draft_and_a_cancelled_one(studio, pushed):
    schema, _, ids, home = pushed
    alice, bob = studio.make_annotator("pull_alice"), studio.make_annotator("pull_bob")
    first, second = ids[0], ids[1]
    studio.client.annotations.create(id=first, result=stance("agree"), completed_by=alice)
    studio.client.annotations.create(id=first, result=stance("disagree"), completed_by=bob)
    studio.client.annotations.create(id=second, result=[], completed_by=bob, was_cancelled=True)
    draft = studio.connection.http.post(
        f"/api/tasks/{second}/drafts", json={"result": stance("neutral"), "lead_time": 1.5}
    )
    assert draft.status_code == 201, draft.text

    out = home / "snapshots"
    result = pull(schema, studio.connection, out_dir=out, ledger_dir=home / "ledger")
    assert result.mode == "full"
    assert result.path.parent == out and result.path.suffix == ".json"
    header = open_snapshot(result.path).header
    assert header["schema_name"] == schema.name and header["schema_hash"] == schema.content_hash
    assert header["server"] == studio.url and header["mode"] == "full"
    assert header["counts"] == {"tasks": len(ids), "annotations": 2, "cancelled": 1, "drafts": 1}

    tasks = by_id(result.path)
    assert sorted(tasks) == sorted(ids)
    got = sorted((a["completed_by"], a["result"][0]["value"]["choices"][0])
                 for a in tasks[first]["annotations"])
    assert got == sorted([(alice, "agree"), (bob, "disagree")])
    cancelled = tasks[second]["annotations"]
    assert [(a["completed_by"], a["was_cancelled"]) for a in cancelled] == [(bob, True)]
    assert [d["result"][0]["value"]["choices"] for d in tasks[second]["drafts"]] == [["neutral"]]
    assert tasks[first]["data"]["corpus_key"].startswith(f"{schema.name}:")

    raw = result.path.read_bytes()
    assert studio.api_key.encode() not in raw
    assert studio.admin_password.encode() not in raw


def test_incremental_pull_equals_a_full_pull(studio, pushed):
    schema, _, ids, home = pushed
    out = home / "incremental"
    # Let earlier changes fall out of the cursor's safety margin, so that the
    # incremental pull below reads exactly the one task changed after this pull.
    time.sleep(CURSOR_MARGIN.total_seconds() + 2)
    base = pull(schema, studio.connection, out_dir=out, ledger_dir=home / "ledger")
    assert base.mode == "full"
    base_bytes = base.path.read_bytes()
    carol = studio.make_annotator("pull_carol")
    changed = ids[-1]
    studio.client.annotations.create(id=changed, result=stance("unrelated"), completed_by=carol)

    step = pull(schema, studio.connection, out_dir=out, ledger_dir=home / "ledger")
    assert step.mode == "incremental", step.notes
    assert step.header["base"] == base.path.name
    assert step.fetched == 1  # only the changed task was read
    whole = pull(schema, studio.connection, out_dir=home / "full", full=True,
                 ledger_dir=home / "ledger")
    assert whole.mode == "full"
    merged, fresh = by_id(step.path), by_id(whole.path)
    assert sorted(merged) == sorted(fresh) == sorted(ids)
    assert annotation_view(merged) == annotation_view(fresh)
    assert ["unrelated"] in [a["result"][0]["value"]["choices"]
                             for a in merged[changed]["annotations"] if a["result"]]
    assert step.counts == whole.counts
    assert base.path.read_bytes() == base_bytes  # snapshots are never modified
    assert open_snapshot(base.path).header["counts"]["tasks"] == len(ids)


def test_deleted_task_does_not_linger(studio, pushed):
    schema, _, ids, home = pushed
    out = home / "deleted"
    pull(schema, studio.connection, out_dir=out, ledger_dir=home / "ledger")
    victim = ids[2]
    assert studio.connection.http.delete(f"/api/tasks/{victim}/").status_code == 204
    after = pull(schema, studio.connection, out_dir=out, ledger_dir=home / "ledger")
    assert after.mode == "full" and after.notes  # the incremental merge did not add up
    assert victim not in by_id(after.path)
    assert after.counts["tasks"] == len(ids) - 1


def test_wrong_key_is_one_clear_line(studio, pushed, capsys):
    _, schema_path, _, home = pushed
    with pytest.raises(StudioAuthError):
        connect(studio.url, "not-the-key")
    code = main(["pull", "--schema", str(schema_path), "--out-dir", str(home / "x"),
                 "--url", studio.url, "--api-key", "not-the-key"])
    err = capsys.readouterr().err
    assert code == 2
    assert "refused the API key (HTTP 401)" in err
    assert "Traceback" not in err and "not-the-key" not in err


def test_unreachable_server_is_one_clear_line_after_retries(pushed, capsys):
    _, schema_path, _, home = pushed
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(StudioUnreachable):
        connect(url, "some-key", retries=1)
    code = main(["pull", "--schema", str(schema_path), "--out-dir", str(home / "y"),
                 "--url", url, "--api-key", "some-key"])
    err = capsys.readouterr().err
    assert code == 2
    assert "retrying in" in err  # it said it was retrying
    assert f"no answer from Label Studio at {url}" in err
    assert "Traceback" not in err and "some-key" not in err


def live(studio, ids: list[int]) -> list[int]:
    """The ids still on the server (an earlier test deletes one), ascending."""
    http = studio.connection.http
    return sorted(i for i in ids if http.get(f"/api/tasks/{i}/").status_code == 200)


def test_export_and_pages_sources_hold_the_same_tasks(studio, pushed):
    """The default source (export chunks) and the Data Manager pages agree task by task."""
    schema, _, ids, home = pushed
    ids = live(studio, ids)
    exported = pull(schema, studio.connection, out_dir=home / "src-export", full=True,
                    ledger_dir=home / "ledger")
    paged = pull(schema, studio.connection, out_dir=home / "src-pages", full=True,
                 source="pages", ledger_dir=home / "ledger")
    assert exported.header["source"] == SOURCE_TEXT["export"]
    assert paged.header["source"] == SOURCE_TEXT["pages"]
    a, b = by_id(exported.path), by_id(paged.path)
    assert sorted(a) == sorted(b) == sorted(ids)
    assert annotation_view(a) == annotation_view(b)
    assert {k: t["data"] for k, t in a.items()} == {k: t["data"] for k, t in b.items()}
    assert exported.counts == paged.counts
    # A previous snapshot from the other endpoint is never merged into: full pull, said why.
    again = pull(schema, studio.connection, out_dir=home / "src-pages",
                 ledger_dir=home / "ledger")
    assert again.mode == "full" and "another endpoint" in again.notes[0]


def test_export_chunks_listing_and_refused_long_urls(studio, pushed):
    """Tiny chunks, ids listed instead of spanned, and a chunk too long for the server."""
    schema, _, ids, home = pushed
    ids = live(studio, ids)
    project = pull(schema, studio.connection, out_dir=home / "chunks", full=True,
                   ledger_dir=home / "ledger").header["project_id"]
    reader = _Reader(studio.connection, project, page_size=3, workers=2)
    base = len(_Exporter(reader).base)
    tiny = _Exporter(reader, max_target=base + 2 * len(f"&ids[]={max(ids)}"), sparse=0)
    assert list(reader.ids(page_size=2)) == sorted(ids)  # the listing, paged
    chunks = list(tiny.chunks(tiny.all_ids(len(ids))))  # sparse=0: ids listed, not spanned
    assert [i for chunk in chunks for i in chunk] == sorted(ids)
    assert max(len(chunk) for chunk in chunks) == 2
    assert [t["id"] for t in tiny.tasks(sorted(ids))] == sorted(ids)
    # Chunks of 990 candidate ids (~13 kB of URL): a server that refuses them
    # (gunicorn: 414) gets them in halves; the other projects' ids are simply not returned.
    wide = _Exporter(reader, max_target=10**6)
    assert {len(chunk) for chunk in wide.chunks(range(2000))} == {990, 20}
    got = wide.tasks(range(1, max(ids) + 3000))
    assert [t["id"] for t in got] == sorted(ids)
