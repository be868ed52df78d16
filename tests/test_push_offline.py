"""Push's offline parts: the predictions file, the order of findings, the dry run."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import httpx
import orjson
import pytest

from toolkit.cli import main
from toolkit.errors import InputError, StudioUnreachable
from toolkit.studio.connection import Studio
from toolkit.studio.ledger import Ledger
from toolkit.studio.push import PushResult, _new_tasks, read_predictions

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "schemas" / "comment_stance.yaml"
RESULT = [{"from_name": "stance", "to_name": "text", "type": "choices",
           "value": {"choices": ["neutral"]}}]


def _write(path: Path, *records: dict) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_bad_score_is_one_line_naming_the_line(tmp_path):
    preds = _write(
        tmp_path / "preds.jsonl",
        {"corpus_key": "s:a", "model_version": "m1", "score": 0.5, "result": RESULT},
        {"corpus_key": "s:b", "model_version": "m1", "score": "high", "result": RESULT},
    )
    with pytest.raises(InputError) as caught:
        read_predictions(preds)
    assert str(caught.value) == (
        f"{preds}:2: score 'high' is not a number; give a number (e.g. 0.87) or leave score out"
    )


def test_bad_score_through_the_cli_is_one_line_exit_2(tmp_path, capsys):
    preds = _write(tmp_path / "preds.jsonl",
                   {"corpus_key": "s:b", "model_version": "m1", "score": [1], "result": RESULT})
    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(corpus)]) == 0
    capsys.readouterr()
    code = main(["push", "--schema", str(STANCE), "--corpus", str(corpus), "--dry-run",
                 "--out", str(tmp_path / "tasks.json"), "--predictions", str(preds)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"Error: {preds}:1: score [1] is not a number; give a number (e.g. 0.87) or leave "
        "score out"
    ]
    assert not (tmp_path / "tasks.json").exists()


def test_unknown_prediction_keys_are_reported_sorted():
    predictions = {key: [{"model_version": "m", "result": RESULT}]
                   for key in ("s:zeta", "s:alpha", "s:known", "s:mid", "s:beta")}
    result = PushResult()
    tasks = list(_new_tasks([{"corpus_key": "s:known"}], {}, predictions, result))
    assert [t["data"]["corpus_key"] for t in tasks] == ["s:known"]
    assert [f.where for f in result.skipped] == ["s:alpha", "s:beta", "s:mid", "s:zeta"]
    assert {(f.code, f.name) for f in result.skipped} == {("P002", "prediction-unknown-key")}


@pytest.fixture
def silent_server():
    """A loopback server that accepts connections and never answers (a hung Label Studio)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_ledger_rebuild_timeout_is_studio_unreachable_one_line(silent_server, tmp_path):
    http = httpx.Client(base_url=silent_server, timeout=0.3)
    studio = Studio(url=silent_server, api_key="k", client=None, http=http)
    ledger = Ledger.load(tmp_path / "ledger.jsonl", silent_server, "s")
    with pytest.raises(StudioUnreachable) as caught:
        ledger.rebuild(studio, 7)
    http.close()
    assert str(caught.value) == (
        f"Label Studio at {silent_server} (reading the project's tasks): no answer in time "
        "(ReadTimeout)"
    )


def test_failed_dry_run_leaves_no_temp_file(tmp_path):
    from toolkit.corpus import read_corpus
    from toolkit.schema import load_schema
    from toolkit.studio.push import dry_run

    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(corpus)]) == 0
    assert next(read_corpus(corpus)).id
    with corpus.open("ab") as handle:
        handle.write(b"{not json\n")
    out = tmp_path / "dry" / "tasks.json"
    with pytest.raises(InputError, match=r"corpus\.jsonl:\d+: "):
        dry_run(load_schema(STANCE), corpus, out)
    assert sorted(p.name for p in out.parent.iterdir()) == []


