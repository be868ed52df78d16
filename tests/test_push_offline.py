"""Push's offline parts: the predictions file, the order of findings, the dry run."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from toolkit.cli import main
from toolkit.errors import InputError
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
    assert {f.code for f in result.skipped} == {"prediction-unknown-key"}
