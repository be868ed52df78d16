"""Build under the rule dawid_skene: confidence columns, provenance, card, byte-identical."""

from __future__ import annotations

import pyarrow.parquet as pq
from dataset_fixture import make_inputs

from toolkit.dataset import build_dataset
from toolkit.schema import load_schema


def _schema(path, **update):
    s = load_schema(path)
    policy = s.annotation.model_copy(update={"rule": "dawid_skene", **update})
    return s.model_copy(update={"annotation": policy})


def _rows(out):
    tables = [pq.read_table(p) for p in sorted((out).glob("data/*.parquet"))]
    rows = [row for table in tables for row in table.to_pylist()]
    return tables, {row["comment_id"]: row for row in rows}


def test_build_dawid_skene_columns_and_provenance(tmp_path):
    schema_path, corpus, snapshot = make_inputs(tmp_path)
    schema = _schema(schema_path)
    out = tmp_path / "ds"
    build_dataset(snapshot, schema, out=out, corpus=corpus)
    tables, rows = _rows(out)
    kinds = {q.name: q.kind for q in schema.questions}
    names = tables[0].schema.names
    for name, kind in kinds.items():
        has = f"{name}_confidence" in names
        assert has == (kind in ("single", "yesno", "rating", "multi")), name
        if has:  # right after its provenance, float32
            assert names.index(f"{name}_confidence") == names.index(f"{name}_provenance") + 1
            assert str(tables[0].schema.field(f"{name}_confidence").type) == "float"
    # the three-way tie of a4-1 (agree / neutral / disagree) is decided by the model now
    assert rows["a4-1"]["stance_provenance"] == "dawid_skene"
    assert 0 < rows["a4-1"]["stance_confidence"] < 1
    # a unanimous item keeps its provenance, with a confidence near 1
    assert rows["a1-3"]["stance_provenance"] == "unanimous"
    assert rows["a1-3"]["stance_confidence"] > 0.9
    # spans keep the majority rule and get no confidence
    assert rows["a1-1"]["targets_provenance"] in ("unanimous", "majority")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "aggregated by the rule `dawid_skene`" in card
    assert "`stance_confidence`" in card


def test_build_dawid_skene_is_byte_identical_and_min_confidence(tmp_path):
    schema_path, corpus, snapshot = make_inputs(tmp_path)
    schema = _schema(schema_path)
    first, second = tmp_path / "one", tmp_path / "two"
    build_dataset(snapshot, schema, out=first, corpus=corpus)
    build_dataset(snapshot, schema, out=second, corpus=corpus)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    strict = tmp_path / "strict"
    build_dataset(snapshot, _schema(schema_path, min_confidence=0.999), out=strict, corpus=corpus)
    _, rows = _rows(strict)
    assert "a4-1" not in rows  # below the confidence: unresolved, so rejected
    rejected = (strict / "rejected" / "rejected.jsonl").read_text(encoding="utf-8")
    assert "confidence below 0.999" in rejected
