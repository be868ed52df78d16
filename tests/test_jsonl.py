"""The one JSONL reading loop, and each of its three users keeping its own behaviour."""

from __future__ import annotations

import pytest

from toolkit.corpus import iter_jsonl, read_corpus
from toolkit.errors import InputError
from toolkit.studio.ledger import Ledger
from toolkit.studio.push import read_predictions


def test_blank_lines_skipped_numbers_kept(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n\n  \n[2]\n')
    assert list(iter_jsonl(path, what="thing")) == [(1, {"a": 1}), (4, [2])]


def test_missing_file_is_one_line_unless_missing_ok(tmp_path):
    path = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as caught:
        list(iter_jsonl(path, what="thing"))
    assert str(caught.value) == f"{path}: cannot read the thing (No such file or directory)"
    assert list(iter_jsonl(path, what="thing", missing_ok=True)) == []


def test_corpus_bad_line_names_path_line_and_fix(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(b'{"id": "a", "source": "s", "title": "t", "body": "b"}\n{oops\n')
    articles = read_corpus(path)
    assert next(articles).id == "a"
    with pytest.raises(InputError) as caught:
        next(articles)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: not JSON (")
    assert message.endswith("; re-create the file with `corpus ingest`")
    path.write_bytes(b'{"id": "a"}\n')
    with pytest.raises(InputError) as caught:
        list(read_corpus(path))
    assert str(caught.value) == (
        f"{path}:1: not a corpus record ('source'); re-create the file with `corpus ingest`"
    )


def test_predictions_bad_json_line(tmp_path):
    path = tmp_path / "preds.jsonl"
    path.write_bytes(b'\n{"corpus_key": "s:a", "model_version": 1, "result": []}\nnot json\n')
    with pytest.raises(InputError) as caught:
        read_predictions(path)
    assert str(caught.value).startswith(f"{path}:3: not JSON (")
    path.write_bytes(b'{"corpus_key": "s:a", "model_version": 1, "result": []}\n')
    assert read_predictions(path) == {"s:a": [{"model_version": "1", "result": []}]}


def test_ledger_tolerates_a_torn_last_line_and_marks_pending(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b'{"server": "u", "project_id": 12, "schema": "s"}\n'
                     b'{"k": "s:a", "id": 101}\n{"k": "s:b", "i')
    ledger = Ledger.load(path, "u", "s")
    assert (ledger.project_id, ledger.ids) == (12, {"s:a": 101})
    assert ledger.pending
    absent = Ledger.load(tmp_path / "none.jsonl", "u", "s")
    assert (absent.project_id, absent.ids, absent.pending) == (None, {}, False)