def test_dry_run_filters_by_the_ledger_of_the_given_server(tmp_path, monkeypatch):
    """What the CLI did in its callback, now the library's: url + ledger_dir -> the ledger."""
    from toolkit.schema import load_schema
    from toolkit.studio.ledger import ledger_path
    from toolkit.studio.push import dry_run
    from toolkit.tasks import tasks_from_corpus

    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .corpus/credentials here; default out is relative
    schema = load_schema(STANCE)
    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(corpus)]) == 0
    keys = [t["corpus_key"] for t in tasks_from_corpus(schema, corpus)]
    url = "http://annotation.example:8080"
    ledger = ledger_path(tmp_path / "ledgers", url, schema.name)
    ledger.parent.mkdir(parents=True)
    ledger.write_bytes(orjson.dumps({"server": url, "project_id": 3, "schema": schema.name})
                       + b"\n" + orjson.dumps({"k": keys[0], "id": 41}) + b"\n")

    result = dry_run(schema, corpus, ledger_dir=tmp_path / "ledgers", url=url)
    assert result.dry_run_path == Path("exports") / schema.name / "tasks.json"
    written = orjson.loads(result.dry_run_path.read_bytes())
    assert (result.already_present, result.created) == (1, len(keys) - 1)
    assert [t["data"]["corpus_key"] for t in written] == keys[1:]
    # Another server's ledger does not filter anything.
    other = dry_run(schema, corpus, tmp_path / "o.json", ledger_dir=tmp_path / "ledgers",
                    url="http://elsewhere.example")
    assert (other.already_present, other.created) == (0, len(keys))


def test_projects_changing_under_a_push_say_run_it_again():
    """Issue 17 item 17: a race in progress was met with advice to delete "the extra ones"
    (one of them already deleted: following it could delete the real project)."""
    from types import SimpleNamespace

    from toolkit.errors import StudioError
    from toolkit.schema import load_schema
    from toolkit.studio.project import _choose

    schema = load_schema(STANCE)
    studio = SimpleNamespace(url="http://ls.example")
    assert _choose(studio, schema, {4: 0, 5: None, 6: 0}, changed=True) == 4
    for counts, changed in (({4: 3, 5: None, 6: 2}, False), ({4: 3, 6: 2}, True)):
        with pytest.raises(StudioError) as info:
            _choose(studio, schema, counts, changed)
        assert str(info.value).startswith("another push raced this one: the projects made "
                                          "for schema comment_stance on http://ls.example "
                                          "changed while this push looked for its own (ids ")
        assert str(info.value).endswith("nothing was pushed: run it again")


def _corpus_with_copies(path: Path) -> Path:
    """12 comments under 2 articles: 7 near-duplicate copies of a1-1 under its article,
    and a2 written twice (the corpus holds its 2 comments twice: P001)."""
    from toolkit.corpus import Article, Comment, write_corpus

    a1 = Article(id="a1", source="x", title="T", body="B", comments=tuple(
        Comment(id=f"a1-{n}", article_id="a1", position=n, text="نفس الكلام",
                duplicate_of=None if n == 1 else "a1-1") for n in range(1, 9)))
    a2 = Article(id="a2", source="x", title="T2", body="B2", comments=tuple(
        Comment(id=f"a2-{n}", article_id="a2", position=n, text=f"تعليق {n}")
        for n in (1, 2)))
    write_corpus(path, [a1, a2])
    path.write_bytes(path.read_bytes() + path.read_bytes().splitlines(keepends=True)[-1])
    return path


def test_push_summary_adds_up_to_the_corpus_comments(tmp_path, capsys):
    """Issue 17 item 18: "5 tasks; 1 skipped; 7 near-duplicate copies not pushed" counted
    the P060 finding as a skipped unit: 5 + 1 + 7 is not the 12 comments."""
    corpus = _corpus_with_copies(tmp_path / "c.jsonl")
    out = tmp_path / "tasks.json"
    assert main(["push", "--schema", str(STANCE), "--corpus", str(corpus), "--dry-run",
                 "--out", str(out), "--ledger-dir", str(tmp_path / "ledger")]) == 0
    captured = capsys.readouterr()
    assert len(orjson.loads(out.read_bytes())) == 3  # a1-1, a2-1, a2-2
    assert captured.out.strip() == (
        f"Dry run: 3 tasks written to {out} (Label Studio import format): 3 written, "
        "0 already present, 2 skipped (in the corpus twice), 7 near-duplicate copies not "
        "pushed = the corpus's 12 comments.")
    assert "P060" in captured.err and "P001" in captured.err


def test_push_result_accounts_for_every_unit_once():
    result = PushResult(unit="comment", units=12, created=2, raced_copies=1, twice=2,
                        copies_not_pushed=7)
    assert sum(n for n, _ in result.accounted()) == result.units
