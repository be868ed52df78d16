"""Schema -> datasets.Features, and datasets encoding rows with them."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest
from datasets import ClassLabel, List, Value

from toolkit.dataset.features import features
from toolkit.schema import load_schema, parse_schema

ROOT = Path(__file__).resolve().parents[1]


def test_comment_stance_features():
    f = features(load_schema(ROOT / "schemas" / "comment_stance.yaml"))
    assert list(f) == ["stance", "sentiment", "offensive", "sarcasm", "targets", "note"]
    assert f["stance"] == ClassLabel(names=["agree", "disagree", "neutral", "unrelated"])
    assert f["offensive"] == List(ClassLabel(names=["insult", "profanity", "hate_speech",
                                                    "threat"]))
    assert f["sarcasm"] == Value("bool")
    assert f["note"] == Value("string")
    assert f["targets"] == List({"start": Value("int32"), "end": Value("int32"),
                                 "label": ClassLabel(names=["person", "organization", "place",
                                                            "group"]),
                                 "text": Value("string")})


def test_rating_is_int():
    schema = parse_schema("name: m\nversion: '1'\ntitle: T\nunit: article\nquestions:\n"
                          "  - {name: quality, kind: rating, scale: 5}\n")
    assert features(schema)["quality"] == Value("int32")


def test_encoding_a_row_gives_classlabel_ints(tmp_path):
    f = features(load_schema(ROOT / "schemas" / "comment_stance.yaml"))
    text = "الاتفاق : يمثل شروط السيد الإذعانية على عبده !!!"
    row = {"stance": "disagree", "sentiment": "mixed", "offensive": ["insult", "threat"],
           "sarcasm": True,
           "targets": [{"start": 0, "end": 7, "label": "place", "text": text[0:7]}],
           "note": None}
    ds = datasets.Dataset.from_list([f.encode_example(row)], features=f)
    stored = ds[0]
    assert stored["stance"] == 1 and stored["sentiment"] == 3
    assert stored["offensive"] == [0, 3]
    assert stored["targets"] == [{"start": 0, "end": 7, "label": 2, "text": "الاتفاق"}]
    assert stored["sarcasm"] is True and stored["note"] is None
    assert ds.features["stance"].int2str(stored["stance"]) == "disagree"
    ds.to_parquet(tmp_path / "x.parquet")
    back = datasets.Dataset.from_parquet(str(tmp_path / "x.parquet"))
    assert back.features == f


def test_unknown_label_is_refused_by_datasets():
    f = features(load_schema(ROOT / "schemas" / "comment_stance.yaml"))
    with pytest.raises(ValueError):
        f.encode_example({"stance": "maybe", "sentiment": None, "offensive": [],
                          "sarcasm": None, "targets": [], "note": None})
